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
            Some(ptr) => Words { ptr, len },
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
}

impl Drop for Words {
    fn drop(&mut self) {
        if self.len > 0 {
            // SAFETY: allocated in `new` with this layout and not freed since.
            unsafe { dealloc(self.ptr.as_ptr() as *mut u8, Self::layout(self.len)) }
        }
    }
}
