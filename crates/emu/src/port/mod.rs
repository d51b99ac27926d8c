//! Ports: the port table, each port's state, and the signals between ports and
//! processes (the architecture's `io` layer). `open.rs` parses `open_port/2`'s
//! arguments and starts the OS side (a child process or file descriptors); `io.rs`
//! runs the threads that move bytes between a port and the OS and cuts input into
//! packets or lines.
//!
//! A port's Erlang-visible state (connected process, links, monitors, registered name,
//! `port_set_data` value, closed or not) sits behind one lock. Data is queued to the
//! connected process under that lock, and a close marks the port closed under it before
//! sending its exit and `'DOWN'` signals. So no data can follow those signals, and
//! `port_close/1` returning means that everything the port delivered is already queued
//! ahead of them (what `os:cmd/1` relies on).
//!
//! Links: a process's `Slot::links` holds port ids with `PORT_LINK` set, so the
//! process-to-process path is unchanged; a port's own links are process ids. The lock
//! order is port state, then a slot's `links`; nothing takes a port's state while
//! holding a slot's `links`.

pub mod child;
pub mod inet;
pub mod io;
pub mod open;
pub mod tty;

use crate::heap::Fragment;
use crate::object::*;
use crate::process::{Message, Process, Signal};
use crate::sched;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use parking_lot::{Mutex, RwLock};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

/// Set in a link, monitor target or registry entry that names a port (the rest is the
/// port's number); process ids never have it.
pub const PORT_LINK: u64 = 1 << 63;

/// The pid or port a link or monitor entry names.
pub fn link_term(entry: u64) -> Term {
    if entry & PORT_LINK != 0 {
        Term::port(entry & !PORT_LINK)
    } else {
        Term::pid(entry)
    }
}

/// Which driver runs a port.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Driver {
    /// `{spawn, Cmd}`, `{spawn_executable, Path}`: a child process.
    Spawn,
    /// `{fd, In, Out}`: the VM's own file descriptors.
    Fd,
    /// `open_port(Atom | String, ...)`: the reference's vanilla driver, which closes
    /// at once.
    Vanilla,
    /// `{spawn, "tty_sl ..."}`: the terminal driver of the interactive shell (tty.rs).
    TtySl,
    /// `{spawn_driver, "tcp_inet" | "udp_inet"}`: a socket (inet/).
    Inet,
}

/// How a port frames and presents its data.
#[derive(Clone, Copy, Debug, Default)]
pub struct Mode {
    pub binary: bool,
    /// `{packet, N}`: 0 (stream), 1, 2 or 4.
    pub packet: u8,
    /// `{line, L}` (0: not line mode).
    pub line: usize,
    /// `eof`: report end of input as `{Port, eof}` and stay open.
    pub soft_eof: bool,
    pub exit_status: bool,
    pub read: bool,
    pub write: bool,
}

/// A process's monitor on a port.
struct PortMonitor {
    ref_id: u64,
    watcher: u64,
    /// Made by registered name: the `'DOWN'` names `{Name, Node}`.
    name: Option<Atom>,
    tag: Option<Box<Message>>,
}

struct State {
    closed: bool,
    connected: u64,
    links: Vec<u64>,
    monitors: Vec<PortMonitor>,
    reg_name: Option<Atom>,
    /// `port_set_data/2`'s value (None: `undefined`).
    data: Option<Box<Message>>,
}

/// Where a port's output goes.
pub(crate) enum Output {
    None,
    /// The VM's standard output or error, in order with everything else written there.
    Stdout,
    Stderr,
    /// The terminal, through the `tty_sl` driver's line buffer (tty.rs).
    Tty,
    /// A writer thread (see `io::spawn_writer`), and the descriptor it writes if the
    /// port may write it directly too (a non-blocking pipe of its own, which the writer
    /// keeps open as long as this sender lives).
    Thread(
        std::sync::mpsc::Sender<io::Chunk>,
        Option<std::os::fd::RawFd>,
    ),
}

struct IoHandles {
    output: Output,
    /// Dropping it tells the reader thread to stop (it polls the other end).
    cancel: Option<std::os::fd::OwnedFd>,
}

pub struct Port {
    pub id: u64,
    /// `port_info(P, name)`: the command, path, or "In/Out".
    pub name: Vec<u8>,
    pub driver: Driver,
    pub mode: Mode,
    pub parallelism: bool,
    pub os_pid: Option<u32>,
    /// `{fd, In, Out}`: the descriptors.
    pub fds: Option<(i32, i32)>,
    pub input: AtomicU64,
    pub output: AtomicU64,
    /// Bytes handed to the writer thread and not written yet (`queue_size`).
    pub queued: AtomicU64,
    /// `busy_limits_port` (low, high); None: disabled.
    busy_limits: Option<(u64, u64)>,
    busy: AtomicBool,
    /// Set when the port closed (also in `state`, for those who do not take the lock).
    closed: AtomicBool,
    /// Set when the port closed with a reason other than `normal`: the writer drops
    /// what is still queued instead of writing it.
    abort: Arc<AtomicBool>,
    state: Mutex<State>,
    io: Mutex<IoHandles>,
    /// The socket of a `tcp_inet` port.
    pub(crate) inet: Option<Arc<inet::Socket>>,
}

struct Table {
    ports: RwLock<HashMap<u64, Arc<Port>>>,
    next: AtomicU64,
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| Table {
        ports: RwLock::new(HashMap::new()),
        next: AtomicU64::new(0),
    })
}

/// The reference's default port limit.
pub const PORT_LIMIT: usize = 65_536;

/// The live port with number `id`.
pub fn get(id: u64) -> Option<Arc<Port>> {
    table().ports.read().get(&id).cloned()
}

/// Live ports' numbers, in order.
pub fn all_ids() -> Vec<u64> {
    let mut v: Vec<u64> = table().ports.read().keys().copied().collect();
    v.sort_unstable();
    v
}

pub fn count() -> usize {
    table().ports.read().len()
}

/// The live port a port term or registered name stands for.
pub fn lookup(t: Term) -> Option<Arc<Port>> {
    if t.is_local_port() {
        return get(t.port_value());
    }
    let name = t.as_atom()?;
    let entry = sched::whereis_any(name)?;
    (entry & PORT_LINK != 0).then(|| get(entry & !PORT_LINK))?
}

fn atom(name: &str) -> Term {
    Term::atom(Atom::from_str(name))
}

/// An exit reason as a port passes it on: `kill` becomes `killed`.
fn port_reason(reason: Term) -> Term {
    if reason == Term::atom(am::KILL) {
        Term::atom(am::KILLED)
    } else {
        reason
    }
}

/// What a new port starts with.
pub(crate) struct NewPort {
    pub name: Vec<u8>,
    pub driver: Driver,
    pub mode: Mode,
    pub parallelism: bool,
    pub os_pid: Option<u32>,
    pub fds: Option<(i32, i32)>,
    pub busy_limits: Option<(u64, u64)>,
    pub output: Output,
    pub cancel: Option<std::os::fd::OwnedFd>,
}

/// Creates a port connected and linked to process `owner`; None at the port limit.
pub(crate) fn create(owner: &Process, n: NewPort) -> Option<Arc<Port>> {
    create_port(owner.id, n, None::<fn(u64) -> Arc<inet::Socket>>)
}

/// Creates an inet port for process `owner`, its socket made by `socket` from the
/// port's number.
pub(crate) fn create_with(
    owner: u64,
    n: NewPort,
    socket: impl FnOnce(u64) -> Arc<inet::Socket>,
) -> Option<Arc<Port>> {
    create_port(owner, n, Some(socket))
}

fn create_port(
    owner: u64,
    n: NewPort,
    socket: Option<impl FnOnce(u64) -> Arc<inet::Socket>>,
) -> Option<Arc<Port>> {
    let t = table();
    let mut ports = t.ports.write();
    if ports.len() >= PORT_LIMIT {
        return None;
    }
    let id = t.next.fetch_add(1, Ordering::Relaxed);
    let port = Arc::new(Port {
        id,
        name: n.name,
        driver: n.driver,
        mode: n.mode,
        parallelism: n.parallelism,
        os_pid: n.os_pid,
        fds: n.fds,
        input: AtomicU64::new(0),
        output: AtomicU64::new(0),
        queued: AtomicU64::new(0),
        busy_limits: n.busy_limits,
        busy: AtomicBool::new(false),
        closed: AtomicBool::new(false),
        abort: Arc::new(AtomicBool::new(false)),
        state: Mutex::new(State {
            closed: false,
            connected: owner,
            links: vec![owner],
            monitors: Vec::new(),
            reg_name: None,
            data: None,
        }),
        io: Mutex::new(IoHandles {
            output: n.output,
            cancel: n.cancel,
        }),
        inet: socket.map(|make| make(id)),
    });
    ports.insert(id, port.clone());
    drop(ports);
    if let Some(s) = sched::slot(owner) {
        s.links.lock().push(id | PORT_LINK);
    }
    Some(port)
}

impl Port {
    pub fn term(&self) -> Term {
        Term::port(self.id)
    }

    pub fn is_closed(&self) -> bool {
        self.state.lock().closed
    }

    pub fn connected(&self) -> Option<u64> {
        let st = self.state.lock();
        (!st.closed).then_some(st.connected)
    }

    pub(crate) fn abort_flag(&self) -> Arc<AtomicBool> {
        self.abort.clone()
    }

    /// Queues a message built by `build` (in a fragment of `size` words) to the
    /// connected process, unless the port has closed. `{Port, Inner}` is built around
    /// what `build` returns.
    pub(crate) fn deliver(&self, size: usize, build: impl FnOnce(&mut Fragment) -> Term) -> bool {
        let st = self.state.lock();
        if st.closed {
            return false;
        }
        let mut f = Fragment::new(size + 3);
        let inner = build(&mut f);
        let t = make_tuple(&mut f, &[self.term(), inner]);
        sched::deliver(
            st.connected,
            Message {
                term: t,
                frag: Some(f),
            },
        );
        true
    }

    /// `{Port, {data, Bytes}}`, as a list or binary by the port's mode.
    pub(crate) fn deliver_data(&self, bytes: &[u8]) -> bool {
        let binary = self.mode.binary;
        self.deliver(data_words(bytes, binary) + 3, |f| {
            let d = data_term(f, bytes, binary);
            make_tuple(f, &[atom("data"), d])
        })
    }

    /// `{Port, {data, Binary}}` made of `bytes` itself.
    pub(crate) fn deliver_binary(&self, bytes: Vec<u8>) -> bool {
        self.deliver(oxbeam_term::header::REFC_BIN_WORDS + 3, |f| {
            let d = make_refc_binary(f, bytes.into_boxed_slice());
            make_tuple(f, &[atom("data"), d])
        })
    }

    /// Whether the port has closed (read without its lock: the reader's check
    /// between reads).
    pub(crate) fn closed_flag(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// `{Port, {data, {eol | noeol, Line}}}`.
    pub(crate) fn deliver_line(&self, eol: bool, bytes: &[u8]) -> bool {
        let binary = self.mode.binary;
        self.deliver(data_words(bytes, binary) + 6, |f| {
            let d = data_term(f, bytes, binary);
            let tag = atom(if eol { "eol" } else { "noeol" });
            let l = make_tuple(f, &[tag, d]);
            make_tuple(f, &[atom("data"), l])
        })
    }

    /// Closes the port with `reason` (already as ports pass it on): exit signals to its
    /// links, `'DOWN'`s to its monitors, its name unregistered, its OS side told to
    /// stop. False if it was closed already.
    pub fn close(&self, reason: Term) -> bool {
        self.close_signalling(reason, true)
    }

    /// Closes the port with reason `normal` as a driver does when it ends itself
    /// (`driver_exit(Port, 0)`): the reference drops the `normal` exit signals to the
    /// links then, so not even a process trapping exits hears of it.
    pub fn close_by_driver(&self) -> bool {
        self.close_signalling(Term::atom(am::NORMAL), false)
    }

    fn close_signalling(&self, reason: Term, signal_links: bool) -> bool {
        let (links, monitors, name) = {
            let mut st = self.state.lock();
            if st.closed {
                return false;
            }
            st.closed = true;
            self.closed.store(true, Ordering::Release);
            st.data = None;
            (
                std::mem::take(&mut st.links),
                std::mem::take(&mut st.monitors),
                st.reg_name.take(),
            )
        };
        table().ports.write().remove(&self.id);
        if name.is_some() {
            sched::unregister_entry(self.id | PORT_LINK);
        }
        self.stop_io(reason);
        let me = self.term();
        for l in links {
            if let Some(s) = sched::slot(l) {
                s.links.lock().retain(|&x| x != self.id | PORT_LINK);
            }
            if signal_links {
                sched::exit_signal(me, l, reason, true);
            }
        }
        for m in monitors {
            let tag = m.tag.as_ref().map(|t| t.term);
            let message =
                sched::monitors::down_message_of(atom("port"), m.ref_id, me, m.name, tag, reason);
            sched::deliver_signal(
                m.watcher,
                Signal::Down {
                    ref_id: m.ref_id,
                    message,
                },
            );
        }
        true
    }

    /// Lets the writer finish (a normal close: what was queued is still written) or
    /// drop what is queued, and tells the reader to stop.
    fn stop_io(&self, reason: Term) {
        if reason != Term::atom(am::NORMAL) {
            self.abort.store(true, Ordering::SeqCst);
        }
        let mut io = self.io.lock();
        io.output = Output::None;
        io.cancel = None;
        drop(io);
        if self.driver == Driver::TtySl {
            tty::stop(self.id);
        }
        if let Some(sock) = &self.inet {
            sock.close(reason);
        }
    }

    /// Output of `bytes` (`port_command`, `{command, Data}`). A port without output,
    /// or a packet too long for its header, ends the port (`ebadf`, `einval`) after the
    /// command returned, as in the reference.
    pub fn command(&self, data: std::borrow::Cow<[u8]>, binary: Option<Term>) {
        if !self.mode.write {
            self.close(atom("ebadf"));
            return;
        }
        let len = data.len();
        let (bytes, binary) = match self.mode.packet {
            0 => (data, binary),
            n => {
                if n < 4 && len >= 1 << (8 * n as u32) || len > u32::MAX as usize {
                    self.close(atom("einval"));
                    return;
                }
                let header = (len as u32).to_be_bytes();
                let mut framed = Vec::with_capacity(n as usize + len);
                framed.extend_from_slice(&header[4 - n as usize..]);
                framed.extend_from_slice(&data);
                (std::borrow::Cow::Owned(framed), None)
            }
        };
        self.output.fetch_add(len as u64, Ordering::Relaxed);
        let io = self.io.lock();
        match &io.output {
            Output::None => {}
            Output::Stdout => crate::report::write_stdout(&bytes),
            Output::Stderr => crate::report::write_stderr(&bytes),
            Output::Tty => tty::command(self, &bytes),
            Output::Thread(tx, direct) => {
                // With nothing queued, what the pipe takes now is written here (as the
                // reference's driver writes at once); only the rest waits for the
                // writer thread.
                let mut done = 0;
                if let Some(fd) = direct.filter(|_| self.queued.load(Ordering::SeqCst) == 0) {
                    match io::write_now(fd, &bytes) {
                        Ok(n) if n == bytes.len() => return,
                        Ok(n) => done = n,
                        Err(e) => {
                            drop(io);
                            self.close(errno_atom(e));
                            return;
                        }
                    }
                }
                let rest = match bytes {
                    std::borrow::Cow::Owned(mut v) => {
                        v.drain(..done);
                        io::Chunk::Owned(v)
                    }
                    std::borrow::Cow::Borrowed(b) => match binary.and_then(off_heap_data) {
                        Some(bin) => {
                            // SAFETY: `bin` is the live data under `binary`, whose bytes
                            // `b` are; the chunk keeps the reference taken here.
                            unsafe { crate::object::BinData::inc_ref(bin) };
                            io::Chunk::Shared {
                                bin,
                                start: b[done..].as_ptr(),
                                len: b.len() - done,
                            }
                        }
                        None => io::Chunk::Owned(b[done..].to_vec()),
                    },
                };
                let n = rest.bytes().len() as u64;
                let queued = self.queued.fetch_add(n, Ordering::SeqCst) + n;
                if let Some((_, high)) = self.busy_limits {
                    if queued >= high {
                        self.busy.store(true, Ordering::SeqCst);
                    }
                }
                if tx.send(rest).is_err() {
                    self.queued.fetch_sub(n, Ordering::SeqCst);
                }
            }
        }
    }

    /// The writer wrote `n` queued bytes.
    pub(crate) fn written(&self, n: u64) {
        let left = self.queued.fetch_sub(n, Ordering::SeqCst) - n;
        if let Some((low, _)) = self.busy_limits {
            if left <= low {
                self.busy.store(false, Ordering::SeqCst);
            }
        }
    }

    /// Whether the port is busy (its output queue passed the high limit and has not
    /// fallen to the low one yet).
    pub fn is_busy(&self) -> bool {
        self.busy.load(Ordering::SeqCst)
    }

    /// A signal with `badsig` to the connected process (a bad message sent to the
    /// port); the port itself stays open, as in the reference.
    fn badsig(&self) {
        if let Some(c) = self.connected() {
            sched::exit_signal(self.term(), c, atom("badsig"), true);
        }
    }

    /// Makes `pid` the connected process (`port_connect/2`, `{connect, Pid}`).
    fn set_connected(&self, pid: u64) -> bool {
        let mut st = self.state.lock();
        if st.closed {
            return false;
        }
        st.connected = pid;
        true
    }

    /// Links the port with process `pid`; false if the port has closed.
    fn link_process(&self, pid: u64) -> bool {
        let mut st = self.state.lock();
        if st.closed {
            return false;
        }
        if !st.links.contains(&pid) {
            st.links.push(pid);
        }
        if let Some(s) = sched::slot(pid) {
            let mut l = s.links.lock();
            if !l.contains(&(self.id | PORT_LINK)) {
                l.push(self.id | PORT_LINK);
            }
        }
        true
    }

    pub fn info_links(&self) -> Vec<u64> {
        self.state.lock().links.clone()
    }

    pub fn info_monitored_by(&self) -> Vec<u64> {
        self.state
            .lock()
            .monitors
            .iter()
            .map(|m| m.watcher)
            .collect()
    }

    pub fn registered_name(&self) -> Option<Atom> {
        self.state.lock().reg_name
    }

    /// The `memory` item: the reference's port structure plus the heap of a
    /// `port_set_data` value.
    pub fn memory(&self) -> u64 {
        let st = self.state.lock();
        40 + match &st.data {
            Some(m) if !m.term.is_immed() => 64 + 8 * size_of_term(m.term) as u64,
            _ => 0,
        }
    }

    /// Copies the `port_set_data` value onto `a` (`undefined` if none).
    pub fn get_data<A: Alloc + ?Sized>(&self, a: &mut A) -> Option<Term> {
        let st = self.state.lock();
        if st.closed {
            return None;
        }
        Some(match &st.data {
            Some(m) => copy_term(a, m.term),
            None => Term::atom(am::UNDEFINED),
        })
    }

    pub fn set_data(&self, value: Term) -> bool {
        let m = Box::new(sched::copy_to_fragment(value));
        let mut st = self.state.lock();
        if st.closed {
            return false;
        }
        st.data = Some(m);
        true
    }
}

/// Words for a data term of `bytes` (list or binary).
pub(crate) fn data_words(bytes: &[u8], binary: bool) -> usize {
    if !binary {
        2 * bytes.len()
    } else if bytes.len() <= oxbeam_term::header::HEAP_BIN_LIMIT {
        2 + bytes.len().div_ceil(8)
    } else {
        oxbeam_term::header::REFC_BIN_WORDS
    }
}

pub(crate) fn data_term(f: &mut Fragment, bytes: &[u8], binary: bool) -> Term {
    if binary {
        make_binary(f, bytes)
    } else {
        bytes_to_list(f, bytes, Term::NIL)
    }
}

/// `{Port, Atom}` or `{Port, {exit_status, N}}` and the like to the connected process.
pub(crate) fn deliver_simple(port: &Port, inner: impl FnOnce(&mut Fragment) -> Term) {
    port.deliver(8, inner);
}

// ---------------------------------------------------------------- signals

/// Process `pid` (linked to port `entry`) exited with `reason`: the port closes if it
/// was its connected process, or if the reason is not `normal`.
pub fn linked_process_exited(entry: u64, pid: u64, reason: Term) {
    let Some(port) = get(entry & !PORT_LINK) else {
        return;
    };
    let close = {
        let mut st = port.state.lock();
        if st.closed {
            return;
        }
        st.links.retain(|&l| l != pid);
        st.connected == pid || reason != Term::atom(am::NORMAL)
    };
    if close {
        port.close(port_reason(reason));
    }
}

/// `exit(Port, Reason)`: any reason closes the port (`normal` too).
pub fn exit_port(port: Term, reason: Term) {
    if let Some(port) = get(port.port_value()) {
        port.close(port_reason(reason));
    }
}

/// `link(Port)` from `p`. False if the port does not exist.
pub fn link(p: &Process, port: Term) -> bool {
    get(port.port_value()).is_some_and(|port| port.link_process(p.id))
}

/// `unlink(Port)` from `p`.
pub fn unlink(p: &Process, port: Term) {
    let id = port.port_value();
    if let Some(port) = get(id) {
        port.state.lock().links.retain(|&l| l != p.id);
    }
    if let Some(s) = sched::slot(p.id) {
        s.links.lock().retain(|&l| l != id | PORT_LINK);
    }
}

/// `port_connect(Port, Pid)`: `pid` becomes the connected process and is linked to
/// the port. False if the port has closed.
pub fn connect(port: &Port, pid: u64) -> bool {
    port.set_connected(pid) && port.link_process(pid)
}

/// `Port ! Msg` from process `p`. A message of the wrong shape, or from a process
/// other than the connected one, makes the port send `badsig` to its connected
/// process (and stay open).
pub fn bang(id: u64, msg: Term) {
    let Some(port) = get(id) else { return };
    let Some(connected) = port.connected() else {
        return;
    };
    if !is_tuple(msg) || tuple_arity(msg) != 2 || !tuple_get(msg, 0).is_local_pid() {
        port.badsig();
        return;
    }
    let (from, what) = (tuple_get(msg, 0), tuple_get(msg, 1));
    if from.pid_value() != connected {
        port.badsig();
        return;
    }
    if what == atom("close") {
        if port.close(Term::atom(am::NORMAL)) {
            send_reply(&port, from.pid_value(), "closed");
        }
        return;
    }
    if is_tuple(what) && tuple_arity(what) == 2 {
        let (tag, arg) = (tuple_get(what, 0), tuple_get(what, 1));
        if tag == atom("command") {
            match iodata(arg) {
                Some(bytes) => port.command(bytes, Some(arg)),
                None => {
                    bad_output_report(&port);
                    port.badsig();
                }
            }
            return;
        }
        if tag == atom("connect") && arg.is_local_pid() {
            if port.set_connected(arg.pid_value()) {
                send_reply(&port, from.pid_value(), "connected");
            }
            return;
        }
    }
    port.badsig();
}

/// The off-heap data under binary `t` (a refc binary or a sub-binary of one).
fn off_heap_data(t: Term) -> Option<*mut crate::object::BinData> {
    use oxbeam_term::header::{SUBTAG_REFC_BIN, SUBTAG_SUB_BIN};
    let handle = match boxed_subtag(t)? {
        SUBTAG_REFC_BIN => t,
        SUBTAG_SUB_BIN => word(t, 3),
        _ => return None,
    };
    (boxed_subtag(handle)? == SUBTAG_REFC_BIN).then(|| word(handle, 2).0 as *mut _)
}

/// The bytes of iodata `t`: a binary's own (borrowed), else a flattened copy.
pub fn iodata<'a>(t: Term) -> Option<std::borrow::Cow<'a, [u8]>> {
    if is_bitstring(t) {
        return binary_bytes(t);
    }
    crate::bifs::iodata_bytes(t).map(std::borrow::Cow::Owned)
}

/// `{Port, closed}` / `{Port, connected}` to process `to`.
fn send_reply(port: &Port, to: u64, what: &str) {
    let mut f = Fragment::new(3);
    let t = make_tuple(&mut f, &[port.term(), atom(what)]);
    sched::deliver(
        to,
        Message {
            term: t,
            frag: Some(f),
        },
    );
}

/// The reference logs this error report when a port is given output that is not
/// iodata.
pub fn bad_output_report(port: &Port) {
    let name = String::from_utf8_lossy(&port.name);
    crate::report::write_stderr(
        format!("=ERROR REPORT====\nBad value on output port '{name}'\n\n").as_bytes(),
    );
}

// ---------------------------------------------------------------- monitors

/// `monitor(port, Target)` by `p`: records the monitor and returns true, or false if
/// the port does not exist (the caller then sends the `noproc` `'DOWN'`).
pub fn monitor(
    p: &mut Process,
    port: &Port,
    ref_id: u64,
    name: Option<Atom>,
    tag: Option<Term>,
) -> bool {
    {
        let mut st = port.state.lock();
        if st.closed {
            return false;
        }
        st.monitors.push(PortMonitor {
            ref_id,
            watcher: p.id,
            name,
            tag: tag.map(|t| Box::new(sched::copy_to_fragment(t))),
        });
    }
    p.monitoring.insert(
        ref_id,
        sched::monitors::Watched {
            ref_id,
            target: port.id | PORT_LINK,
            name,
        },
    );
    true
}

/// Removes monitor `ref_id` from port `entry`.
pub fn demonitor(entry: u64, ref_id: u64) {
    if let Some(port) = get(entry & !PORT_LINK) {
        port.state.lock().monitors.retain(|m| m.ref_id != ref_id);
    }
}

// ---------------------------------------------------------------- errors

/// The reference's name for an `errno` value (`erl_errno_id`).
pub fn errno_name(e: i32) -> &'static str {
    use libc::*;
    match e {
        EPERM => "eperm",
        ENOENT => "enoent",
        ESRCH => "esrch",
        EINTR => "eintr",
        EIO => "eio",
        ENXIO => "enxio",
        E2BIG => "e2big",
        ENOEXEC => "enoexec",
        EBADF => "ebadf",
        ECHILD => "echild",
        EAGAIN => "eagain",
        ENOMEM => "enomem",
        EACCES => "eacces",
        EFAULT => "efault",
        ENOTBLK => "enotblk",
        EBUSY => "ebusy",
        EEXIST => "eexist",
        EXDEV => "exdev",
        ENODEV => "enodev",
        ENOTDIR => "enotdir",
        EISDIR => "eisdir",
        EINVAL => "einval",
        ENFILE => "enfile",
        EMFILE => "emfile",
        ENOTTY => "enotty",
        ETXTBSY => "etxtbsy",
        EFBIG => "efbig",
        ENOSPC => "enospc",
        ESPIPE => "espipe",
        EROFS => "erofs",
        EMLINK => "emlink",
        EPIPE => "epipe",
        EDOM => "edom",
        ERANGE => "erange",
        EDEADLK => "edeadlk",
        ENAMETOOLONG => "enametoolong",
        ENOLCK => "enolck",
        ENOSYS => "enosys",
        ENOTEMPTY => "enotempty",
        ELOOP => "eloop",
        ENOTSUP => "enotsup",
        ECONNRESET => "econnreset",
        ETIMEDOUT => "etimedout",
        EOVERFLOW => "eoverflow",
        ENOTSOCK => "enotsock",
        EDESTADDRREQ => "edestaddrreq",
        EMSGSIZE => "emsgsize",
        EPROTOTYPE => "eprototype",
        ENOPROTOOPT => "enoprotoopt",
        EPROTONOSUPPORT => "eprotonosupport",
        ESOCKTNOSUPPORT => "esocktnosupport",
        EPFNOSUPPORT => "epfnosupport",
        EAFNOSUPPORT => "eafnosupport",
        EADDRINUSE => "eaddrinuse",
        EADDRNOTAVAIL => "eaddrnotavail",
        ENETDOWN => "enetdown",
        ENETUNREACH => "enetunreach",
        ENETRESET => "enetreset",
        ECONNABORTED => "econnaborted",
        ENOBUFS => "enobufs",
        EISCONN => "eisconn",
        ENOTCONN => "enotconn",
        ESHUTDOWN => "eshutdown",
        ETOOMANYREFS => "etoomanyrefs",
        ECONNREFUSED => "econnrefused",
        EHOSTDOWN => "ehostdown",
        EHOSTUNREACH => "ehostunreach",
        EALREADY => "ealready",
        EINPROGRESS => "einprogress",
        _ => "unknown",
    }
}

pub fn errno_atom(e: i32) -> Term {
    atom(errno_name(e))
}

// ---------------------------------------------------------------- registry

/// `register(Name, Port)`; the error is the reference's cause.
pub fn register(name: Atom, port: Term) -> Result<Term, &'static str> {
    let Some(port) = get(port.port_value()) else {
        return Err("none");
    };
    let mut st = port.state.lock();
    if st.closed {
        return Err("none");
    }
    if st.reg_name.is_some() {
        return Err("registered_name");
    }
    if !sched::register(name, port.id | PORT_LINK) {
        return Err("none");
    }
    st.reg_name = Some(name);
    Ok(Term::TRUE)
}

/// `unregister/1` took the name of port `entry`.
pub fn unregistered(entry: u64) {
    if let Some(port) = get(entry & !PORT_LINK) {
        port.state.lock().reg_name = None;
    }
}
