//! Socket options as `prim_inet` encodes them for `INET_REQ_SETOPTS` and
//! `INET_REQ_GETOPTS` (option codes from OTP's inet_int.hrl): the driver's own options
//! live in `Opts`, the operating system's are set and read on the socket.

use super::sys::{Errno, Fd};

// Option codes.
const REUSEADDR: u8 = 0;
const KEEPALIVE: u8 = 1;
const DONTROUTE: u8 = 2;
const LINGER: u8 = 3;
const BROADCAST: u8 = 4;
const OOBINLINE: u8 = 5;
const SNDBUF: u8 = 6;
const RCVBUF: u8 = 7;
const PRIORITY: u8 = 8;
const TOS: u8 = 9;
const NODELAY: u8 = 10;
const IPV6_V6ONLY: u8 = 16;
const BUFFER: u8 = 20;
const HEADER: u8 = 21;
const ACTIVE: u8 = 22;
const PACKET: u8 = 23;
const MODE: u8 = 24;
const DELIVER: u8 = 25;
const EXITONCLOSE: u8 = 26;
const HIWTRMRK: u8 = 27;
const LOWTRMRK: u8 = 28;
const SEND_TIMEOUT: u8 = 30;
const DELAY_SEND: u8 = 31;
const PACKET_SIZE: u8 = 32;
const READ_PACKETS: u8 = 33;
const SEND_TIMEOUT_CLOSE: u8 = 35;
const MSGQ_HIWTRMRK: u8 = 36;
const MSGQ_LOWTRMRK: u8 = 37;
const SHOW_ECONNRESET: u8 = 39;
const LINE_DELIM: u8 = 40;
const TCLASS: u8 = 41;
const RECVTOS: u8 = 43;
const RECVTCLASS: u8 = 44;
const TTL: u8 = 46;
const RECVTTL: u8 = 47;
const NOPUSH: u8 = 48;
const DEBUG: u8 = 99;

// `active` values.
const PASSIVE: u32 = 0;
const ACTIVE_TRUE: u32 = 1;
const ONCE: u32 = 2;
const MULTI: u32 = 3;

/// The packet types (`TCP_PB_*`) that are not framed by a length or line.
pub const PB_RAW: u32 = 0;
/// The highest packet type code.
const PB_MAX: u32 = 14;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Active {
    Passive,
    Always,
    Once,
    /// `{active, N}`: this many packets before `{tcp_passive, S}`.
    Multi(i32),
}

/// The driver's options (the operating system's are on the socket).
#[derive(Clone, Debug)]
pub struct Opts {
    pub active: Active,
    pub binary: bool,
    pub packet: u32,
    pub header: u32,
    pub deliver_term: bool,
    pub exit_on_close: bool,
    pub buffer: u32,
    /// `buffer` was set: `recbuf` no longer changes it.
    pub buffer_set: bool,
    pub packet_size: u32,
    pub line_delim: u8,
    pub send_timeout: i32,
    pub send_timeout_close: bool,
    pub delay_send: bool,
    pub high_watermark: u32,
    pub low_watermark: u32,
    pub high_msgq_watermark: u32,
    pub low_msgq_watermark: u32,
    pub show_econnreset: bool,
    pub read_packets: u32,
}

impl Default for Opts {
    /// The reference driver's defaults for a new TCP socket.
    fn default() -> Opts {
        Opts {
            active: Active::Always,
            binary: false,
            packet: PB_RAW,
            header: 0,
            deliver_term: true,
            exit_on_close: true,
            buffer: 1460,
            buffer_set: false,
            packet_size: 0,
            line_delim: b'\n',
            send_timeout: -1,
            send_timeout_close: false,
            delay_send: false,
            high_watermark: 8192,
            low_watermark: 4096,
            high_msgq_watermark: 8192,
            low_msgq_watermark: 4096,
            show_econnreset: false,
            read_packets: 5,
        }
    }
}

/// What applying options changed that the socket has to act on.
#[derive(Default)]
pub struct Changed {
    /// `active` was set (buffered data may be deliverable now).
    pub active: bool,
    /// `{active, N}` brought the count to zero or below: `{tcp_passive, S}` is due.
    pub passive_now: bool,
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

/// A socket-level option: (level, name) for the options kept by the OS as an int.
fn os_int_option(code: u8, v6: bool) -> Option<(i32, i32)> {
    Some(match code {
        REUSEADDR => (libc::SOL_SOCKET, libc::SO_REUSEADDR),
        KEEPALIVE => (libc::SOL_SOCKET, libc::SO_KEEPALIVE),
        DONTROUTE => (libc::SOL_SOCKET, libc::SO_DONTROUTE),
        BROADCAST => (libc::SOL_SOCKET, libc::SO_BROADCAST),
        OOBINLINE => (libc::SOL_SOCKET, libc::SO_OOBINLINE),
        SNDBUF => (libc::SOL_SOCKET, libc::SO_SNDBUF),
        RCVBUF => (libc::SOL_SOCKET, libc::SO_RCVBUF),
        PRIORITY => (libc::SOL_SOCKET, libc::SO_PRIORITY),
        TOS => (libc::IPPROTO_IP, libc::IP_TOS),
        TTL if v6 => (libc::IPPROTO_IPV6, libc::IPV6_UNICAST_HOPS),
        TTL => (libc::IPPROTO_IP, libc::IP_TTL),
        RECVTOS => (libc::IPPROTO_IP, libc::IP_RECVTOS),
        RECVTTL => (libc::IPPROTO_IP, libc::IP_RECVTTL),
        TCLASS if v6 => (libc::IPPROTO_IPV6, libc::IPV6_TCLASS),
        RECVTCLASS if v6 => (libc::IPPROTO_IPV6, libc::IPV6_RECVTCLASS),
        IPV6_V6ONLY if v6 => (libc::IPPROTO_IPV6, libc::IPV6_V6ONLY),
        NODELAY => (libc::IPPROTO_TCP, libc::TCP_NODELAY),
        NOPUSH => (libc::IPPROTO_TCP, libc::TCP_CORK),
        DEBUG => (libc::SOL_SOCKET, libc::SO_DEBUG),
        _ => return None,
    })
}

impl Opts {
    /// Applies an encoded option list; einval for anything malformed or unknown.
    pub fn set(&mut self, fd: Option<&Fd>, v6: bool, b: &[u8]) -> Result<Changed, Errno> {
        let mut changed = Changed::default();
        let mut i = 0;
        while i < b.len() {
            let code = b[i];
            let v = u32_at(b, i + 1).ok_or(libc::EINVAL)?;
            i += 5;
            match code {
                ACTIVE => {
                    changed.active = true;
                    self.active = match v {
                        PASSIVE => Active::Passive,
                        ACTIVE_TRUE => Active::Always,
                        ONCE => Active::Once,
                        MULTI => {
                            let n = b.get(i..i + 2).ok_or(libc::EINVAL)?;
                            i += 2;
                            let n = i16::from_be_bytes([n[0], n[1]]) as i32;
                            let before = match self.active {
                                Active::Multi(k) => k,
                                _ => 0,
                            };
                            let total = before + n;
                            if total > i16::MAX as i32 {
                                return Err(libc::EINVAL);
                            }
                            if total <= 0 {
                                changed.passive_now = true;
                                Active::Passive
                            } else {
                                Active::Multi(total)
                            }
                        }
                        _ => return Err(libc::EINVAL),
                    };
                }
                LINGER => {
                    let secs = u32_at(b, i).ok_or(libc::EINVAL)? as i32;
                    i += 4;
                    let _ = fd.ok_or(libc::EBADF)?.set_linger(v != 0, secs);
                }
                PACKET if v > PB_MAX => return Err(libc::EINVAL),
                PACKET => self.packet = v,
                MODE => self.binary = v != 0,
                HEADER => self.header = v,
                DELIVER => self.deliver_term = v != 0,
                EXITONCLOSE => self.exit_on_close = v != 0,
                BUFFER => {
                    self.buffer = v.max(1);
                    self.buffer_set = true;
                }
                PACKET_SIZE => self.packet_size = v,
                LINE_DELIM => self.line_delim = v as u8,
                SEND_TIMEOUT => self.send_timeout = v as i32,
                SEND_TIMEOUT_CLOSE => self.send_timeout_close = v != 0,
                DELAY_SEND => self.delay_send = v != 0,
                HIWTRMRK => {
                    self.high_watermark = v;
                    self.low_watermark = self.low_watermark.min(v);
                }
                LOWTRMRK => {
                    self.low_watermark = v;
                    self.high_watermark = self.high_watermark.max(v);
                }
                MSGQ_HIWTRMRK => self.high_msgq_watermark = v,
                MSGQ_LOWTRMRK => self.low_msgq_watermark = v,
                SHOW_ECONNRESET => self.show_econnreset = v != 0,
                READ_PACKETS => self.read_packets = v,
                code => {
                    // The driver's buffer follows the receive buffer asked for, until
                    // it is set itself.
                    if code == RCVBUF && !self.buffer_set {
                        self.buffer = v.max(1);
                    }
                    // The reference ignores what the operating system refuses (an
                    // IPv4 option on an IPv6 socket, say).
                    let (level, name) = os_int_option(code, v6).ok_or(libc::EINVAL)?;
                    let _ = fd.ok_or(libc::EBADF)?.set_int(level, name, v as i32);
                }
            }
        }
        Ok(changed)
    }

    /// Answers an encoded option request: each option's code and value. Options the
    /// operating system does not have for this socket are left out, as the reference
    /// leaves them out.
    pub fn get(&self, fd: &Fd, v6: bool, b: &[u8]) -> Result<Vec<u8>, Errno> {
        let mut out = Vec::new();
        let bool32 = |x: bool| x as u32;
        for &code in b {
            let v = match code {
                ACTIVE => match self.active {
                    Active::Passive => PASSIVE,
                    Active::Always => ACTIVE_TRUE,
                    Active::Once => ONCE,
                    Active::Multi(n) => {
                        out.push(code);
                        out.extend_from_slice(&MULTI.to_be_bytes());
                        out.extend_from_slice(&(n as i16).to_be_bytes());
                        continue;
                    }
                },
                LINGER => {
                    let Ok((on, secs)) = fd.get_linger() else {
                        continue;
                    };
                    out.push(code);
                    out.extend_from_slice(&bool32(on).to_be_bytes());
                    out.extend_from_slice(&(secs as u32).to_be_bytes());
                    continue;
                }
                PACKET => self.packet,
                MODE => bool32(self.binary),
                HEADER => self.header,
                DELIVER => bool32(self.deliver_term),
                EXITONCLOSE => bool32(self.exit_on_close),
                BUFFER => self.buffer,
                PACKET_SIZE => self.packet_size,
                SEND_TIMEOUT => self.send_timeout as u32,
                SEND_TIMEOUT_CLOSE => bool32(self.send_timeout_close),
                DELAY_SEND => bool32(self.delay_send),
                HIWTRMRK => self.high_watermark,
                LOWTRMRK => self.low_watermark,
                MSGQ_HIWTRMRK => self.high_msgq_watermark,
                MSGQ_LOWTRMRK => self.low_msgq_watermark,
                SHOW_ECONNRESET => bool32(self.show_econnreset),
                READ_PACKETS => self.read_packets,
                // The reference's driver does not answer it either.
                LINE_DELIM => return Err(libc::EINVAL),
                code => {
                    let (level, name) = match os_int_option(code, v6) {
                        Some(o) => o,
                        None if code == IPV6_V6ONLY || code == TCLASS || code == RECVTCLASS => {
                            continue
                        }
                        None => return Err(libc::EINVAL),
                    };
                    match fd.get_int(level, name) {
                        // SO_* booleans may read as any non-zero value.
                        Ok(x) => x as u32,
                        Err(_) => continue,
                    }
                }
            };
            out.push(code);
            out.extend_from_slice(&v.to_be_bytes());
        }
        Ok(out)
    }
}
