//! `atomics` and the natives under `counters` (`erts_internal:atomics_new/2`,
//! `erts_internal:counters_*`): arrays of 64-bit cells that every process holding the
//! reference updates in place, lock-free. The arrays are named by magic references
//! ([`crate::magic`]), and like those they are never freed.
//!
//! Values wrap at 64 bits as in the reference. Cells are stored as raw 64-bit words and
//! read as signed or unsigned; an increment may be anything from -2^63 to 2^64-1 (it is
//! added modulo 2^64), while stored and compared values must lie in the array's range.

use super::reg;
use crate::bif::{BifFn, BifResult, Fault, BADARG, BADARITH};
use crate::magic::{self, AtomicsArray, CounterArray, Line, Magic};
use crate::object::*;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes the reference reports for an atomics array besides its cells.
const ATOMICS_OVERHEAD: u64 = 40;
/// Bytes the reference reports for a counters array besides its cache lines.
const COUNTERS_OVERHEAD: u64 = 32;

/// An integer term as i128 (None for non-integers and integers beyond 2^127).
fn int_i128(t: Term) -> Option<i128> {
    if t.is_small() {
        return Some(t.small_value() as i128);
    }
    if !is_big(t) {
        return None;
    }
    let limbs = big_limbs(t);
    let used = limbs.iter().rposition(|&l| l != 0).map_or(0, |i| i + 1);
    if used > 2 {
        return None;
    }
    let mag = limbs[0] as u128 | (limbs.get(1).copied().unwrap_or(0) as u128) << 64;
    if mag >> 127 != 0 {
        return None;
    }
    Some(if big_is_negative(t) {
        -(mag as i128)
    } else {
        mag as i128
    })
}

/// An increment: anything a signed or an unsigned 64-bit word can hold, as the word to
/// add modulo 2^64.
fn increment(t: Term) -> Option<u64> {
    let v = int_i128(t)?;
    (i64::MIN as i128..=u64::MAX as i128)
        .contains(&v)
        .then_some(v as u64)
}

/// The 1-based index `t` as a 0-based one below `size`.
fn index(t: Term, size: usize) -> Option<usize> {
    let i = t.as_small()?;
    (1..=size as i64).contains(&i).then(|| (i - 1) as usize)
}

/// Parses a size argument: badarg unless a positive integer, system_limit if it is too
/// large for `fits`.
fn size_arg(t: Term, fits: impl Fn(u64) -> bool) -> Result<usize, Fault> {
    let n = int_i128(t).ok_or(if is_big(t) && !big_is_negative(t) {
        Fault::system_limit()
    } else {
        BADARG
    })?;
    if n <= 0 {
        return Err(BADARG);
    }
    if n > u64::MAX as i128 || !fits(n as u64) {
        return Err(Fault::system_limit());
    }
    usize::try_from(n).map_err(|_| Fault::system_limit())
}

/// `n` zeroed values of `T` (one allocation, zero pages mapped lazily), or None if the
/// memory is not available.
fn zeroed_slice<T>(n: usize) -> Option<Box<[T]>> {
    let layout = std::alloc::Layout::array::<T>(n).ok()?;
    if layout.size() == 0 {
        return Some(Vec::new().into_boxed_slice());
    }
    // SAFETY: the layout has a non-zero size.
    let p = unsafe { std::alloc::alloc_zeroed(layout) } as *mut T;
    if p.is_null() {
        return None;
    }
    // SAFETY: `p` is a fresh allocation with the layout of `[T; n]`, all bytes zero;
    // callers use this only for atomic integers (and arrays of them), for which all-zero
    // bytes are a valid value. The global allocator frees it with the same layout.
    Some(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(p, n)) })
}

// ---------------------------------------------------------------- atomics

impl AtomicsArray {
    fn min(&self) -> i128 {
        if self.signed {
            i64::MIN as i128
        } else {
            0
        }
    }
    fn max(&self) -> i128 {
        if self.signed {
            i64::MAX as i128
        } else {
            u64::MAX as i128
        }
    }
    /// A value to store: within the array's range, as its word.
    fn value(&self, t: Term) -> Option<u64> {
        let v = int_i128(t)?;
        (self.min()..=self.max()).contains(&v).then_some(v as u64)
    }
    fn term(&self, p: &mut Process, w: u64) -> Term {
        if self.signed {
            make_i64(&mut p.heap, w as i64)
        } else {
            make_u64(&mut p.heap, w)
        }
    }
}

fn atomics_of(t: Term) -> Option<&'static AtomicsArray> {
    match magic::magic_of(t)? {
        Magic::Atomics(a) => Some(a),
        _ => None,
    }
}

/// The array and the cell the first two arguments name.
fn cell(a: &[Term]) -> Result<(&'static AtomicsArray, &'static AtomicU64), Fault> {
    let arr = atomics_of(a[0]).ok_or(BADARG)?;
    let i = index(a[1], arr.cells.len()).ok_or(BADARG)?;
    Ok((arr, &arr.cells[i]))
}

/// `erts_internal:atomics_new(Arity, EncodedOpts)`: bit 0 of the options is `signed`.
fn atomics_new(p: &mut Process, a: &[Term]) -> BifResult {
    let n = size_arg(a[0], |n| n <= (u64::MAX - 64) / 8)?;
    let opts = match int_i128(a[1]) {
        Some(o) if o < 0 => return Err(BADARG),
        Some(o) if o > u64::MAX as i128 => return Err(Fault::system_limit()),
        Some(o) => o as u64,
        None if is_big(a[1]) && !big_is_negative(a[1]) => return Err(Fault::system_limit()),
        None => return Err(BADARG),
    };
    let cells = zeroed_slice::<AtomicU64>(n).ok_or_else(Fault::system_limit)?;
    let (id, m) = magic::register(Magic::Atomics(AtomicsArray {
        signed: opts & 1 != 0,
        cells,
    }));
    Ok(magic::make_magic_ref(&mut p.heap, id, m))
}

fn put(_p: &mut Process, a: &[Term]) -> BifResult {
    let (arr, c) = cell(a)?;
    let v = arr.value(a[2]).ok_or(BADARG)?;
    c.store(v, Ordering::SeqCst);
    Ok(Term::atom(am::OK))
}

fn get(p: &mut Process, a: &[Term]) -> BifResult {
    let (arr, c) = cell(a)?;
    let w = c.load(Ordering::SeqCst);
    Ok(arr.term(p, w))
}

fn add(_p: &mut Process, a: &[Term]) -> BifResult {
    let (_, c) = cell(a)?;
    let d = increment(a[2]).ok_or(BADARG)?;
    c.fetch_add(d, Ordering::SeqCst);
    Ok(Term::atom(am::OK))
}

fn add_get(p: &mut Process, a: &[Term]) -> BifResult {
    let (arr, c) = cell(a)?;
    let d = increment(a[2]).ok_or(BADARG)?;
    let w = c.fetch_add(d, Ordering::SeqCst).wrapping_add(d);
    Ok(arr.term(p, w))
}

/// The increment `-Decr` of a `sub`: badarith unless `Decr` is a number (the reference
/// negates it in Erlang first), badarg if the negation is out of range.
fn decrement(t: Term) -> Result<u64, Fault> {
    if !is_number(t) {
        return Err(BADARITH);
    }
    let v = int_i128(t).ok_or(BADARG)?;
    let neg = v.checked_neg().ok_or(BADARG)?;
    (i64::MIN as i128..=u64::MAX as i128)
        .contains(&neg)
        .then_some(neg as u64)
        .ok_or(BADARG)
}

/// atomics:sub/3 (Erlang over add/3 in the reference; native here, same errors).
fn sub3(_p: &mut Process, a: &[Term]) -> BifResult {
    let d = decrement(a[2])?;
    let (_, c) = cell(a)?;
    c.fetch_add(d, Ordering::SeqCst);
    Ok(Term::atom(am::OK))
}

fn sub_get(p: &mut Process, a: &[Term]) -> BifResult {
    let d = decrement(a[2])?;
    let (arr, c) = cell(a)?;
    let w = c.fetch_add(d, Ordering::SeqCst).wrapping_add(d);
    Ok(arr.term(p, w))
}

fn exchange(p: &mut Process, a: &[Term]) -> BifResult {
    let (arr, c) = cell(a)?;
    let v = arr.value(a[2]).ok_or(BADARG)?;
    let old = c.swap(v, Ordering::SeqCst);
    Ok(arr.term(p, old))
}

fn compare_exchange(p: &mut Process, a: &[Term]) -> BifResult {
    let (arr, c) = cell(a)?;
    let expected = arr.value(a[2]).ok_or(BADARG)?;
    let desired = arr.value(a[3]).ok_or(BADARG)?;
    match c.compare_exchange(expected, desired, Ordering::SeqCst, Ordering::SeqCst) {
        Ok(_) => Ok(Term::atom(am::OK)),
        Err(actual) => Ok(arr.term(p, actual)),
    }
}

fn info_map(p: &mut Process, items: &[(&str, Term)]) -> Term {
    let pairs: Vec<(Term, Term)> = items
        .iter()
        .map(|&(k, v)| (Term::atom(Atom::from_str(k)), v))
        .collect();
    crate::map::from_pairs(&mut p.heap, &pairs)
}

fn atomics_info(p: &mut Process, a: &[Term]) -> BifResult {
    let arr = atomics_of(a[0]).ok_or(BADARG)?;
    let n = arr.cells.len() as u64;
    let size = make_u64(&mut p.heap, n);
    let max = make_integer(&mut p.heap, &num_bigint::BigInt::from(arr.max()));
    let min = make_integer(&mut p.heap, &num_bigint::BigInt::from(arr.min()));
    let memory = make_u64(&mut p.heap, ATOMICS_OVERHEAD + 8 * n);
    Ok(info_map(
        p,
        &[
            ("size", size),
            ("max", max),
            ("min", min),
            ("memory", memory),
        ],
    ))
}

// ---------------------------------------------------------------- counters

fn counters_of(t: Term) -> Option<&'static CounterArray> {
    match magic::magic_of(t)? {
        Magic::Counters(c) => Some(c),
        _ => None,
    }
}

/// The row the calling thread adds to: its scheduler's, or the shared last one.
fn my_row(c: &CounterArray) -> usize {
    crate::sched::runq::current_scheduler()
        .filter(|&i| i + 1 < c.rows)
        .unwrap_or(c.rows - 1)
}

fn counters_bytes(size: u64, rows: u64) -> Option<u64> {
    size.div_ceil(8)
        .checked_mul(64)?
        .checked_mul(rows)?
        .checked_add(COUNTERS_OVERHEAD)
}

/// `erts_internal:counters_new(Size)`: the write_concurrency kind.
fn counters_new(p: &mut Process, a: &[Term]) -> BifResult {
    let rows = crate::sched::schedulers() + 1;
    let size = size_arg(a[0], |n| counters_bytes(n, rows as u64).is_some())?;
    let lines_per_row = size.div_ceil(8);
    let lines = rows
        .checked_mul(lines_per_row)
        .and_then(zeroed_slice::<Line>)
        .ok_or_else(Fault::system_limit)?;
    let (id, m) = magic::register(Magic::Counters(CounterArray {
        size,
        rows,
        lines_per_row,
        lines,
    }));
    Ok(magic::make_magic_ref(&mut p.heap, id, m))
}

fn counter(a: &[Term]) -> Result<(&'static CounterArray, usize), Fault> {
    let c = counters_of(a[0]).ok_or(BADARG)?;
    let i = index(a[1], c.size).ok_or(BADARG)?;
    Ok((c, i))
}

fn counters_get(p: &mut Process, a: &[Term]) -> BifResult {
    let (c, i) = counter(a)?;
    let sum = (0..c.rows).fold(0u64, |s, r| {
        s.wrapping_add(c.cell(r, i).load(Ordering::Relaxed))
    });
    Ok(make_i64(&mut p.heap, sum as i64))
}

fn counters_add(_p: &mut Process, a: &[Term]) -> BifResult {
    let (c, i) = counter(a)?;
    let d = increment(a[2]).ok_or(BADARG)?;
    c.cell(my_row(c), i).fetch_add(d, Ordering::Relaxed);
    Ok(Term::atom(am::OK))
}

/// Sets the first row's cell so that the sum of the rows is the value (not atomic with
/// respect to concurrent adds, as documented for the reference's write_concurrency).
fn counters_put(_p: &mut Process, a: &[Term]) -> BifResult {
    let (c, i) = counter(a)?;
    let v = term_to_i64(a[2]).ok_or(BADARG)? as u64;
    let others = (1..c.rows).fold(0u64, |s, r| {
        s.wrapping_add(c.cell(r, i).load(Ordering::Relaxed))
    });
    c.cell(0, i)
        .store(v.wrapping_sub(others), Ordering::Relaxed);
    Ok(Term::atom(am::OK))
}

fn counters_info(p: &mut Process, a: &[Term]) -> BifResult {
    let c = counters_of(a[0]).ok_or(BADARG)?;
    let size = make_u64(&mut p.heap, c.size as u64);
    let bytes = counters_bytes(c.size as u64, c.rows as u64).unwrap_or(u64::MAX);
    let memory = make_u64(&mut p.heap, bytes);
    Ok(info_map(p, &[("size", size), ("memory", memory)]))
}

// ---------------------------------------------------------------- counters.erl

/// The two kinds of `counters` reference: `{atomics, Ref}` and `{write_concurrency, Ref}`.
enum CountersRef {
    Atomics(Term),
    Write(Term),
}

fn counters_ref(t: Term) -> Result<CountersRef, Fault> {
    // Compared as atoms: reading an atom's name takes the atom table's lock.
    static TAGS: std::sync::OnceLock<(Term, Term)> = std::sync::OnceLock::new();
    let &(atomics, write) = TAGS.get_or_init(|| {
        (
            Term::atom(Atom::from_str("atomics")),
            Term::atom(Atom::from_str("write_concurrency")),
        )
    });
    if !is_tuple(t) || tuple_arity(t) != 2 {
        return Err(BADARG);
    }
    let (tag, r) = (tuple_get(t, 0), tuple_get(t, 1));
    if tag == atomics {
        Ok(CountersRef::Atomics(r))
    } else if tag == write {
        Ok(CountersRef::Write(r))
    } else {
        Err(BADARG)
    }
}

/// The counters module's functions are Erlang in the reference, dispatching on the
/// reference's kind; natively they save that call. Errors are the same, reported in
/// the counters function's own frame as the reference's do.
fn c_get(p: &mut Process, a: &[Term]) -> BifResult {
    match counters_ref(a[0])? {
        CountersRef::Atomics(r) => get(p, &[r, a[1]]),
        CountersRef::Write(r) => counters_get(p, &[r, a[1]]),
    }
}

fn c_add(p: &mut Process, a: &[Term]) -> BifResult {
    match counters_ref(a[0])? {
        CountersRef::Atomics(r) => add(p, &[r, a[1], a[2]]),
        CountersRef::Write(r) => counters_add(p, &[r, a[1], a[2]]),
    }
}

fn c_sub(_p: &mut Process, a: &[Term]) -> BifResult {
    let d = decrement(a[2])?;
    match counters_ref(a[0])? {
        CountersRef::Atomics(r) => {
            let (_, c) = cell(&[r, a[1]])?;
            c.fetch_add(d, Ordering::SeqCst);
        }
        CountersRef::Write(r) => {
            let (c, i) = counter(&[r, a[1]])?;
            c.cell(my_row(c), i).fetch_add(d, Ordering::Relaxed);
        }
    }
    Ok(Term::atom(am::OK))
}

fn c_put(p: &mut Process, a: &[Term]) -> BifResult {
    match counters_ref(a[0])? {
        CountersRef::Atomics(r) => put(p, &[r, a[1], a[2]]),
        CountersRef::Write(r) => counters_put(p, &[r, a[1], a[2]]),
    }
}

fn c_info(p: &mut Process, a: &[Term]) -> BifResult {
    match counters_ref(a[0])? {
        CountersRef::Atomics(r) => atomics_info(p, &[r]),
        CountersRef::Write(r) => counters_info(p, &[r]),
    }
}

pub fn register() {
    let list: &[(&str, &str, u32, BifFn)] = &[
        ("erts_internal", "atomics_new", 2, atomics_new),
        ("atomics", "put", 3, put),
        ("atomics", "get", 2, get),
        ("atomics", "add", 3, add),
        ("atomics", "add_get", 3, add_get),
        ("atomics", "sub", 3, sub3),
        ("atomics", "sub_get", 3, sub_get),
        ("atomics", "exchange", 3, exchange),
        ("atomics", "compare_exchange", 4, compare_exchange),
        ("atomics", "info", 1, atomics_info),
        ("erts_internal", "counters_new", 1, counters_new),
        ("erts_internal", "counters_get", 2, counters_get),
        ("erts_internal", "counters_add", 3, counters_add),
        ("erts_internal", "counters_put", 3, counters_put),
        ("erts_internal", "counters_info", 1, counters_info),
        ("counters", "get", 2, c_get),
        ("counters", "add", 3, c_add),
        ("counters", "sub", 3, c_sub),
        ("counters", "put", 3, c_put),
        ("counters", "info", 1, c_info),
    ];
    for &(m, f, n, fun) in list {
        reg(m, f, n, fun);
    }
}
