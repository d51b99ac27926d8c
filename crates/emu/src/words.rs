//! An owned, uninitialised array of heap words: the memory of a process's young block,
//! its old generation and its heap fragments.
//!
//! A `Box<[Term]>` would have to be filled when allocated; a collection allocates a new
//! block every time, and filling it cost more than copying the live data. Words are
//! only ever read after they were written (below `htop`, above `stop`, below a
//! fragment's `used`), so the memory is handed out uninitialised.

use oxbeam_term::Term;
use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};

/// Bytes held in `Words` (all process heaps, old generations and fragments), counted
/// in shards so that schedulers allocating at once do not share one cache line; the
/// sum is `erlang:memory(processes)`'s heap part.
const SHARDS: usize = 64;

#[repr(align(128))]
struct Shard(AtomicI64);

#[allow(clippy::declare_interior_mutable_const)]
const ZERO: Shard = Shard(AtomicI64::new(0));
static HELD: [Shard; SHARDS] = [ZERO; SHARDS];
static NEXT_SHARD: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static MY_SHARD: usize = NEXT_SHARD.fetch_add(1, Ordering::Relaxed) % SHARDS;
}

fn count(bytes: i64) {
    let i = MY_SHARD.try_with(|s| *s).unwrap_or(0);
    HELD[i].0.fetch_add(bytes, Ordering::Relaxed);
}

/// Bytes currently held by all `Words`.
pub fn held_bytes() -> usize {
    HELD.iter()
        .map(|s| s.0.load(Ordering::Relaxed))
        .sum::<i64>()
        .max(0) as usize
}

pub struct Words {
    ptr: NonNull<Term>,
    len: usize,
}

// SAFETY: `Words` owns its allocation exclusively, like a `Box<[Term]>`.
unsafe impl Send for Words {}

impl Words {
    /// `len` words of uninitialised memory.
    pub fn new(len: usize) -> Words {
        if len == 0 {
            return Words::empty();
        }
        let layout = Self::layout(len);
        // SAFETY: the layout has a non-zero size.
        let raw = unsafe { alloc(layout) } as *mut Term;
        match NonNull::new(raw) {
            Some(ptr) => {
                count(len as i64 * 8);
                Words { ptr, len }
            }
            None => handle_alloc_error(layout),
        }
    }

    pub const fn empty() -> Words {
        Words {
            ptr: NonNull::dangling(),
            len: 0,
        }
    }

    fn layout(len: usize) -> Layout {
        Layout::array::<Term>(len).expect("heap block size overflows")
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn as_ptr(&self) -> *const Term {
        self.ptr.as_ptr()
    }

    pub fn as_mut_ptr(&mut self) -> *mut Term {
        self.ptr.as_ptr()
    }

    /// Gives up ownership: the caller keeps the block (still counted as held) and must
    /// hand it back with `from_raw` and the same length to free it.
    pub fn into_raw(self) -> NonNull<Term> {
        let ptr = self.ptr;
        std::mem::forget(self);
        ptr
    }

    /// Takes back a block `into_raw` gave out.
    ///
    /// # Safety
    /// `ptr` came from `into_raw` of a `Words` of exactly `len` words, not yet taken
    /// back.
    pub unsafe fn from_raw(ptr: NonNull<Term>, len: usize) -> Words {
        Words { ptr, len }
    }
}

impl Drop for Words {
    fn drop(&mut self) {
        if self.len > 0 {
            // SAFETY: allocated in `new` with this layout and not freed since.
            unsafe { dealloc(self.ptr.as_ptr() as *mut u8, Self::layout(self.len)) }
            count(-(self.len as i64) * 8);
        }
    }
}
