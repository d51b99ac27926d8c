//! The per-process generational copying collector (Cheney's algorithm).
//!
//! * A **minor** collection copies live young data (the heap below `htop` plus heap
//!   fragments). Objects below the high-water mark already survived one collection and
//!   are promoted to the old heap; the rest go to a fresh young block.
//! * A **full sweep** copies everything live (young, old, fragments) into a fresh young
//!   block and drops the old heap. It runs every `fullsweep_after` minor collections, when
//!   the old heap has no room for the promotion, or on request.
//! * Literals (one address range, see `literal.rs`) are never copied.
//!
//! Forwarding: a moved boxed object's header is replaced by the boxed term of its new
//! copy; a moved cons cell gets NON_VALUE in its head and the new list term in its tail.

use crate::heap::{heap_size_after, next_heap_size, Heap, STACK_RESERVE};
use crate::literal::is_literal;
use crate::object::BinData;
use crate::words::Words;
use oxbeam_term::header::*;
use oxbeam_term::Term;
use std::sync::atomic::{AtomicU64, Ordering};

/// Whether GC-stress mode is on (`OXBEAM_GC_STRESS=1`): collect at every safe point.
pub fn stress_mode() -> bool {
    use std::sync::OnceLock;
    static S: OnceLock<bool> = OnceLock::new();
    *S.get_or_init(|| {
        std::env::var("OXBEAM_GC_STRESS")
            .map(|v| v == "1")
            .unwrap_or(false)
    })
}

struct Space {
    start: *mut Term,
    top: *mut Term,
    end: *mut Term,
}

struct Copier<'h> {
    heap: &'h Heap,
    full: bool,
    young: Space,
    old: Space,
    /// Address ranges read once per collection (not per pointer): the literal arena,
    /// the old heap's used part, and the young data that survived a collection before.
    literals: (usize, usize),
    old_used: (usize, usize),
    aged: (usize, usize),
}

impl Copier<'_> {
    /// Whether the object at `p` must be moved by this collection.
    #[inline]
    fn must_move(&self, p: *const Term) -> bool {
        let a = p as usize;
        if a >= self.literals.0 && a < self.literals.1 {
            return false;
        }
        self.full || !(a >= self.old_used.0 && a < self.old_used.1)
    }

    #[inline]
    fn promote(&self, p: *const Term) -> bool {
        let a = p as usize;
        !self.full && a >= self.aged.0 && a < self.aged.1
    }

    fn alloc(&mut self, n: usize, promote: bool) -> *mut Term {
        let s = if promote {
            &mut self.old
        } else {
            &mut self.young
        };
        let p = s.top;
        // SAFETY: the spaces were sized for every word that can survive.
        unsafe {
            s.top = s.top.add(n);
            assert!(s.top <= s.end, "gc to-space overflow");
        }
        p
    }

    fn evacuate(&mut self, t: Term) -> Term {
        if t.is_list() {
            let p = t.list_ptr();
            if !self.must_move(p) {
                return t;
            }
            // SAFETY: `p` is a live cons cell (or a forwarded one) in from-space.
            unsafe {
                if (*p).is_non_value() {
                    return *p.add(1);
                }
                let d = self.alloc(2, self.promote(p));
                *d = *p;
                *d.add(1) = *p.add(1);
                let nt = Term::make_list(d);
                *p = Term::NON_VALUE;
                *p.add(1) = nt;
                nt
            }
        } else if t.is_boxed() {
            let p = t.boxed_ptr();
            if !self.must_move(p) {
                return t;
            }
            // SAFETY: `p` is a live object (or a forwarded one) in from-space; its header
            // gives its size.
            unsafe {
                let h = *p;
                if h.is_boxed() {
                    return h;
                }
                let n = 1 + header_arity(h);
                let d = self.alloc(n, self.promote(p));
                copy_words(p, d, n);
                let nt = Term::make_boxed(d);
                *p = nt;
                nt
            }
        } else {
            t
        }
    }

    /// Evacuates every term inside the objects of `[from, space.top)`; returns how far it got.
    fn scan(&mut self, mut at: *mut Term, old: bool) -> *mut Term {
        loop {
            let top = if old { self.old.top } else { self.young.top };
            if at >= top {
                return at;
            }
            // SAFETY: `at` walks object by object through copied data below `top`.
            unsafe {
                let w = *at;
                if w.is_header() {
                    let (s, e) = term_words(w);
                    for i in s..e {
                        *at.add(i) = self.evacuate(*at.add(i));
                    }
                    at = at.add(1 + header_arity(w));
                } else {
                    *at = self.evacuate(*at);
                    *at.add(1) = self.evacuate(*at.add(1));
                    at = at.add(2);
                }
            }
        }
    }
}

/// Copies `n` words. Most objects are a few words long, which a call to `memcpy` (what
/// `copy_nonoverlapping` becomes for a variable length) copies several times slower
/// than plain moves.
///
/// # Safety
/// `src` and `dst` are valid for `n` words and do not overlap.
#[inline(always)]
unsafe fn copy_words(src: *const Term, dst: *mut Term, n: usize) {
    // SAFETY: the caller's guarantee; each arm reads and writes exactly `n` words.
    unsafe {
        match n {
            1 => *dst = *src,
            2 => std::ptr::copy_nonoverlapping(src, dst, 2),
            3 => std::ptr::copy_nonoverlapping(src, dst, 3),
            4 => std::ptr::copy_nonoverlapping(src, dst, 4),
            5 => std::ptr::copy_nonoverlapping(src, dst, 5),
            6 => std::ptr::copy_nonoverlapping(src, dst, 6),
            _ => std::ptr::copy_nonoverlapping(src, dst, n),
        }
    }
}

static GC_COUNT: AtomicU64 = AtomicU64::new(0);
static WORDS_RECLAIMED: AtomicU64 = AtomicU64::new(0);

/// Collections so far in all processes, and the words they reclaimed (what
/// `statistics(garbage_collection)` reports).
pub fn totals() -> (u64, u64) {
    (
        GC_COUNT.load(Ordering::Relaxed),
        WORDS_RECLAIMED.load(Ordering::Relaxed),
    )
}

/// Collects `heap`. `roots` are every term slice outside the heap that may point into it
/// (X registers, dictionary, message queue...). Afterwards at least `need` words are free.
pub fn collect(heap: &mut Heap, roots: &mut [&mut [Term]], need: usize, force_full: bool) {
    let young_used = heap.heap_used() + heap.frag_words();
    let used_before = young_used + heap.old_top;
    let stack_len = heap.stack_used();
    let promote_max = (heap.hwm as usize - heap.start as usize) / 8;
    let mut full = force_full || heap.minor_gcs >= heap.fullsweep_after;
    if !full && heap.old.len() - heap.old_top < promote_max {
        if heap.old_top == 0 {
            // First promotion: an old heap one size above the young data, as the
            // reference makes it (a tight one would force a full sweep at once).
            let size = heap_size_after(young_used.max(promote_max), 1);
            heap.old = Words::new(size.max(heap.min_heap_size));
        } else {
            full = true;
        }
    }
    let live_max =
        young_used + stack_len + need + STACK_RESERVE + if full { heap.old_top } else { 0 };
    // A hibernated heap is below the minimum size: it comes back to it at its next
    // collection.
    let mut to_size = next_heap_size(live_max.max(heap.young_size()).max(heap.min_heap_size));
    if full && heap.grow_at_next_full && to_size == heap.young_size() {
        to_size = heap_size_after(to_size, 1);
    }
    let mut to = Words::new(to_size);
    let to_start = to.as_mut_ptr();

    let old_scan_from = heap.old_top;
    let mut c = Copier {
        heap,
        full,
        // SAFETY: pointer arithmetic within the freshly allocated blocks.
        young: Space {
            start: to_start,
            top: to_start,
            end: unsafe { to_start.add(to_size - stack_len) },
        },
        old: Space {
            start: heap.old.as_ptr() as *mut Term,
            top: unsafe { (heap.old.as_ptr() as *mut Term).add(heap.old_top) },
            end: unsafe { (heap.old.as_ptr() as *mut Term).add(heap.old.len()) },
        },
        literals: crate::literal::arena_range(),
        old_used: (
            heap.old.as_ptr() as usize,
            heap.old.as_ptr() as usize + heap.old_top * 8,
        ),
        aged: (heap.start as usize, heap.hwm as usize),
    };
    let _ = c.old.start;
    for r in roots.iter_mut() {
        for t in r.iter_mut() {
            *t = c.evacuate(*t);
        }
    }
    // The stack moves to the end of the new block.
    // SAFETY: the stack occupies [stop, end) of the old block; the new block has room.
    let new_stop = unsafe { to_start.add(to_size - stack_len) };
    unsafe {
        std::ptr::copy_nonoverlapping(c.heap.stop, new_stop, stack_len);
        for i in 0..stack_len {
            let w = *new_stop.add(i);
            if w.is_list() || w.is_boxed() {
                *new_stop.add(i) = c.evacuate(w);
            }
        }
    }
    let mut young_scan = to_start;
    // SAFETY: index within the old block.
    let mut old_scan = unsafe { c.old.start.add(old_scan_from) };
    loop {
        let y = c.scan(young_scan, false);
        let o = c.scan(old_scan, true);
        if y == young_scan && o == old_scan {
            break;
        }
        young_scan = y;
        old_scan = o;
    }
    let new_htop = c.young.top;
    let new_old_top = (c.old.top as usize - c.old.start as usize) / 8;

    // Release off-heap binaries whose handles died; track the moved ones.
    let mut survivors = Vec::with_capacity(heap.off_heap.len());
    for &pb in &heap.off_heap {
        let still_old = !full && heap.in_old(pb);
        if still_old {
            survivors.push(pb);
            continue;
        }
        // SAFETY: `pb` is a refc-binary handle in from-space: either forwarded or dead.
        let h = unsafe { *pb };
        if h.is_boxed() {
            survivors.push(h.boxed_ptr());
        } else {
            // SAFETY: a dead handle's word 2 is its BinData; the off-heap list held
            // one reference for it, released here exactly once.
            unsafe {
                let data = (*pb.add(2)).0 as *mut BinData;
                BinData::dec_ref(data);
            }
        }
    }
    heap.off_heap = survivors;

    heap.block = to;
    heap.start = to_start;
    heap.htop = new_htop;
    heap.stop = new_stop;
    // SAFETY: end of the new block.
    heap.end = unsafe { to_start.add(to_size) };
    heap.hwm = new_htop;
    heap.frags.clear();
    heap.attached_words = 0;
    if full {
        heap.old = Words::empty();
        heap.old_top = 0;
        heap.minor_gcs = 0;
        heap.grow_at_next_full = false;
    } else {
        heap.old_top = new_old_top;
        heap.minor_gcs += 1;
    }
    heap.gc_count += 1;
    let used_after = (new_htop as usize - to_start as usize) / 8 + heap.old_top;
    GC_COUNT.fetch_add(1, Ordering::Relaxed);
    WORDS_RECLAIMED.fetch_add(
        used_before.saturating_sub(used_after) as u64,
        Ordering::Relaxed,
    );
    resize_after_gc(heap, roots, need, full);
    if cfg!(debug_assertions) || stress_mode() {
        verify(heap, roots);
    }
}

/// Grows or shrinks the young block after a collection, by the reference's rules (its
/// `minor_collection` and `adjust_after_fullsweep`), moving the data with a relocation
/// pass. After a minor collection most survivors were promoted, so the young block is
/// shrunk only when it is large and mostly empty, and never below an eighth of the old
/// heap: a process with much long-lived data keeps a young block big enough that it is
/// not collected every few hundred words.
fn resize_after_gc(heap: &mut Heap, roots: &mut [&mut [Term]], need: usize, full: bool) {
    let need_after = heap.heap_used() + heap.stack_used() + need + STACK_RESERVE;
    let size = heap.young_size();
    let target = if full {
        if size < need_after {
            next_heap_size(need_after)
        } else if 3 * size < 4 * need_after {
            heap.grow_at_next_full = true;
            return;
        } else if 4 * need_after < size && size > heap.min_heap_size {
            (2 * need_after).max(heap.min_heap_size)
        } else {
            return;
        }
    } else {
        let old_size = heap.old.len();
        if size > 3000 && 4 * need_after < size && (size > 8000 || size > old_size) {
            let mut wanted = 3 * need_after;
            if wanted * 9 < old_size {
                wanted = wanted.max(old_size / 8);
            }
            let wanted = next_heap_size(wanted.max(heap.min_heap_size));
            if wanted >= size {
                return;
            }
            wanted
        } else if need_after > size {
            need_after
        } else {
            return;
        }
    };
    let target = next_heap_size(target);
    if target < size {
        shrink_in_place(heap, target);
    } else if target > size {
        move_young(heap, roots, target);
    }
}

/// Shrinks the young heap to `target` words without moving its data: the stack moves
/// down to the new end and the rest of the block goes unused until the next
/// collection allocates a block of the new size. (Most minor collections shrink, as
/// the reference's do; copying the survivors a second time to a smaller block cost
/// more than the collection itself in compiler runs.)
fn shrink_in_place(heap: &mut Heap, target: usize) {
    let stack_len = heap.stack_used();
    assert!(
        heap.heap_used() + stack_len <= target,
        "shrinking the young heap below its data"
    );
    // SAFETY: `start + target` is inside the block (target < the current size), and
    // above `htop + stack_len` (just checked); `copy` allows the ranges to overlap.
    unsafe {
        let new_end = heap.start.add(target);
        let new_stop = new_end.sub(stack_len);
        std::ptr::copy(heap.stop, new_stop, stack_len);
        heap.stop = new_stop;
        heap.end = new_end;
    }
}

/// After a full collection for `erlang:hibernate`: the young block shrinks to exactly
/// the live data and the stack (below `min_heap_size`, as the reference does), so an
/// idle hibernated process holds as little memory as possible until it wakes.
pub fn shrink_to_fit(heap: &mut Heap, roots: &mut [&mut [Term]]) {
    let fit = heap.heap_used() + heap.stack_used() + STACK_RESERVE;
    if fit < heap.young_size() {
        move_young(heap, roots, fit);
    }
}

/// Moves the young heap and the stack to a new block of `target` words (at least the
/// live data and stack), relocating every pointer into it.
fn move_young(heap: &mut Heap, roots: &mut [&mut [Term]], target: usize) {
    let mut nb = Words::new(target);
    let ns = nb.as_mut_ptr();
    let used = heap.heap_used();
    let stack_len = heap.stack_used();
    let (os, oe) = (heap.start as usize, heap.htop as usize);
    let delta = ns as isize - heap.start as isize;
    let reloc = |t: Term| -> Term {
        if (t.is_list() || t.is_boxed())
            && (t.ptr_val() as usize) >= os
            && (t.ptr_val() as usize) < oe
        {
            Term((t.0 as i64 + delta as i64) as u64)
        } else {
            t
        }
    };
    // SAFETY: copying within the two blocks' bounds; the new block is big enough for
    // heap + stack (target >= live).
    unsafe {
        std::ptr::copy_nonoverlapping(heap.start, ns, used);
        let nstop = ns.add(target - stack_len);
        std::ptr::copy_nonoverlapping(heap.stop, nstop, stack_len);
        let mut at = ns;
        let top = ns.add(used);
        while at < top {
            let w = *at;
            if w.is_header() {
                let (s, e) = term_words(w);
                for i in s..e {
                    *at.add(i) = reloc(*at.add(i));
                }
                at = at.add(1 + header_arity(w));
            } else {
                *at = reloc(*at);
                *at.add(1) = reloc(*at.add(1));
                at = at.add(2);
            }
        }
        for i in 0..stack_len {
            *nstop.add(i) = reloc(*nstop.add(i));
        }
        for r in roots.iter_mut() {
            for t in r.iter_mut() {
                *t = reloc(*t);
            }
        }
        for pb in heap.off_heap.iter_mut() {
            if (*pb as usize) >= os && (*pb as usize) < oe {
                *pb = (*pb as isize + delta) as *mut Term;
            }
        }
        // The old block's terms were all relocated; references from the old heap into the
        // young block cannot exist (young data is newer than old data).
        heap.block = nb;
        heap.start = ns;
        heap.htop = ns.add(used);
        heap.hwm = heap.htop;
        heap.stop = nstop;
        heap.end = ns.add(target);
    }
}

/// The debug heap verifier: every pointer reachable from the roots, the stack, the young
/// and the old heap lands in the young heap, the old heap, or the literal arena, on an
/// object of a valid kind.
pub fn verify(heap: &Heap, roots: &[&mut [Term]]) {
    let check = |t: Term, what: &str| {
        if !(t.is_list() || t.is_boxed()) {
            return;
        }
        let p = t.ptr_val();
        assert!(
            heap.in_young(p) || heap.in_old(p) || is_literal(p) || heap.in_frags(p),
            "heap verifier: {what} term {t:?} points outside the process's memory"
        );
        if t.is_boxed() {
            // SAFETY: just checked that p is inside this process's memory or literals.
            let h = unsafe { *p };
            assert!(
                h.is_header(),
                "heap verifier: {what} boxed term {t:?} has no header ({h:?})"
            );
        }
    };
    for r in roots {
        for &t in r.iter() {
            check(t, "root");
        }
    }
    let mut p = heap.stop as *const Term;
    while p < heap.end as *const Term {
        // SAFETY: walking the stack inside the block.
        let w = unsafe { *p };
        check(w, "stack");
        p = unsafe { p.add(1) };
    }
    for (s, e) in [
        (heap.start as *const Term, heap.htop as *const Term),
        (heap.old.as_ptr(), unsafe {
            heap.old.as_ptr().add(heap.old_top)
        }),
    ] {
        let mut at = s;
        while at < e {
            // SAFETY: walking objects inside one space.
            unsafe {
                let w = *at;
                if w.is_header() {
                    let (ts, te) = term_words(w);
                    for i in ts..te {
                        check(*at.add(i), "heap");
                    }
                    at = at.add(1 + header_arity(w));
                } else {
                    check(w, "heap");
                    check(*at.add(1), "heap");
                    at = at.add(2);
                }
            }
        }
    }
}
