//! A process's memory: one block with the heap growing up from the start and the stack
//! growing down from the end (as in the reference VM), an old-generation heap for data
//! that survived a collection, and heap fragments for allocations that could not wait
//! for a collection (BIF results, received messages).
//!
//! Collections only happen at the interpreter's safe points (see `gc.rs`): code outside
//! the interpreter loop allocates with [`Heap::alloc`], which never moves anything, so a
//! `Term` held in a Rust local stays valid until the BIF returns.

use crate::words::Words;
use oxbeam_term::Term;

/// Heap sizes in words, as the reference grows them: Fibonacci-like, then +20%.
pub fn heap_size_table() -> &'static [usize] {
    use std::sync::OnceLock;
    static TABLE: OnceLock<Vec<usize>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = vec![12usize, 38];
        while t.len() < 23 {
            let n = t.len();
            t.push(t[n - 1] + t[n - 2] + 1);
        }
        while *t.last().unwrap() < (1usize << 40) {
            let last = *t.last().unwrap();
            t.push(last + last / 5);
        }
        t
    })
}

/// The smallest table size that holds `need` words.
pub fn next_heap_size(need: usize) -> usize {
    let table = heap_size_table();
    match table.iter().find(|&&s| s >= need) {
        Some(&s) => s,
        None => need,
    }
}

/// Words always kept free between heap and stack for the return address a call pushes.
pub const STACK_RESERVE: usize = 1;
pub const DEFAULT_MIN_HEAP_SIZE: usize = 233;
pub const DEFAULT_FULLSWEEP_AFTER: u32 = 65535;

/// A block of words allocated outside the main heap; part of the young generation
/// until the next collection folds it in.
pub struct Fragment {
    pub words: Words,
    pub used: usize,
    /// Refc-binary handles inside this fragment (moved to the heap's list on attach).
    pub off_heap: Vec<*mut Term>,
}

impl Drop for Fragment {
    fn drop(&mut self) {
        release_off_heap(&mut self.off_heap);
    }
}

/// Drops one reference of each refc binary whose handle is listed.
pub fn release_off_heap(list: &mut Vec<*mut Term>) {
    for pb in list.drain(..) {
        // SAFETY: every listed address is a live refc-binary handle owned by this list.
        // SAFETY: as above, and the list owns one reference of the handle's data.
        unsafe {
            let data = (*pb.add(2)).0 as *mut crate::object::BinData;
            crate::object::BinData::dec_ref(data);
        }
    }
}

impl crate::object::Alloc for Fragment {
    fn alloc_words(&mut self, n: usize) -> *mut Term {
        assert!(
            self.used + n <= self.words.len(),
            "fragment sized too small"
        );
        // SAFETY: checked above that the words are inside the fragment.
        let p = unsafe { self.words.as_mut_ptr().add(self.used) };
        self.used += n;
        p
    }
    fn register_off_heap(&mut self, p: *mut Term) {
        self.off_heap.push(p);
    }
}

impl Fragment {
    pub fn new(size: usize) -> Fragment {
        Fragment {
            words: Words::new(size),
            used: 0,
            off_heap: Vec::new(),
        }
    }
    pub fn contains(&self, p: *const Term) -> bool {
        let start = self.words.as_ptr();
        // SAFETY: one-past-the-end of an owned slice is a valid pointer to compute.
        let end = unsafe { start.add(self.used) };
        p >= start && p < end
    }
}

pub struct Heap {
    /// The young block: `[start, htop)` heap, `[stop, end)` stack.
    pub(crate) block: Words,
    pub start: *mut Term,
    pub htop: *mut Term,
    pub stop: *mut Term,
    pub end: *mut Term,
    /// Data below this mark survived one collection and is promoted at the next.
    pub hwm: *mut Term,
    pub(crate) old: Words,
    pub(crate) old_top: usize,
    pub frags: Vec<Fragment>,
    /// Words in fragments attached since the last collection (received messages).
    pub attached_words: usize,
    /// Addresses of refc-binary handles on this heap (young, old or fragments): the
    /// collector releases the off-heap data of those that died.
    pub off_heap: Vec<*mut Term>,
    pub min_heap_size: usize,
    pub fullsweep_after: u32,
    pub minor_gcs: u32,
    /// Statistics for process_info(garbage_collection).
    pub gc_count: u64,
    /// Set when data was put in fragments: collect at the next safe point.
    pub want_gc: bool,
    /// GC-stress mode: `want_gc` is set again after every collection.
    pub stress: bool,
}

impl Drop for Heap {
    fn drop(&mut self) {
        release_off_heap(&mut self.off_heap);
    }
}

// SAFETY: a Heap is owned by exactly one process, and a process runs on one thread at a
// time; the raw pointers only point into the heap's own blocks and shared immutable data.
unsafe impl Send for Heap {}

impl Heap {
    pub fn new(min_heap_size: usize) -> Heap {
        let size = next_heap_size(min_heap_size.max(DEFAULT_MIN_HEAP_SIZE));
        let mut block = Words::new(size);
        let start = block.as_mut_ptr();
        // SAFETY: `size` is the block's length, so `start + size` is its end.
        let end = unsafe { start.add(size) };
        Heap {
            block,
            start,
            htop: start,
            stop: end,
            end,
            hwm: start,
            old: Words::empty(),
            old_top: 0,
            frags: Vec::new(),
            off_heap: Vec::new(),
            min_heap_size: size,
            fullsweep_after: DEFAULT_FULLSWEEP_AFTER,
            minor_gcs: 0,
            gc_count: 0,
            attached_words: 0,
            want_gc: crate::gc::stress_mode(),
            stress: crate::gc::stress_mode(),
        }
    }

    /// Free words between heap top and stack top.
    #[inline(always)]
    pub fn free_words(&self) -> usize {
        (self.stop as usize - self.htop as usize) / 8
    }

    /// Words used by the young heap (not the stack).
    pub fn heap_used(&self) -> usize {
        (self.htop as usize - self.start as usize) / 8
    }
    /// Drops every stack frame but the outermost word (the process's exit
    /// continuation, pushed first at spawn).
    pub fn drop_stack_frames(&mut self) {
        // SAFETY: the stack holds at least that one word, at `end - 1`.
        self.stop = unsafe { self.end.sub(1) };
    }
    pub fn stack_used(&self) -> usize {
        (self.end as usize - self.stop as usize) / 8
    }
    pub fn young_size(&self) -> usize {
        self.block.len()
    }
    pub fn old_size(&self) -> usize {
        self.old.len()
    }
    pub fn old_used(&self) -> usize {
        self.old_top
    }
    pub fn frag_words(&self) -> usize {
        self.frags.iter().map(|f| f.used).sum()
    }

    /// Allocates `n` words without collecting: from the heap if it has room, else in a
    /// fresh heap fragment. The words are uninitialised terms (NIL) the caller overwrites.
    #[inline]
    pub fn alloc(&mut self, n: usize) -> *mut Term {
        if self.free_words() >= n + STACK_RESERVE {
            let p = self.htop;
            // SAFETY: there are at least `n` free words between htop and stop.
            self.htop = unsafe { self.htop.add(n) };
            p
        } else {
            self.alloc_in_fragment(n)
        }
    }

    fn alloc_in_fragment(&mut self, n: usize) -> *mut Term {
        if let Some(f) = self.frags.last_mut() {
            if f.words.len() - f.used >= n {
                // SAFETY: the fragment has room for `n` more words after `used`.
                let p = unsafe { f.words.as_mut_ptr().add(f.used) };
                f.used += n;
                return p;
            }
        }
        let mut f = Fragment::new(n.max(256));
        f.used = n;
        let p = f.words.as_mut_ptr();
        self.frags.push(f);
        self.want_gc = true;
        p
    }

    /// Adds a fragment built elsewhere (a received message) to the young generation.
    pub fn attach_fragment(&mut self, mut f: Fragment) {
        // Received data counts against the heap like allocations do: collect once as
        // much arrived as the young heap holds (collecting at every message would scan a
        // long mailbox each time).
        self.attached_words += f.used;
        if self.attached_words >= self.young_size() {
            self.want_gc = true;
        }
        self.off_heap.append(&mut f.off_heap);
        // Keep the last fragment the one with free room for alloc_in_fragment.
        let last = self.frags.pop();
        self.frags.push(f);
        if let Some(l) = last {
            self.frags.push(l);
        }
    }

    /// Pushes a word on the stack. One word is always kept free for this (every
    /// allocation leaves `STACK_RESERVE` words), so a call can push its return address
    /// without a check; the assert guards that rule.
    #[inline(always)]
    pub fn push(&mut self, t: Term) {
        assert!(self.stop > self.htop, "stack reserve violated");
        // SAFETY: stop > htop, so the word below stop is free and inside the block.
        unsafe {
            self.stop = self.stop.sub(1);
            *self.stop = t;
        }
    }

    /// The word on top of the stack, if any.
    pub fn stack_top(&self) -> Option<Term> {
        if self.stop < self.end {
            // SAFETY: stop < end, so stop points at a stack word inside the block.
            Some(unsafe { *self.stop })
        } else {
            None
        }
    }

    pub fn in_young(&self, p: *const Term) -> bool {
        p >= self.start as *const Term && p < self.htop as *const Term
    }
    pub fn in_old(&self, p: *const Term) -> bool {
        let s = self.old.as_ptr();
        // SAFETY: computing one-past-the-end of the old block's used part.
        let e = unsafe { s.add(self.old_top) };
        p >= s && p < e
    }
    pub fn in_frags(&self, p: *const Term) -> bool {
        self.frags.iter().any(|f| f.contains(p))
    }

    /// Total words in use, for process_info(memory) and the like.
    pub fn total_size(&self) -> usize {
        self.block.len() + self.old.len() + self.frags.iter().map(|f| f.words.len()).sum::<usize>()
    }
}

/// The off-heap binaries a heap refers to, as (address of the shared data, bytes,
/// references), young and old generation and fragments alike (`process_info(P,
/// binary)`); and whether each handle is in the old generation.
pub fn off_heap_binaries(heap: &Heap) -> Vec<(usize, usize, usize, bool)> {
    let handles = heap
        .off_heap
        .iter()
        .chain(heap.frags.iter().flat_map(|f| f.off_heap.iter()));
    handles
        .map(|&pb| {
            // SAFETY: every listed handle is a live refc-binary header on this heap or
            // its fragments; its word 2 holds its `BinData`, which the handle keeps
            // alive.
            let data = unsafe { &*((*pb.add(2)).0 as *const crate::object::BinData) };
            let addr = data as *const crate::object::BinData as usize;
            (addr, data.bytes.len(), data.ref_count(), heap.in_old(pb))
        })
        .collect()
}
