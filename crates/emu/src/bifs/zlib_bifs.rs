//! The `zlib` module: the NIFs under OTP's `zlib.erl` (`open_nif/0`, `deflate_nif/4`,
//! ...), implemented natively on zlib itself (libz, the library the reference links), so
//! that `zlib.erl` runs unchanged on top of them: its chunking, stash and error logic is
//! the reference's, and the compressed bytes are identical.
//!
//! A stream handle is a reference whose id has [`STREAM_BIT`] set; the streams live in a
//! global registry (id -> stream) until `zlib:close/1` or until their controlling process
//! exits (`sched::exit_hooks::ZLIB`). The reference keeps a stream as long as a handle to
//! it exists; here a closed stream is forgotten, and a handle of a stream that is not in
//! the registry behaves as a closed stream of the caller (the reference's behaviour for
//! the common case, use after close by its owner), or, for a stream freed because its
//! controlling process exited (the most recent ones are remembered), raises
//! `not_on_controlling_process` as the reference does.

use super::reg_nif;
use crate::bif::{BifFn, BifResult, Fault, BADARG};
use crate::object::*;
use crate::process::{Message, Process, CONTEXT_REDS};
use crate::sched::exit_hooks;
use libz_sys as z;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use parking_lot::Mutex;
use std::collections::{HashMap, HashSet, VecDeque};
use std::os::raw::{c_int, c_uint, c_ulong, c_void};
use std::sync::{Arc, OnceLock};

/// Set in the reference ids of stream handles (ids of other references never reach it).
const STREAM_BIT: u64 = 1 << 62;

/// How many streams freed because their controlling process exited are remembered.
const ORPHANS_KEPT: usize = 4096;

/// The default output size of `inflateChunk` (`setBufSize/2` changes it).
const DEFAULT_BUF_SIZE: i32 = 4000;

/// Size of `inflateGetDictionary`'s result buffer (zlib's largest window).
const INFLATE_DICT_SIZE: usize = 32768;

const EOS_BEHAVIOR_ERROR: i32 = 0;
const EOS_BEHAVIOR_RESET: i32 = 1;
/// The default: input after the end of the stream is dropped.
const EOS_BEHAVIOR_CUT: i32 = 2;

extern "C" {
    // Not declared by libz-sys; part of zlib since 1.2.7.1 (the linked libz has it).
    fn inflateGetDictionary(strm: z::z_streamp, dictionary: *mut u8, len: *mut c_uint) -> c_int;
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    None,
    Deflate,
    Inflate,
    Closed,
}

struct Atoms {
    not_on_controlling_process: Term,
    not_initialized: Term,
    already_initialized: Term,
    continue_: Term,
    finished: Term,
    need_dictionary: Term,
    empty: Term,
    stream_end: Term,
    stream_error: Term,
    data_error: Term,
    mem_error: Term,
    buf_error: Term,
    version_error: Term,
    unknown_error: Term,
}

fn atoms() -> &'static Atoms {
    static A: OnceLock<Atoms> = OnceLock::new();
    A.get_or_init(|| {
        let a = |s: &str| Term::atom(Atom::from_str(s));
        Atoms {
            not_on_controlling_process: a("not_on_controlling_process"),
            not_initialized: a("not_initialized"),
            already_initialized: a("already_initialized"),
            continue_: a("continue"),
            finished: a("finished"),
            need_dictionary: a("need_dictionary"),
            empty: a("empty"),
            stream_end: a("stream_end"),
            stream_error: a("stream_error"),
            data_error: a("data_error"),
            mem_error: a("mem_error"),
            buf_error: a("buf_error"),
            version_error: a("version_error"),
            unknown_error: a("unknown_error"),
        }
    })
}

fn raise(reason: Term) -> Fault {
    Fault::Error(reason)
}

// ------------------------------------------------------------------ zlib memory

/// Bytes in front of each zlib allocation holding its total size (keeps 16-byte
/// alignment).
const ALLOC_HEADER: usize = 16;

unsafe extern "C" fn zlib_alloc(_opaque: *mut c_void, items: c_uint, size: c_uint) -> *mut c_void {
    let Some(total) = (items as usize)
        .checked_mul(size as usize)
        .and_then(|n| n.checked_add(ALLOC_HEADER))
    else {
        return std::ptr::null_mut();
    };
    let Ok(layout) = std::alloc::Layout::from_size_align(total, ALLOC_HEADER) else {
        return std::ptr::null_mut();
    };
    // SAFETY: the layout has a non-zero size (at least the header).
    let p = unsafe { std::alloc::alloc(layout) };
    if p.is_null() {
        return std::ptr::null_mut();
    }
    // SAFETY: `p` has `total >= ALLOC_HEADER` bytes, aligned for a usize.
    unsafe {
        (p as *mut usize).write(total);
        p.add(ALLOC_HEADER) as *mut c_void
    }
}

unsafe extern "C" fn zlib_free(_opaque: *mut c_void, addr: *mut c_void) {
    if addr.is_null() {
        return;
    }
    // SAFETY: `addr` came from `zlib_alloc`: the header with the total size precedes it,
    // and the block was allocated with that size and ALLOC_HEADER alignment.
    unsafe {
        let p = (addr as *mut u8).sub(ALLOC_HEADER);
        let total = (p as *const usize).read();
        std::alloc::dealloc(
            p,
            std::alloc::Layout::from_size_align_unchecked(total, ALLOC_HEADER),
        );
    }
}

fn new_z_stream() -> Box<z::z_stream> {
    Box::new(z::z_stream {
        next_in: std::ptr::null_mut(),
        avail_in: 0,
        total_in: 0,
        next_out: std::ptr::null_mut(),
        avail_out: 0,
        total_out: 0,
        msg: std::ptr::null_mut(),
        state: std::ptr::null_mut(),
        zalloc: zlib_alloc,
        zfree: zlib_free,
        opaque: std::ptr::null_mut(),
        data_type: z::Z_BINARY,
        adler: 0,
        reserved: 0,
    })
}

/// A C `unsigned long` as a u64 (it is 32 bits wide on some targets).
#[allow(clippy::unnecessary_cast)]
fn ulong(v: c_ulong) -> u64 {
    v as u64
}

fn crc32(crc: c_ulong, data: &[u8]) -> c_ulong {
    let mut crc = crc;
    for chunk in data.chunks(1 << 30) {
        // SAFETY: `chunk` is a valid buffer of the given length.
        crc = unsafe { z::crc32(crc, chunk.as_ptr(), chunk.len() as c_uint) };
    }
    crc
}

fn adler32(adler: c_ulong, data: &[u8]) -> c_ulong {
    let mut a = adler;
    for chunk in data.chunks(1 << 30) {
        // SAFETY: `chunk` is a valid buffer of the given length.
        a = unsafe { z::adler32(a, chunk.as_ptr(), chunk.len() as c_uint) };
    }
    a
}

// ------------------------------------------------------------------ streams

struct Stream {
    /// zlib keeps a pointer to its z_stream in its state: boxed so it never moves.
    z: Box<z::z_stream>,
    state: State,
    eos_behavior: i32,
    /// The plain text's CRC (raw streams only, for `zlib:crc32/1`).
    input_crc: c_ulong,
    output_crc: c_ulong,
    want_input_crc: bool,
    want_output_crc: bool,
    is_raw: bool,
    eos_seen: bool,
    buf_size: i32,
    controller: Term,
    /// Queued input: segments, the first `head_used` bytes of the first one consumed.
    queue: VecDeque<Box<[u8]>>,
    head_used: usize,
    queued: usize,
    stash: Option<Message>,
}

// SAFETY: the z_stream's pointers are zlib's own state (allocated by `zlib_alloc`, not
// tied to a thread) and, between calls, nulls; a stream is only touched under its mutex.
unsafe impl Send for Stream {}

impl Stream {
    fn new(controller: Term) -> Stream {
        Stream {
            z: new_z_stream(),
            state: State::None,
            eos_behavior: EOS_BEHAVIOR_CUT,
            input_crc: 0,
            output_crc: 0,
            want_input_crc: false,
            want_output_crc: false,
            is_raw: false,
            eos_seen: false,
            buf_size: DEFAULT_BUF_SIZE,
            controller,
            queue: VecDeque::new(),
            head_used: 0,
            queued: 0,
            stash: None,
        }
    }

    /// A stand-in for a closed stream the registry no longer holds.
    fn closed(controller: Term) -> Stream {
        let mut s = Stream::new(controller);
        s.state = State::Closed;
        s
    }

    /// zlib's deflateInit2 on a stream in state None.
    fn deflate_init(
        &mut self,
        level: i32,
        method: i32,
        window_bits: i32,
        mem_level: i32,
        strategy: i32,
    ) -> c_int {
        debug_assert!(self.state == State::None);
        // SAFETY: the z_stream is boxed (it never moves), with our allocator, and not
        // initialised (state None).
        let res = unsafe {
            z::deflateInit2_(
                &mut *self.z,
                level,
                method,
                window_bits,
                mem_level,
                strategy,
                z::zlibVersion(),
                std::mem::size_of::<z::z_stream>() as c_int,
            )
        };
        if res == z::Z_OK {
            self.state = State::Deflate;
            self.eos_seen = false;
            self.is_raw = window_bits < 0;
            self.want_output_crc = false;
            self.want_input_crc = self.is_raw;
            self.output_crc = 0;
            self.input_crc = 0;
        }
        res
    }

    /// zlib's inflateInit2 on a stream in state None.
    fn inflate_init(&mut self, window_bits: i32, eos_behavior: i32) -> c_int {
        debug_assert!(self.state == State::None);
        // SAFETY: the z_stream is boxed (it never moves), with our allocator, and not
        // initialised (state None).
        let res = unsafe {
            z::inflateInit2_(
                &mut *self.z,
                window_bits,
                z::zlibVersion(),
                std::mem::size_of::<z::z_stream>() as c_int,
            )
        };
        if res == z::Z_OK {
            self.state = State::Inflate;
            self.eos_behavior = eos_behavior;
            self.eos_seen = false;
            self.is_raw = window_bits < 0;
            self.want_output_crc = self.is_raw;
            self.want_input_crc = false;
            self.output_crc = 0;
            self.input_crc = 0;
        }
        res
    }

    /// Queues input segments (empty ones are dropped).
    fn enqueue(&mut self, segments: Vec<Box<[u8]>>) {
        for seg in segments {
            if !seg.is_empty() {
                self.queued += seg.len();
                self.queue.push_back(seg);
            }
        }
    }

    /// Ends zlib's state if a codec is initialised.
    fn end_codec(&mut self) -> c_int {
        let z = &mut *self.z as z::z_streamp;
        match self.state {
            // SAFETY: the z_stream was initialised by deflateInit2_.
            State::Deflate => unsafe { z::deflateEnd(z) },
            // SAFETY: the z_stream was initialised by inflateInit2_.
            State::Inflate => unsafe { z::inflateEnd(z) },
            _ => z::Z_OK,
        }
    }

    fn reset_input(&mut self) {
        self.queue.clear();
        self.head_used = 0;
        self.queued = 0;
        self.stash = None;
    }

    /// Drops `n` consumed bytes from the front of the queue.
    fn dequeue(&mut self, mut n: usize) {
        self.queued -= n;
        while n > 0 {
            let Some(front) = self.queue.front() else {
                break;
            };
            let left = front.len() - self.head_used;
            if n < left {
                self.head_used += n;
                return;
            }
            n -= left;
            self.queue.pop_front();
            self.head_used = 0;
        }
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        self.end_codec();
    }
}

/// Shards of the registry (streams by id, stream ids by controller), so that processes
/// using different streams rarely meet on a lock.
const SHARDS: usize = 32;

type StreamRef = Arc<Mutex<Stream>>;

struct Registry {
    streams: [Mutex<HashMap<u64, StreamRef>>; SHARDS],
    /// Stream ids by controlling process (keyed by the pid's word).
    by_controller: [Mutex<HashMap<u64, HashSet<u64>>>; SHARDS],
    /// Streams freed because their controller exited, most recent last.
    orphans: Mutex<(VecDeque<u64>, HashSet<u64>)>,
}

impl Registry {
    fn streams(&self, id: u64) -> parking_lot::MutexGuard<'_, HashMap<u64, StreamRef>> {
        self.streams[id as usize % SHARDS].lock()
    }

    fn controlled(&self, pid: Term) -> parking_lot::MutexGuard<'_, HashMap<u64, HashSet<u64>>> {
        self.by_controller[pid.pid_value() as usize % SHARDS].lock()
    }

    fn track(&self, pid: Term, id: u64) {
        self.controlled(pid).entry(pid.0).or_default().insert(id);
    }

    fn untrack(&self, pid: Term, id: u64) {
        let mut c = self.controlled(pid);
        if let Some(ids) = c.get_mut(&pid.0) {
            ids.remove(&id);
            if ids.is_empty() {
                c.remove(&pid.0);
            }
        }
    }
}

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(|| {
        exit_hooks::register(exit_hooks::ZLIB, controller_exited);
        Registry {
            streams: std::array::from_fn(|_| Mutex::new(HashMap::new())),
            by_controller: std::array::from_fn(|_| Mutex::new(HashMap::new())),
            orphans: Mutex::new((VecDeque::new(), HashSet::new())),
        }
    })
}

/// Frees the streams controlled by `pid` (the process exited, or was already dead when
/// it was made their controller): nobody can use them any more.
fn controller_exited(pid: Term, _id: u64) {
    let r = registry();
    let Some(ids) = r.controlled(pid).remove(&pid.0) else {
        return;
    };
    let mut freed = Vec::with_capacity(ids.len());
    for &id in &ids {
        freed.extend(r.streams(id).remove(&id));
    }
    {
        let mut o = r.orphans.lock();
        let (order, set) = &mut *o;
        for id in ids {
            if set.insert(id) {
                order.push_back(id);
            }
        }
        while order.len() > ORPHANS_KEPT {
            if let Some(old) = order.pop_front() {
                set.remove(&old);
            }
        }
    }
    // zlib's state is released here, outside the registry's locks.
    drop(freed);
}

/// The stream a handle designates: `Err(BADARG)` if `t` is not a stream handle.
fn stream_of(p: &Process, t: Term) -> Result<StreamRef, Fault> {
    if !t.is_boxed() || boxed_subtag(t) != Some(oxbeam_term::header::SUBTAG_REF) {
        return Err(BADARG);
    }
    let id = ref_id(t);
    if id & STREAM_BIT == 0 {
        return Err(BADARG);
    }
    let r = registry();
    if let Some(s) = r.streams(id).get(&id) {
        return Ok(s.clone());
    }
    // Freed: an orphan's controller is dead, so the caller is not it; any other was
    // closed, most likely by the caller.
    let controller = if r.orphans.lock().1.contains(&id) {
        Term::NIL
    } else {
        p.pid
    };
    Ok(Arc::new(Mutex::new(Stream::closed(controller))))
}

/// Runs `f` on the stream of handle `t` after checking that the caller controls it.
fn with_stream(
    p: &mut Process,
    t: Term,
    f: impl FnOnce(&mut Process, &mut Stream) -> BifResult,
) -> BifResult {
    let s = stream_of(p, t)?;
    let mut s = s.lock();
    if s.controller != p.pid {
        return Err(raise(atoms().not_on_controlling_process));
    }
    f(p, &mut s)
}

fn int_arg(t: Term) -> Result<i32, Fault> {
    t.as_small()
        .and_then(|i| i32::try_from(i).ok())
        .ok_or(BADARG)
}

/// zlib's return code as the reference reports it: some codes are values, stream and
/// data errors are raised.
fn zlib_return(code: c_int) -> BifResult {
    let a = atoms();
    Ok(match code {
        z::Z_OK => Term::atom(am::OK),
        z::Z_STREAM_END => a.stream_end,
        z::Z_ERRNO => {
            Term::small(std::io::Error::last_os_error().raw_os_error().unwrap_or(0) as i64)
        }
        z::Z_STREAM_ERROR => return Err(raise(a.stream_error)),
        z::Z_DATA_ERROR => return Err(raise(a.data_error)),
        z::Z_MEM_ERROR => a.mem_error,
        z::Z_BUF_ERROR => a.buf_error,
        z::Z_VERSION_ERROR => a.version_error,
        _ => a.unknown_error,
    })
}

fn require(s: &Stream, state: State) -> Result<(), Fault> {
    if s.state == state {
        Ok(())
    } else {
        Err(raise(atoms().not_initialized))
    }
}

// ------------------------------------------------------------------ the codec loop

#[derive(Clone, Copy)]
enum Codec {
    Deflate,
    Inflate,
}

impl Codec {
    fn run(self, z: &mut z::z_stream, flush: c_int) -> c_int {
        // SAFETY: the z_stream is initialised for this codec (the callers checked the
        // stream's state) and its next_in/next_out describe live buffers.
        unsafe {
            match self {
                Codec::Deflate => z::deflate(z, flush),
                Codec::Inflate => z::inflate(z, flush),
            }
        }
    }
}

/// Feeds queued input to the codec (about `input_limit` bytes) into `out`, then, if all
/// input is consumed and there is room, flushes with `flush`. Returns zlib's last result,
/// the bytes produced and consumed, and the bytes left in the queue.
fn flush_queue(
    s: &mut Stream,
    codec: Codec,
    input_limit: usize,
    out: &mut Vec<u8>,
    out_size: usize,
    flush: c_int,
    reds_left: &mut i64,
) -> (c_int, usize, usize, usize) {
    let mut res = z::Z_OK;
    let mut consumed = 0usize;
    // Exactly the size asked for (a Vec may have more capacity), as the output's
    // chunking depends on it.
    let out_size = out_size.min(out.capacity()).min(c_uint::MAX as usize);
    // zlib writes into the spare capacity (no need to zero it first).
    s.z.next_out = out.as_mut_ptr();
    s.z.avail_out = out_size as c_uint;
    let mut idx = 0;
    while res == z::Z_OK && idx < s.queue.len() && consumed < input_limit {
        let skip = if idx == 0 { s.head_used } else { 0 };
        let seg = &s.queue[idx][skip..];
        let block_size = seg.len().min(input_limit).min(c_uint::MAX as usize);
        s.z.next_in = seg.as_ptr() as *mut u8;
        s.z.avail_in = block_size as c_uint;
        // No flushing before the end of the input.
        res = codec.run(&mut s.z, z::Z_NO_FLUSH);
        let block_consumed = block_size - s.z.avail_in as usize;
        consumed += block_consumed;
        if s.want_input_crc {
            s.input_crc = crc32(s.input_crc, &seg[..block_consumed]);
        }
        // As the reference, charge the process a share of a time slice per block (a
        // whole slice for a full input chunk) and stop once its slice is used up.
        let percent = ((100 * block_consumed) / input_limit).clamp(1, 100) as i64;
        *reds_left = (*reds_left - (CONTEXT_REDS + 99) / 100 * percent).max(0);
        if *reds_left == 0 {
            break;
        }
        idx += 1;
    }
    s.z.next_in = std::ptr::null_mut();
    s.z.avail_in = 0;
    s.dequeue(consumed);
    let remaining = s.queued;
    if res == z::Z_OK && remaining == 0 && s.z.avail_out > 0 {
        // End of the input: flush zlib's state (a no-op when nothing is pending; done
        // with no flush too, as the output may have filled up at the last call).
        res = codec.run(&mut s.z, flush);
    }
    let produced = out_size - s.z.avail_out as usize;
    s.z.next_out = std::ptr::null_mut();
    s.z.avail_out = 0;
    // SAFETY: zlib wrote the first `produced` bytes of the buffer.
    unsafe { out.set_len(produced) };
    (res, produced, consumed, remaining)
}

fn codec_call(
    p: &mut Process,
    s: &mut Stream,
    codec: Codec,
    input_chunk: i32,
    output_chunk: i32,
    flush: i32,
) -> BifResult {
    let Ok(out_size) = usize::try_from(output_chunk) else {
        return zlib_return(z::Z_MEM_ERROR);
    };
    let input_limit = usize::try_from(input_chunk).unwrap_or(0).max(1);
    let mut out = Vec::with_capacity(out_size);
    let (res, produced, consumed, remaining) = flush_queue(
        s,
        codec,
        input_limit,
        &mut out,
        out_size,
        flush,
        &mut p.reds_left,
    );
    if res < 0 && res != z::Z_BUF_ERROR {
        return zlib_return(res);
    }
    if res == z::Z_STREAM_END {
        s.eos_seen = true;
    }
    if s.want_output_crc {
        s.output_crc = crc32(s.output_crc, &out[..produced]);
    }
    if consumed == 0 && produced == 0 && remaining != 0 {
        // No progress at all: not well-formed input.
        return zlib_return(z::Z_DATA_ERROR);
    }
    let a = atoms();
    let output = if produced > 0 {
        let b = if produced <= oxbeam_term::header::HEAP_BIN_LIMIT {
            make_binary(&mut p.heap, &out)
        } else {
            make_refc_binary(&mut p.heap, out.into_boxed_slice())
        };
        list_from_iter(&mut p.heap, &[b], Term::NIL)
    } else {
        Term::NIL
    };
    if remaining == 0 && produced < out_size {
        Ok(make_tuple(&mut p.heap, &[a.finished, output]))
    } else if res != z::Z_NEED_DICT {
        Ok(make_tuple(&mut p.heap, &[a.continue_, output]))
    } else {
        // A C int in the reference: negative from 2^31 on.
        let adler = Term::small(s.z.adler as u32 as i32 as i64);
        Ok(make_tuple(&mut p.heap, &[a.need_dictionary, adler, output]))
    }
}

// ------------------------------------------------------------------ the NIFs

fn open_nif(p: &mut Process, _a: &[Term]) -> BifResult {
    let id = super::erlang::next_ref_id() | STREAM_BIT;
    let s = Arc::new(Mutex::new(Stream::new(p.pid)));
    let r = registry();
    r.streams(id).insert(id, s);
    r.track(p.pid, id);
    p.exit_hooks |= exit_hooks::ZLIB;
    Ok(make_ref(&mut p.heap, id))
}

fn close_nif(p: &mut Process, a: &[Term]) -> BifResult {
    with_stream(p, a[0], |_p, s| {
        if s.state == State::Closed {
            return Err(raise(atoms().not_initialized));
        }
        s.end_codec();
        s.state = State::Closed;
        s.reset_input();
        let id = ref_id(a[0]);
        let r = registry();
        r.untrack(s.controller, id);
        // `with_stream` holds another reference: the stream goes when it returns.
        let freed = r.streams(id).remove(&id);
        drop(freed);
        Ok(Term::atom(am::OK))
    })
}

fn set_controller_nif(p: &mut Process, a: &[Term]) -> BifResult {
    let stream = stream_of(p, a[0])?;
    let new = a[1];
    if !new.is_local_pid() {
        return Err(BADARG);
    }
    let mut s = stream.lock();
    if s.controller != p.pid {
        return Err(raise(atoms().not_on_controlling_process));
    }
    let old = s.controller;
    s.controller = new;
    if old == new {
        return Ok(Term::atom(am::OK));
    }
    let id = ref_id(a[0]);
    let r = registry();
    if !r.streams(id).contains_key(&id) {
        // A closed stream: nothing to track.
        return Ok(Term::atom(am::OK));
    }
    r.untrack(old, id);
    r.track(new, id);
    drop(s);
    // The new controller's exit frees the stream. If it is dead already (or exits
    // before it sees the bit), free it here.
    let pid_id = new.pid_value();
    let alive = match crate::sched::slot(pid_id) {
        Some(slot) => {
            slot.exit_hooks
                .fetch_or(exit_hooks::ZLIB, std::sync::atomic::Ordering::SeqCst);
            crate::sched::slot(pid_id).is_some()
        }
        None => false,
    };
    if !alive {
        controller_exited(new, pid_id);
    }
    Ok(Term::atom(am::OK))
}

fn deflate_init_nif(p: &mut Process, a: &[Term]) -> BifResult {
    let stream = stream_of(p, a[0])?;
    let level = int_arg(a[1])?;
    let method = int_arg(a[2])?;
    let window_bits = int_arg(a[3])?;
    let mem_level = int_arg(a[4])?;
    let strategy = int_arg(a[5])?;
    with_locked(p, &stream, |_p, s| {
        if s.state != State::None {
            return Err(raise(atoms().already_initialized));
        }
        zlib_return(s.deflate_init(level, method, window_bits, mem_level, strategy))
    })
}

/// `with_stream` for a stream already looked up (arguments parsed in between, as the
/// reference parses them before its checks).
fn with_locked(
    p: &mut Process,
    stream: &Arc<Mutex<Stream>>,
    f: impl FnOnce(&mut Process, &mut Stream) -> BifResult,
) -> BifResult {
    let mut s = stream.lock();
    if s.controller != p.pid {
        return Err(raise(atoms().not_on_controlling_process));
    }
    f(p, &mut s)
}

fn deflate_set_dictionary_nif(p: &mut Process, a: &[Term]) -> BifResult {
    let stream = stream_of(p, a[0])?;
    let dict = super::iodata_bytes(a[1]).ok_or(BADARG)?;
    with_locked(p, &stream, |_p, s| {
        require(s, State::Deflate)?;
        // SAFETY: an initialised deflate stream; `dict` is a valid buffer.
        let res =
            unsafe { z::deflateSetDictionary(&mut *s.z, dict.as_ptr(), dict.len() as c_uint) };
        if res == z::Z_OK {
            // zlib does not compute the checksum of raw streams: done here, from a
            // start value of 0 as the reference does (not Adler-32's usual 1).
            let sum = if s.is_raw {
                adler32(0, &dict)
            } else {
                s.z.adler
            };
            // A C int in the reference: negative from 2^31 on.
            return Ok(Term::small(sum as u32 as i32 as i64));
        }
        zlib_return(res)
    })
}

fn deflate_reset_nif(p: &mut Process, a: &[Term]) -> BifResult {
    with_stream(p, a[0], |_p, s| {
        require(s, State::Deflate)?;
        // SAFETY: an initialised deflate stream.
        let res = unsafe { z::deflateReset(&mut *s.z) };
        s.input_crc = 0;
        s.eos_seen = false;
        s.reset_input();
        zlib_return(res)
    })
}

fn deflate_end_nif(p: &mut Process, a: &[Term]) -> BifResult {
    with_stream(p, a[0], |_p, s| {
        require(s, State::Deflate)?;
        let mut res = s.end_codec();
        if res == z::Z_OK && s.queued > 0 {
            res = z::Z_DATA_ERROR;
        }
        s.reset_input();
        s.state = State::None;
        zlib_return(res)
    })
}

fn deflate_params_nif(p: &mut Process, a: &[Term]) -> BifResult {
    let stream = stream_of(p, a[0])?;
    let level = int_arg(a[1])?;
    let strategy = int_arg(a[2])?;
    with_locked(p, &stream, |_p, s| {
        require(s, State::Deflate)?;
        // zlib.erl flushed all input first; deflateParams may still emit a block, which
        // must fit in a one-byte buffer (anything more is an error, as in the reference).
        let mut dummy = 0u8;
        s.z.next_out = &mut dummy;
        s.z.avail_out = 1;
        // SAFETY: an initialised deflate stream; next_out is a live one-byte buffer and
        // next_in is null with avail_in 0.
        let res = unsafe { z::deflateParams(&mut *s.z, level, strategy) };
        let full = s.z.avail_out == 0;
        s.z.next_out = std::ptr::null_mut();
        s.z.avail_out = 0;
        if full {
            return zlib_return(z::Z_STREAM_ERROR);
        }
        zlib_return(res)
    })
}

fn codec_nif(p: &mut Process, a: &[Term], codec: Codec) -> BifResult {
    let stream = stream_of(p, a[0])?;
    let input_chunk = int_arg(a[1])?;
    let output_chunk = int_arg(a[2])?;
    let flush = int_arg(a[3])?;
    with_locked(p, &stream, |p, s| match codec {
        Codec::Deflate => {
            require(s, State::Deflate)?;
            codec_call(p, s, codec, input_chunk, output_chunk, flush)
        }
        Codec::Inflate => {
            require(s, State::Inflate)?;
            if s.eos_seen && s.queued > 0 {
                match s.eos_behavior {
                    EOS_BEHAVIOR_ERROR => return zlib_return(z::Z_DATA_ERROR),
                    EOS_BEHAVIOR_RESET => {
                        // SAFETY: an initialised inflate stream.
                        let res = unsafe { z::inflateReset(&mut *s.z) };
                        if res != z::Z_OK {
                            return zlib_return(res);
                        }
                        s.eos_seen = false;
                    }
                    _ => s.reset_input(),
                }
            }
            codec_call(p, s, codec, input_chunk, output_chunk, flush)
        }
    })
}

fn deflate_nif(p: &mut Process, a: &[Term]) -> BifResult {
    codec_nif(p, a, Codec::Deflate)
}

fn inflate_nif(p: &mut Process, a: &[Term]) -> BifResult {
    codec_nif(p, a, Codec::Inflate)
}

fn inflate_init_nif(p: &mut Process, a: &[Term]) -> BifResult {
    let stream = stream_of(p, a[0])?;
    let window_bits = int_arg(a[1])?;
    let eos_behavior = int_arg(a[2])?;
    with_locked(p, &stream, |_p, s| {
        if s.state != State::None {
            return Err(raise(atoms().already_initialized));
        }
        zlib_return(s.inflate_init(window_bits, eos_behavior))
    })
}

fn inflate_set_dictionary_nif(p: &mut Process, a: &[Term]) -> BifResult {
    let stream = stream_of(p, a[0])?;
    let dict = super::iodata_bytes(a[1]).ok_or(BADARG)?;
    with_locked(p, &stream, |_p, s| {
        require(s, State::Inflate)?;
        // SAFETY: an initialised inflate stream; `dict` is a valid buffer.
        let res =
            unsafe { z::inflateSetDictionary(&mut *s.z, dict.as_ptr(), dict.len() as c_uint) };
        zlib_return(res)
    })
}

fn inflate_get_dictionary_nif(p: &mut Process, a: &[Term]) -> BifResult {
    with_stream(p, a[0], |p, s| {
        require(s, State::Inflate)?;
        let mut buf = vec![0u8; INFLATE_DICT_SIZE];
        let mut len: c_uint = 0;
        // SAFETY: an initialised inflate stream; `buf` holds the largest window.
        let res = unsafe { inflateGetDictionary(&mut *s.z, buf.as_mut_ptr(), &mut len) };
        if res < 0 {
            return zlib_return(res);
        }
        let len = (len as usize).min(buf.len());
        Ok(make_binary(&mut p.heap, &buf[..len]))
    })
}

fn inflate_reset_nif(p: &mut Process, a: &[Term]) -> BifResult {
    with_stream(p, a[0], |_p, s| {
        require(s, State::Inflate)?;
        // SAFETY: an initialised inflate stream.
        let res = unsafe { z::inflateReset(&mut *s.z) };
        s.output_crc = 0;
        s.eos_seen = false;
        s.reset_input();
        zlib_return(res)
    })
}

fn inflate_end_nif(p: &mut Process, a: &[Term]) -> BifResult {
    with_stream(p, a[0], |_p, s| {
        require(s, State::Inflate)?;
        let mut res = s.end_codec();
        if res == z::Z_OK && (!s.eos_seen || s.queued > 0) {
            res = z::Z_DATA_ERROR;
        }
        s.reset_input();
        s.state = State::None;
        zlib_return(res)
    })
}

fn crc32_nif(p: &mut Process, a: &[Term]) -> BifResult {
    with_stream(p, a[0], |p, s| match s.state {
        State::Deflate => Ok(make_u64(&mut p.heap, ulong(s.input_crc))),
        State::Inflate => Ok(make_u64(&mut p.heap, ulong(s.output_crc))),
        _ => Err(raise(atoms().not_initialized)),
    })
}

fn get_stash_nif(p: &mut Process, a: &[Term]) -> BifResult {
    with_stream(p, a[0], |p, s| match &s.stash {
        None => Ok(atoms().empty),
        Some(m) => {
            let t = copy_term(&mut p.heap, m.term);
            Ok(make_tuple(&mut p.heap, &[Term::atom(am::OK), t]))
        }
    })
}

fn clear_stash_nif(p: &mut Process, a: &[Term]) -> BifResult {
    with_stream(p, a[0], |_p, s| {
        if s.stash.take().is_none() {
            return Err(raise(Term::atom(am::ERROR)));
        }
        Ok(Term::atom(am::OK))
    })
}

fn set_stash_nif(p: &mut Process, a: &[Term]) -> BifResult {
    with_stream(p, a[0], |_p, s| {
        if s.stash.is_some() {
            return Err(raise(Term::atom(am::ERROR)));
        }
        if s.state != State::Closed {
            s.stash = Some(crate::sched::copy_to_fragment(a[1]));
        }
        Ok(Term::atom(am::OK))
    })
}

fn get_buf_size_nif(p: &mut Process, a: &[Term]) -> BifResult {
    with_stream(p, a[0], |_p, s| Ok(Term::small(s.buf_size as i64)))
}

fn set_buf_size_nif(p: &mut Process, a: &[Term]) -> BifResult {
    with_stream(p, a[0], |_p, s| {
        s.buf_size = int_arg(a[1])?;
        Ok(Term::atom(am::OK))
    })
}

fn enqueue_nif(p: &mut Process, a: &[Term]) -> BifResult {
    with_stream(p, a[0], |_p, s| {
        if s.state != State::Deflate && s.state != State::Inflate {
            return Err(raise(atoms().not_initialized));
        }
        // An I/O vector: a proper list of binaries.
        let mut segments = Vec::new();
        let mut l = a[1];
        while l.is_list() {
            let b = binary_bytes(head(l)).ok_or(BADARG)?;
            segments.push(Box::<[u8]>::from(&*b));
            l = tail(l);
        }
        if !l.is_nil() {
            return Err(BADARG);
        }
        s.enqueue(segments);
        Ok(Term::atom(am::OK))
    })
}

pub fn register() {
    let list: &[(&str, u32, BifFn)] = &[
        ("close_nif", 1, close_nif),
        ("open_nif", 0, open_nif),
        ("set_controller_nif", 2, set_controller_nif),
        ("deflateInit_nif", 6, deflate_init_nif),
        ("deflateSetDictionary_nif", 2, deflate_set_dictionary_nif),
        ("deflateReset_nif", 1, deflate_reset_nif),
        ("deflateEnd_nif", 1, deflate_end_nif),
        ("deflateParams_nif", 3, deflate_params_nif),
        ("deflate_nif", 4, deflate_nif),
        ("inflateInit_nif", 3, inflate_init_nif),
        ("inflateSetDictionary_nif", 2, inflate_set_dictionary_nif),
        ("inflateGetDictionary_nif", 1, inflate_get_dictionary_nif),
        ("inflateReset_nif", 1, inflate_reset_nif),
        ("inflateEnd_nif", 1, inflate_end_nif),
        ("inflate_nif", 4, inflate_nif),
        ("crc32_nif", 1, crc32_nif),
        ("getStash_nif", 1, get_stash_nif),
        ("clearStash_nif", 1, clear_stash_nif),
        ("setStash_nif", 2, set_stash_nif),
        ("getBufSize_nif", 1, get_buf_size_nif),
        ("setBufSize_nif", 2, set_buf_size_nif),
        ("enqueue_nif", 2, enqueue_nif),
    ];
    for &(f, arity, fun) in list {
        reg_nif("zlib", f, arity, fun);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the codec over everything queued, as zlib.erl's loop does.
    fn drain(s: &mut Stream, codec: Codec, out_chunk: usize, flush: c_int) -> Vec<u8> {
        let mut all = Vec::new();
        loop {
            let mut out = Vec::with_capacity(out_chunk);
            let mut reds = CONTEXT_REDS;
            let (res, produced, _, remaining) =
                flush_queue(s, codec, 8192, &mut out, out_chunk, flush, &mut reds);
            assert!(res >= 0 || res == z::Z_BUF_ERROR, "zlib error {res}");
            if res == z::Z_STREAM_END {
                s.eos_seen = true;
            }
            all.extend_from_slice(&out);
            if remaining == 0 && produced < out_chunk {
                return all;
            }
        }
    }

    fn segments(data: &[u8], sizes: &[usize]) -> Vec<Box<[u8]>> {
        let mut out = Vec::new();
        let mut at = 0;
        for &n in sizes.iter().cycle() {
            if at >= data.len() {
                break;
            }
            let end = (at + n).min(data.len());
            out.push(Box::from(&data[at..end]));
            at = end;
        }
        out
    }

    #[test]
    fn chunked_round_trip_matches_one_shot_zlib() {
        let data: Vec<u8> = (0..200_000u32)
            .flat_map(|i| i.to_string().into_bytes())
            .collect();
        for (wbits, flush) in [(15, 4), (-15, 4), (31, 4), (15, 2)] {
            let mut d = Stream::new(Term::NIL);
            assert_eq!(d.deflate_init(-1, 8, wbits, 8, 0), z::Z_OK);
            d.enqueue(segments(&data, &[1, 700, 9000, 20000, 0]));
            let mut compressed = drain(&mut d, Codec::Deflate, 8192, flush);
            if flush != z::Z_FINISH {
                compressed.extend(drain(&mut d, Codec::Deflate, 8192, z::Z_FINISH));
            }
            if wbits == 15 && flush == z::Z_FINISH {
                assert_eq!(compressed, crate::bifs::etf::zlib_compress(&data, 6));
            }
            if wbits < 0 {
                assert_eq!(d.input_crc, crc32(0, &data));
            }
            let mut i = Stream::new(Term::NIL);
            assert_eq!(i.inflate_init(wbits, 2), z::Z_OK);
            i.enqueue(segments(&compressed, &[3, 5000, 100]));
            let plain = drain(&mut i, Codec::Inflate, 16384, z::Z_NO_FLUSH);
            assert!(i.eos_seen);
            assert_eq!(plain, data);
            assert_eq!(i.queued, 0);
        }
    }

    #[test]
    fn dequeue_walks_segments() {
        let mut s = Stream::new(Term::NIL);
        s.enqueue(vec![
            Box::from(&b"abc"[..]),
            Box::from(&b""[..]),
            Box::from(&b"defg"[..]),
        ]);
        assert_eq!((s.queue.len(), s.queued), (2, 7));
        s.dequeue(2);
        assert_eq!((s.queue.len(), s.head_used, s.queued), (2, 2, 5));
        s.dequeue(3);
        assert_eq!((s.queue.len(), s.head_used, s.queued), (1, 2, 2));
        s.dequeue(2);
        assert_eq!((s.queue.len(), s.queued), (0, 0));
    }

    #[test]
    fn zlib_memory_round_trips() {
        // SAFETY: allocations from zlib_alloc are freed once by zlib_free.
        unsafe {
            let p = zlib_alloc(std::ptr::null_mut(), 10, 100);
            assert!(!p.is_null());
            std::ptr::write_bytes(p as *mut u8, 7, 1000);
            zlib_free(std::ptr::null_mut(), p);
            zlib_free(std::ptr::null_mut(), std::ptr::null_mut());
            // More than isize::MAX bytes: refused, not a panic.
            assert!(zlib_alloc(std::ptr::null_mut(), c_uint::MAX, c_uint::MAX).is_null());
        }
    }
}
