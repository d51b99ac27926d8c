//! Connections to other nodes: the reference's distribution entries.
//!
//! OTP's Erlang code does the rest as on the reference: `net_kernel` decides when to
//! connect, `inet_tcp_dist` opens the socket, `dist_util` runs the handshake and then
//! hands the socket's port to `erlang:setnode/3`. From then on the VM reads and writes
//! that port itself: what arrives is decoded here and acted on (`input.rs`), what local
//! processes send to the node's processes is encoded here (`outgoing.rs`).
//!
//! A connection is pending from `erts_internal:new_connection/1` (or an automatic
//! connection attempt, when a process sends to a node not connected) until its channel
//! is set up; what is sent meanwhile waits in its queue. When the port closes, or the
//! pending attempt is aborted, everything tied to the node ends with `noconnection`.

pub mod input;
pub mod node_monitors;
pub mod outgoing;
pub mod remote;
pub mod spawn;
pub mod wire;

use crate::heap::Fragment;
use crate::object::*;
use crate::process::Message;
use crate::sched;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use parking_lot::{Mutex, RwLock};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

/// Marks a link or monitor entry as one with another node's process (see `remote.rs`).
pub const DIST_LINK: u64 = 1 << 62;

// Distribution flags (OTP's dist.hrl).
pub const DFLAG_PUBLISHED: u64 = 0x01;
const DFLAG_ATOM_CACHE: u64 = 0x02;
const DFLAG_HIDDEN_ATOM_CACHE: u64 = 0x40;
const DFLAG_DIST_HDR_ATOM_CACHE: u64 = 0x2000;
const DFLAG_FRAGMENTS: u64 = 0x80_0000;
pub const DFLAG_EXIT_PAYLOAD: u64 = 0x40_0000;
pub const DFLAG_SEND_SENDER: u64 = 0x8_0000;
pub const DFLAG_UNLINK_ID: u64 = 0x200_0000;
pub const DFLAG_SPAWN: u64 = 1 << 32;
pub const DFLAG_ALIAS: u64 = 8 << 32;

/// What the reference offers by default (`erts_internal:get_dflags/0`), less the atom
/// cache and fragmented messages, which oxbeam does not implement: both are optional,
/// so the other node sends plain pass-through packets.
const DFLAGS_REFERENCE_DEFAULT: u64 = 0xd_07df_7fbc;
pub const DFLAGS_DEFAULT: u64 =
    DFLAGS_REFERENCE_DEFAULT & !(DFLAG_DIST_HDR_ATOM_CACHE | DFLAG_FRAGMENTS);
/// What any node must offer (OTP 25's mandatory set).
pub const DFLAGS_MANDATORY: u64 = 0x107_0f94;
pub const DFLAGS_REJECTABLE: u64 =
    DFLAG_ATOM_CACHE | DFLAG_HIDDEN_ATOM_CACHE | DFLAG_DIST_HDR_ATOM_CACHE | DFLAG_FRAGMENTS;
pub const DFLAGS_STRICT: u64 = DFLAG_DIST_HDR_ATOM_CACHE;

pub struct Conn {
    pub node: Atom,
    /// The connection id, new for every connection attempt to the node.
    pub id: u32,
    /// The id of the reference in the connection's handle.
    ref_id: u64,
    state: Mutex<State>,
    /// Received packets waiting to be acted on, and whether a thread is at it (so that
    /// they are handled in order whichever thread read them).
    inbox: Mutex<VecDeque<Vec<u8>>>,
    draining: Mutex<()>,
    /// Packets read (outside `state`: the port's reader counts them holding the
    /// socket's lock, which a writer takes after `state`).
    in_packets: AtomicU64,
    /// Set when the connection is gone (its teardown ran).
    down: AtomicBool,
    /// Processes suspended because the connection was busy (see `suspend_sender`).
    busy_waiters: Mutex<Vec<u64>>,
}

/// A connection whose socket has more than this many bytes not written yet is busy:
/// processes sending to it are suspended (the reference's `dist_buf_busy_limit`).
pub const BUSY_LIMIT: u64 = 1 << 20;
/// They are resumed once it is down to this.
const UNBUSY_LIMIT: u64 = BUSY_LIMIT / 2;

#[derive(Default)]
struct State {
    /// The port carrying the connection, once set up.
    port: Option<u64>,
    flags: u64,
    /// Packets sent while the connection is pending.
    queue: Vec<Vec<u8>>,
    out_packets: u64,
}

fn table() -> &'static RwLock<HashMap<Atom, Arc<Conn>>> {
    static T: OnceLock<RwLock<HashMap<Atom, Arc<Conn>>>> = OnceLock::new();
    T.get_or_init(|| RwLock::new(HashMap::new()))
}

static NEXT_ID: AtomicU32 = AtomicU32::new(1);
static DYNAMIC_NAME: AtomicBool = AtomicBool::new(false);

/// `erts_internal:dynamic_node_name/0,1`.
pub fn dynamic_name() -> bool {
    DYNAMIC_NAME.load(Ordering::Relaxed)
}
pub fn set_dynamic_name(on: bool) {
    DYNAMIC_NAME.store(on, Ordering::Relaxed);
}

/// Whether this node is alive (has a name).
pub fn alive() -> bool {
    crate::node::name() != am::NONODE
}

/// The connection to `node`, pending or up.
pub fn lookup(node: Atom) -> Option<Arc<Conn>> {
    table().read().get(&node).cloned()
}

/// All connections (pending and up).
pub fn all() -> Vec<Arc<Conn>> {
    table().read().values().cloned().collect()
}

/// The connection to `node`, made pending if there is none; true if it is new.
pub fn new_connection(node: Atom) -> (Arc<Conn>, bool) {
    let mut t = table().write();
    if let Some(c) = t.get(&node) {
        return (c.clone(), false);
    }
    let c = Arc::new(Conn {
        node,
        id: NEXT_ID.fetch_add(1, Ordering::Relaxed) & 0xff_ffff,
        ref_id: crate::bifs::erlang::next_ref_id(),
        state: Mutex::new(State::default()),
        inbox: Mutex::new(VecDeque::new()),
        draining: Mutex::new(()),
        in_packets: AtomicU64::new(0),
        down: AtomicBool::new(false),
        busy_waiters: Mutex::new(Vec::new()),
    });
    t.insert(node, c.clone());
    (c, true)
}

/// The connection to `node` for sending to it: an automatic connection attempt is
/// started (`{auto_connect, Node, Handle}` to `net_kernel`) if there is none. None when
/// it cannot be reached at all (this node not alive, or `net_kernel` not running).
pub fn connect(node: Atom) -> Option<Arc<Conn>> {
    if !alive() || node == crate::node::name() {
        return None;
    }
    if let Some(c) = lookup(node) {
        return Some(c);
    }
    let (c, fresh) = new_connection(node);
    if fresh {
        let Some(kernel) = sched::whereis(Atom::from_str("net_kernel")) else {
            remove(&c);
            return None;
        };
        let mut f = Fragment::new(3 + 4 + 3);
        let h = c.handle_term(&mut f);
        let t = make_tuple(
            &mut f,
            &[
                Term::atom(Atom::from_str("auto_connect")),
                Term::atom(node),
                h,
            ],
        );
        sched::deliver(
            kernel,
            Message {
                term: t,
                frag: Some(f),
            },
        );
    }
    Some(c)
}

/// Forgets `c` if it is still the node's connection.
fn remove(c: &Arc<Conn>) -> bool {
    let mut t = table().write();
    if t.get(&c.node).is_some_and(|x| Arc::ptr_eq(x, c)) {
        t.remove(&c.node);
        true
    } else {
        false
    }
}

/// The connection whose handle (`{Id, Ref}`) is `t`.
pub fn by_handle(t: Term) -> Option<Arc<Conn>> {
    if !is_tuple(t) || tuple_arity(t) != 2 || !is_ref(tuple_get(t, 1)) {
        return None;
    }
    let id = tuple_get(t, 0).as_small()?;
    let r = ref_id(tuple_get(t, 1));
    all()
        .into_iter()
        .find(|c| c.id as i64 == id && c.ref_id == r)
}

/// Sets up the channel of the pending connection to `node` over `port` (what
/// `erlang:setnode/3` does after the handshake). Err: the reference's error atom.
pub fn set_up(node: Atom, port: u64, flags: u64, setup: Term) -> Result<Arc<Conn>, &'static str> {
    // net_kernel is told first (it links to the port and marks it the connection's).
    let Some(kernel) = sched::whereis(Atom::from_str("net_kernel")) else {
        return Err("badarg");
    };
    if !alive() {
        return Err("badarg");
    }
    if node == crate::node::name() || !crate::node::is_valid_name(node.name()) {
        return Err("badarg");
    }
    let (c, _) = new_connection(node);
    {
        let mut st = c.state.lock();
        if st.port.is_some() {
            return Err("badarg");
        }
        if !crate::port::inet::make_dist(port, c.clone()) {
            return Err("badarg");
        }
        let mut f = Fragment::new(5);
        let t = make_tuple(
            &mut f,
            &[
                Term::atom(Atom::from_str("dist_ctrlr")),
                Term::port(port),
                Term::atom(node),
                setup,
            ],
        );
        sched::deliver(
            kernel,
            Message {
                term: t,
                frag: Some(f),
            },
        );
        st.port = Some(port);
        st.flags = flags;
        let mut broken = false;
        for packet in std::mem::take(&mut st.queue) {
            broken |= crate::port::inet::dist_output(port, &packet).0;
        }
        if broken {
            drop(st);
            close_port(port);
        }
    }
    node_monitors::notify(&c, true, Term::atom(am::UNDEFINED));
    Ok(c)
}

impl Conn {
    /// The handle of this connection: `{Id, Ref}`.
    pub fn handle_term<A: Alloc + ?Sized>(&self, a: &mut A) -> Term {
        let r = make_ref(a, self.ref_id);
        make_tuple(a, &[Term::small(self.id as i64), r])
    }

    pub fn is_up(&self) -> bool {
        self.state.lock().port.is_some()
    }

    pub fn flags(&self) -> u64 {
        self.state.lock().flags
    }

    pub fn port(&self) -> Option<u64> {
        self.state.lock().port
    }

    /// `dist_get_stat/1`: packets read, packets written, bytes not written yet.
    pub fn stats(&self) -> (u64, u64, u64) {
        let st = self.state.lock();
        let queued: usize = st.queue.iter().map(Vec::len).sum();
        let pending = st.port.map_or(0, crate::port::inet::output_pending);
        (
            self.in_packets.load(Ordering::Relaxed),
            st.out_packets,
            pending + queued as u64,
        )
    }

    /// Sends a packet (queued while the connection is pending); true if the
    /// connection is busy now. The write happens outside the connection's lock: a
    /// broken socket closes its port, which takes the connection down.
    pub fn send(&self, packet: Vec<u8>) -> bool {
        let port = {
            let mut st = self.state.lock();
            st.out_packets += 1;
            match st.port {
                Some(port) => port,
                None => {
                    st.queue.push(packet);
                    let queued: usize = st.queue.iter().map(Vec::len).sum();
                    return queued as u64 > BUSY_LIMIT;
                }
            }
        };
        let (broken, pending) = crate::port::inet::dist_output(port, &packet);
        if broken {
            close_port(port);
        }
        pending > BUSY_LIMIT
    }

    /// Whether the connection is busy (`send/3` with `nosuspend` does not send then).
    pub fn is_busy(&self) -> bool {
        match self.port() {
            Some(port) => crate::port::inet::output_pending(port) > BUSY_LIMIT,
            None => {
                let queued: usize = self.state.lock().queue.iter().map(Vec::len).sum();
                queued as u64 > BUSY_LIMIT
            }
        }
    }

    /// Suspends process `id`, which found the connection busy, until the socket's
    /// output drains (`drained`) or the connection goes away. False if it drained
    /// meanwhile (the process was not left suspended).
    pub fn suspend_sender(&self, id: u64) -> bool {
        self.busy_waiters.lock().push(id);
        sched::suspend(id);
        // The writer may have drained it between the send and the registration, and
        // found nobody to resume.
        let still_busy = match self.port() {
            Some(port) => crate::port::inet::output_pending(port) > UNBUSY_LIMIT,
            None => !self.down.load(Ordering::SeqCst),
        };
        if !still_busy {
            self.resume_waiter(id);
            return false;
        }
        true
    }

    /// Resumes waiter `id` if it is still registered (whoever takes it out resumes it,
    /// so a suspension is undone exactly once).
    fn resume_waiter(&self, id: u64) {
        let taken = {
            let mut w = self.busy_waiters.lock();
            w.iter().position(|&x| x == id).map(|i| w.swap_remove(i))
        };
        if taken.is_some() {
            sched::resume(id);
        }
    }

    /// The socket's output went down to `pending` bytes: below the limit, the
    /// suspended senders run again.
    pub fn drained(&self, pending: u64) {
        if pending > UNBUSY_LIMIT {
            return;
        }
        let waiters = std::mem::take(&mut *self.busy_waiters.lock());
        for id in waiters {
            sched::resume(id);
        }
    }

    /// The port read a packet: it is acted on here, after the packets before it.
    pub fn received(self: &Arc<Self>, packet: Vec<u8>) {
        if packet.is_empty() {
            // A tick: it only shows the connection is alive.
            return;
        }
        self.in_packets.fetch_add(1, Ordering::Relaxed);
        self.inbox.lock().push_back(packet);
    }

    /// Acts on the received packets; a thread already at it handles them instead.
    pub fn drain(self: &Arc<Self>) {
        loop {
            let Some(_g) = self.draining.try_lock() else {
                return;
            };
            loop {
                let next = self.inbox.lock().pop_front();
                match next {
                    Some(p) => input::packet(self, &p),
                    None => break,
                }
            }
            drop(_g);
            if self.inbox.lock().is_empty() {
                return;
            }
        }
    }
}

fn close_port(port: u64) {
    if let Some(p) = crate::port::get(port) {
        p.close_by_driver();
    }
}

/// The connection's port closed (or the pending attempt was aborted): everything tied
/// to the node ends, as the reference's net exits do.
pub fn connection_lost(c: &Arc<Conn>, reason: Term) {
    if c.down.swap(true, Ordering::SeqCst) {
        return;
    }
    remove(c);
    let was_up = {
        let mut st = c.state.lock();
        st.queue.clear();
        st.port.is_some()
    };
    // Senders waiting for it to drain run again (what they send now is dropped).
    c.drained(0);
    outgoing::lost(c, was_up, reason);
}

/// `erts_internal:abort_pending_connection/2` of connection `c`: false if it is up;
/// else it is given up (if still pending) and true.
pub fn abort_pending(c: &Arc<Conn>) -> bool {
    if c.is_up() {
        return false;
    }
    connection_lost(c, Term::atom(am::UNDEFINED));
    true
}
