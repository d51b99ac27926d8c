//! The `tcp_inet` and `udp_inet` port drivers (UDP's own part in udp.rs): what OTP's
//! `prim_inet` (and through it `gen_tcp`, `gen_udp`, `inet_tcp_dist`, `erl_epmd`)
//! asks of the reference's inet driver, over its
//! `port_control` protocol (request codes from OTP's inet_int.hrl, replies
//! `[?INET_REP_OK | Data]` or `[?INET_REP_ERROR | ErrnoName]`) and its messages:
//! `{inet_async, S, Ref, Result}` for `recv`, `accept` and `connect`, `{inet_reply, S,
//! Status}` for each send, `{tcp, S, Data}`, `{tcp_closed, S}`, `{tcp_error, S, R}`,
//! `{tcp_passive, S}` in active modes, `{empty_out_q, S}` for a subscriber.
//!
//! Sockets are non-blocking; `poll.rs` waits for them. A socket's state is behind one
//! lock, and every message about it is queued while that lock is held, so that the
//! scheduler thread (a `recv` answered from buffered data) and the poll thread (data
//! arriving) never reorder them. The lock order is socket, then port state.

mod inbuf;
mod opts;
mod poll;
pub mod sys;
mod udp;

use super::{data_term, data_words, errno_atom, Driver, Mode, NewPort, Output, Port};
use crate::bifs::decode_packet as http;
use crate::heap::Fragment;
use crate::object::*;
use crate::process::Message;
use crate::sched;
use opts::{Active, Opts};
use oxbeam_term::{Atom, Term};
use parking_lot::Mutex;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};
use sys::{Addr, Errno, Fd};

/// Added to every request code by `prim_inet` (`ERTS_INET_DRV_CONTROL_MAGIC_NUMBER`).
pub const CONTROL_MAGIC: u32 = 0x03f1_a300;

// Request codes.
const REQ_OPEN: u32 = 1;
const REQ_CLOSE: u32 = 2;
const REQ_CONNECT: u32 = 3;
const REQ_PEER: u32 = 4;
const REQ_NAME: u32 = 5;
const REQ_BIND: u32 = 6;
const REQ_SETOPTS: u32 = 7;
const REQ_GETOPTS: u32 = 8;
const REQ_GETSTAT: u32 = 11;
const REQ_GETHOSTNAME: u32 = 12;
const REQ_GETFD: u32 = 14;
const REQ_GETTYPE: u32 = 15;
const REQ_GETSTATUS: u32 = 16;
const REQ_SUBSCRIBE: u32 = 24;
const REQ_GETIFADDRS: u32 = 25;
const REQ_ACCEPT: u32 = 26;
const REQ_LISTEN: u32 = 27;
const REQ_IGNOREFD: u32 = 28;
const TCP_REQ_RECV: u32 = 42;
const TCP_REQ_UNRECV: u32 = 43;
const TCP_REQ_SHUTDOWN: u32 = 44;
const PACKET_REQ_RECV: u32 = 60;

const REP_ERROR: u8 = 0;
const REP_OK: u8 = 1;

const TYPE_STREAM: u8 = 1;
const TYPE_DGRAM: u8 = 2;

// `INET_F_*` status flags.
const F_OPEN: u32 = 0x0001;
const F_BOUND: u32 = 0x0002;
const F_ACTIVE: u32 = 0x0004;
const F_LISTEN: u32 = 0x0008;
const F_CON: u32 = 0x0010;

const SUBS_EMPTY_OUT_Q: u8 = 1;

// `INET_STAT_*` codes.
const STAT_RECV_CNT: u8 = 1;
const STAT_RECV_MAX: u8 = 2;
const STAT_RECV_AVG: u8 = 3;
const STAT_RECV_DVI: u8 = 4;
const STAT_SEND_CNT: u8 = 5;
const STAT_SEND_MAX: u8 = 6;
const STAT_SEND_AVG: u8 = 7;
const STAT_SEND_PEND: u8 = 8;
const STAT_RECV_OCT: u8 = 9;
const STAT_SEND_OCT: u8 = 10;

/// The most a `recv(S, N)` may ask for (the reference's `TCP_MAX_PACKET_SIZE`).
const MAX_RECV: usize = 0x400_0000;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    /// Opened (and maybe bound), neither listening nor connected.
    Open,
    Listening,
    Connecting,
    Connected,
    /// The peer closed (or the connection failed) and that was reported.
    Closed,
}

/// A timed operation waiting for the socket.
struct Pending {
    caller: u64,
    reference: u16,
    /// `recv`: the length asked for (0: whatever comes).
    len: usize,
}

#[derive(Default)]
struct Stats {
    recv_cnt: u64,
    recv_max: u64,
    recv_oct: u64,
    send_cnt: u64,
    send_max: u64,
    send_oct: u64,
}

struct State {
    fd: Option<Fd>,
    v6: bool,
    /// A `udp_inet` socket.
    dgram: bool,
    phase: Phase,
    bound: bool,
    opts: Opts,
    /// Received bytes not delivered yet.
    input: inbuf::InBuf,
    /// The peer closed its side (read returned 0) or the connection broke.
    eof: Option<Errno>,
    /// In an http packet mode: the start line was read, header lines come next.
    http_headers: bool,
    /// Bytes waiting to be written, and how much of the first chunk is written.
    output: VecDeque<Vec<u8>>,
    out_offset: usize,
    out_bytes: usize,
    recv: Option<Pending>,
    accepts: VecDeque<Pending>,
    connect: Option<Pending>,
    /// A send after the connection closed (in passive mode) answers `closed`.
    send_closed: bool,
    /// The port's own `binary` flag, which `{deliver, port}` data follows: set by
    /// `open_port`'s options, never for an accepted socket's port (as the reference's
    /// `driver_create_port` makes them).
    port_binary: bool,
    empty_out_q: Vec<u64>,
    next_ref: u16,
    stats: Stats,
    /// The connection to another node this socket carries (`erlang:setnode/3`): what
    /// it reads goes there instead of to the owner.
    dist: Option<Arc<crate::dist::Conn>>,
}

pub struct Socket {
    port: u64,
    st: Mutex<State>,
}

/// What the socket of a port does once its lock is released.
#[derive(Default)]
struct After {
    close_port: bool,
    /// A distribution connection that received packets to act on.
    dist_input: Option<Arc<crate::dist::Conn>>,
}

/// The socket of port number `port`, if it is an inet port.
fn socket_of(port: u64) -> Option<Arc<Socket>> {
    super::get(port)?.inet.clone()
}

fn atom(name: &str) -> Term {
    Term::atom(Atom::from_str(name))
}

fn error_reply(e: Errno) -> Vec<u8> {
    let mut v = vec![REP_ERROR];
    v.extend_from_slice(super::errno_name(e).as_bytes());
    v
}

/// The reply to a control code that is not an inet request.
pub fn invalid_request() -> Vec<u8> {
    error_reply(libc::EINVAL)
}

fn ok_reply(data: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(1 + data.len());
    v.push(REP_OK);
    v.extend_from_slice(data);
    v
}

/// A message of `words` words built by `build` to process `to`.
fn send(to: u64, words: usize, build: impl FnOnce(&mut Fragment) -> Term) {
    let mut f = Fragment::new(words);
    let term = build(&mut f);
    sched::deliver(
        to,
        Message {
            term,
            frag: Some(f),
        },
    );
}

/// Opens a `tcp_inet` (or, `dgram`, a `udp_inet`) port for process `owner`
/// (`open_port({spawn_driver, "tcp_inet"}, _)`); the socket itself is made by
/// `INET_REQ_OPEN`.
pub fn open_port(owner: u64, mode: Mode, dgram: bool) -> Option<Arc<Port>> {
    let mut state = State {
        port_binary: mode.binary,
        dgram,
        ..State::new()
    };
    if dgram {
        // The reference's default for a datagram socket's read buffer.
        state.opts.buffer = 8192;
    }
    new_port(owner, mode, state)
}

fn new_port(owner: u64, mode: Mode, state: State) -> Option<Arc<Port>> {
    let name: &[u8] = if state.dgram {
        b"udp_inet"
    } else {
        b"tcp_inet"
    };
    super::create_with(
        owner,
        NewPort {
            name: name.to_vec(),
            driver: Driver::Inet,
            mode,
            parallelism: false,
            os_pid: None,
            fds: None,
            busy_limits: None,
            output: Output::None,
            cancel: None,
        },
        |id| {
            Arc::new(Socket {
                port: id,
                st: Mutex::new(state),
            })
        },
    )
}

impl State {
    fn new() -> State {
        State {
            fd: None,
            v6: false,
            dgram: false,
            phase: Phase::Open,
            bound: false,
            opts: Opts::default(),
            input: inbuf::InBuf::default(),
            eof: None,
            http_headers: false,
            output: VecDeque::new(),
            out_offset: 0,
            out_bytes: 0,
            recv: None,
            accepts: VecDeque::new(),
            connect: None,
            send_closed: false,
            port_binary: false,
            empty_out_q: Vec::new(),
            next_ref: 0,
            stats: Stats::default(),
            dist: None,
        }
    }

    fn new_ref(&mut self) -> u16 {
        self.next_ref = self.next_ref.wrapping_add(1);
        self.next_ref
    }

    fn fd(&self) -> Result<&Fd, Errno> {
        self.fd.as_ref().ok_or(libc::EBADF)
    }
}

impl Socket {
    fn term(&self) -> Term {
        Term::port(self.port)
    }

    /// A `port_control` request (the code without the magic number); the reply bytes.
    pub fn control(&self, caller: u64, req: u32, data: &[u8]) -> Vec<u8> {
        let mut after = After::default();
        let reply = {
            let mut st = self.st.lock();
            match self.request(&mut st, caller, req, data, &mut after) {
                Ok(bytes) => ok_reply(&bytes),
                Err(e) => error_reply(e),
            }
        };
        self.finish(after);
        reply
    }

    fn request(
        &self,
        st: &mut State,
        caller: u64,
        req: u32,
        data: &[u8],
        after: &mut After,
    ) -> Result<Vec<u8>, Errno> {
        match req {
            REQ_OPEN => self.open(st, data),
            REQ_CLOSE => Ok(vec![]),
            REQ_CONNECT => self.connect(st, caller, data),
            REQ_PEER => {
                let mut out = Vec::new();
                if st.phase != Phase::Connected {
                    return Err(libc::ENOTCONN);
                }
                st.fd()?.peername()?.encode(&mut out);
                Ok(out)
            }
            REQ_NAME => {
                let mut out = Vec::new();
                st.fd()?.sockname()?.encode(&mut out);
                Ok(out)
            }
            REQ_BIND => {
                let (addr, _) = Addr::decode(data, st.v6).ok_or(libc::EINVAL)?;
                if addr.is_v6() != st.v6 {
                    return Err(libc::EINVAL);
                }
                let fd = st.fd()?;
                fd.bind(addr)?;
                let port = match fd.sockname()? {
                    Addr::V4(_, p) | Addr::V6(_, p, _, _) => p,
                };
                st.bound = true;
                Ok(port.to_be_bytes().to_vec())
            }
            REQ_SETOPTS => {
                let v6 = st.v6;
                let packet = st.opts.packet;
                let changed = st.opts.set(st.fd.as_ref(), v6, data)?;
                if st.opts.packet != packet {
                    st.http_headers = false;
                }
                if changed.passive_now {
                    self.tag_to_owner("tcp_passive");
                }
                if changed.active && st.dgram {
                    self.read_datagrams(st);
                    self.arm(st);
                } else if changed.active {
                    // What the kernel holds already counts as arrived (the reference's
                    // driver has read it).
                    if st.opts.active != Active::Passive {
                        self.fill(st);
                    }
                    self.deliver_active(st, after);
                    self.arm(st);
                }
                Ok(vec![])
            }
            REQ_GETOPTS => st.opts.get(st.fd()?, st.v6, data),
            REQ_GETSTAT => Ok(self.stats(st, data)),
            REQ_GETHOSTNAME => sys::hostname(),
            REQ_GETIFADDRS => sys::if_addrs(),
            REQ_GETFD => Ok((st.fd()?.raw() as u32).to_be_bytes().to_vec()),
            REQ_GETTYPE => {
                let fam = if st.v6 { sys::AF_INET6 } else { sys::AF_INET } as u32;
                let mut out = fam.to_be_bytes().to_vec();
                let ty = if st.dgram { TYPE_DGRAM } else { TYPE_STREAM };
                out.extend_from_slice(&(ty as u32).to_be_bytes());
                Ok(out)
            }
            REQ_GETSTATUS => {
                let mut f = 0;
                if st.fd.is_some() {
                    f |= F_OPEN;
                }
                if st.bound {
                    f |= F_BOUND;
                }
                if st.opts.active != Active::Passive {
                    f |= F_ACTIVE;
                }
                match st.phase {
                    Phase::Listening => f |= F_LISTEN,
                    Phase::Connected => f |= F_CON,
                    _ => {}
                }
                Ok(f.to_be_bytes().to_vec())
            }
            REQ_SUBSCRIBE => {
                let mut out = Vec::new();
                for &s in data {
                    if s != SUBS_EMPTY_OUT_Q {
                        return Err(libc::EINVAL);
                    }
                    out.push(s);
                    out.extend_from_slice(&(st.out_bytes as u32).to_be_bytes());
                    if st.out_bytes > 0 {
                        st.empty_out_q.push(caller);
                    }
                }
                Ok(out)
            }
            REQ_ACCEPT => self.accept(st, caller, data),
            REQ_LISTEN => {
                if st.phase != Phase::Open {
                    return Err(libc::EINVAL);
                }
                let backlog = data.get(..2).ok_or(libc::EINVAL)?;
                st.fd()?
                    .listen(i16::from_be_bytes([backlog[0], backlog[1]]) as i32)?;
                st.phase = Phase::Listening;
                st.bound = true;
                Ok(vec![])
            }
            REQ_IGNOREFD => Ok(vec![]),
            TCP_REQ_RECV if !st.dgram => self.recv(st, caller, data),
            PACKET_REQ_RECV if st.dgram => self.recv_datagram(st, caller, data),
            TCP_REQ_UNRECV => {
                st.input.prepend(data);
                self.deliver_active(st, after);
                Ok(vec![])
            }
            TCP_REQ_SHUTDOWN => {
                let how = match data.first() {
                    Some(0) => libc::SHUT_RD,
                    Some(1) => libc::SHUT_WR,
                    Some(2) => libc::SHUT_RDWR,
                    _ => return Err(libc::EINVAL),
                };
                if st.phase != Phase::Connected {
                    return Err(libc::ENOTCONN);
                }
                st.fd()?.shutdown(how)?;
                Ok(vec![])
            }
            _ => Err(libc::EINVAL),
        }
    }

    fn open(&self, st: &mut State, data: &[u8]) -> Result<Vec<u8>, Errno> {
        if st.fd.is_some() {
            return Err(libc::EINVAL);
        }
        let v6 = match data.first() {
            Some(&sys::AF_INET) => false,
            Some(&sys::AF_INET6) => true,
            Some(_) => return Err(libc::EAFNOSUPPORT),
            None => return Err(libc::EINVAL),
        };
        let ty = if st.dgram { TYPE_DGRAM } else { TYPE_STREAM };
        if data.get(1) != Some(&ty) {
            return Err(libc::EINVAL);
        }
        let fd = Fd::socket(v6, !st.dgram)?;
        poll::register(&fd, self.port)?;
        st.v6 = v6;
        st.fd = Some(fd);
        Ok(vec![])
    }

    fn deadline(&self, time: u32, reference: u16) {
        if time != u32::MAX {
            let at = Instant::now() + Duration::from_millis(time as u64);
            poll::add_deadline(at, self.port, reference);
        }
    }

    /// An operation not done at once: it fails with `timeout` if it may not wait
    /// (`time` 0, after `cancel` took it back), else it waits until its deadline.
    fn wait_for(
        &self,
        st: &mut State,
        caller: u64,
        reference: u16,
        time: u32,
        cancel: fn(&mut State, u16),
    ) {
        if time == 0 {
            cancel(st, reference);
            self.async_error(caller, reference, atom("timeout"));
        } else {
            self.deadline(time, reference);
            self.arm(st);
        }
    }

    fn connect(&self, st: &mut State, caller: u64, data: &[u8]) -> Result<Vec<u8>, Errno> {
        let time = u32::from_be_bytes(data.get(..4).ok_or(libc::EINVAL)?.try_into().unwrap());
        let (addr, _) = Addr::decode(&data[4..], st.v6).ok_or(libc::EINVAL)?;
        match st.phase {
            Phase::Open => {}
            Phase::Connecting => return Err(libc::EALREADY),
            Phase::Connected => return Err(libc::EISCONN),
            _ => return Err(libc::EINVAL),
        }
        let reference = st.new_ref();
        let now = st.fd()?.connect(addr)?;
        if now {
            st.phase = Phase::Connected;
            self.async_reply(caller, reference, Ok(None));
        } else {
            st.phase = Phase::Connecting;
            st.connect = Some(Pending {
                caller,
                reference,
                len: 0,
            });
            self.deadline(time, reference);
            self.arm(st);
        }
        Ok(reference.to_be_bytes().to_vec())
    }

    fn accept(&self, st: &mut State, caller: u64, data: &[u8]) -> Result<Vec<u8>, Errno> {
        if st.phase != Phase::Listening {
            return Err(libc::EINVAL);
        }
        let time = u32::from_be_bytes(data.get(..4).ok_or(libc::EINVAL)?.try_into().unwrap());
        let reference = st.new_ref();
        st.accepts.push_back(Pending {
            caller,
            reference,
            len: 0,
        });
        self.try_accept(st);
        if st.accepts.iter().any(|p| p.reference == reference) {
            self.wait_for(st, caller, reference, time, |st, r| {
                st.accepts.retain(|p| p.reference != r)
            });
        }
        Ok(reference.to_be_bytes().to_vec())
    }

    /// Accepts pending connections for the waiting `accept`s.
    fn try_accept(&self, st: &mut State) {
        while let Some(waiter) = st.accepts.front() {
            let Ok(fd) = st.fd() else { return };
            let conn = match fd.accept() {
                Ok(c) => c,
                Err(libc::EAGAIN) => return,
                Err(libc::EINTR) | Err(libc::ECONNABORTED) => continue,
                Err(e) => {
                    let w = st.accepts.pop_front().expect("a waiter");
                    self.async_error(w.caller, w.reference, errno_atom(e));
                    continue;
                }
            };
            let (caller, reference) = (waiter.caller, waiter.reference);
            st.accepts.pop_front();
            let mut child = State::new();
            child.v6 = st.v6;
            child.opts = st.opts.clone();
            child.phase = Phase::Connected;
            child.bound = true;
            let mode = Mode {
                read: true,
                write: true,
                ..Mode::default()
            };
            let Some(port) = new_port(caller, mode, child) else {
                self.async_error(caller, reference, atom("system_limit"));
                continue;
            };
            let sock = port.inet.clone().expect("an inet port");
            {
                let mut cs = sock.st.lock();
                if poll::register(&conn, port.id).is_err() {
                    drop(cs);
                    port.close(atom("normal"));
                    self.async_error(caller, reference, atom("enomem"));
                    continue;
                }
                cs.fd = Some(conn);
                sock.arm(&cs);
            }
            self.async_reply(caller, reference, Ok(Some(port.term())));
        }
    }

    fn recv(&self, st: &mut State, caller: u64, data: &[u8]) -> Result<Vec<u8>, Errno> {
        if data.len() < 8 {
            return Err(libc::EINVAL);
        }
        let time = u32::from_be_bytes(data[..4].try_into().unwrap());
        let len = u32::from_be_bytes(data[4..8].try_into().unwrap()) as usize;
        if st.opts.active != Active::Passive {
            return Err(libc::EINVAL);
        }
        match st.phase {
            Phase::Connected => {}
            Phase::Listening | Phase::Open | Phase::Closed => return Err(libc::ENOTCONN),
            Phase::Connecting => return Err(libc::ENOTCONN),
        }
        if st.recv.is_some() {
            return Err(libc::EALREADY);
        }
        if st.opts.packet != opts::PB_RAW && len != 0 {
            return Err(libc::EINVAL);
        }
        if len > MAX_RECV {
            return Err(libc::ENOMEM);
        }
        let reference = st.new_ref();
        st.recv = Some(Pending {
            caller,
            reference,
            len,
        });
        // From what is buffered, else from what the socket has now.
        self.serve_recv(st);
        if st.recv.is_some() {
            self.fill(st);
            self.serve_recv(st);
        }
        if st.recv.is_some() {
            self.wait_for(st, caller, reference, time, |st, _| st.recv = None);
        }
        Ok(reference.to_be_bytes().to_vec())
    }

    /// Reads what the socket has now into the input buffer (a few large reads: the
    /// packets are cut from it afterwards).
    fn fill(&self, st: &mut State) {
        const CHUNK: usize = 1 << 16;
        if st.eof.is_some() || st.phase != Phase::Connected {
            return;
        }
        for _ in 0..4 {
            let Some(fd) = st.fd.as_ref() else { return };
            match st.input.read_from(fd, CHUNK) {
                Ok(0) => {
                    st.eof = Some(0);
                    return;
                }
                Ok(n) => {
                    st.stats.recv_oct += n as u64;
                    if n < CHUNK {
                        return;
                    }
                }
                Err(e) => {
                    if e != libc::EAGAIN && e != libc::EINTR {
                        st.eof = Some(e);
                    }
                    return;
                }
            }
        }
    }

    /// The next packet in the input buffer, if complete: its bytes (removed from the
    /// buffer). `want`: the byte count a raw `recv(S, N)` asks for.
    fn next_packet(st: &mut State, want: usize) -> Result<Option<Vec<u8>>, ()> {
        if st.opts.packet == opts::PB_RAW {
            if st.input.is_empty() || st.input.len() < want {
                return Ok(None);
            }
            // Without a length, as much as the driver's buffer holds (the reference
            // reads that much at a time).
            let n = if want == 0 {
                st.input.len().min(st.opts.buffer.max(1) as usize)
            } else {
                want
            };
            return Ok(Some(st.input.take(n, 0..n)));
        }
        let found = crate::bifs::decode_packet::driver_packet(
            st.opts.packet,
            st.input.bytes(),
            st.opts.packet_size,
            st.opts.line_delim,
            st.http_headers,
        )?;
        Ok(found.map(|(size, body)| st.input.take(size, body)))
    }

    /// The words `packet_term` may use for `packet`.
    fn packet_words(st: &State, packet: &[u8], binary: bool) -> usize {
        if http::is_http_code(st.opts.packet) {
            http::http_term_words(packet)
        } else {
            data_words(packet, binary)
        }
    }

    /// What a packet is delivered as: its bytes, or in an http mode the parsed line
    /// (after which the mode moves between the start line and the header lines).
    fn packet_term(st: &mut State, f: &mut Fragment, packet: &[u8], binary: bool) -> Term {
        if !http::is_http_code(st.opts.packet) {
            return data_term(f, packet, binary);
        }
        let t = http::driver_http_term(st.opts.packet, packet, st.http_headers, f);
        if t == atom("http_eoh") {
            st.http_headers = false;
        } else if is_tuple(t)
            && matches!(
                tuple_get(t, 0).as_atom().map(|a| a.name()),
                Some("http_request") | Some("http_response")
            )
        {
            st.http_headers = true;
        }
        t
    }

    fn count_packet(st: &mut State, n: usize) {
        st.stats.recv_cnt += 1;
        st.stats.recv_max = st.stats.recv_max.max(n as u64);
    }

    /// Answers the pending passive `recv` if it can be answered now.
    fn serve_recv(&self, st: &mut State) {
        let Some(want) = st.recv.as_ref().map(|p| p.len) else {
            return;
        };
        match Self::next_packet(st, want) {
            Ok(Some(packet)) => {
                let p = st.recv.take().expect("a pending recv");
                Self::count_packet(st, packet.len());
                let binary = st.opts.binary;
                let me = self.term();
                let words = 5 + 3 + Self::packet_words(st, &packet, binary);
                send(p.caller, words, |f| {
                    let d = Self::packet_term(st, f, &packet, binary);
                    let ok = make_tuple(f, &[atom("ok"), d]);
                    make_tuple(
                        f,
                        &[atom("inet_async"), me, Term::small(p.reference as i64), ok],
                    )
                });
            }
            Ok(None) if st.eof.is_some() => {
                let p = st.recv.take().expect("a pending recv");
                let reason = self.closed_reason(st);
                st.input.clear();
                st.phase = Phase::Closed;
                st.send_closed = true;
                self.async_error(p.caller, p.reference, reason);
            }
            Ok(None) => {}
            Err(()) => {
                let p = st.recv.take().expect("a pending recv");
                st.input.clear();
                self.async_error(p.caller, p.reference, atom("emsgsize"));
            }
        }
    }

    /// `closed`, or the connection's error when `show_econnreset` asks for it.
    fn closed_reason(&self, st: &State) -> Term {
        match st.eof {
            Some(e) if e != 0 && st.opts.show_econnreset => errno_atom(e),
            _ => atom("closed"),
        }
    }

    /// In an active mode: delivers the complete packets buffered, then the close.
    fn deliver_active(&self, st: &mut State, after: &mut After) {
        if st.phase != Phase::Connected {
            return;
        }
        while st.opts.active != Active::Passive {
            match Self::next_packet(st, 0) {
                Ok(Some(packet)) => {
                    Self::count_packet(st, packet.len());
                    let me = self.term();
                    if let Some(conn) = &st.dist {
                        conn.received(packet);
                        after.dist_input = Some(conn.clone());
                    } else if st.opts.deliver_term {
                        let binary = st.opts.binary;
                        let tag = if http::is_http_code(st.opts.packet) {
                            "http"
                        } else {
                            "tcp"
                        };
                        let words = 4 + Self::packet_words(st, &packet, binary);
                        self.to_owner(words, |f| {
                            let d = Self::packet_term(st, f, &packet, binary);
                            make_tuple(f, &[atom(tag), me, d])
                        });
                    } else {
                        let binary = st.port_binary;
                        self.to_owner(6 + data_words(&packet, binary), |f| {
                            let d = data_term(f, &packet, binary);
                            let inner = make_tuple(f, &[atom("data"), d]);
                            make_tuple(f, &[me, inner])
                        });
                    }
                    self.count_delivered(st, "tcp_passive");
                }
                Ok(None) => break,
                Err(()) => {
                    st.input.clear();
                    let me = self.term();
                    self.to_owner(4, |f| {
                        make_tuple(f, &[atom("tcp_error"), me, atom("emsgsize")])
                    });
                    break;
                }
            }
        }
        if st.opts.active != Active::Passive && st.eof.is_some() {
            let me = self.term();
            if let Some(e) = st.eof.filter(|&e| e != 0 && st.opts.show_econnreset) {
                let r = errno_atom(e);
                self.to_owner(4, |f| make_tuple(f, &[atom("tcp_error"), me, r]));
            }
            self.tag_to_owner("tcp_closed");
            st.input.clear();
            st.phase = Phase::Closed;
            st.send_closed = true;
            if st.opts.exit_on_close {
                after.close_port = true;
            }
        }
    }

    /// A message of `words` words built by `build` to the port's connected process.
    fn to_owner(&self, words: usize, build: impl FnOnce(&mut Fragment) -> Term) {
        let Some(owner) = super::get(self.port).and_then(|port| port.connected()) else {
            return;
        };
        send(owner, words, build);
    }

    /// One packet was delivered in an active mode: `once` and `{active, N}` count it,
    /// and the socket turns passive (telling the owner `passive_tag` for N) at the end.
    fn count_delivered(&self, st: &mut State, passive_tag: &str) {
        match st.opts.active {
            Active::Once => st.opts.active = Active::Passive,
            Active::Multi(n) if n <= 1 => {
                st.opts.active = Active::Passive;
                self.tag_to_owner(passive_tag);
            }
            Active::Multi(n) => st.opts.active = Active::Multi(n - 1),
            _ => {}
        }
    }

    /// `{Tag, S}` to the connected process.
    fn tag_to_owner(&self, tag: &str) {
        let me = self.term();
        self.to_owner(3, |f| make_tuple(f, &[atom(tag), me]));
    }

    fn async_reply(&self, to: u64, reference: u16, result: Result<Option<Term>, Term>) {
        let me = self.term();
        send(to, 5 + 3, |f| {
            let r = match result {
                Ok(None) => atom("ok"),
                Ok(Some(v)) => make_tuple(f, &[atom("ok"), v]),
                Err(reason) => make_tuple(f, &[atom("error"), reason]),
            };
            make_tuple(
                f,
                &[atom("inet_async"), me, Term::small(reference as i64), r],
            )
        });
    }

    fn async_error(&self, to: u64, reference: u16, reason: Term) {
        self.async_reply(to, reference, Err(reason));
    }

    /// Arms the poll for what the socket waits for now.
    fn arm(&self, st: &State) {
        let Some(fd) = st.fd.as_ref() else { return };
        if st.dgram {
            let read = st.opts.active != Active::Passive || st.recv.is_some();
            poll::arm(fd, self.port, read, false);
            return;
        }
        let (read, write) = match st.phase {
            Phase::Listening => (!st.accepts.is_empty(), false),
            Phase::Connecting => (false, true),
            Phase::Connected => (
                st.eof.is_none() && (st.opts.active != Active::Passive || st.recv.is_some()),
                !st.output.is_empty(),
            ),
            _ => (false, false),
        };
        poll::arm(fd, self.port, read, write);
    }

    /// The poll thread: the socket is readable or writable.
    fn ready(&self, readable: bool, writable: bool) {
        let mut after = After::default();
        {
            let mut st = self.st.lock();
            if st.fd.is_none() {
                return;
            }
            match st.phase {
                _ if st.dgram && readable => self.read_datagrams(&mut st),
                Phase::Listening if readable => self.try_accept(&mut st),
                Phase::Connecting if writable || readable => self.connected(&mut st),
                Phase::Connected => {
                    if writable {
                        self.flush(&mut st, &mut after);
                    }
                    if readable {
                        self.fill(&mut st);
                        self.serve_recv(&mut st);
                        self.deliver_active(&mut st, &mut after);
                    }
                }
                _ => {}
            }
            self.arm(&st);
        }
        self.finish(after);
    }

    fn connected(&self, st: &mut State) {
        let Some(p) = st.connect.take() else { return };
        match st.fd().and_then(|fd| fd.take_error()) {
            Ok(()) => {
                st.phase = Phase::Connected;
                self.async_reply(p.caller, p.reference, Ok(None));
            }
            Err(e) => {
                st.phase = Phase::Open;
                self.async_error(p.caller, p.reference, errno_atom(e));
            }
        }
    }

    /// The poll thread: a timed operation's deadline passed.
    fn timed_out(&self, reference: u16) {
        let mut st = self.st.lock();
        if st.recv.as_ref().is_some_and(|p| p.reference == reference) {
            let p = st.recv.take().expect("a pending recv");
            self.async_error(p.caller, p.reference, atom("timeout"));
        } else if let Some(i) = st.accepts.iter().position(|p| p.reference == reference) {
            let p = st.accepts.remove(i).expect("a pending accept");
            self.async_error(p.caller, p.reference, atom("timeout"));
        } else if st
            .connect
            .as_ref()
            .is_some_and(|p| p.reference == reference)
        {
            let p = st.connect.take().expect("a pending connect");
            st.phase = Phase::Open;
            self.async_error(p.caller, p.reference, atom("timeout"));
        }
        self.arm(&st);
    }

    /// `port_command` on the socket from process `caller`: queues the data (with its
    /// packet header) and answers `{inet_reply, S, Status}`.
    pub fn command(&self, caller: u64, data: &[u8]) {
        let mut after = After::default();
        {
            let mut st = self.st.lock();
            let status = if st.dgram {
                self.send_datagram(&mut st, data)
            } else {
                self.queue_output(&mut st, data, &mut after)
            };
            let me = self.term();
            send(caller, 4 + 3, |f| {
                let s = match status {
                    Ok(()) => atom("ok"),
                    Err(r) => make_tuple(f, &[atom("error"), r]),
                };
                make_tuple(f, &[atom("inet_reply"), me, s])
            });
        }
        self.finish(after);
    }

    fn queue_output(&self, st: &mut State, data: &[u8], after: &mut After) -> Result<(), Term> {
        if st.phase != Phase::Connected || st.fd.is_none() {
            return Err(if st.send_closed {
                atom("closed")
            } else {
                atom("enotconn")
            });
        }
        let header = match st.opts.packet {
            1 => 1,
            2 => 2,
            3 => 4,
            _ => 0,
        };
        if header > 0 && header < 4 && data.len() >= 1 << (8 * header) {
            return Err(atom("emsgsize"));
        }
        let mut bytes = Vec::with_capacity(header + data.len());
        bytes.extend_from_slice(&(data.len() as u32).to_be_bytes()[4 - header..]);
        bytes.extend_from_slice(data);
        st.stats.send_cnt += 1;
        st.stats.send_max = st.stats.send_max.max(data.len() as u64);
        st.stats.send_oct += bytes.len() as u64;
        st.out_bytes += bytes.len();
        st.output.push_back(bytes);
        if st.output.len() == 1 {
            self.flush(st, after);
            if st.send_closed {
                return Err(atom("closed"));
            }
        }
        self.arm(st);
        Ok(())
    }

    /// Writes queued output while the socket takes it.
    fn flush(&self, st: &mut State, after: &mut After) {
        while let Some(front) = st.output.front() {
            let Ok(fd) = st.fd() else { return };
            match fd.write(&front[st.out_offset..]) {
                Ok(n) => {
                    st.out_offset += n;
                    st.out_bytes -= n;
                    if st.out_offset == st.output.front().map_or(0, |v| v.len()) {
                        st.output.pop_front();
                        st.out_offset = 0;
                    }
                }
                Err(libc::EAGAIN) | Err(libc::EINTR) => return,
                Err(e) => {
                    // The connection broke: what is queued is lost, and the socket
                    // reports it closed.
                    st.output.clear();
                    st.out_offset = 0;
                    st.out_bytes = 0;
                    st.eof.get_or_insert(e);
                    st.send_closed = true;
                    self.deliver_active(st, after);
                    break;
                }
            }
        }
        if let Some(conn) = &st.dist {
            conn.drained(st.out_bytes as u64);
        }
        if st.out_bytes == 0 {
            let me = self.term();
            for to in std::mem::take(&mut st.empty_out_q) {
                send(to, 3, |f| make_tuple(f, &[atom("empty_out_q"), me]));
            }
        }
    }

    fn finish(&self, after: After) {
        if let Some(conn) = after.dist_input {
            conn.drain();
        }
        if after.close_port {
            if let Some(port) = super::get(self.port) {
                port.close_by_driver();
            }
        }
    }

    fn stats(&self, st: &State, codes: &[u8]) -> Vec<u8> {
        let s = &st.stats;
        let avg = |total: u64, n: u64| total.checked_div(n).unwrap_or(0);
        let mut out = Vec::new();
        for &c in codes {
            let v = match c {
                STAT_RECV_CNT => s.recv_cnt,
                STAT_RECV_MAX => s.recv_max,
                STAT_RECV_AVG => avg(s.recv_oct, s.recv_cnt),
                STAT_RECV_DVI => 0,
                STAT_SEND_CNT => s.send_cnt,
                STAT_SEND_MAX => s.send_max,
                STAT_SEND_AVG => avg(s.send_oct, s.send_cnt),
                STAT_SEND_PEND => st.out_bytes as u64,
                STAT_RECV_OCT | STAT_SEND_OCT => {
                    let n = if c == STAT_RECV_OCT {
                        s.recv_oct
                    } else {
                        s.send_oct
                    };
                    out.push(c);
                    out.extend_from_slice(&n.to_be_bytes());
                    continue;
                }
                _ => continue,
            };
            out.push(c);
            out.extend_from_slice(&(v as u32).to_be_bytes());
        }
        out
    }

    /// The port closed with `reason`: the socket is closed and forgotten by the poll,
    /// and the connection to another node it carried is lost (with that reason, as
    /// `nodedown_reason` reports it).
    pub fn close(&self, reason: Term) {
        let dist = {
            let mut st = self.st.lock();
            if let Some(fd) = st.fd.take() {
                poll::deregister(&fd);
            }
            st.phase = Phase::Closed;
            st.recv = None;
            st.accepts.clear();
            st.connect = None;
            st.output.clear();
            st.input.clear();
            st.dist.take()
        };
        if let Some(c) = dist {
            let reason = match reason.as_atom().map(|a| a.name()) {
                Some("normal") => atom("connection_closed"),
                Some("kill") => atom("killed"),
                _ => reason,
            };
            crate::dist::connection_lost(&c, reason);
        }
    }
}

/// Makes the socket of port `port` carry connection `conn`; false if it is not a
/// connected socket.
pub fn make_dist(port: u64, conn: Arc<crate::dist::Conn>) -> bool {
    let Some(sock) = socket_of(port) else {
        return false;
    };
    let mut st = sock.st.lock();
    if st.dgram || st.phase != Phase::Connected || st.dist.is_some() {
        return false;
    }
    st.dist = Some(conn);
    true
}

/// Writes a distribution packet to port `port`'s socket (its packet header added as
/// for any send). Returns whether the write found the connection broken and the port
/// must close (left to the caller, who may hold the connection's lock), and the bytes
/// still waiting to be written.
pub fn dist_output(port: u64, data: &[u8]) -> (bool, u64) {
    let Some(sock) = socket_of(port) else {
        return (false, 0);
    };
    let mut after = After::default();
    let pending = {
        let mut st = sock.st.lock();
        let _ = sock.queue_output(&mut st, data, &mut after);
        st.out_bytes as u64
    };
    // Packets read on the way (the write found the peer gone) are not acted on: the
    // connection is going down.
    (after.close_port, pending)
}

/// The bytes port `port`'s socket has not written yet.
pub fn output_pending(port: u64) -> u64 {
    socket_of(port).map_or(0, |s| s.st.lock().out_bytes as u64)
}
