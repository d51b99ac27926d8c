//! The socket system calls of the inet driver, and socket addresses in the driver's
//! wire format (family byte, port, address bytes). Every `unsafe` block of the driver
//! is here; the rest of it works with `Fd` and `Addr`.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

/// The driver's address family codes (`INET_AF_*` in OTP's inet_int.hrl).
pub const AF_INET: u8 = 1;
pub const AF_INET6: u8 = 2;
pub const AF_ANY: u8 = 3;
pub const AF_LOOPBACK: u8 = 4;

pub type Errno = i32;

fn errno() -> Errno {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

fn check(r: libc::c_int) -> Result<libc::c_int, Errno> {
    if r < 0 {
        Err(errno())
    } else {
        Ok(r)
    }
}

/// An IP address and port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Addr {
    V4([u8; 4], u16),
    V6([u8; 16], u16, u32, u32),
}

impl Addr {
    /// Decodes an address as `prim_inet` encodes one (`enc_value(set, addr, _)`) for a
    /// socket of family `v6`; returns the address and the bytes after it.
    pub fn decode(b: &[u8], v6: bool) -> Option<(Addr, &[u8])> {
        let (&fam, rest) = b.split_first()?;
        if rest.len() < 2 {
            return None;
        }
        let port = u16::from_be_bytes([rest[0], rest[1]]);
        let rest = &rest[2..];
        match fam {
            AF_ANY if v6 => Some((Addr::V6([0; 16], port, 0, 0), rest)),
            AF_ANY => Some((Addr::V4([0; 4], port), rest)),
            AF_LOOPBACK if v6 => {
                let mut a = [0; 16];
                a[15] = 1;
                Some((Addr::V6(a, port, 0, 0), rest))
            }
            AF_LOOPBACK => Some((Addr::V4([127, 0, 0, 1], port), rest)),
            AF_INET if rest.len() >= 4 => {
                Some((Addr::V4(rest[..4].try_into().ok()?, port), &rest[4..]))
            }
            AF_INET6 if rest.len() >= 24 => {
                let ip = rest[..16].try_into().ok()?;
                let flow = u32::from_be_bytes(rest[16..20].try_into().ok()?);
                let scope = u32::from_be_bytes(rest[20..24].try_into().ok()?);
                Some((Addr::V6(ip, port, flow, scope), &rest[24..]))
            }
            _ => None,
        }
    }

    /// The driver's reply form: family, port, address bytes.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Addr::V4(ip, port) => {
                out.push(AF_INET);
                out.extend_from_slice(&port.to_be_bytes());
                out.extend_from_slice(ip);
            }
            Addr::V6(ip, port, _, _) => {
                out.push(AF_INET6);
                out.extend_from_slice(&port.to_be_bytes());
                out.extend_from_slice(ip);
            }
        }
    }

    pub fn is_v6(&self) -> bool {
        matches!(self, Addr::V6(..))
    }

    fn to_raw(self) -> (libc::sockaddr_storage, libc::socklen_t) {
        // SAFETY: an all-zero sockaddr_storage is a valid value.
        let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        let len = match self {
            Addr::V4(ip, port) => {
                // SAFETY: sockaddr_storage is large enough and suitably aligned for
                // every sockaddr type.
                let sin = unsafe { &mut *(&mut ss as *mut _ as *mut libc::sockaddr_in) };
                sin.sin_family = libc::AF_INET as libc::sa_family_t;
                sin.sin_port = port.to_be();
                sin.sin_addr.s_addr = u32::from_ne_bytes(ip);
                std::mem::size_of::<libc::sockaddr_in>()
            }
            Addr::V6(ip, port, flow, scope) => {
                // SAFETY: as above.
                let sin6 = unsafe { &mut *(&mut ss as *mut _ as *mut libc::sockaddr_in6) };
                sin6.sin6_family = libc::AF_INET6 as libc::sa_family_t;
                sin6.sin6_port = port.to_be();
                sin6.sin6_flowinfo = flow.to_be();
                sin6.sin6_addr.s6_addr = ip;
                sin6.sin6_scope_id = scope;
                std::mem::size_of::<libc::sockaddr_in6>()
            }
        };
        (ss, len as libc::socklen_t)
    }

    fn from_raw(ss: &libc::sockaddr_storage) -> Option<Addr> {
        match ss.ss_family as i32 {
            libc::AF_INET => {
                // SAFETY: the family says the storage holds a sockaddr_in.
                let sin = unsafe { &*(ss as *const _ as *const libc::sockaddr_in) };
                Some(Addr::V4(
                    sin.sin_addr.s_addr.to_ne_bytes(),
                    u16::from_be(sin.sin_port),
                ))
            }
            libc::AF_INET6 => {
                // SAFETY: the family says the storage holds a sockaddr_in6.
                let sin6 = unsafe { &*(ss as *const _ as *const libc::sockaddr_in6) };
                Some(Addr::V6(
                    sin6.sin6_addr.s6_addr,
                    u16::from_be(sin6.sin6_port),
                    u32::from_be(sin6.sin6_flowinfo),
                    sin6.sin6_scope_id,
                ))
            }
            _ => None,
        }
    }
}

/// A non-blocking socket.
pub struct Fd(OwnedFd);

impl Fd {
    pub fn raw(&self) -> RawFd {
        self.0.as_raw_fd()
    }

    pub fn borrowed(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }

    /// A new non-blocking, close-on-exec socket.
    pub fn socket(v6: bool, stream: bool) -> Result<Fd, Errno> {
        let domain = if v6 { libc::AF_INET6 } else { libc::AF_INET };
        let ty = if stream {
            libc::SOCK_STREAM
        } else {
            libc::SOCK_DGRAM
        };
        // SAFETY: plain system call; a non-negative result is a new descriptor we own.
        let fd = check(unsafe {
            libc::socket(domain, ty | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC, 0)
        })?;
        // SAFETY: `fd` was just created and is owned by nobody else.
        Ok(Fd(unsafe { OwnedFd::from_raw_fd(fd) }))
    }

    pub fn bind(&self, a: Addr) -> Result<(), Errno> {
        let (ss, len) = a.to_raw();
        // SAFETY: `ss` holds a valid address of `len` bytes.
        check(unsafe { libc::bind(self.raw(), &ss as *const _ as *const libc::sockaddr, len) })
            .map(drop)
    }

    pub fn listen(&self, backlog: i32) -> Result<(), Errno> {
        // SAFETY: plain system call on our descriptor.
        check(unsafe { libc::listen(self.raw(), backlog) }).map(drop)
    }

    /// Starts connecting: Ok(true) when connected at once, Ok(false) when in progress.
    pub fn connect(&self, a: Addr) -> Result<bool, Errno> {
        let (ss, len) = a.to_raw();
        // SAFETY: `ss` holds a valid address of `len` bytes.
        let r = unsafe { libc::connect(self.raw(), &ss as *const _ as *const libc::sockaddr, len) };
        match check(r) {
            Ok(_) => Ok(true),
            Err(libc::EINPROGRESS) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// A pending connection (non-blocking, close-on-exec), or EAGAIN.
    pub fn accept(&self) -> Result<Fd, Errno> {
        // SAFETY: null address arguments are allowed; a non-negative result is a new
        // descriptor we own.
        let fd = check(unsafe {
            libc::accept4(
                self.raw(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            )
        })?;
        // SAFETY: `fd` was just created and is owned by nobody else.
        Ok(Fd(unsafe { OwnedFd::from_raw_fd(fd) }))
    }

    pub fn read(&self, buf: &mut [u8]) -> Result<usize, Errno> {
        // SAFETY: `buf` is writable for its length.
        let r = unsafe { libc::read(self.raw(), buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
        if r < 0 {
            Err(errno())
        } else {
            Ok(r as usize)
        }
    }

    /// Reads at most `n` bytes onto the end of `buf` (into its spare capacity, so that
    /// a large read costs nothing when little comes); returns the count read.
    pub fn read_append(&self, buf: &mut Vec<u8>, n: usize) -> Result<usize, Errno> {
        buf.reserve(n);
        let spare = buf.spare_capacity_mut();
        // SAFETY: `spare` is writable for at least `n` bytes; read(2) writes only
        // initialised bytes into it, and the length grows by exactly what it wrote.
        unsafe {
            let r = libc::read(self.raw(), spare.as_mut_ptr() as *mut libc::c_void, n);
            if r < 0 {
                return Err(errno());
            }
            buf.set_len(buf.len() + r as usize);
            Ok(r as usize)
        }
    }

    /// Writes what the socket takes now (MSG_NOSIGNAL: a closed peer is EPIPE, not
    /// a signal).
    pub fn write(&self, buf: &[u8]) -> Result<usize, Errno> {
        // SAFETY: `buf` is readable for its length.
        let r = unsafe {
            libc::send(
                self.raw(),
                buf.as_ptr() as *const libc::c_void,
                buf.len(),
                libc::MSG_NOSIGNAL,
            )
        };
        if r < 0 {
            Err(errno())
        } else {
            Ok(r as usize)
        }
    }

    /// One datagram and where it came from (truncated to `buf`'s length).
    pub fn recv_from(&self, buf: &mut [u8]) -> Result<(usize, Option<Addr>), Errno> {
        // SAFETY: an all-zero sockaddr_storage is a valid value.
        let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        // SAFETY: `buf` is writable for its length; `ss` has room for `len` bytes.
        let r = unsafe {
            libc::recvfrom(
                self.raw(),
                buf.as_mut_ptr() as *mut libc::c_void,
                buf.len(),
                0,
                &mut ss as *mut _ as *mut libc::sockaddr,
                &mut len,
            )
        };
        if r < 0 {
            return Err(errno());
        }
        Ok((r as usize, Addr::from_raw(&ss)))
    }

    /// Sends one datagram to `to`.
    pub fn send_to(&self, buf: &[u8], to: Addr) -> Result<usize, Errno> {
        let (ss, len) = to.to_raw();
        // SAFETY: `buf` is readable for its length; `ss` holds a valid address of
        // `len` bytes.
        let r = unsafe {
            libc::sendto(
                self.raw(),
                buf.as_ptr() as *const libc::c_void,
                buf.len(),
                libc::MSG_NOSIGNAL,
                &ss as *const _ as *const libc::sockaddr,
                len,
            )
        };
        if r < 0 {
            Err(errno())
        } else {
            Ok(r as usize)
        }
    }

    pub fn shutdown(&self, how: i32) -> Result<(), Errno> {
        // SAFETY: plain system call on our descriptor.
        check(unsafe { libc::shutdown(self.raw(), how) }).map(drop)
    }

    fn name(&self, peer: bool) -> Result<Addr, Errno> {
        // SAFETY: an all-zero sockaddr_storage is a valid value.
        let mut ss: libc::sockaddr_storage = unsafe { std::mem::zeroed() };
        let mut len = std::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        let p = &mut ss as *mut _ as *mut libc::sockaddr;
        // SAFETY: `ss` has room for `len` bytes, which the call updates.
        let r = unsafe {
            if peer {
                libc::getpeername(self.raw(), p, &mut len)
            } else {
                libc::getsockname(self.raw(), p, &mut len)
            }
        };
        check(r)?;
        Addr::from_raw(&ss).ok_or(libc::EINVAL)
    }

    pub fn sockname(&self) -> Result<Addr, Errno> {
        self.name(false)
    }

    pub fn peername(&self) -> Result<Addr, Errno> {
        self.name(true)
    }

    pub fn set_int(&self, level: i32, opt: i32, v: i32) -> Result<(), Errno> {
        // SAFETY: the option value is a c_int of the size given.
        check(unsafe {
            libc::setsockopt(
                self.raw(),
                level,
                opt,
                &v as *const i32 as *const libc::c_void,
                std::mem::size_of::<i32>() as libc::socklen_t,
            )
        })
        .map(drop)
    }

    pub fn get_int(&self, level: i32, opt: i32) -> Result<i32, Errno> {
        let mut v: i32 = 0;
        let mut len = std::mem::size_of::<i32>() as libc::socklen_t;
        // SAFETY: room for a c_int, whose size is passed.
        check(unsafe {
            libc::getsockopt(
                self.raw(),
                level,
                opt,
                &mut v as *mut i32 as *mut libc::c_void,
                &mut len,
            )
        })?;
        Ok(v)
    }

    pub fn set_linger(&self, on: bool, secs: i32) -> Result<(), Errno> {
        let l = libc::linger {
            l_onoff: on as i32,
            l_linger: secs,
        };
        // SAFETY: the option value is a struct linger of the size given.
        check(unsafe {
            libc::setsockopt(
                self.raw(),
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                &l as *const libc::linger as *const libc::c_void,
                std::mem::size_of::<libc::linger>() as libc::socklen_t,
            )
        })
        .map(drop)
    }

    pub fn get_linger(&self) -> Result<(bool, i32), Errno> {
        let mut l = libc::linger {
            l_onoff: 0,
            l_linger: 0,
        };
        let mut len = std::mem::size_of::<libc::linger>() as libc::socklen_t;
        // SAFETY: room for a struct linger, whose size is passed.
        check(unsafe {
            libc::getsockopt(
                self.raw(),
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                &mut l as *mut libc::linger as *mut libc::c_void,
                &mut len,
            )
        })?;
        Ok((l.l_onoff != 0, l.l_linger))
    }

    /// The result of a non-blocking connect (SO_ERROR).
    pub fn take_error(&self) -> Result<(), Errno> {
        match self.get_int(libc::SOL_SOCKET, libc::SO_ERROR)? {
            0 => Ok(()),
            e => Err(e),
        }
    }
}

/// The host name (`INET_REQ_GETHOSTNAME`).
pub fn hostname() -> Result<Vec<u8>, Errno> {
    let mut buf = [0u8; 256];
    // SAFETY: `buf` is writable for its length.
    check(unsafe { libc::gethostname(buf.as_mut_ptr() as *mut libc::c_char, buf.len()) })?;
    let n = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    Ok(buf[..n].to_vec())
}

/// The interfaces' addresses (`INET_REQ_GETIFADDRS`), one entry per getifaddrs(3)
/// entry as the reference's driver encodes them: the name and a NUL, the flags, the
/// address with its netmask and broadcast (or point-to-point) address, or for a
/// link-level entry its hardware address, then a NUL. `prim_inet` groups them by
/// interface.
pub fn if_addrs() -> Result<Vec<u8>, Errno> {
    const OPT_ADDR: u8 = 1;
    const OPT_BROADADDR: u8 = 2;
    const OPT_DSTADDR: u8 = 3;
    const OPT_NETMASK: u8 = 5;
    const OPT_FLAGS: u8 = 6;
    const OPT_HWADDR: u8 = 7;
    let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs fills `list` with a list freed below by freeifaddrs.
    check(unsafe { libc::getifaddrs(&mut list) })?;
    let mut out = Vec::new();
    let mut cur = list;
    while !cur.is_null() {
        // SAFETY: `cur` is an entry of the list getifaddrs returned, alive until
        // freeifaddrs; its name is a NUL-terminated string.
        let ifa = unsafe { &*cur };
        cur = ifa.ifa_next;
        // SAFETY: as above.
        let name = unsafe { std::ffi::CStr::from_ptr(ifa.ifa_name) };
        out.extend_from_slice(name.to_bytes());
        out.push(0);
        let f = ifa.ifa_flags;
        let mut flags = 0u32;
        for (os, ours) in [
            (libc::IFF_UP, 0x0001),
            (libc::IFF_BROADCAST, 0x0002),
            (libc::IFF_LOOPBACK, 0x0004),
            (libc::IFF_POINTOPOINT, 0x0008),
            (libc::IFF_RUNNING, 0x0010),
            (libc::IFF_MULTICAST, 0x0020),
        ] {
            if f & os as u32 != 0 {
                flags |= ours;
            }
        }
        out.push(OPT_FLAGS);
        out.extend_from_slice(&flags.to_be_bytes());
        let sockaddr = |out: &mut Vec<u8>, code: u8, sa: *mut libc::sockaddr| {
            if sa.is_null() {
                return;
            }
            // SAFETY: a non-null address of the entry; its family says its layout.
            match unsafe { (*sa).sa_family } as i32 {
                libc::AF_INET => {
                    // SAFETY: an AF_INET address is a sockaddr_in.
                    let sin = unsafe { &*(sa as *const libc::sockaddr_in) };
                    out.extend_from_slice(&[code, AF_INET]);
                    out.extend_from_slice(&sin.sin_addr.s_addr.to_ne_bytes());
                }
                libc::AF_INET6 => {
                    // SAFETY: an AF_INET6 address is a sockaddr_in6.
                    let sin6 = unsafe { &*(sa as *const libc::sockaddr_in6) };
                    out.extend_from_slice(&[code, AF_INET6]);
                    out.extend_from_slice(&sin6.sin6_addr.s6_addr);
                }
                _ => {}
            }
        };
        // SAFETY: a non-null address's family can be read.
        let family = (!ifa.ifa_addr.is_null()).then(|| unsafe { (*ifa.ifa_addr).sa_family } as i32);
        match family {
            Some(libc::AF_INET) | Some(libc::AF_INET6) => {
                sockaddr(&mut out, OPT_ADDR, ifa.ifa_addr);
                sockaddr(&mut out, OPT_NETMASK, ifa.ifa_netmask);
                if f & libc::IFF_BROADCAST as u32 != 0 {
                    sockaddr(&mut out, OPT_BROADADDR, ifa.ifa_ifu);
                } else if f & libc::IFF_POINTOPOINT as u32 != 0 {
                    sockaddr(&mut out, OPT_DSTADDR, ifa.ifa_ifu);
                }
            }
            Some(libc::AF_PACKET) => {
                // SAFETY: an AF_PACKET address is a sockaddr_ll.
                let sll = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_ll) };
                let n = (sll.sll_halen as usize).min(sll.sll_addr.len());
                out.push(OPT_HWADDR);
                out.extend_from_slice(&(n as u16).to_be_bytes());
                out.extend_from_slice(&sll.sll_addr[..n]);
            }
            _ => {}
        }
        out.push(0);
    }
    // SAFETY: `list` came from getifaddrs and is freed once.
    unsafe { libc::freeifaddrs(list) };
    Ok(out)
}
