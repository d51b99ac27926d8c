//! The tagged word itself: tags, immediates, and the pointer forms of lists and boxes.
//! Reading through a pointer is in [`crate::header`] and the emulator's heap module; this
//! file only does bit arithmetic and is entirely safe.

use crate::atom::Atom;

/// A term: one tagged 64-bit word.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(transparent)]
pub struct Term(pub u64);

pub const TAG_PRIMARY_MASK: u64 = 0b11;
pub const TAG_PRIMARY_HEADER: u64 = 0b00;
pub const TAG_PRIMARY_LIST: u64 = 0b01;
pub const TAG_PRIMARY_BOXED: u64 = 0b10;
pub const TAG_PRIMARY_IMMED1: u64 = 0b11;

pub const TAG_IMMED1_MASK: u64 = 0b1111;
pub const TAG_IMMED1_PID: u64 = 0b0011;
pub const TAG_IMMED1_PORT: u64 = 0b0111;
pub const TAG_IMMED1_IMMED2: u64 = 0b1011;
pub const TAG_IMMED1_SMALL: u64 = 0b1111;

pub const TAG_IMMED2_MASK: u64 = 0b11_1111;
pub const TAG_IMMED2_ATOM: u64 = 0b00_1011;
pub const TAG_IMMED2_CATCH: u64 = 0b01_1011;
pub const TAG_IMMED2_NIL: u64 = 0b11_1011;

/// Small integers carry 60 bits, two's complement.
pub const SMALL_BITS: u32 = 60;
pub const MAX_SMALL: i64 = (1i64 << (SMALL_BITS - 1)) - 1;
pub const MIN_SMALL: i64 = -(1i64 << (SMALL_BITS - 1));

impl Term {
    /// "No term": empty register, absent map value, failed BIF result.
    pub const NON_VALUE: Term = Term(0);
    pub const NIL: Term = Term(TAG_IMMED2_NIL);
    pub const TRUE: Term = Term::atom(crate::atom::am::TRUE);
    pub const FALSE: Term = Term::atom(crate::atom::am::FALSE);

    #[inline(always)]
    pub const fn raw(self) -> u64 {
        self.0
    }
    #[inline(always)]
    pub const fn is_non_value(self) -> bool {
        self.0 == 0
    }
    #[inline(always)]
    pub const fn is_value(self) -> bool {
        self.0 != 0
    }
    #[inline(always)]
    pub const fn primary_tag(self) -> u64 {
        self.0 & TAG_PRIMARY_MASK
    }

    // ---- small integers ----
    #[inline(always)]
    pub const fn small(i: i64) -> Term {
        Term(((i as u64) << 4) | TAG_IMMED1_SMALL)
    }
    #[inline(always)]
    pub const fn fits_small(i: i64) -> bool {
        i >= MIN_SMALL && i <= MAX_SMALL
    }
    #[inline(always)]
    pub const fn is_small(self) -> bool {
        self.0 & TAG_IMMED1_MASK == TAG_IMMED1_SMALL
    }
    #[inline(always)]
    pub const fn small_value(self) -> i64 {
        (self.0 as i64) >> 4
    }
    /// `self + other` for two small integers, computed on the tagged words: the tagged
    /// range is exactly the i64 range, so the sum leaves the small range exactly when the
    /// word arithmetic overflows. `None` means "needs a bignum".
    #[inline(always)]
    pub const fn small_add(self, other: Term) -> Option<Term> {
        match (self.0 as i64).checked_add((other.0 - TAG_IMMED1_SMALL) as i64) {
            Some(w) => Some(Term(w as u64)),
            None => None,
        }
    }
    /// `self - other` for two small integers (see `small_add`).
    #[inline(always)]
    pub const fn small_sub(self, other: Term) -> Option<Term> {
        match (self.0 as i64).checked_sub((other.0 - TAG_IMMED1_SMALL) as i64) {
            Some(w) => Some(Term(w as u64)),
            None => None,
        }
    }
    /// The value if this is a small integer.
    #[inline(always)]
    pub const fn as_small(self) -> Option<i64> {
        if self.is_small() {
            Some(self.small_value())
        } else {
            None
        }
    }

    // ---- atoms ----
    #[inline(always)]
    pub const fn atom(a: Atom) -> Term {
        Term(((a.0 as u64) << 6) | TAG_IMMED2_ATOM)
    }
    #[inline(always)]
    pub const fn is_atom(self) -> bool {
        self.0 & TAG_IMMED2_MASK == TAG_IMMED2_ATOM
    }
    #[inline(always)]
    pub const fn atom_value(self) -> Atom {
        Atom((self.0 >> 6) as u32)
    }
    #[inline(always)]
    pub const fn as_atom(self) -> Option<Atom> {
        if self.is_atom() {
            Some(self.atom_value())
        } else {
            None
        }
    }
    #[inline(always)]
    pub const fn boolean(b: bool) -> Term {
        if b {
            Term::TRUE
        } else {
            Term::FALSE
        }
    }
    #[inline(always)]
    pub const fn is_boolean(self) -> bool {
        self.0 == Term::TRUE.0 || self.0 == Term::FALSE.0
    }

    // ---- nil ----
    #[inline(always)]
    pub const fn is_nil(self) -> bool {
        self.0 == TAG_IMMED2_NIL
    }

    // ---- pids and ports (local) ----
    #[inline(always)]
    pub const fn pid(id: u64) -> Term {
        Term((id << 4) | TAG_IMMED1_PID)
    }
    #[inline(always)]
    pub const fn is_local_pid(self) -> bool {
        self.0 & TAG_IMMED1_MASK == TAG_IMMED1_PID
    }
    #[inline(always)]
    pub const fn pid_value(self) -> u64 {
        self.0 >> 4
    }
    #[inline(always)]
    pub const fn port(id: u64) -> Term {
        Term((id << 4) | TAG_IMMED1_PORT)
    }
    #[inline(always)]
    pub const fn is_local_port(self) -> bool {
        self.0 & TAG_IMMED1_MASK == TAG_IMMED1_PORT
    }
    #[inline(always)]
    pub const fn port_value(self) -> u64 {
        self.0 >> 4
    }

    // ---- catch markers (only on process stacks) ----
    #[inline(always)]
    pub fn catch_marker(code_addr: usize) -> Term {
        Term(((code_addr as u64) << 6) | TAG_IMMED2_CATCH)
    }
    #[inline(always)]
    pub const fn is_catch(self) -> bool {
        self.0 & TAG_IMMED2_MASK == TAG_IMMED2_CATCH
    }
    #[inline(always)]
    pub const fn catch_addr(self) -> usize {
        (self.0 >> 6) as usize
    }

    // ---- immediates in general ----
    #[inline(always)]
    pub const fn is_immed(self) -> bool {
        self.0 & TAG_PRIMARY_MASK == TAG_PRIMARY_IMMED1
    }

    // ---- pointers ----
    #[inline(always)]
    pub const fn is_list(self) -> bool {
        self.0 & TAG_PRIMARY_MASK == TAG_PRIMARY_LIST
    }
    #[inline(always)]
    pub const fn is_boxed(self) -> bool {
        self.0 & TAG_PRIMARY_MASK == TAG_PRIMARY_BOXED
    }
    /// A header word (first word of a heap object) or a code address on a stack.
    #[inline(always)]
    pub const fn is_header(self) -> bool {
        self.0 & TAG_PRIMARY_MASK == TAG_PRIMARY_HEADER
    }
    #[inline(always)]
    pub fn make_list(ptr: *const Term) -> Term {
        Term(ptr as u64 | TAG_PRIMARY_LIST)
    }
    #[inline(always)]
    pub fn make_boxed(ptr: *const Term) -> Term {
        Term(ptr as u64 | TAG_PRIMARY_BOXED)
    }
    /// The cons cell a list term points at.
    #[inline(always)]
    pub fn list_ptr(self) -> *mut Term {
        (self.0 - TAG_PRIMARY_LIST) as *mut Term
    }
    /// The header word a boxed term points at.
    #[inline(always)]
    pub fn boxed_ptr(self) -> *mut Term {
        (self.0 - TAG_PRIMARY_BOXED) as *mut Term
    }
    /// Either kind of pointer, untagged.
    #[inline(always)]
    pub fn ptr_val(self) -> *mut Term {
        (self.0 & !TAG_PRIMARY_MASK) as *mut Term
    }
}

impl std::fmt::Debug for Term {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_small() {
            write!(f, "{}", self.small_value())
        } else if self.is_atom() {
            write!(f, "'{}'", self.atom_value().name())
        } else if self.is_nil() {
            write!(f, "[]")
        } else if self.is_non_value() {
            write!(f, "NON_VALUE")
        } else {
            write!(f, "Term({:#x})", self.0)
        }
    }
}

#[cfg(test)]
mod tagged_arith_tests {
    use super::*;

    #[test]
    fn tagged_add_and_sub_match_integer_arithmetic_at_the_edges() {
        let vals = [
            MIN_SMALL,
            MIN_SMALL + 1,
            -7,
            -1,
            0,
            1,
            7,
            MAX_SMALL - 1,
            MAX_SMALL,
        ];
        for &a in &vals {
            for &b in &vals {
                let (x, y) = (Term::small(a), Term::small(b));
                let want = |r: i128| {
                    (r >= MIN_SMALL as i128 && r <= MAX_SMALL as i128)
                        .then(|| Term::small(r as i64))
                };
                assert_eq!(x.small_add(y), want(a as i128 + b as i128), "{a} + {b}");
                assert_eq!(x.small_sub(y), want(a as i128 - b as i128), "{a} - {b}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::atom::am;

    #[test]
    fn small_round_trip() {
        for v in [0, 1, -1, MAX_SMALL, MIN_SMALL, 12345, -98765] {
            let t = Term::small(v);
            assert!(t.is_small());
            assert!(!t.is_atom() && !t.is_list() && !t.is_boxed());
            assert_eq!(t.small_value(), v);
        }
        assert!(!Term::fits_small(MAX_SMALL + 1));
        assert!(!Term::fits_small(MIN_SMALL - 1));
    }

    #[test]
    fn atoms_and_nil_are_distinct() {
        let ok = Term::atom(am::OK);
        assert!(ok.is_atom() && !ok.is_nil() && !ok.is_small());
        assert_eq!(ok.atom_value(), am::OK);
        assert!(Term::NIL.is_nil() && !Term::NIL.is_atom());
        assert!(Term::TRUE.is_boolean() && !ok.is_boolean());
        assert_eq!(am::OK.name(), "ok");
    }

    #[test]
    fn pointers_keep_their_address() {
        let cell = [Term::NIL, Term::NIL];
        let l = Term::make_list(cell.as_ptr());
        assert!(l.is_list());
        assert_eq!(l.list_ptr() as *const Term, cell.as_ptr());
        let b = Term::make_boxed(cell.as_ptr());
        assert!(b.is_boxed());
        assert_eq!(b.boxed_ptr() as *const Term, cell.as_ptr());
    }

    #[test]
    fn catch_markers_round_trip() {
        let addr = 0x7fff_dead_bee8usize;
        let c = Term::catch_marker(addr);
        assert!(c.is_catch() && !c.is_atom() && !c.is_nil());
        assert_eq!(c.catch_addr(), addr);
    }
}
