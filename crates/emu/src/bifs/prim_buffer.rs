//! The `prim_buffer` module: the NIFs under OTP's `prim_buffer.erl` (`new/0`, `size/1`,
//! `peek_head/1`, `copying_read/2`, `write/2`, `skip/2`, `find_byte_index/2`,
//! `try_lock/1`, `unlock/1`), a byte queue that `prim_file` uses for read-ahead and
//! `read_line`, and `file_io_server` for its buffering.
//!
//! A buffer is a magic reference to a [`Recycled`] object. Its bytes are a queue of
//! chunks, each a piece of an off-heap binary held by reference (written binaries are
//! not copied unless they live on a process heap), plus, as in the reference, an
//! accumulator that gathers small writes into one chunk; the chunk boundaries are the
//! reference's, which `peek_head/1` (and so `prim_buffer:read_iovec/2`) shows.
//!
//! The reference frees a buffer when the last term naming it is collected; oxbeam's
//! collector does not track such terms, so a buffer lives until the process that made it
//! exits (`sched::exit_hooks::PRIM_BUFFER`), or, for the read buffer `prim_file.erl` makes
//! for each file it opens (the buffer a process makes right after opening a file), until
//! the file is closed. A buffer used after that reads as empty (see [`buffer`]).
//! Buffers are not meant to be shared (the module's own comment: "thread-unsafe");
//! `prim_file` and `file_io_server` only use their own.

use super::reg_nif;
use crate::bif::{BifFn, BifResult, Fault, BADARG};
use crate::magic::{self, Magic, Pool, Recycled};
use crate::object::*;
use crate::process::Process;
use crate::sched::exit_hooks;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use parking_lot::{MappedMutexGuard, Mutex};
use std::collections::{HashMap, VecDeque};
use std::sync::OnceLock;

/// Size of the accumulator that gathers small writes.
const ACCUMULATOR_SIZE: usize = 2 << 10;

/// Elements of an I/O vector taken per step, as the reference inspects them.
pub(crate) const IOVEC_BATCH: usize = 64;

/// A piece of off-heap binary data; holds one reference to it.
struct Chunk {
    data: *mut BinData,
    start: *const u8,
    len: usize,
}

// SAFETY: the chunk owns a reference to shared, immutable bytes (BinData is freed by
// whichever thread drops the last reference, with atomic counting).
unsafe impl Send for Chunk {}

impl Chunk {
    /// A chunk over a copy of `bytes`.
    fn copy_of(bytes: &[u8]) -> Chunk {
        let data = BinData::new_raw(bytes.to_vec().into_boxed_slice());
        // SAFETY: `data` is fresh and owned here.
        let start = unsafe { (*data).bytes.as_ptr() };
        Chunk {
            data,
            start,
            len: bytes.len(),
        }
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: the chunk's reference keeps the data alive; the range lies in it and
        // does not change (bytes under a binary term are immutable).
        unsafe { std::slice::from_raw_parts(self.start, self.len) }
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        // SAFETY: the chunk owns one reference to `data`.
        unsafe { BinData::dec_ref(self.data) };
    }
}

/// One element of an I/O vector: a binary's whole bytes.
pub(crate) enum Segment<'a> {
    /// Bytes on a process heap (or not byte-aligned): copied when kept.
    Bytes(std::borrow::Cow<'a, [u8]>),
    /// Bytes of off-heap data, kept by reference.
    Shared(*mut BinData, *const u8, usize),
}

impl Segment<'_> {
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Segment::Bytes(b) => b,
            // SAFETY: the term the segment was read from keeps the data alive for the
            // duration of the call.
            Segment::Shared(_, start, len) => unsafe { std::slice::from_raw_parts(*start, *len) },
        }
    }

    fn to_chunk(&self) -> Chunk {
        match *self {
            Segment::Bytes(ref b) => Chunk::copy_of(b),
            Segment::Shared(data, start, len) => {
                // SAFETY: the term keeps `data` alive while we take our own reference.
                unsafe { BinData::inc_ref(data) };
                Chunk { data, start, len }
            }
        }
    }
}

/// The next (up to) `IOVEC_BATCH` elements of the I/O vector `t` (a list of binaries)
/// and the rest of the list, or `None` if they are not binaries or the list is not a
/// proper one. As the reference, a bitstring element counts its whole bytes.
pub(crate) fn iovec_batch<'a>(t: Term) -> Option<(Vec<Segment<'a>>, Term)> {
    let mut out = Vec::new();
    let mut l = t;
    while l.is_list() && out.len() < IOVEC_BATCH {
        let b = head(l);
        out.push(segment(b)?);
        l = tail(l);
    }
    if !l.is_list() && !l.is_nil() {
        return None;
    }
    Some((out, l))
}

fn segment<'a>(b: Term) -> Option<Segment<'a>> {
    if !is_bitstring(b) {
        return None;
    }
    if let Some((data, start, len)) = refc_bytes(b) {
        return Some(Segment::Shared(data, start, len));
    }
    let v = bit_view(b)?;
    let whole = BitView {
        bit_size: v.bit_size / 8 * 8,
        ..v
    };
    Some(Segment::Bytes(match whole.as_bytes() {
        Some(b) => std::borrow::Cow::Borrowed(b),
        None => std::borrow::Cow::Owned(whole.to_vec()),
    }))
}

/// A buffer's contents.
#[derive(Default)]
pub struct BufferState {
    queue: VecDeque<Chunk>,
    /// Bytes in `queue`.
    queued: usize,
    /// Small writes gathered for the next chunk (empty when there is none).
    acc: Vec<u8>,
    /// The lock of `try_lock/1` and `unlock/1`.
    locked: bool,
}

impl BufferState {
    fn size(&self) -> usize {
        self.queued + self.acc.len()
    }

    /// Queues the accumulator as a chunk.
    fn flush_acc(&mut self) {
        if !self.acc.is_empty() {
            let chunk = Chunk::copy_of(&self.acc);
            self.acc.clear();
            self.queued += chunk.len;
            self.queue.push_back(chunk);
        }
    }

    fn write(&mut self, segs: &[Segment]) {
        let size: usize = segs.iter().map(|s| s.bytes().len()).sum();
        // Small writes go to the accumulator, as in the reference.
        let combine = if self.acc.len() + size >= ACCUMULATOR_SIZE {
            if size >= ACCUMULATOR_SIZE / 2 {
                false
            } else {
                self.flush_acc();
                true
            }
        } else {
            true
        };
        if combine {
            if self.acc.capacity() == 0 {
                self.acc.reserve_exact(ACCUMULATOR_SIZE);
            }
            for s in segs {
                self.acc.extend_from_slice(s.bytes());
            }
            return;
        }
        self.flush_acc();
        for s in segs {
            if !s.bytes().is_empty() {
                let chunk = s.to_chunk();
                self.queued += chunk.len;
                self.queue.push_back(chunk);
            }
        }
    }

    /// Drops `n` bytes (no more than are queued) from the front of the queue.
    fn dequeue(&mut self, mut n: usize) {
        self.queued -= n;
        while n > 0 {
            let Some(front) = self.queue.front_mut() else {
                break;
            };
            if n < front.len {
                // SAFETY: `n` bytes lie in the chunk.
                front.start = unsafe { front.start.add(n) };
                front.len -= n;
                return;
            }
            n -= front.len;
            self.queue.pop_front();
        }
    }

    /// Copies the first `out.len()` queued bytes into `out`.
    fn copy_front(&self, out: &mut [u8]) {
        let mut at = 0;
        for c in &self.queue {
            if at == out.len() {
                break;
            }
            let n = c.len.min(out.len() - at);
            out[at..at + n].copy_from_slice(&c.bytes()[..n]);
            at += n;
        }
    }

    fn find(&self, byte: u8) -> Option<usize> {
        let mut base = 0;
        for c in &self.queue {
            if let Some(i) = memchr(c.bytes(), byte) {
                return Some(base + i);
            }
            base += c.len;
        }
        None
    }
}

/// The index of the first `byte` in `bytes` (the C library's vectorised search).
fn memchr(bytes: &[u8], byte: u8) -> Option<usize> {
    // SAFETY: memchr reads at most `bytes.len()` bytes from the start of the slice.
    let at = unsafe {
        libc::memchr(
            bytes.as_ptr() as *const libc::c_void,
            libc::c_int::from(byte),
            bytes.len(),
        )
    };
    (!at.is_null()).then(|| at as usize - bytes.as_ptr() as usize)
}

/// Atoms the NIFs return.
struct Atoms {
    not_found: Term,
    acquired: Term,
    busy: Term,
    lock_order_violation: Term,
}

fn atoms() -> &'static Atoms {
    static A: OnceLock<Atoms> = OnceLock::new();
    A.get_or_init(|| {
        let a = |s: &str| Term::atom(Atom::from_str(s));
        Atoms {
            not_found: a("not_found"),
            acquired: a("acquired"),
            busy: a("busy"),
            lock_order_violation: a("lock_order_violation"),
        }
    })
}

// ------------------------------------------------------------------ the registry

fn pool() -> &'static Pool {
    static P: Pool = Pool::new();
    &P
}

const SHARDS: usize = 16;

type Made = Mutex<HashMap<u64, Vec<(u64, &'static Magic)>>>;

/// The buffers each process made (keyed by the pid's word): freed when it exits.
fn made_by() -> &'static [Made; SHARDS] {
    static M: OnceLock<[Made; SHARDS]> = OnceLock::new();
    M.get_or_init(|| {
        exit_hooks::register(exit_hooks::PRIM_BUFFER, maker_exited);
        std::array::from_fn(|_| Mutex::new(HashMap::new()))
    })
}

fn shard(pid: Term) -> &'static Made {
    &made_by()[pid.pid_value() as usize % SHARDS]
}

fn maker_exited(pid: Term, _id: u64) {
    let Some(list) = shard(pid).lock().remove(&pid.0) else {
        return;
    };
    for (id, m) in list {
        retire(id, m);
    }
}

/// A buffer's state: locked, or an empty stand-in for a buffer that is gone.
enum Buf {
    Live(MappedMutexGuard<'static, BufferState>),
    Gone(BufferState),
}

impl std::ops::Deref for Buf {
    type Target = BufferState;
    fn deref(&self) -> &BufferState {
        match self {
            Buf::Live(g) => g,
            Buf::Gone(s) => s,
        }
    }
}

impl std::ops::DerefMut for Buf {
    fn deref_mut(&mut self) -> &mut BufferState {
        match self {
            Buf::Live(g) => g,
            Buf::Gone(s) => s,
        }
    }
}

/// The state of buffer `t` (`Err(BADARG)` if `t` is not a buffer). A buffer that is
/// gone (its file was closed, or its maker exited) reads as empty and drops what is
/// written to it: what `prim_file.erl` gets from the buffer of a closed file, where
/// it then asks the file, which says `einval`.
fn buffer(t: Term) -> Result<Buf, Fault> {
    match magic::magic_of(t) {
        Some(Magic::Buffer(r)) => Ok(match r.lock(ref_id(t)) {
            Some(g) => Buf::Live(g),
            None => Buf::Gone(BufferState::default()),
        }),
        _ => Err(BADARG),
    }
}

/// Frees buffer `id` (its maker's list keeps it no longer), if it is still there.
pub(crate) fn release(pid: Term, id: u64, m: &'static Magic) {
    {
        let mut made = shard(pid).lock();
        if let Some(v) = made.get_mut(&pid.0) {
            v.retain(|&(i, _)| i != id);
            if v.is_empty() {
                made.remove(&pid.0);
            }
        }
    }
    retire(id, m);
}

/// Ends buffer `id` and makes its object available again (if it was still live).
fn retire(id: u64, m: &'static Magic) {
    if let Magic::Buffer(r) = m {
        if let Some(state) = r.retire(id) {
            // The chunks are released here, outside any registry lock.
            drop(state);
            pool().give_back(m);
        }
    }
}

fn uint64_arg(t: Term) -> Result<u64, Fault> {
    if let Some(i) = t.as_small() {
        return u64::try_from(i).map_err(|_| BADARG);
    }
    integer_to_bigint(t)
        .and_then(|b| u64::try_from(b).ok())
        .ok_or(BADARG)
}

// ------------------------------------------------------------------ the NIFs

fn new(p: &mut Process, _a: &[Term]) -> BifResult {
    let (id, m) = pool().take(|| Magic::Buffer(Recycled::new()));
    if let Magic::Buffer(r) = m {
        r.install(id, BufferState::default());
    }
    shard(p.pid)
        .lock()
        .entry(p.pid.0)
        .or_default()
        .push((id, m));
    p.exit_hooks |= exit_hooks::PRIM_BUFFER;
    if p.exit_hooks & exit_hooks::PRIM_FILE != 0 {
        // The read buffer of a file prim_file.erl just opened: freed when it is closed.
        super::prim_file::attach_buffer(p.pid, id, m);
    }
    Ok(magic::make_magic_ref(&mut p.heap, id, m))
}

fn size(p: &mut Process, a: &[Term]) -> BifResult {
    let b = buffer(a[0])?;
    Ok(make_u64(&mut p.heap, b.size() as u64))
}

fn peek_head(p: &mut Process, a: &[Term]) -> BifResult {
    let mut b = buffer(a[0])?;
    b.flush_acc();
    let Some(c) = b.queue.front() else {
        return Err(BADARG);
    };
    // SAFETY: the chunk holds a reference to its data and covers immutable bytes in it.
    Ok(unsafe { make_refc_view(&mut p.heap, c.data, c.start, c.len) })
}

fn copying_read(p: &mut Process, a: &[Term]) -> BifResult {
    let mut b = buffer(a[0])?;
    let n = uint64_arg(a[1])?;
    b.flush_acc();
    if (b.queued as u64) < n {
        return Err(BADARG);
    }
    let n = n as usize;
    let t = if n <= oxbeam_term::header::HEAP_BIN_LIMIT {
        let mut small = [0u8; oxbeam_term::header::HEAP_BIN_LIMIT];
        b.copy_front(&mut small[..n]);
        make_binary(&mut p.heap, &small[..n])
    } else {
        let mut out = vec![0u8; n];
        b.copy_front(&mut out);
        make_refc_binary(&mut p.heap, out.into_boxed_slice())
    };
    b.dequeue(n);
    Ok(t)
}

fn write(_p: &mut Process, a: &[Term]) -> BifResult {
    let mut b = buffer(a[0])?;
    let mut l = a[1];
    loop {
        let (segs, rest) = iovec_batch(l).ok_or(BADARG)?;
        b.write(&segs);
        if rest.is_nil() {
            return Ok(Term::atom(am::OK));
        }
        l = rest;
    }
}

fn skip(_p: &mut Process, a: &[Term]) -> BifResult {
    let mut b = buffer(a[0])?;
    let n = uint64_arg(a[1])?;
    b.flush_acc();
    if (b.queued as u64) < n {
        return Err(BADARG);
    }
    b.dequeue(n as usize);
    Ok(Term::atom(am::OK))
}

fn find_byte_index(p: &mut Process, a: &[Term]) -> BifResult {
    let mut b = buffer(a[0])?;
    let needle = a[1]
        .as_small()
        .filter(|&n| i32::try_from(n).is_ok())
        .ok_or(BADARG)?;
    b.flush_acc();
    let byte = u8::try_from(needle).map_err(|_| BADARG)?;
    Ok(match b.find(byte) {
        Some(i) => {
            drop(b);
            let i = make_u64(&mut p.heap, i as u64);
            make_tuple(&mut p.heap, &[Term::atom(am::OK), i])
        }
        None => atoms().not_found,
    })
}

fn try_lock(_p: &mut Process, a: &[Term]) -> BifResult {
    let mut b = buffer(a[0])?;
    Ok(if b.locked {
        atoms().busy
    } else {
        b.locked = true;
        atoms().acquired
    })
}

fn unlock(_p: &mut Process, a: &[Term]) -> BifResult {
    let mut b = buffer(a[0])?;
    if !b.locked {
        return Err(Fault::Error(atoms().lock_order_violation));
    }
    b.locked = false;
    Ok(Term::atom(am::OK))
}

pub fn register() {
    let list: &[(&str, u32, BifFn)] = &[
        ("new", 0, new),
        ("size", 1, size),
        ("peek_head", 1, peek_head),
        ("copying_read", 2, copying_read),
        ("write", 2, write),
        ("skip", 2, skip),
        ("find_byte_index", 2, find_byte_index),
        ("try_lock", 1, try_lock),
        ("unlock", 1, unlock),
    ];
    for &(f, arity, fun) in list {
        reg_nif("prim_buffer", f, arity, fun);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(b: &[u8]) -> Segment<'static> {
        Segment::Bytes(std::borrow::Cow::Owned(b.to_vec()))
    }

    fn chunks(b: &BufferState) -> Vec<usize> {
        b.queue.iter().map(|c| c.len).collect()
    }

    #[test]
    fn small_writes_are_gathered_as_in_the_reference() {
        let mut b = BufferState::default();
        b.write(&[owned(b"abc")]);
        b.write(&[owned(b"defg")]);
        b.write(&[owned(&[b'L'; 2000])]);
        assert_eq!((b.queue.len(), b.acc.len()), (0, 2007));
        b.write(&[owned(&[b'M'; 100])]);
        assert_eq!((chunks(&b), b.acc.len()), (vec![2007], 100));
        b.write(&[owned(&[b'N'; 1500])]);
        assert_eq!((chunks(&b), b.acc.len()), (vec![2007], 1600));
        b.write(&[owned(&[b'N'; 1000]), owned(&[b'O'; 10])]);
        assert_eq!((chunks(&b), b.acc.len()), (vec![2007, 1600], 1010));
        b.write(&[owned(&[b'P'; 1100])]);
        assert_eq!((chunks(&b), b.acc.len()), (vec![2007, 1600, 1010, 1100], 0));
        assert_eq!(b.size(), 5717);
        assert_eq!(b.find(b'O'), Some(4607));
        b.dequeue(2010);
        assert_eq!(chunks(&b), vec![1597, 1010, 1100]);
        let mut out = vec![0u8; 98];
        b.copy_front(&mut out);
        assert_eq!(&out[96..], b"MN");
        assert_eq!(b.find(b'M'), Some(0));
        assert_eq!(b.find(b'Z'), None);
    }
}
