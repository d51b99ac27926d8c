//! The threads that move a port's bytes, so that no scheduler ever blocks on a pipe:
//! per port a reader (input: poll, read, cut into packets or lines, deliver to the
//! connected process) and a writer (output: `port_command` queues, the writer
//! writes). A reader also waits for the child process when its output ends (to
//! report `exit_status` and reap it); a port without input has a waiter thread for
//! that instead.
//!
//! Threads rather than one poller: a port's reader blocks in `poll` on two
//! descriptors (its input and the cancel pipe the port closes when it closes) and a
//! writer blocks in `write`, which is all simple and has no shared state; a port
//! costs two small threads.

use super::child::Child;
use super::Port;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Stack size of the I/O threads (they hold little; the read buffer is on the heap).
const STACK: usize = 64 * 1024;
/// Bytes read at a time.
const READ_BUF: usize = 64 * 1024;
/// Bytes written at a time (a pipe's default capacity).
const WRITE_CHUNK: usize = 64 * 1024;

/// Output waiting for a port's writer thread: bytes of its own, or bytes of an
/// off-heap binary it holds a reference to (a large binary is not copied).
pub(crate) enum Chunk {
    Owned(Vec<u8>),
    Shared {
        bin: *mut crate::object::BinData,
        start: *const u8,
        len: usize,
    },
}

// SAFETY: a shared chunk's bytes belong to a binary that stays alive while the chunk
// holds its reference, and the bytes a binary term covers are never written again
// (appends write past them, see `bs_append`), so another thread may read them.
unsafe impl Send for Chunk {}

impl Chunk {
    pub fn bytes(&self) -> &[u8] {
        match self {
            Chunk::Owned(v) => v,
            // SAFETY: `start..start+len` lies in the referenced binary's bytes (see
            // `Send` above).
            Chunk::Shared { start, len, .. } => unsafe { std::slice::from_raw_parts(*start, *len) },
        }
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        if let Chunk::Shared { bin, .. } = self {
            // SAFETY: the chunk owns one reference, taken when it was made.
            unsafe { crate::object::BinData::dec_ref(*bin) };
        }
    }
}

/// A descriptor a port reads or writes: its own (closed when done) or the VM's
/// (`{fd, In, Out}`: left open).
pub(crate) enum PortFd {
    Owned(OwnedFd),
    Borrowed(RawFd),
}

impl PortFd {
    fn raw(&self) -> RawFd {
        match self {
            PortFd::Owned(f) => f.as_raw_fd(),
            PortFd::Borrowed(f) => *f,
        }
    }
}

fn set_nonblocking(fd: RawFd) -> bool {
    // SAFETY: fcntl on an open descriptor of ours; only its status flags change.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        flags >= 0 && libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK) == 0
    }
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Cuts input into what a port delivers.
pub(crate) struct Framer {
    packet: u8,
    line: usize,
    buf: Vec<u8>,
}

pub(crate) enum Piece<'a> {
    Data(&'a [u8]),
    Line(bool, &'a [u8]),
}

impl Framer {
    pub fn new(packet: u8, line: usize) -> Framer {
        Framer {
            packet,
            line,
            buf: Vec::new(),
        }
    }

    /// Feeds `data`; `out` gets each complete piece.
    pub fn feed(&mut self, data: &[u8], out: &mut dyn FnMut(Piece)) {
        if self.packet == 0 && self.line == 0 {
            if !data.is_empty() {
                out(Piece::Data(data));
            }
            return;
        }
        self.buf.extend_from_slice(data);
        let mut start = 0;
        if self.packet > 0 {
            let n = self.packet as usize;
            while self.buf.len() - start >= n {
                let len = self.buf[start..start + n]
                    .iter()
                    .fold(0usize, |acc, &b| acc << 8 | b as usize);
                if self.buf.len() - start - n < len {
                    break;
                }
                out(Piece::Data(&self.buf[start + n..start + n + len]));
                start += n + len;
            }
        } else {
            start = self.lines(false, out);
        }
        self.buf.drain(..start);
    }

    /// Cuts complete lines (all of it at end of input); returns the bytes consumed.
    fn lines(&self, at_end: bool, out: &mut dyn FnMut(Piece)) -> usize {
        let max = self.line;
        let b = &self.buf;
        let mut start = 0;
        while start < b.len() {
            let rest = &b[start..];
            if let Some(nl) = rest.iter().position(|&c| c == b'\n') {
                let mut content = &rest[..nl];
                if content.last() == Some(&b'\r') {
                    content = &content[..content.len() - 1];
                }
                if content.len() <= max {
                    out(Piece::Line(true, content));
                    start += nl + 1;
                } else {
                    out(Piece::Line(false, &rest[..max]));
                    start += max;
                }
                continue;
            }
            // No newline yet: a full line's worth goes out unterminated, unless what
            // follows it is a lone '\r' that a '\n' may still complete.
            if rest.len() > max && !(rest.len() == max + 1 && rest[max] == b'\r') {
                out(Piece::Line(false, &rest[..max]));
                start += max;
                continue;
            }
            if at_end {
                let n = rest.len().min(max);
                out(Piece::Line(false, &rest[..n]));
                start += n;
                continue;
            }
            break;
        }
        start
    }

    /// End of input: an incomplete line goes out unterminated; an incomplete packet
    /// is dropped.
    pub fn finish(&mut self, out: &mut dyn FnMut(Piece)) {
        if self.line > 0 && self.packet == 0 {
            self.lines(true, out);
        }
        self.buf.clear();
    }
}

fn deliver_piece(port: &Port, piece: Piece) {
    match piece {
        Piece::Data(d) => {
            // In packet mode the reference counts what it delivers, not the headers.
            if port.mode.packet > 0 {
                port.input.fetch_add(d.len() as u64, Ordering::Relaxed);
            }
            port.deliver_data(d)
        }
        Piece::Line(eol, d) => port.deliver_line(eol, d),
    };
}

pub(crate) fn spawn_thread(name: &str, f: impl FnOnce() + Send + 'static) -> bool {
    std::thread::Builder::new()
        .name(name.into())
        .stack_size(STACK)
        .spawn(f)
        .is_ok()
}

enum Ended {
    Eof,
    Cancelled,
    Failed(i32),
}

/// Starts the reader of `port`: reads `fd` until end of input or until `cancel`
/// (the read end of the port's cancel pipe) says the port closed; waits for `child`
/// afterwards.
pub(crate) fn spawn_reader(
    port: Arc<Port>,
    fd: PortFd,
    cancel: OwnedFd,
    child: Option<Child>,
) -> bool {
    spawn_thread("port-reader", move || read_loop(port, fd, cancel, child))
}

fn read_loop(port: Arc<Port>, fd: PortFd, cancel: OwnedFd, mut child: Option<Child>) {
    // A pipe of the port's own is read without blocking (a poll only when it is
    // empty); the VM's own descriptors stay blocking and are polled before each read.
    let nonblocking = matches!(fd, PortFd::Owned(_)) && set_nonblocking(fd.raw());
    // Stream data in binary mode becomes the binary itself (no copy): each read goes
    // to a fresh buffer then.
    let owned_reads = port.mode.binary && port.mode.packet == 0 && port.mode.line == 0;
    let mut buf: Vec<u8> = Vec::with_capacity(READ_BUF);
    let mut framer = Framer::new(port.mode.packet, port.mode.line);
    let mut must_poll = !nonblocking;
    let ended = loop {
        if port.closed_flag() {
            break Ended::Cancelled;
        }
        if must_poll {
            let mut fds = [
                libc::pollfd {
                    fd: fd.raw(),
                    events: libc::POLLIN,
                    revents: 0,
                },
                libc::pollfd {
                    fd: cancel.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                },
            ];
            // SAFETY: `fds` is a valid array of two pollfd structures.
            let r = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
            if r < 0 {
                match errno() {
                    libc::EINTR | libc::EAGAIN => continue,
                    e => break Ended::Failed(e),
                }
            }
            if fds[1].revents != 0 {
                break Ended::Cancelled;
            }
            if fds[0].revents == 0 {
                continue;
            }
        }
        if buf.capacity() < READ_BUF {
            buf = Vec::with_capacity(READ_BUF);
        }
        // SAFETY: the buffer has `capacity()` bytes of spare room for read to fill.
        let n = unsafe {
            libc::read(
                fd.raw(),
                buf.as_mut_ptr() as *mut libc::c_void,
                buf.capacity(),
            )
        };
        if n < 0 {
            match errno() {
                libc::EINTR => continue,
                libc::EAGAIN => {
                    must_poll = true;
                    continue;
                }
                e => break Ended::Failed(e),
            }
        }
        must_poll = !nonblocking;
        if n == 0 {
            break Ended::Eof;
        }
        let n = n as usize;
        // SAFETY: read wrote `n` bytes at the start of the buffer.
        unsafe { buf.set_len(n) };
        if port.mode.packet == 0 {
            port.input.fetch_add(n as u64, Ordering::Relaxed);
        }
        if owned_reads && n > oxbeam_term::header::HEAP_BIN_LIMIT {
            port.deliver_binary(std::mem::take(&mut buf));
        } else {
            framer.feed(&buf, &mut |piece| deliver_piece(&port, piece));
            buf.clear();
        }
    };
    drop(fd);
    drop(cancel);
    match ended {
        Ended::Eof => {
            if port.mode.exit_status {
                if let Some(c) = child.take() {
                    if let Some(code) = c.wait() {
                        super::deliver_simple(&port, |f| {
                            crate::object::make_tuple(
                                f,
                                &[super::atom("exit_status"), oxbeam_term::Term::small(code)],
                            )
                        });
                    }
                }
            }
            framer.finish(&mut |piece| deliver_piece(&port, piece));
            if port.mode.soft_eof {
                super::deliver_simple(&port, |_| super::atom("eof"));
            } else {
                port.close(oxbeam_term::Term::atom(oxbeam_term::atom::am::NORMAL));
            }
        }
        Ended::Cancelled => {}
        Ended::Failed(e) => {
            port.close(super::errno_atom(e));
        }
    }
    if let Some(c) = child {
        c.wait();
    }
}

/// Waits for the child of a port without input (nothing is reported; this reaps it).
pub(crate) fn spawn_waiter(child: Child) -> bool {
    spawn_thread("port-waiter", move || {
        child.wait();
    })
}

/// Starts the writer of `port`: writes what `rx` hands it to `fd` until the port
/// drops its sender (then closes `fd` if it owns it).
pub(crate) fn spawn_writer(
    port: Arc<Port>,
    fd: PortFd,
    rx: std::sync::mpsc::Receiver<Chunk>,
) -> bool {
    let abort = port.abort_flag();
    spawn_thread("port-writer", move || {
        let mut failed = false;
        while let Ok(chunk) = rx.recv() {
            let chunk = chunk.bytes();
            let mut done = 0;
            if !failed && !abort.load(Ordering::SeqCst) {
                // What the pipe took leaves the queue at once (`queue_size` counts
                // what still waits, as the reference's driver queue does).
                let result = write_all(fd.raw(), chunk, &mut |n| {
                    done += n;
                    port.written(n as u64);
                });
                if let Err(e) = result {
                    failed = true;
                    port.close(super::errno_atom(e));
                }
            }
            port.written((chunk.len() - done) as u64);
        }
        drop(fd);
    })
}

/// Writes what a non-blocking `fd` takes of `bytes` now; how much that was.
pub(crate) fn write_now(fd: RawFd, mut bytes: &[u8]) -> Result<usize, i32> {
    let mut done = 0;
    while !bytes.is_empty() {
        // SAFETY: `bytes` is a valid readable buffer of `bytes.len()` bytes.
        let n = unsafe { libc::write(fd, bytes.as_ptr() as *const libc::c_void, bytes.len()) };
        if n < 0 {
            match errno() {
                libc::EINTR => continue,
                libc::EAGAIN => break,
                e => return Err(e),
            }
        }
        done += n as usize;
        bytes = &bytes[n as usize..];
    }
    Ok(done)
}

fn write_all(fd: RawFd, mut bytes: &[u8], wrote: &mut dyn FnMut(usize)) -> Result<(), i32> {
    while !bytes.is_empty() {
        // At most a pipe's capacity at a time, so that what the pipe took is known
        // while the rest waits (a blocking write returns only when all is written).
        let len = bytes.len().min(WRITE_CHUNK);
        // SAFETY: `bytes` is a valid readable buffer of at least `len` bytes.
        let n = unsafe { libc::write(fd, bytes.as_ptr() as *const libc::c_void, len) };
        if n < 0 {
            match errno() {
                libc::EINTR => continue,
                libc::EAGAIN => {
                    // A non-blocking descriptor (an inherited one): wait until writable.
                    let mut p = libc::pollfd {
                        fd,
                        events: libc::POLLOUT,
                        revents: 0,
                    };
                    // SAFETY: one valid pollfd.
                    unsafe { libc::poll(&mut p, 1, -1) };
                    continue;
                }
                e => return Err(e),
            }
        }
        wrote(n as usize);
        bytes = &bytes[n as usize..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(packet: u8, line: usize, chunks: &[&[u8]]) -> Vec<String> {
        let mut f = Framer::new(packet, line);
        let mut out = Vec::new();
        let mut push = |p: Piece| {
            out.push(match p {
                Piece::Data(d) => format!("d:{}", String::from_utf8_lossy(d)),
                Piece::Line(e, d) => {
                    let tag = if e { "eol" } else { "noeol" };
                    format!("{tag}:{}", String::from_utf8_lossy(d))
                }
            })
        };
        for c in chunks {
            f.feed(c, &mut push);
        }
        f.finish(&mut push);
        out
    }

    #[test]
    fn lines() {
        assert_eq!(
            run(0, 4, &[b"ab\nabcdefghij\nxyz"]),
            ["eol:ab", "noeol:abcd", "noeol:efgh", "eol:ij", "noeol:xyz"]
        );
        assert_eq!(run(0, 4, &[b"abcd\r", b"\n"]), ["eol:abcd"]);
        assert_eq!(run(0, 3, &[b"abc\r\n"]), ["eol:abc"]);
        assert_eq!(
            run(0, 10, &[b"a\rb\n", b"ab\r"]),
            ["eol:a\rb", "noeol:ab\r"]
        );
        assert_eq!(run(0, 10, &[b"ab\r\ncd\n"]), ["eol:ab", "eol:cd"]);
        assert_eq!(run(0, 2, &[b"a", b"b", b"c"]), ["noeol:ab", "noeol:c"]);
    }

    #[test]
    fn packets() {
        assert_eq!(run(2, 0, &[b"\0\x05hel", b"lo\0\0\0"]), ["d:hello", "d:"]);
        assert_eq!(run(1, 0, &[b"\x02ab\x05x"]), ["d:ab"]);
        assert_eq!(run(4, 0, &[b"\0\0\0\x01z"]), ["d:z"]);
    }
}
