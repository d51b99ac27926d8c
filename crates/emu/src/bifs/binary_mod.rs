//! The native functions of the `binary` module (those `binary.erl` leaves to the VM):
//! searching (`match`, `matches`, `split`, `compile_pattern`), slicing (`part`, `at`,
//! `first`, `last`), `copy`, integer encoding (`encode_unsigned`, `decode_unsigned`),
//! `longest_common_prefix/suffix`, `list_to_bin` and `referenced_byte_size`.
//!
//! Searching follows the reference's semantics for several patterns: scanning from the
//! left, the match that starts first wins, and among patterns matching at the same
//! position the longest wins; `matches`/`split` then continue after the match, so matches
//! never overlap.

use super::reg;
use crate::bif::{BifResult, Fault, BADARG};
use crate::object::*;
use crate::process::Process;
use num_bigint::{BigInt, Sign};
use num_traits::ToPrimitive;
use oxbeam_term::header::*;
use oxbeam_term::{Atom, Term};
use std::borrow::Cow;

fn atom(s: &str) -> Term {
    Term::atom(Atom::from_str(s))
}

/// The bytes of a binary (a whole number of bytes, at any bit offset).
fn binary_arg<'a>(t: Term) -> Result<Cow<'a, [u8]>, Fault> {
    let v = bit_view(t).ok_or(BADARG)?;
    if v.bit_size % 8 != 0 {
        return Err(BADARG);
    }
    Ok(match v.as_bytes() {
        Some(b) => Cow::Borrowed(b),
        None => Cow::Owned(v.to_vec()),
    })
}

/// A slice `[start, start+len)` of the binary `subject` as a new term. Like the reference,
/// short slices are copied and longer ones share the subject's bytes.
fn slice_term(p: &mut Process, subject: Term, bytes: &[u8], start: usize, len: usize) -> Term {
    if len <= HEAP_BIN_LIMIT {
        make_binary(&mut p.heap, &bytes[start..start + len])
    } else {
        make_sub_binary(&mut p.heap, subject, start * 8, len * 8)
    }
}

fn part_tuple(p: &mut Process, start: usize, len: usize) -> Term {
    make_tuple(
        &mut p.heap,
        &[Term::small(start as i64), Term::small(len as i64)],
    )
}

// ---------------------------------------------------------------- patterns

/// Tags of a compiled pattern, `{bm | ac, Patterns}`: `bm` for one pattern and `ac` for
/// several, as in the reference (whose second element is an opaque reference).
const TAG_ONE: &str = "bm";
const TAG_MANY: &str = "ac";

/// The search patterns of a pattern argument: a non-empty binary, a non-empty list of
/// non-empty binaries, or a compiled pattern.
fn patterns_arg<'a>(t: Term) -> Result<Vec<Cow<'a, [u8]>>, Fault> {
    if is_tuple(t) && tuple_arity(t) == 2 {
        let tag = tuple_get(t, 0);
        if tag == atom(TAG_ONE) || tag == atom(TAG_MANY) {
            return patterns_arg(tuple_get(t, 1));
        }
        return Err(BADARG);
    }
    let items = if t.is_list() {
        list_to_vec(t).ok_or(BADARG)?
    } else {
        vec![t]
    };
    let mut pats = Vec::with_capacity(items.len());
    for it in items {
        let b = binary_arg(it)?;
        if b.is_empty() {
            return Err(BADARG);
        }
        pats.push(b);
    }
    if pats.is_empty() {
        return Err(BADARG);
    }
    Ok(pats)
}

fn compile_pattern1(p: &mut Process, a: &[Term]) -> BifResult {
    let pats = patterns_arg(a[0])?;
    let tag = if pats.len() == 1 { TAG_ONE } else { TAG_MANY };
    let bins: Vec<Term> = pats.iter().map(|b| make_binary(&mut p.heap, b)).collect();
    let list = list_from_iter(&mut p.heap, &bins, Term::NIL);
    Ok(make_tuple(&mut p.heap, &[atom(tag), list]))
}

/// Finds matches of `pats` in `hay[from..to]`: the first one, or all non-overlapping
/// ones. Returns `(start, len)` pairs in subject coordinates.
pub fn find_matches(
    hay: &[u8],
    from: usize,
    to: usize,
    pats: &[&[u8]],
    all: bool,
) -> Vec<(usize, usize)> {
    // Which bytes can start a match, to skip quickly over the rest of the subject.
    let mut starts = [false; 256];
    for p in pats {
        starts[p[0] as usize] = true;
    }
    let mut found = Vec::new();
    let mut i = from;
    while i < to {
        if !starts[hay[i] as usize] {
            i += 1;
            continue;
        }
        let window = &hay[i..to];
        let best = pats
            .iter()
            .filter(|p| window.starts_with(p))
            .map(|p| p.len())
            .max();
        match best {
            Some(len) => {
                found.push((i, len));
                if !all {
                    break;
                }
                i += len;
            }
            None => i += 1,
        }
    }
    found
}

/// A match: start and length in bytes.
type Match = (usize, usize);

/// Search options: the scope, and for `split` whether it is global and how to trim.
#[derive(Default)]
struct SearchOpts {
    scope: Option<(usize, usize)>,
    global: bool,
    trim: bool,
    trim_all: bool,
}

/// A `{Start, Length}` part (Length may be negative) as `(start, len)` within `size`.
fn part_arg(t: Term, size: usize) -> Result<(usize, usize), Fault> {
    if !is_tuple(t) || tuple_arity(t) != 2 {
        return Err(BADARG);
    }
    range(tuple_get(t, 0), tuple_get(t, 1), size)
}

/// Start and (possibly negative) length as a range within `size` bytes.
fn range(pos: Term, len: Term, size: usize) -> Result<(usize, usize), Fault> {
    let (pos, len) = (pos.as_small().ok_or(BADARG)?, len.as_small().ok_or(BADARG)?);
    let (start, end) = if len < 0 {
        (pos + len, pos)
    } else {
        (pos, pos + len)
    };
    if start < 0 || end as u64 > size as u64 {
        return Err(BADARG);
    }
    Ok((start as usize, (end - start) as usize))
}

fn search_opts(t: Term, size: usize, split: bool) -> Result<SearchOpts, Fault> {
    let mut o = SearchOpts::default();
    if !(t.is_list() || t.is_nil()) {
        return Err(BADARG);
    }
    // The reference reads options up to the end of the list's cells and ignores an
    // improper tail.
    let mut l = t;
    while l.is_list() {
        let opt = head(l);
        l = tail(l);
        if is_tuple(opt) && tuple_arity(opt) == 2 && tuple_get(opt, 0) == atom("scope") {
            o.scope = Some(part_arg(tuple_get(opt, 1), size)?);
            continue;
        }
        match opt.as_atom().map(|a| a.name()) {
            Some("global") if split => o.global = true,
            Some("trim") if split => o.trim = true,
            Some("trim_all") if split => o.trim_all = true,
            _ => return Err(BADARG),
        }
    }
    Ok(o)
}

/// Shared body of `match`, `matches` and `split`: subject bytes, the matches found, and
/// the options.
fn search(a: &[Term], split: bool, all: bool) -> Result<(Vec<Match>, SearchOpts), Fault> {
    let hay = binary_arg(a[0])?;
    let opts = match a.get(2) {
        Some(&o) => search_opts(o, hay.len(), split)?,
        None => SearchOpts::default(),
    };
    let (from, len) = opts.scope.unwrap_or((0, hay.len()));
    if from + len == 0 {
        // Nothing to search (the range ends at the start): the reference does not look
        // at the pattern then, so even a bad one finds nothing.
        return Ok((Vec::new(), opts));
    }
    let pats = patterns_arg(a[1])?;
    let pat_refs: Vec<&[u8]> = pats.iter().map(|p| p.as_ref()).collect();
    let all = all || (split && opts.global);
    let found = find_matches(&hay, from, from + len, &pat_refs, all);
    Ok((found, opts))
}

fn match_bif(p: &mut Process, a: &[Term]) -> BifResult {
    let (found, _) = search(a, false, false)?;
    Ok(match found.first() {
        Some(&(s, l)) => part_tuple(p, s, l),
        None => atom("nomatch"),
    })
}

fn matches_bif(p: &mut Process, a: &[Term]) -> BifResult {
    let (found, _) = search(a, false, true)?;
    let parts: Vec<Term> = found.iter().map(|&(s, l)| part_tuple(p, s, l)).collect();
    Ok(list_from_iter(&mut p.heap, &parts, Term::NIL))
}

fn split_bif(p: &mut Process, a: &[Term]) -> BifResult {
    let (found, opts) = search(a, true, false)?;
    let hay = binary_arg(a[0])?;
    let size = hay.len();
    // The pieces between matches, as (start, len).
    let mut pieces = Vec::with_capacity(found.len() + 1);
    let mut at = 0;
    for &(s, l) in &found {
        pieces.push((at, s - at));
        at = s + l;
    }
    pieces.push((at, size - at));
    if opts.trim_all {
        pieces.retain(|&(_, l)| l > 0);
    } else if opts.trim {
        while pieces.last().is_some_and(|&(_, l)| l == 0) {
            pieces.pop();
        }
    }
    let terms: Vec<Term> = pieces
        .iter()
        .map(|&(s, l)| slice_term(p, a[0], &hay, s, l))
        .collect();
    Ok(list_from_iter(&mut p.heap, &terms, Term::NIL))
}

// ---------------------------------------------------------------- slicing

/// The whole bytes of a binary or bitstring (`part` accepts bitstrings as long as the
/// part lies within their whole bytes).
fn whole_bytes<'a>(t: Term) -> Result<Cow<'a, [u8]>, Fault> {
    let v = bit_view(t).ok_or(BADARG)?;
    let whole = BitView {
        bit_size: v.bit_size / 8 * 8,
        ..v
    };
    Ok(match whole.as_bytes() {
        Some(b) => Cow::Borrowed(b),
        None => Cow::Owned(whole.to_vec()),
    })
}

fn part2(p: &mut Process, a: &[Term]) -> BifResult {
    let bytes = whole_bytes(a[0])?;
    let (s, l) = part_arg(a[1], bytes.len())?;
    Ok(slice_term(p, a[0], &bytes, s, l))
}

fn part3(p: &mut Process, a: &[Term]) -> BifResult {
    let bytes = whole_bytes(a[0])?;
    let (s, l) = range(a[1], a[2], bytes.len())?;
    Ok(slice_term(p, a[0], &bytes, s, l))
}

fn at2(_p: &mut Process, a: &[Term]) -> BifResult {
    let bytes = binary_arg(a[0])?;
    let i = a[1]
        .as_small()
        .and_then(|i| usize::try_from(i).ok())
        .ok_or(BADARG)?;
    bytes.get(i).map(|&b| Term::small(b as i64)).ok_or(BADARG)
}

fn first1(_p: &mut Process, a: &[Term]) -> BifResult {
    binary_arg(a[0])?
        .first()
        .map(|&b| Term::small(b as i64))
        .ok_or(BADARG)
}

fn last1(_p: &mut Process, a: &[Term]) -> BifResult {
    binary_arg(a[0])?
        .last()
        .map(|&b| Term::small(b as i64))
        .ok_or(BADARG)
}

// ---------------------------------------------------------------- copying and building

/// Largest binary `copy/2` builds; beyond this the reference cannot allocate either.
const MAX_BINARY: u64 = 1 << 40;

fn copy1(p: &mut Process, a: &[Term]) -> BifResult {
    let bytes = binary_arg(a[0])?;
    Ok(make_binary(&mut p.heap, &bytes))
}

fn copy2(p: &mut Process, a: &[Term]) -> BifResult {
    let n = integer_to_bigint(a[1])
        .and_then(|n| n.to_u64())
        .ok_or(BADARG)?;
    // Zero copies of any bitstring, even one not a whole number of bytes, is empty.
    if n == 0 && is_bitstring(a[0]) {
        return Ok(make_binary(&mut p.heap, &[]));
    }
    let bytes = binary_arg(a[0])?;
    if bytes.is_empty() || n == 0 {
        return Ok(make_binary(&mut p.heap, &[]));
    }
    if (bytes.len() as u64).saturating_mul(n) > MAX_BINARY {
        return Err(Fault::system_limit());
    }
    Ok(make_binary(&mut p.heap, &bytes.repeat(n as usize)))
}

fn list_to_bin1(p: &mut Process, a: &[Term]) -> BifResult {
    if !(a[0].is_list() || a[0].is_nil()) {
        return Err(BADARG);
    }
    let bytes = super::hash::iodata_arg(a[0]).ok_or(BADARG)?;
    Ok(make_binary(&mut p.heap, &bytes))
}

fn referenced_byte_size1(_p: &mut Process, a: &[Term]) -> BifResult {
    let t = a[0];
    if !is_bitstring(t) {
        return Err(BADARG);
    }
    // A sub-binary keeps its whole original alive.
    let orig = if header_subtag(header(t)) == SUBTAG_SUB_BIN {
        word(t, 3)
    } else {
        t
    };
    let v = bit_view(orig).ok_or(BADARG)?;
    Ok(Term::small(v.byte_size() as i64))
}

// ---------------------------------------------------------------- integers

/// `big` (the default) or `little`.
fn little_endian_arg(t: Option<&Term>) -> Result<bool, Fault> {
    match t.map(|t| t.as_atom().map(|a| a.name())) {
        None | Some(Some("big")) => Ok(false),
        Some(Some("little")) => Ok(true),
        _ => Err(BADARG),
    }
}

fn decode_unsigned(p: &mut Process, a: &[Term]) -> BifResult {
    let bytes = binary_arg(a[0])?;
    let little = little_endian_arg(a.get(1))?;
    let v = if little {
        BigInt::from_bytes_le(Sign::Plus, &bytes)
    } else {
        BigInt::from_bytes_be(Sign::Plus, &bytes)
    };
    Ok(make_integer(&mut p.heap, &v))
}

fn encode_unsigned(p: &mut Process, a: &[Term]) -> BifResult {
    let v = integer_to_bigint(a[0]).ok_or(BADARG)?;
    let little = little_endian_arg(a.get(1))?;
    if v.sign() == Sign::Minus {
        return Err(BADARG);
    }
    // Zero still takes one byte.
    let (_, bytes) = if little {
        v.to_bytes_le()
    } else {
        v.to_bytes_be()
    };
    Ok(make_binary(&mut p.heap, &bytes))
}

// ---------------------------------------------------------------- common prefix/suffix

fn binaries_list<'a>(t: Term) -> Result<Vec<Cow<'a, [u8]>>, Fault> {
    let items = list_to_vec(t).ok_or(BADARG)?;
    if items.is_empty() {
        return Err(BADARG);
    }
    items.into_iter().map(binary_arg).collect()
}

fn longest_common_prefix1(_p: &mut Process, a: &[Term]) -> BifResult {
    let bins = binaries_list(a[0])?;
    let first = &bins[0];
    let n = bins[1..].iter().fold(first.len(), |n, b| {
        first
            .iter()
            .zip(b.iter())
            .take(n)
            .take_while(|(x, y)| x == y)
            .count()
    });
    Ok(Term::small(n as i64))
}

fn longest_common_suffix1(_p: &mut Process, a: &[Term]) -> BifResult {
    let bins = binaries_list(a[0])?;
    let first = &bins[0];
    let n = bins[1..].iter().fold(first.len(), |n, b| {
        first
            .iter()
            .rev()
            .zip(b.iter().rev())
            .take(n)
            .take_while(|(x, y)| x == y)
            .count()
    });
    Ok(Term::small(n as i64))
}

pub fn register() {
    reg("binary", "compile_pattern", 1, compile_pattern1);
    reg("binary", "match", 2, match_bif);
    reg("binary", "match", 3, match_bif);
    reg("binary", "matches", 2, matches_bif);
    reg("binary", "matches", 3, matches_bif);
    reg("binary", "split", 2, split_bif);
    reg("binary", "split", 3, split_bif);
    reg("binary", "part", 2, part2);
    reg("binary", "part", 3, part3);
    reg("binary", "at", 2, at2);
    reg("binary", "first", 1, first1);
    reg("binary", "last", 1, last1);
    reg("binary", "copy", 1, copy1);
    reg("binary", "copy", 2, copy2);
    reg("binary", "list_to_bin", 1, list_to_bin1);
    reg("binary", "referenced_byte_size", 1, referenced_byte_size1);
    reg("binary", "decode_unsigned", 1, decode_unsigned);
    reg("binary", "decode_unsigned", 2, decode_unsigned);
    reg("binary", "encode_unsigned", 1, encode_unsigned);
    reg("binary", "encode_unsigned", 2, encode_unsigned);
    reg("binary", "longest_common_prefix", 1, longest_common_prefix1);
    reg("binary", "longest_common_suffix", 1, longest_common_suffix1);
}

#[cfg(test)]
mod tests {
    use super::find_matches;

    #[test]
    fn leftmost_then_longest() {
        let m = |hay: &[u8], pats: &[&[u8]], all| find_matches(hay, 0, hay.len(), pats, all);
        assert_eq!(
            m(b"abcde", &[b"bcd", b"cde", b"ab", b"abcd"], true),
            vec![(0, 4)]
        );
        assert_eq!(m(b"abcde", &[b"bcd", b"c"], true), vec![(1, 3)]);
        assert_eq!(m(b"aaaa", &[b"aa"], true), vec![(0, 2), (2, 2)]);
        assert_eq!(m(b"aaab", &[b"aab", b"a"], true), vec![(0, 1), (1, 3)]);
        assert_eq!(m(b"abcde", &[b"bc", b"bcd"], false), vec![(1, 3)]);
        assert_eq!(m(b"abcde", &[b"x"], false), vec![]);
        // Matches must end inside the searched range.
        assert_eq!(find_matches(b"abcde", 0, 3, &[b"cd"], true), vec![]);
    }
}
