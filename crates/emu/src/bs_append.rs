//! Appending to binaries in place, so that `<<Acc/binary, X>>` in a loop is linear.
//!
//! As in the reference, appending to a binary that is not writable copies it into a new
//! off-heap buffer with spare room (twice the size, at least 256 bytes) and makes that
//! buffer *writable*; the next append to the result writes into the spare room instead
//! of copying. The reference keeps the writable state in flags of the binary objects; our
//! objects have no room for flags, so the state lives in a small per-thread registry:
//! for each writable buffer, the process allowed to write it and how many bits are
//! used. An append may write in place only when
//!
//! * the buffer is in the registry, owned by the appending process, and
//! * the binary appended to ends exactly at the buffer's used end (so no other binary
//!   sees the bits about to be written: every term over the buffer covers used bits
//!   only, and the used end only moves forward).
//!
//! Each append returns a fresh handle (never mutating existing ones), sized to the
//! bytes in use. The registry holds one reference to each buffer, so a registered
//! buffer is never freed and its address never reused while registered; it is bounded
//! (a few entries, a cap on the bytes held) and evicting an entry only costs a copy at
//! the next append. Entries are per thread: a process that moved to another scheduler
//! thread simply copies once.
//!
//! Other processes may hold (copies of) handles over a writable buffer, but they cover
//! only bits that were used when the handle was made; bytes past the used end are
//! touched by the owner only. A partly used last byte would be shared (the owner filling
//! its unused low bits while another thread reads the byte is a data race in the Rust
//! memory model, though the reference does it in C), so an accumulator that does not end
//! on a byte boundary is copied instead of extended in place.

use super::bs_bits::copy_bits;
use crate::object::*;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::header::*;
use oxbeam_term::Term;
use std::cell::RefCell;

/// Most writable buffers a thread keeps (one per live accumulator is the usual need).
const MAX_ENTRIES: usize = 16;
/// Bytes of spare-room buffers a thread keeps alive beyond the most recent one.
const MAX_HELD_BYTES: usize = 64 << 20;
/// Smallest writable buffer, as in the reference.
const MIN_CAPACITY: usize = 256;
/// Largest binary we try to allocate; beyond it construction raises `system_limit`
/// (the reference fails the allocation and aborts).
pub(super) const MAX_BINARY_BYTES: usize = 1 << 40;

struct Writable {
    data: *mut BinData,
    /// The buffer's first byte (the data pointer stored in every handle).
    bytes: *mut u8,
    /// Buffer size in bytes.
    cap: usize,
    /// Bits in use from the start of the buffer.
    used: usize,
    /// The process allowed to write past `used`.
    owner: u64,
}

#[derive(Default)]
struct Registry {
    /// Least recently used first.
    entries: Vec<Writable>,
}

impl Registry {
    fn evict(&mut self, i: usize) {
        let e = self.entries.remove(i);
        // SAFETY: the registry owns one reference of every registered buffer.
        unsafe { BinData::dec_ref(e.data) };
    }

    fn insert(&mut self, w: Writable) {
        self.entries.push(w);
        while self.entries.len() > MAX_ENTRIES {
            self.evict(0);
        }
        while self.entries.len() > 1
            && self.entries.iter().map(|e| e.cap).sum::<usize>() > MAX_HELD_BYTES
        {
            self.evict(0);
        }
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        for e in self.entries.drain(..) {
            // SAFETY: the registry owns one reference of every registered buffer.
            unsafe { BinData::dec_ref(e.data) };
        }
    }
}

thread_local! {
    static REGISTRY: RefCell<Registry> = RefCell::new(Registry::default());
}

/// Room reserved after a binary: `term` is the new binary (the old bits followed by
/// `add` zero bits) and the new bits go at bit `pos` of the buffer at `bytes`.
pub(super) struct Reserved {
    pub term: Term,
    pub bytes: *mut u8,
    pub pos: usize,
}

/// A zeroed buffer of `n` bytes, or `system_limit` if it cannot be allocated.
pub(super) fn zeroed(n: usize) -> Result<Vec<u8>, Term> {
    if n > MAX_BINARY_BYTES {
        return Err(Term::atom(am::SYSTEM_LIMIT));
    }
    let mut v = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| Term::atom(am::SYSTEM_LIMIT))?;
    v.resize(n, 0);
    Ok(v)
}

/// The refc-binary handle under `t` (a refc binary or a sub-binary of one) with the
/// bit range `t` covers in it.
fn refc_parts(t: Term) -> Option<(Term, usize, usize)> {
    match boxed_subtag(t)? {
        SUBTAG_REFC_BIN => Some((t, 0, word(t, 1).0 as usize * 8)),
        SUBTAG_SUB_BIN => {
            let orig = word(t, 3);
            (boxed_subtag(orig)? == SUBTAG_REFC_BIN)
                .then(|| (orig, word(t, 2).0 as usize, word(t, 1).0 as usize))
        }
        _ => None,
    }
}

/// A binary term over bits `[off, off + bits)` of a registered buffer: a new handle
/// covering the bytes in use, under a sub-binary unless it is the whole of it.
fn view(p: &mut Process, data: *mut BinData, bytes: *mut u8, off: usize, bits: usize) -> Term {
    let size = (off + bits).div_ceil(8);
    // SAFETY: callers pass a registered (hence live) buffer.
    unsafe { BinData::inc_ref(data) };
    let w = p.heap.alloc(REFC_BIN_WORDS);
    // SAFETY: four fresh words laid out as a refc-binary handle (header.rs); the handle
    // owns the reference taken above and is registered for release below.
    unsafe {
        *w = make_header(SUBTAG_REFC_BIN, REFC_BIN_WORDS - 1);
        *w.add(1) = Term(size as u64);
        *w.add(2) = Term(data as u64);
        *w.add(3) = Term(bytes as u64);
    }
    p.heap.off_heap.push(w);
    let handle = Term::make_boxed(w);
    if off == 0 && bits == size * 8 {
        handle
    } else {
        make_sub_binary(&mut p.heap, handle, off, bits)
    }
}

/// A new off-heap buffer (one reference, for the caller) and a pointer to its first
/// byte that may be written through, taken while the buffer is still private.
fn new_data(content: Vec<u8>) -> (*mut BinData, *mut u8) {
    let data = BinData::new_raw(content.into_boxed_slice());
    // SAFETY: `data` is the fresh BinData just created: nothing else refers to it, so
    // borrowing its bytes mutably here is exclusive. Later writes through the pointer
    // follow the rules in the module comment (or `bs_build`'s for `new_refc`).
    let bytes = unsafe { (*data).bytes.as_mut_ptr() };
    (data, bytes)
}

/// A new off-heap binary of `content` (for the old protocol's `bs_init2`, whose puts
/// then write into it) and its first byte.
pub(super) fn new_refc(p: &mut Process, content: Vec<u8>) -> (Term, *mut u8) {
    let bits = content.len() * 8;
    let (data, bytes) = new_data(content);
    let t = view(p, data, bytes, 0, bits);
    // `view` took a reference for the handle; the creation's one is not needed.
    // SAFETY: we own the creation's reference and give it up once.
    unsafe { BinData::dec_ref(data) };
    (t, bytes)
}

/// Registers a new writable buffer owned by `p` holding `content` (`used` bits of it)
/// and returns the binary over `[0, used)` and the buffer's first byte.
fn new_buffer(p: &mut Process, content: Vec<u8>, used: usize) -> (Term, *mut u8) {
    let cap = content.len();
    let (data, bytes) = new_data(content);
    // The registry takes over the reference `new_raw` created.
    REGISTRY.with(|r| {
        r.borrow_mut().insert(Writable {
            data,
            bytes,
            cap,
            used,
            owner: p.id,
        })
    });
    (view(p, data, bytes, 0, used), bytes)
}

/// Reserves `add` bits after bitstring `acc` (the caller checked it is one): in place
/// when `acc` ends a writable buffer of this process with room left, else in a new
/// writable buffer holding a copy of `acc`.
pub(super) fn reserve(p: &mut Process, acc: Term, add: usize) -> Result<Reserved, Term> {
    let acc_bits = bit_view(acc)
        .map(|v| v.bit_size)
        .ok_or(Term::atom(am::BADARG))?;
    let total = acc_bits
        .checked_add(add)
        .ok_or(Term::atom(am::SYSTEM_LIMIT))?;
    if let Some((handle, off, bits)) = refc_parts(acc) {
        let data = word(handle, 2).0 as *mut BinData;
        let bytes = word(handle, 3).0 as *mut u8;
        let in_place = REGISTRY.with(|r| {
            let mut r = r.borrow_mut();
            let i = r.entries.iter().position(|e| {
                e.data == data && e.bytes == bytes && e.owner == p.id && e.used == off + bits
            })?;
            // Never write into a partly used byte: another process (on another
            // scheduler thread) may be reading that byte through its own handle.
            if (off + bits) % 8 != 0 {
                return None;
            }
            let end = off + bits + add;
            if end > r.entries[i].cap * 8 {
                // Out of room: the copy below replaces this buffer.
                r.evict(i);
                return None;
            }
            let mut e = r.entries.remove(i);
            e.used = end;
            r.entries.push(e);
            Some(off + bits)
        });
        if let Some(pos) = in_place {
            let term = view(p, data, bytes, off, total);
            return Ok(Reserved { term, bytes, pos });
        }
    }
    let need = total.div_ceil(8);
    let cap = need
        .saturating_mul(2)
        .clamp(MIN_CAPACITY, MAX_BINARY_BYTES.max(need));
    let mut content = zeroed(cap)?;
    if let Some(v) = bit_view(acc) {
        copy_bits(v.data, v.bit_offset, &mut content, 0, acc_bits);
    }
    let (term, bytes) = new_buffer(p, content, total);
    Ok(Reserved {
        term,
        bytes,
        pos: acc_bits,
    })
}

/// `bs_init_writable`: an empty binary in a new writable buffer of `hint` bytes.
pub(super) fn init_writable(p: &mut Process, hint: Term) -> Result<Term, Term> {
    // The hint is the compiler's estimate of the result size; be wary of huge ones.
    let cap = hint
        .as_small()
        .and_then(|v| usize::try_from(v).ok())
        .unwrap_or(1024)
        .clamp(MIN_CAPACITY, 16 << 20);
    let content = zeroed(cap)?;
    Ok(new_buffer(p, content, 0).0)
}

/// Writes the first `bits` bits of `src` at bit `pos` of a reserved buffer region.
pub(super) fn fill(bytes: *mut u8, pos: usize, src: &[u8], bits: usize) {
    if bits == 0 {
        return;
    }
    let first = pos / 8;
    let len = (pos + bits).div_ceil(8) - first;
    // SAFETY: the region was reserved by `reserve` (inside the buffer, past every other
    // term's bits, see the module comment); no Rust reference to it is alive.
    let dst = unsafe { std::slice::from_raw_parts_mut(bytes.add(first), len) };
    copy_bits(src, 0, dst, pos % 8, bits);
}
