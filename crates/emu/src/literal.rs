//! The literal arena: one reserved region of address space that holds every module's
//! literal terms. Because all literals live in one address range, the garbage collector
//! recognises a pointer to a literal with one range check and never copies it (the
//! reference VM reserves a literal range for the same reason).
//!
//! The region is reserved once (untouched pages cost nothing) and bump-allocated; literal
//! areas are not reclaimed when a module is purged yet (noted in docs/compatibility.md).

use oxbeam_term::Term;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Words reserved for literals: 512 MiB of address space.
const ARENA_WORDS: usize = 64 << 20;

static BASE: AtomicUsize = AtomicUsize::new(0);
static END: AtomicUsize = AtomicUsize::new(0);
static TOP: Mutex<usize> = Mutex::new(0);

fn ensure_reserved() {
    if BASE.load(Ordering::Acquire) != 0 {
        return;
    }
    let mut top = TOP.lock();
    if BASE.load(Ordering::Acquire) != 0 {
        return;
    }
    let layout = std::alloc::Layout::array::<Term>(ARENA_WORDS).expect("literal arena layout");
    // SAFETY: the layout has a non-zero size; zeroed memory is a valid array of
    // NON_VALUE terms. The block is never freed: literals live as long as the VM.
    let p = unsafe { std::alloc::alloc_zeroed(layout) } as usize;
    if p == 0 {
        std::alloc::handle_alloc_error(layout);
    }
    END.store(p + ARENA_WORDS * 8, Ordering::Release);
    BASE.store(p, Ordering::Release);
    *top = 0;
}

/// Allocates `n` words of literal space. Panics only if 512 MiB of literals are used up.
pub fn alloc(n: usize) -> *mut Term {
    ensure_reserved();
    let mut top = TOP.lock();
    assert!(*top + n <= ARENA_WORDS, "literal arena exhausted");
    let p = BASE.load(Ordering::Acquire) + *top * 8;
    *top += n;
    p as *mut Term
}

/// The literal arena's address range `[start, end)` (empty before it exists).
#[inline(always)]
pub fn arena_range() -> (usize, usize) {
    (BASE.load(Ordering::Relaxed), END.load(Ordering::Relaxed))
}

/// Whether `p` points into the literal arena.
#[inline(always)]
pub fn is_literal(p: *const Term) -> bool {
    let (start, end) = arena_range();
    (start..end).contains(&(p as usize))
}

/// A heap-like allocator writing into the literal arena, used when a module's literals
/// are built.
pub struct LiteralHeap;

impl crate::object::Alloc for LiteralHeap {
    fn alloc_words(&mut self, n: usize) -> *mut Term {
        alloc(n)
    }
    fn register_off_heap(&mut self, _p: *mut Term) {
        // Literal refc binaries are never released.
    }
}
