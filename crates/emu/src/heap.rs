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
use std::ptr::NonNull;

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
        // 137 sizes, the reference's table (erlang:system_info(heap_sizes)).
        while t.len() < 137 {
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

/// The table size `steps` entries above the smallest one that holds `need` words.
pub fn heap_size_after(need: usize, steps: usize) -> usize {
    let table = heap_size_table();
    match table.iter().position(|&s| s >= need) {
        Some(i) => table.get(i + steps).copied().unwrap_or(table[i]),
        None => need,
    }
}

/// Words always kept free between heap and stack for the return address a call pushes.
pub const STACK_RESERVE: usize = 1;
pub const DEFAULT_MIN_HEAP_SIZE: usize = 233;
pub const DEFAULT_FULLSWEEP_AFTER: u32 = 65535;

/// A block of words allocated outside the main heap; part of the young generation
/// until the next collection folds it in.
///
/// One pointer wide, so that a queued message (term + fragment) is two words: its size,
/// fill level and list of refc-binary handles live in a header at the start of its own
/// block (words `HEADER..` are the data). Mailboxes of millions of messages moved and
/// zeroed 56 bytes per message before.
pub struct Fragment {
    block: NonNull<Term>,
}

/// Header words: capacity (data words), used words, and the refc-binary handle list
/// (a leaked `Box<Vec<*mut Term>>`, or 0).
const HEADER: usize = 3;

/// Words a fragment's block holds besides its data.
pub const FRAGMENT_HEADER_WORDS: usize = HEADER;

// SAFETY: a fragment owns its block exclusively; the terms in it point only into it or
// at shared immutable data.
unsafe impl Send for Fragment {}

impl Drop for Fragment {
    fn drop(&mut self) {
        if let Some(mut list) = self.take_off_heap() {
            release_off_heap(&mut list);
        }
        let len = HEADER + self.capacity();
        // SAFETY: the block came from `Words::into_raw` with this length in `new`.
        drop(unsafe { Words::from_raw(self.block, len) });
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
        let p = self.bump(n);
        assert!(!p.is_null(), "fragment sized too small");
        p
    }
    fn register_off_heap(&mut self, p: *mut Term) {
        let slot = self.header(2);
        // SAFETY: header word 2 is null or a list leaked by this function.
        unsafe {
            if (*slot).0 == 0 {
                *slot = Term(Box::into_raw(Box::<Vec<*mut Term>>::default()) as u64);
            }
            (*((*slot).0 as *mut Vec<*mut Term>)).push(p);
        }
    }
}

impl Fragment {
    pub fn new(size: usize) -> Fragment {
        let block = Words::new(HEADER + size).into_raw();
        // SAFETY: the block has HEADER + size words; the header is written here.
        unsafe {
            *block.as_ptr() = Term(size as u64);
            *block.as_ptr().add(1) = Term(0);
            *block.as_ptr().add(2) = Term(0);
        }
        Fragment { block }
    }

    fn header(&self, i: usize) -> *mut Term {
        // SAFETY: the header words are the first HEADER words of the block.
        unsafe { self.block.as_ptr().add(i) }
    }

    /// Data words the fragment holds.
    pub fn capacity(&self) -> usize {
        // SAFETY: header word 0, written in `new`.
        unsafe { (*self.header(0)).0 as usize }
    }

    /// Data words in use.
    pub fn used(&self) -> usize {
        // SAFETY: header word 1, written in `new`.
        unsafe { (*self.header(1)).0 as usize }
    }

    /// The first data word.
    pub fn data(&self) -> *mut Term {
        // SAFETY: the data follows the header in the block.
        unsafe { self.block.as_ptr().add(HEADER) }
    }

    /// Takes `n` more words, or null if they do not fit.
    fn bump(&mut self, n: usize) -> *mut Term {
        let used = self.used();
        if self.capacity() - used < n {
            return std::ptr::null_mut();
        }
        // SAFETY: header word 1 is the fill level; the words are inside the block.
        unsafe {
            *self.header(1) = Term((used + n) as u64);
            self.data().add(used)
        }
    }

    /// The refc-binary handles inside this fragment.
    pub fn off_heap(&self) -> &[*mut Term] {
        // SAFETY: header word 2 is null or a list owned by this fragment.
        match unsafe { ((*self.header(2)).0 as *const Vec<*mut Term>).as_ref() } {
            Some(list) => list,
            None => &[],
        }
    }

    /// Takes the list of refc-binary handles out (they move to a heap's list on attach).
    pub fn take_off_heap(&mut self) -> Option<Vec<*mut Term>> {
        let slot = self.header(2);
        // SAFETY: header word 2 is null or a list leaked by `register_off_heap`; it is
        // cleared so that it is taken once.
        unsafe {
            let raw = (*slot).0 as *mut Vec<*mut Term>;
            *slot = Term(0);
            (!raw.is_null()).then(|| *Box::from_raw(raw))
        }
    }

    pub fn contains(&self, p: *const Term) -> bool {
        let start = self.data() as *const Term;
        // SAFETY: one-past-the-end of the used part is inside the block.
        let end = unsafe { start.add(self.used()) };
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
    /// A full sweep left the young block more than 3/4 full: the next full sweep makes
    /// it one size bigger even if the live data would fit (the reference's
    /// `F_HEAP_GROW`).
    pub grow_at_next_full: bool,
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
            grow_at_next_full: false,
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
    /// The young heap's size in words (heap and stack): the block's, or less after a
    /// collection shrank it in place (see `gc::shrink_in_place`).
    pub fn young_size(&self) -> usize {
        (self.end as usize - self.start as usize) / 8
    }
    pub fn old_size(&self) -> usize {
        self.old.len()
    }
    pub fn old_used(&self) -> usize {
        self.old_top
    }
    pub fn frag_words(&self) -> usize {
        self.frags.iter().map(|f| f.used()).sum()
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
            let p = f.bump(n);
            if !p.is_null() {
                return p;
            }
        }
        let mut f = Fragment::new(n.max(256));
        let p = f.bump(n);
        self.frags.push(f);
        self.want_gc = true;
        p
    }

    /// Adds a fragment built elsewhere (a received message) to the young generation.
    pub fn attach_fragment(&mut self, mut f: Fragment) {
        // Received data counts against the heap like allocations do: collect once as
        // much arrived as the young heap holds (collecting at every message would scan a
        // long mailbox each time).
        self.attached_words += f.used();
        if self.attached_words >= self.young_size() {
            self.want_gc = true;
        }
        if let Some(mut list) = f.take_off_heap() {
            self.off_heap.append(&mut list);
        }
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
        self.block.len() + self.old.len() + self.frags.iter().map(|f| f.capacity()).sum::<usize>()
    }
}

/// The off-heap binaries a heap refers to, as (address of the shared data, bytes,
/// references), young and old generation and fragments alike (`process_info(P,
/// binary)`); and whether each handle is in the old generation.
pub fn off_heap_binaries(heap: &Heap) -> Vec<(usize, usize, usize, bool)> {
    let handles = heap
        .off_heap
        .iter()
        .chain(heap.frags.iter().flat_map(|f| f.off_heap().iter()));
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
