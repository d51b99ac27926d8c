//! Reading and building heap objects. This is one of the few modules with `unsafe`: every
//! pointer-tagged `Term` the VM handles points at a live object (the allocators and the
//! collector keep that true), so reading through it is sound as long as no collection
//! runs in between — and collections only run at the interpreter's safe points.

use num_bigint::{BigInt, Sign};
use num_traits::ToPrimitive;
use oxbeam_term::header::*;
use oxbeam_term::{Atom, Term};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Anything terms can be built on: a process heap, a message fragment, the literal arena.
pub trait Alloc {
    /// `n` fresh words the caller will fill.
    fn alloc_words(&mut self, n: usize) -> *mut Term;
    /// Records a refc-binary handle so its owner can release it when it dies.
    fn register_off_heap(&mut self, p: *mut Term);
}

impl Alloc for crate::heap::Heap {
    #[inline]
    fn alloc_words(&mut self, n: usize) -> *mut Term {
        self.alloc(n)
    }
    fn register_off_heap(&mut self, p: *mut Term) {
        self.off_heap.push(p);
    }
}

// ------------------------------------------------------------------ raw word access

/// Word `i` of the object `t` points at (0 is the header / the car).
///
/// The accessors in this file check the kind of their argument in debug builds (the
/// test suite's builds); callers must have checked it (with `is_tuple` etc.) before.
#[inline(always)]
pub fn word(t: Term, i: usize) -> Term {
    debug_assert!(
        t.is_list() || t.is_boxed(),
        "word {i} of an immediate {t:?}"
    );
    // SAFETY: `t` is a pointer term to a live object with more than `i` words (callers
    // index within the layout given by the header).
    unsafe { *t.ptr_val().add(i) }
}

#[inline(always)]
pub fn set_word(t: Term, i: usize, v: Term) {
    // SAFETY: as for `word`; only freshly built, unshared objects are written.
    unsafe { *t.ptr_val().add(i) = v }
}

#[inline(always)]
pub fn header(t: Term) -> Term {
    word(t, 0)
}

#[inline(always)]
pub fn boxed_subtag(t: Term) -> Option<u64> {
    if t.is_boxed() {
        Some(header_subtag(header(t)))
    } else {
        None
    }
}

// ------------------------------------------------------------------ lists

#[inline(always)]
pub fn head(t: Term) -> Term {
    debug_assert!(t.is_list(), "head of a non-list {t:?}");
    word(t, 0)
}
#[inline(always)]
pub fn tail(t: Term) -> Term {
    debug_assert!(t.is_list(), "tail of a non-list {t:?}");
    word(t, 1)
}

#[inline]
pub fn cons<A: Alloc + ?Sized>(a: &mut A, h: Term, tl: Term) -> Term {
    let p = a.alloc_words(2);
    // SAFETY: two fresh words.
    unsafe {
        *p = h;
        *p.add(1) = tl;
    }
    Term::make_list(p)
}

/// Builds a proper list from `items`, ending in `tail`.
pub fn list_from_iter<A: Alloc + ?Sized>(a: &mut A, items: &[Term], tl: Term) -> Term {
    if items.is_empty() {
        return tl;
    }
    let p = a.alloc_words(items.len() * 2);
    for (i, &it) in items.iter().enumerate() {
        // SAFETY: `p` has 2*len words; each cell points at the next.
        unsafe {
            *p.add(2 * i) = it;
            *p.add(2 * i + 1) = if i + 1 == items.len() {
                tl
            } else {
                Term::make_list(p.add(2 * i + 2))
            };
        }
    }
    Term::make_list(p)
}

/// The length of a proper list; `None` if improper.
pub fn proper_length(mut t: Term) -> Option<usize> {
    let mut n = 0;
    while t.is_list() {
        n += 1;
        t = tail(t);
    }
    t.is_nil().then_some(n)
}

/// A copy of the first `n` cells of `list` (which has at least `n`) ending in `tl`,
/// in order (`reversed`: in reverse order), built in one allocation without
/// collecting the elements first.
pub fn copy_list_cells<A: Alloc + ?Sized>(
    a: &mut A,
    list: Term,
    n: usize,
    tl: Term,
    reversed: bool,
) -> Term {
    if n == 0 {
        return tl;
    }
    let p = a.alloc_words(2 * n);
    let mut l = list;
    for k in 0..n {
        assert!(l.is_list(), "copy_list_cells past the end of the list");
        // Cell `i` of the copy; each points at the next, the last at `tl`.
        let i = if reversed { n - 1 - k } else { k };
        // SAFETY: `p` has 2*n words and i < n.
        unsafe {
            *p.add(2 * i) = head(l);
            *p.add(2 * i + 1) = if i + 1 == n {
                tl
            } else {
                Term::make_list(p.add(2 * i + 2))
            };
        }
        l = tail(l);
    }
    Term::make_list(p)
}

/// Collects a proper list's elements; `None` if improper.
pub fn list_to_vec(mut t: Term) -> Option<Vec<Term>> {
    let mut v = Vec::new();
    while t.is_list() {
        v.push(head(t));
        t = tail(t);
    }
    if t.is_nil() {
        Some(v)
    } else {
        None
    }
}

/// Length of a proper list, `None` if improper.
pub fn list_length(mut t: Term) -> Option<usize> {
    let mut n = 0;
    while t.is_list() {
        n += 1;
        t = tail(t);
    }
    if t.is_nil() {
        Some(n)
    } else {
        None
    }
}

pub fn string_to_list<A: Alloc + ?Sized>(a: &mut A, s: &str) -> Term {
    let items: Vec<Term> = s.chars().map(|c| Term::small(c as i64)).collect();
    list_from_iter(a, &items, Term::NIL)
}

pub fn bytes_to_list<A: Alloc + ?Sized>(a: &mut A, s: &[u8], tl: Term) -> Term {
    let items: Vec<Term> = s.iter().map(|&c| Term::small(c as i64)).collect();
    list_from_iter(a, &items, tl)
}

// ------------------------------------------------------------------ tuples

#[inline(always)]
pub fn is_tuple(t: Term) -> bool {
    t.is_boxed() && header_subtag(header(t)) == SUBTAG_TUPLE
}
#[inline(always)]
pub fn tuple_arity(t: Term) -> usize {
    debug_assert!(is_tuple(t), "tuple_arity of a non-tuple {t:?}");
    header_arity(header(t))
}
/// The elements of a tuple.
#[inline(always)]
pub fn tuple_elements<'a>(t: Term) -> &'a [Term] {
    // SAFETY: a tuple's header is followed by `arity` element words.
    unsafe { std::slice::from_raw_parts(t.boxed_ptr().add(1), tuple_arity(t)) }
}
/// Element `i` (0-based).
#[inline(always)]
pub fn tuple_get(t: Term, i: usize) -> Term {
    debug_assert!(
        is_tuple(t) && i < tuple_arity(t),
        "tuple_get({t:?}, {i}) out of range"
    );
    word(t, i + 1)
}

pub fn make_tuple<A: Alloc + ?Sized>(a: &mut A, elems: &[Term]) -> Term {
    let p = a.alloc_words(elems.len() + 1);
    // SAFETY: len+1 fresh words.
    unsafe {
        *p = make_header(SUBTAG_TUPLE, elems.len());
        std::ptr::copy_nonoverlapping(elems.as_ptr(), p.add(1), elems.len());
    }
    Term::make_boxed(p)
}

/// The tuple of `elems` with `x` inserted before index `at`.
pub fn make_tuple_inserting<A: Alloc + ?Sized>(
    a: &mut A,
    elems: &[Term],
    at: usize,
    x: Term,
) -> Term {
    let n = elems.len() + 1;
    let p = a.alloc_words(n + 1);
    // SAFETY: n+1 fresh words: the header, then the n elements.
    unsafe {
        *p = make_header(SUBTAG_TUPLE, n);
        write_inserting(p.add(1), elems, at, x);
    }
    Term::make_boxed(p)
}

/// Writes `words` with `x` inserted before index `at` (`words.len() + 1` words).
///
/// # Safety
/// `dst` is valid for `words.len() + 1` writes and does not overlap `words`.
unsafe fn write_inserting(dst: *mut Term, words: &[Term], at: usize, x: Term) {
    assert!(at <= words.len(), "insertion past the end");
    // SAFETY: the caller's guarantee; the three parts fill exactly len+1 words.
    unsafe {
        std::ptr::copy_nonoverlapping(words.as_ptr(), dst, at);
        *dst.add(at) = x;
        std::ptr::copy_nonoverlapping(words.as_ptr().add(at), dst.add(at + 1), words.len() - at);
    }
}

/// A tuple with `n` elements all set to `fill`.
pub fn make_tuple_filled<A: Alloc + ?Sized>(a: &mut A, n: usize, fill: Term) -> Term {
    let p = a.alloc_words(n + 1);
    // SAFETY: n+1 fresh words.
    unsafe {
        *p = make_header(SUBTAG_TUPLE, n);
        for i in 0..n {
            *p.add(1 + i) = fill;
        }
    }
    Term::make_boxed(p)
}

// ------------------------------------------------------------------ floats

#[inline(always)]
pub fn is_float(t: Term) -> bool {
    t.is_boxed() && header(t) == make_header(SUBTAG_FLOAT, 1)
}
#[inline(always)]
pub fn float_value(t: Term) -> f64 {
    debug_assert!(is_float(t), "float_value of a non-float {t:?}");
    f64::from_bits(word(t, 1).0)
}
#[inline]
pub fn make_float<A: Alloc + ?Sized>(a: &mut A, f: f64) -> Term {
    let p = a.alloc_words(FLOAT_WORDS);
    // SAFETY: two fresh words.
    unsafe {
        *p = make_header(SUBTAG_FLOAT, 1);
        *p.add(1) = Term(f.to_bits());
    }
    Term::make_boxed(p)
}

// ------------------------------------------------------------------ integers

#[inline(always)]
pub fn is_big(t: Term) -> bool {
    t.is_boxed() && matches!(header_subtag(header(t)), SUBTAG_POS_BIG | SUBTAG_NEG_BIG)
}
#[inline(always)]
pub fn is_integer(t: Term) -> bool {
    t.is_small() || is_big(t)
}
#[inline(always)]
pub fn is_number(t: Term) -> bool {
    t.is_small()
        || (t.is_boxed()
            && matches!(
                header_subtag(header(t)),
                SUBTAG_POS_BIG | SUBTAG_NEG_BIG | SUBTAG_FLOAT
            ))
}

/// The limbs (little-endian u64) of a bignum.
pub fn big_limbs<'a>(t: Term) -> &'a [u64] {
    debug_assert!(is_big(t), "big_limbs of a non-bignum {t:?}");
    let n = header_arity(header(t));
    // SAFETY: a bignum's header is followed by `n` limb words.
    unsafe { std::slice::from_raw_parts(t.boxed_ptr().add(1) as *const u64, n) }
}
pub fn big_is_negative(t: Term) -> bool {
    header_subtag(header(t)) == SUBTAG_NEG_BIG
}

pub fn big_to_bigint(t: Term) -> BigInt {
    let limbs = big_limbs(t);
    let mut digits = Vec::with_capacity(limbs.len() * 2);
    for &l in limbs {
        digits.push(l as u32);
        digits.push((l >> 32) as u32);
    }
    let mag = num_bigint::BigUint::new(digits);
    BigInt::from_biguint(
        if big_is_negative(t) {
            Sign::Minus
        } else {
            Sign::Plus
        },
        mag,
    )
}

/// Any integer term as a BigInt.
pub fn integer_to_bigint(t: Term) -> Option<BigInt> {
    if t.is_small() {
        Some(BigInt::from(t.small_value()))
    } else if is_big(t) {
        Some(big_to_bigint(t))
    } else {
        None
    }
}

/// An integer term: small if it fits, else a bignum on the heap.
pub fn make_integer<A: Alloc + ?Sized>(a: &mut A, v: &BigInt) -> Term {
    if let Some(i) = v.to_i64() {
        if Term::fits_small(i) {
            return Term::small(i);
        }
    }
    let (sign, limbs) = v.to_u64_digits();
    let p = a.alloc_words(limbs.len() + 1);
    let subtag = if sign == Sign::Minus {
        SUBTAG_NEG_BIG
    } else {
        SUBTAG_POS_BIG
    };
    // SAFETY: limbs+1 fresh words.
    unsafe {
        *p = make_header(subtag, limbs.len());
        for (i, l) in limbs.iter().enumerate() {
            *p.add(1 + i) = Term(*l);
        }
    }
    Term::make_boxed(p)
}

pub fn make_i64<A: Alloc + ?Sized>(a: &mut A, v: i64) -> Term {
    if Term::fits_small(v) {
        Term::small(v)
    } else {
        make_integer(a, &BigInt::from(v))
    }
}

pub fn make_u64<A: Alloc + ?Sized>(a: &mut A, v: u64) -> Term {
    if v <= oxbeam_term::word::MAX_SMALL as u64 {
        Term::small(v as i64)
    } else {
        make_integer(a, &BigInt::from(v))
    }
}

/// An integer term as i64, if it fits.
pub fn term_to_i64(t: Term) -> Option<i64> {
    if t.is_small() {
        Some(t.small_value())
    } else if is_big(t) {
        big_to_bigint(t).to_i64()
    } else {
        None
    }
}

// ------------------------------------------------------------------ binaries

/// Off-heap binary data shared between processes, reference-counted.
pub struct BinData {
    refc: AtomicUsize,
    pub bytes: Box<[u8]>,
}

impl BinData {
    /// A new handle with one reference.
    pub fn new_raw(bytes: Box<[u8]>) -> *mut BinData {
        Box::into_raw(Box::new(BinData {
            refc: AtomicUsize::new(1),
            bytes,
        }))
    }
    /// References held now (for `process_info(P, binary)`).
    pub fn ref_count(&self) -> usize {
        self.refc.load(Ordering::Relaxed)
    }

    /// Adds a reference.
    ///
    /// # Safety
    /// `p` came from [`BinData::new_raw`] and the caller holds a live reference to it.
    pub unsafe fn inc_ref(p: *const BinData) {
        // SAFETY: per the contract, `p` is live.
        unsafe { (*p).refc.fetch_add(1, Ordering::Relaxed) };
    }
    /// Drops a reference, freeing the data with the last one.
    ///
    /// # Safety
    /// `p` came from [`BinData::new_raw`] and the caller gives up one live reference.
    pub unsafe fn dec_ref(p: *mut BinData) {
        // SAFETY: `p` is live; the last reference frees it exactly once.
        unsafe {
            if (*p).refc.fetch_sub(1, Ordering::Release) == 1 {
                std::sync::atomic::fence(Ordering::Acquire);
                drop(Box::from_raw(p));
            }
        }
    }
}

/// Whether `t` is a binary or bitstring of any representation.
#[inline]
pub fn is_bitstring(t: Term) -> bool {
    t.is_boxed()
        && matches!(
            header_subtag(header(t)),
            SUBTAG_HEAP_BIN | SUBTAG_REFC_BIN | SUBTAG_SUB_BIN
        )
}

/// A view of a bitstring's bits: the underlying bytes, the offset in bits of the first
/// bit, and the number of bits.
#[derive(Clone, Copy)]
pub struct BitView<'a> {
    pub data: &'a [u8],
    pub bit_offset: usize,
    pub bit_size: usize,
}

impl<'a> BitView<'a> {
    /// The bytes if the view is byte-aligned and a whole number of bytes.
    pub fn as_bytes(&self) -> Option<&'a [u8]> {
        if self.bit_offset.is_multiple_of(8) && self.bit_size.is_multiple_of(8) {
            let s = self.bit_offset / 8;
            Some(&self.data[s..s + self.bit_size / 8])
        } else {
            None
        }
    }
    /// The bits copied into fresh bytes (last byte left-aligned, zero-padded).
    pub fn to_vec(&self) -> Vec<u8> {
        if let Some(b) = self.as_bytes() {
            return b.to_vec();
        }
        let nbytes = self.bit_size.div_ceil(8);
        let mut out = vec![0u8; nbytes];
        crate::bits::copy_bits(self.data, self.bit_offset, &mut out, 0, self.bit_size);
        out
    }
    pub fn byte_size(&self) -> usize {
        self.bit_size.div_ceil(8)
    }
}

/// The bits of a binary term (heap, refc or sub-binary).
pub fn bit_view<'a>(t: Term) -> Option<BitView<'a>> {
    if !t.is_boxed() {
        return None;
    }
    let h = header(t);
    match header_subtag(h) {
        SUBTAG_HEAP_BIN => {
            let size = word(t, 1).0 as usize;
            // SAFETY: a heap binary stores `size` bytes after its size word.
            let data =
                unsafe { std::slice::from_raw_parts(t.boxed_ptr().add(2) as *const u8, size) };
            Some(BitView {
                data,
                bit_offset: 0,
                bit_size: size * 8,
            })
        }
        SUBTAG_REFC_BIN => {
            let size = word(t, 1).0 as usize;
            let bytes = word(t, 3).0 as *const u8;
            // SAFETY: the handle keeps the BinData alive; `bytes` points at its data.
            let data = unsafe { std::slice::from_raw_parts(bytes, size) };
            Some(BitView {
                data,
                bit_offset: 0,
                bit_size: size * 8,
            })
        }
        SUBTAG_SUB_BIN => {
            let bit_size = word(t, 1).0 as usize;
            let off = word(t, 2).0 as usize;
            let orig = bit_view(word(t, 3))?;
            Some(BitView {
                data: orig.data,
                bit_offset: orig.bit_offset + off,
                bit_size,
            })
        }
        _ => None,
    }
}

/// A binary's bytes if it is a whole-byte binary: borrowed when byte-aligned, copied
/// when it starts mid-byte (a sub-binary made by matching, which BIFs must accept too).
pub fn binary_bytes<'a>(t: Term) -> Option<std::borrow::Cow<'a, [u8]>> {
    let v = bit_view(t)?;
    if !v.bit_size.is_multiple_of(8) {
        return None;
    }
    Some(match v.as_bytes() {
        Some(b) => std::borrow::Cow::Borrowed(b),
        None => std::borrow::Cow::Owned(v.to_vec()),
    })
}

/// A new binary holding `bytes`: on the heap when small, else off-heap.
pub fn make_binary<A: Alloc + ?Sized>(a: &mut A, bytes: &[u8]) -> Term {
    if bytes.len() <= HEAP_BIN_LIMIT {
        let words = words_for_bytes(bytes.len());
        let p = a.alloc_words(2 + words);
        // SAFETY: 2+words fresh words; the bytes fit in `words` words.
        unsafe {
            *p = make_header(SUBTAG_HEAP_BIN, 1 + words);
            *p.add(1) = Term(bytes.len() as u64);
            if words > 0 {
                *p.add(1 + words) = Term(0);
            }
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), p.add(2) as *mut u8, bytes.len());
        }
        Term::make_boxed(p)
    } else {
        make_refc_binary(a, bytes.to_vec().into_boxed_slice())
    }
}

/// A new off-heap binary owning `bytes`.
pub fn make_refc_binary<A: Alloc + ?Sized>(a: &mut A, bytes: Box<[u8]>) -> Term {
    let len = bytes.len();
    let data = BinData::new_raw(bytes);
    // SAFETY: `data` is a fresh BinData.
    let ptr = unsafe { (*data).bytes.as_ptr() };
    let p = a.alloc_words(REFC_BIN_WORDS);
    // SAFETY: four fresh words.
    unsafe {
        *p = make_header(SUBTAG_REFC_BIN, REFC_BIN_WORDS - 1);
        *p.add(1) = Term(len as u64);
        *p.add(2) = Term(data as u64);
        *p.add(3) = Term(ptr as u64);
    }
    a.register_off_heap(p);
    Term::make_boxed(p)
}

/// The off-heap data under a whole-byte binary `t` (a refc binary, or a byte-aligned
/// sub-binary of one) and the bytes `t` covers in it: their start and length.
pub fn refc_bytes(t: Term) -> Option<(*mut BinData, *const u8, usize)> {
    match boxed_subtag(t)? {
        SUBTAG_REFC_BIN => Some((
            word(t, 2).0 as *mut BinData,
            word(t, 3).0 as *const u8,
            word(t, 1).0 as usize,
        )),
        SUBTAG_SUB_BIN => {
            let (bits, off, orig) = (word(t, 1).0 as usize, word(t, 2).0 as usize, word(t, 3));
            if boxed_subtag(orig)? != SUBTAG_REFC_BIN || bits % 8 != 0 || off % 8 != 0 {
                return None;
            }
            // SAFETY: the sub-binary lies within its original's bytes.
            let start = unsafe { (word(orig, 3).0 as *const u8).add(off / 8) };
            Some((word(orig, 2).0 as *mut BinData, start, bits / 8))
        }
        _ => None,
    }
}

/// A binary term over the `len` bytes at `start` in off-heap data `data`: a new
/// handle (taking a reference) covering the data up to their end, under a sub-binary
/// unless they start at its beginning.
///
/// # Safety
/// `data` is live (the caller holds a reference to it) and `[start, start + len)` lies
/// in its bytes, which do not change while any term covers them.
pub unsafe fn make_refc_view<A: Alloc + ?Sized>(
    a: &mut A,
    data: *mut BinData,
    start: *const u8,
    len: usize,
) -> Term {
    // SAFETY: per the contract, `data` is live and `start` points into its bytes.
    let (base, off) = unsafe {
        BinData::inc_ref(data);
        let base = (*data).bytes.as_ptr();
        (base, start.offset_from(base) as usize)
    };
    let p = a.alloc_words(REFC_BIN_WORDS);
    // SAFETY: four fresh words laid out as a refc-binary handle, which owns the
    // reference taken above and is registered for release below.
    unsafe {
        *p = make_header(SUBTAG_REFC_BIN, REFC_BIN_WORDS - 1);
        *p.add(1) = Term((off + len) as u64);
        *p.add(2) = Term(data as u64);
        *p.add(3) = Term(base as u64);
    }
    a.register_off_heap(p);
    let handle = Term::make_boxed(p);
    if off == 0 {
        handle
    } else {
        make_sub_binary(a, handle, off * 8, len * 8)
    }
}

/// A new bitstring of `bit_size` bits from `bytes` (left-aligned last byte).
pub fn make_bitstring<A: Alloc + ?Sized>(a: &mut A, bytes: &[u8], bit_size: usize) -> Term {
    if bit_size.is_multiple_of(8) {
        return make_binary(a, &bytes[..bit_size / 8]);
    }
    let orig = make_binary(a, &bytes[..bit_size.div_ceil(8)]);
    make_sub_binary(a, orig, 0, bit_size)
}

/// A sub-binary of `orig` (a heap or refc binary, or another sub-binary).
pub fn make_sub_binary<A: Alloc + ?Sized>(
    a: &mut A,
    mut orig: Term,
    mut bit_offset: usize,
    bit_size: usize,
) -> Term {
    if header_subtag(header(orig)) == SUBTAG_SUB_BIN {
        bit_offset += word(orig, 2).0 as usize;
        orig = word(orig, 3);
    }
    let p = a.alloc_words(SUB_BIN_WORDS);
    // SAFETY: four fresh words.
    unsafe {
        *p = make_header(SUBTAG_SUB_BIN, SUB_BIN_WORDS - 1);
        *p.add(1) = Term(bit_size as u64);
        *p.add(2) = Term(bit_offset as u64);
        *p.add(3) = orig;
    }
    Term::make_boxed(p)
}

// ------------------------------------------------------------------ maps (flat)

#[inline(always)]
pub fn is_map(t: Term) -> bool {
    t.is_boxed() && matches!(header_subtag(header(t)), SUBTAG_MAP | SUBTAG_HASHMAP)
}
pub fn is_flatmap(t: Term) -> bool {
    t.is_boxed() && header_subtag(header(t)) == SUBTAG_MAP
}
/// Number of keys of a flatmap.
pub fn flatmap_size(t: Term) -> usize {
    debug_assert!(is_flatmap(t), "flatmap_size of a non-flatmap {t:?}");
    header_arity(header(t)) - 1
}
pub fn flatmap_keys<'a>(t: Term) -> &'a [Term] {
    debug_assert!(is_flatmap(t), "flatmap_keys of a non-flatmap {t:?}");
    tuple_elements(word(t, 1))
}
pub fn flatmap_values<'a>(t: Term) -> &'a [Term] {
    // SAFETY: a flatmap's keys word is followed by one value word per key.
    unsafe { std::slice::from_raw_parts(t.boxed_ptr().add(2), flatmap_size(t)) }
}

/// Builds a flatmap from keys already sorted in term order (no duplicates).
pub fn make_flatmap<A: Alloc + ?Sized>(a: &mut A, keys: Term, values: &[Term]) -> Term {
    let p = a.alloc_words(2 + values.len());
    // SAFETY: 2+n fresh words.
    unsafe {
        *p = make_header(SUBTAG_MAP, 1 + values.len());
        *p.add(1) = keys;
        std::ptr::copy_nonoverlapping(values.as_ptr(), p.add(2), values.len());
    }
    Term::make_boxed(p)
}

/// A flatmap with `keys` and `values` with `v` inserted before index `at`.
pub fn make_flatmap_inserting<A: Alloc + ?Sized>(
    a: &mut A,
    keys: Term,
    values: &[Term],
    at: usize,
    v: Term,
) -> Term {
    let n = values.len() + 1;
    let p = a.alloc_words(2 + n);
    // SAFETY: 2+n fresh words: the header, the keys tuple, then the n values.
    unsafe {
        *p = make_header(SUBTAG_MAP, 1 + n);
        *p.add(1) = keys;
        write_inserting(p.add(2), values, at, v);
    }
    Term::make_boxed(p)
}

// ------------------------------------------------------------------ funs and exports

#[inline(always)]
pub fn is_fun(t: Term) -> bool {
    t.is_boxed() && matches!(header_subtag(header(t)), SUBTAG_FUN | SUBTAG_EXPORT)
}
pub fn is_local_fun(t: Term) -> bool {
    t.is_boxed() && header_subtag(header(t)) == SUBTAG_FUN
}
pub fn is_export(t: Term) -> bool {
    t.is_boxed() && header_subtag(header(t)) == SUBTAG_EXPORT
}

// ------------------------------------------------------------------ other nodes' identifiers

// A pid, port or reference of another node (or of this node's name with another
// creation), as binary_to_term makes them: `[header, node atom, creation, ...]` with,
// after those, a pid's number and serial, a port's 64-bit number, or a reference's
// 32-bit id words (least significant first). All words are raw: nothing to trace.

pub fn is_ext_pid(t: Term) -> bool {
    t.is_boxed() && header_subtag(header(t)) == SUBTAG_EXT_PID
}
pub fn is_ext_port(t: Term) -> bool {
    t.is_boxed() && header_subtag(header(t)) == SUBTAG_EXT_PORT
}
pub fn is_ext_ref(t: Term) -> bool {
    t.is_boxed() && header_subtag(header(t)) == SUBTAG_EXT_REF
}
/// Whether `t` is a pid (of this node or another).
pub fn is_any_pid(t: Term) -> bool {
    t.is_local_pid() || is_ext_pid(t)
}
/// Whether `t` is a port (of this node or another).
pub fn is_any_port(t: Term) -> bool {
    t.is_local_port() || is_ext_port(t)
}

fn make_ext<A: Alloc + ?Sized>(
    a: &mut A,
    subtag: u64,
    node: Atom,
    creation: u32,
    rest: &[u64],
) -> Term {
    let p = a.alloc_words(3 + rest.len());
    // SAFETY: 3 + rest.len() fresh words.
    unsafe {
        *p = make_header(subtag, 2 + rest.len());
        *p.add(1) = Term::atom(node);
        *p.add(2) = Term(creation as u64);
        for (i, &w) in rest.iter().enumerate() {
            *p.add(3 + i) = Term(w);
        }
    }
    Term::make_boxed(p)
}
pub fn make_ext_pid<A: Alloc + ?Sized>(
    a: &mut A,
    node: Atom,
    creation: u32,
    number: u32,
    serial: u32,
) -> Term {
    make_ext(
        a,
        SUBTAG_EXT_PID,
        node,
        creation,
        &[number as u64, serial as u64],
    )
}
pub fn make_ext_port<A: Alloc + ?Sized>(a: &mut A, node: Atom, creation: u32, id: u64) -> Term {
    make_ext(a, SUBTAG_EXT_PORT, node, creation, &[id])
}
pub fn make_ext_ref<A: Alloc + ?Sized>(a: &mut A, node: Atom, creation: u32, ids: &[u32]) -> Term {
    let words: Vec<u64> = ids.iter().map(|&w| w as u64).collect();
    make_ext(a, SUBTAG_EXT_REF, node, creation, &words)
}
/// The node of an external identifier.
pub fn ext_node(t: Term) -> Atom {
    word(t, 1).atom_value()
}
pub fn ext_creation(t: Term) -> u32 {
    word(t, 2).0 as u32
}
/// An external pid's `(number, serial)`.
pub fn ext_pid_parts(t: Term) -> (u32, u32) {
    (word(t, 3).0 as u32, word(t, 4).0 as u32)
}
pub fn ext_port_id(t: Term) -> u64 {
    word(t, 3).0
}
/// An external reference's id words, least significant first.
pub fn ext_ref_ids(t: Term) -> Vec<u32> {
    (0..header_arity(header(t)) - 2)
        .map(|i| word(t, 3 + i).0 as u32)
        .collect()
}

// ------------------------------------------------------------------ references

pub fn is_ref(t: Term) -> bool {
    t.is_boxed() && matches!(header_subtag(header(t)), SUBTAG_REF | SUBTAG_EXT_REF)
}
pub fn make_ref<A: Alloc + ?Sized>(a: &mut A, id: u64) -> Term {
    let p = a.alloc_words(2);
    // SAFETY: two fresh words.
    unsafe {
        *p = make_header(SUBTAG_REF, 1);
        *p.add(1) = Term(id);
    }
    Term::make_boxed(p)
}
/// A local reference's id; for another node's reference, an id no local one has.
pub fn ref_id(t: Term) -> u64 {
    debug_assert!(is_ref(t), "ref_id of a non-reference {t:?}");
    if header_subtag(header(t)) == SUBTAG_EXT_REF {
        return u64::MAX;
    }
    word(t, 1).0
}

// ------------------------------------------------------------------ whole objects

/// Number of words of the object whose header is `h` (header included).
#[inline]
pub fn object_words(h: Term) -> usize {
    1 + header_arity(h)
}

/// Words needed to copy `t` completely (no sharing preserved).
pub fn size_of_term(t: Term) -> usize {
    if t.is_immed() {
        return 0;
    }
    // Flat tuples (the usual ETS object or message) need no work stack.
    if is_tuple(t) && tuple_elements(t).iter().all(|e| e.is_immed()) {
        return 1 + tuple_arity(t);
    }
    let mut stack = vec![t];
    let mut n = 0;
    while let Some(t) = stack.pop() {
        if t.is_list() {
            let mut l = t;
            while l.is_list() {
                n += 2;
                stack.push(head(l));
                l = tail(l);
            }
            stack.push(l);
        } else if t.is_boxed() {
            let h = header(t);
            n += object_words(h);
            let (s, e) = term_words(h);
            for i in s..e {
                stack.push(word(t, i));
            }
            if header_subtag(h) == SUBTAG_SUB_BIN {
                // The original binary is copied too (only the referenced part for heap bins).
            }
        }
    }
    n
}

/// Copies `t` deeply onto `a` (sharing within `t` is not preserved, as in the reference's
/// message copying). Refc binaries are shared by bumping their reference count.
pub fn copy_term<A: Alloc + ?Sized>(a: &mut A, t: Term) -> Term {
    if t.is_immed() || t.is_non_value() {
        return t;
    }
    if t.is_list() {
        // Copy the spine iteratively to survive long lists.
        let mut items = Vec::new();
        let mut l = t;
        while l.is_list() {
            items.push(copy_term(a, head(l)));
            l = tail(l);
        }
        let tl = copy_term(a, l);
        return list_from_iter(a, &items, tl);
    }
    let h = header(t);
    let words = object_words(h);
    let sub = header_subtag(h);
    let p = a.alloc_words(words);
    // SAFETY: `words` fresh words; the source object has `words` words.
    unsafe { std::ptr::copy_nonoverlapping(t.boxed_ptr(), p, words) };
    // Then the children that are not immediates, in place of the shared originals.
    let (s, e) = term_words(h);
    for i in s..e {
        let c = word(t, i);
        if !c.is_immed() {
            let copied = copy_term(a, c);
            // SAFETY: `i` is within the `words` words just written.
            unsafe { *p.add(i) = copied };
        }
    }
    if sub == SUBTAG_REFC_BIN {
        // SAFETY: word 2 of a live refc-binary handle is its BinData, referenced by `t`.
        unsafe { BinData::inc_ref(word(t, 2).0 as *const BinData) };
        a.register_off_heap(p);
    }
    Term::make_boxed(p)
}
