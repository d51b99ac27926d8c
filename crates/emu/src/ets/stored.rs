//! An object stored in a table: a private deep copy of a tuple in a block of its own,
//! freed (with its references to shared binaries) when the object leaves the table.

use crate::heap::Fragment;
use crate::object::{copy_term, size_of_term, tuple_get};
use oxbeam_term::Term;

pub struct StoredObject {
    frag: Fragment,
    term: Term,
}

// SAFETY: the copy is never written after it is made; any number of threads may read it
// (under the table lock that keeps it alive).
unsafe impl Sync for StoredObject {}
unsafe impl Send for StoredObject {}

impl StoredObject {
    /// Copies `t` (a term on some process heap) into a new block.
    pub fn new(t: Term) -> StoredObject {
        let mut frag = Fragment::new(size_of_term(t));
        let term = copy_term(&mut frag, t);
        StoredObject { frag, term }
    }

    pub fn term(&self) -> Term {
        self.term
    }

    /// Element `keypos` (1-based) of the stored tuple.
    pub fn key(&self, keypos: usize) -> Term {
        tuple_get(self.term, keypos - 1)
    }

    /// Words of memory the object's block takes (for `ets:info(T, memory)`, and
    /// exactly what `words::held_bytes` counts for it).
    pub fn words(&self) -> usize {
        self.frag.capacity() + crate::heap::FRAGMENT_HEADER_WORDS
    }
}
