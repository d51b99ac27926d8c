//! Conversion BIFs: integers, floats, atoms, binaries and iolists to and from text and
//! each other, the text forms of pids, ports, refs and funs, and (in submodules) the
//! native part of the `unicode` module and float formatting.

pub(crate) mod float;
mod unicode;

use super::reg;
use crate::bif::{BifFn, BifResult, Fault, BADARG};
use crate::object::*;
use crate::process::Process;
use num_bigint::{BigInt, BigUint, Sign};
use oxbeam_term::atom::{am, AtomError, MAX_ATOM_CHARS};
use oxbeam_term::{Atom, Term};

// ---------------------------------------------------------------- helpers

/// The bytes of a proper list of integers 0..=255 (a "string" for the parsing BIFs).
fn byte_list(mut t: Term) -> Option<Vec<u8>> {
    let mut v = Vec::new();
    while t.is_list() {
        let c = head(t).as_small()?;
        v.push(u8::try_from(c).ok()?);
        t = tail(t);
    }
    t.is_nil().then_some(v)
}

/// The bytes of a whole-byte binary.
fn bin_arg<'a>(t: Term) -> Result<std::borrow::Cow<'a, [u8]>, Fault> {
    binary_bytes(t).ok_or(BADARG)
}

fn list_result(p: &mut Process, s: &[u8]) -> Term {
    bytes_to_list(&mut p.heap, s, Term::NIL)
}

fn base_arg(t: Term) -> Result<u32, Fault> {
    match t.as_small() {
        Some(b @ 2..=36) => Ok(b as u32),
        _ => Err(BADARG),
    }
}

fn atom_error(e: AtomError) -> Fault {
    match e {
        AtomError::TooLong | AtomError::TableFull => Fault::system_limit(),
    }
}

// ---------------------------------------------------------------- integers

/// An integer in `base`, digits in upper case, as the reference writes them.
pub fn integer_text(t: Term, base: u32) -> Option<String> {
    if let Some(i) = t.as_small() {
        if base == 10 {
            return Some(i.to_string());
        }
        return Some(BigInt::from(i).to_str_radix(base).to_ascii_uppercase());
    }
    if is_big(t) {
        return Some(big_to_bigint(t).to_str_radix(base).to_ascii_uppercase());
    }
    None
}

/// Parses `[+-]digits` in `base` (letters in either case), nothing else allowed.
pub fn parse_integer(s: &[u8], base: u32) -> Option<BigInt> {
    let (sign, digits) = match s.first() {
        Some(b'-') => (Sign::Minus, &s[1..]),
        Some(b'+') => (Sign::Plus, &s[1..]),
        _ => (Sign::Plus, s),
    };
    if digits.is_empty() || !digits.iter().all(|&c| (c as char).is_digit(base)) {
        return None;
    }
    // Short numbers (at most 12 digits in any base fit in 63 bits) skip the bignum.
    if digits.len() <= 12 {
        let v = digits.iter().fold(0i64, |acc, &c| {
            acc * base as i64 + (c as char).to_digit(base).unwrap_or(0) as i64
        });
        return Some(BigInt::from(if sign == Sign::Minus { -v } else { v }));
    }
    // Every digit was checked above (the parser alone would also accept '_').
    let mag = BigUint::parse_bytes(digits, base)?;
    Some(BigInt::from_biguint(sign, mag))
}

fn integer_to_list1(p: &mut Process, a: &[Term]) -> BifResult {
    let s = integer_text(a[0], 10).ok_or(BADARG)?;
    Ok(list_result(p, s.as_bytes()))
}

fn integer_to_list2(p: &mut Process, a: &[Term]) -> BifResult {
    let base = base_arg(a[1])?;
    let s = integer_text(a[0], base).ok_or(BADARG)?;
    Ok(list_result(p, s.as_bytes()))
}

fn integer_to_binary1(p: &mut Process, a: &[Term]) -> BifResult {
    let s = integer_text(a[0], 10).ok_or(BADARG)?;
    Ok(make_binary(&mut p.heap, s.as_bytes()))
}

fn integer_to_binary2(p: &mut Process, a: &[Term]) -> BifResult {
    let base = base_arg(a[1])?;
    let s = integer_text(a[0], base).ok_or(BADARG)?;
    Ok(make_binary(&mut p.heap, s.as_bytes()))
}

fn text_to_integer(p: &mut Process, s: &[u8], base: u32) -> BifResult {
    let v = parse_integer(s, base).ok_or(BADARG)?;
    Ok(make_integer(&mut p.heap, &v))
}

fn list_to_integer1(p: &mut Process, a: &[Term]) -> BifResult {
    let s = byte_list(a[0]).ok_or(BADARG)?;
    text_to_integer(p, &s, 10)
}

fn list_to_integer2(p: &mut Process, a: &[Term]) -> BifResult {
    let s = byte_list(a[0]).ok_or(BADARG)?;
    let base = base_arg(a[1])?;
    text_to_integer(p, &s, base)
}

fn binary_to_integer1(p: &mut Process, a: &[Term]) -> BifResult {
    let s = bin_arg(a[0])?;
    text_to_integer(p, &s, 10)
}

fn binary_to_integer2(p: &mut Process, a: &[Term]) -> BifResult {
    let s = bin_arg(a[0])?;
    let base = base_arg(a[1])?;
    text_to_integer(p, &s, base)
}

// ---------------------------------------------------------------- floats

/// Reads `float_to_list/2` options: later format options override earlier ones.
fn float_format(opts: Term) -> Result<float::Format, Fault> {
    let mut fmt = float::Format::Legacy;
    let mut compact = false;
    let mut l = opts;
    while l.is_list() {
        let o = head(l);
        l = tail(l);
        if o.as_atom() == Some(am::COMPACT) {
            compact = true;
            continue;
        }
        if o.as_atom() == Some(am::SHORT) {
            fmt = float::Format::Short;
            continue;
        }
        if is_tuple(o) && tuple_arity(o) == 2 {
            let e = tuple_elements(o);
            if let Some(n) = e[1].as_small() {
                match e[0].as_atom() {
                    Some(am::DECIMALS) => {
                        fmt = float::Format::Fixed {
                            decimals: n,
                            compact: false,
                        };
                        continue;
                    }
                    Some(am::SCIENTIFIC) => {
                        fmt = float::Format::Scientific(n);
                        continue;
                    }
                    _ => {}
                }
            }
        }
        return Err(BADARG);
    }
    if !l.is_nil() {
        return Err(BADARG);
    }
    Ok(match fmt {
        float::Format::Fixed { decimals, .. } => float::Format::Fixed { decimals, compact },
        f => f,
    })
}

fn float_text(a: &[Term]) -> Result<String, Fault> {
    if !is_float(a[0]) {
        return Err(BADARG);
    }
    let fmt = match a.get(1) {
        Some(&opts) => float_format(opts)?,
        None => float::Format::Legacy,
    };
    float::format(float_value(a[0]), fmt).ok_or(BADARG)
}

fn float_to_list(p: &mut Process, a: &[Term]) -> BifResult {
    let s = float_text(a)?;
    Ok(list_result(p, s.as_bytes()))
}

fn float_to_binary(p: &mut Process, a: &[Term]) -> BifResult {
    let s = float_text(a)?;
    Ok(make_binary(&mut p.heap, s.as_bytes()))
}

fn list_to_float(p: &mut Process, a: &[Term]) -> BifResult {
    let s = byte_list(a[0]).ok_or(BADARG)?;
    let f = float::parse(&s).ok_or(BADARG)?;
    Ok(make_float(&mut p.heap, f))
}

fn binary_to_float(p: &mut Process, a: &[Term]) -> BifResult {
    let f = float::parse(&bin_arg(a[0])?).ok_or(BADARG)?;
    Ok(make_float(&mut p.heap, f))
}

// ---------------------------------------------------------------- atoms

/// An atom-text encoding argument: `Some(true)` for UTF-8, `Some(false)` for latin1.
fn atom_encoding(t: Term) -> Option<bool> {
    match t.as_atom()? {
        am::LATIN1 => Some(false),
        am::UNICODE | am::UTF8 => Some(true),
        _ => None,
    }
}

fn atom_to_binary2(p: &mut Process, a: &[Term]) -> BifResult {
    let at = a[0].as_atom().ok_or(BADARG)?;
    let utf8 = atom_encoding(a[1]).ok_or(BADARG)?;
    let name = at.name();
    if utf8 {
        return Ok(make_binary(&mut p.heap, name.as_bytes()));
    }
    let bytes: Option<Vec<u8>> = name.chars().map(|c| u8::try_from(c as u32).ok()).collect();
    Ok(make_binary(&mut p.heap, &bytes.ok_or(BADARG)?))
}

/// The atom name encoded in a binary, or the error the reference raises.
fn atom_name(bin: Term, enc: Term) -> Result<String, Fault> {
    let bytes = bin_arg(bin)?;
    let utf8 = atom_encoding(enc).ok_or(BADARG)?;
    if utf8 {
        std::str::from_utf8(&bytes)
            .map(str::to_owned)
            .map_err(|_| BADARG)
    } else {
        Ok(bytes.iter().map(|&b| b as char).collect())
    }
}

fn binary_to_atom2(_p: &mut Process, a: &[Term]) -> BifResult {
    let name = atom_name(a[0], a[1])?;
    Atom::intern(&name).map(Term::atom).map_err(atom_error)
}

fn binary_to_existing_atom2(_p: &mut Process, a: &[Term]) -> BifResult {
    let name = atom_name(a[0], a[1])?;
    if name.chars().count() > MAX_ATOM_CHARS {
        return Err(BADARG);
    }
    Atom::existing(&name).map(Term::atom).ok_or(BADARG)
}

// ---------------------------------------------------------------- binaries and iolists

/// One piece of an iolist: a byte, or a binary's bits.
enum Piece<'a> {
    Byte(u8),
    Bits(BitView<'a>),
}

/// Walks an iolist (or bitstring list when `bits` is set) in order, calling `f` with
/// each byte or binary. False if `t` is not one: elements must be bytes, binaries or
/// lists; tails `[]`, lists or binaries.
fn walk_iolist(t: Term, bits: bool, f: &mut dyn FnMut(Piece)) -> bool {
    let mut stack: Vec<Term> = Vec::new();
    let mut cur = t;
    loop {
        if cur.is_list() {
            let h = head(cur);
            let tl = tail(cur);
            if let Some(c) = h.as_small() {
                match u8::try_from(c) {
                    Ok(b) => f(Piece::Byte(b)),
                    Err(_) => return false,
                }
                cur = tl;
            } else if h.is_list() {
                stack.push(tl);
                cur = h;
            } else if h.is_nil() {
                cur = tl;
            } else {
                match bit_view(h) {
                    Some(v) if bits || v.bit_size.is_multiple_of(8) => f(Piece::Bits(v)),
                    _ => return false,
                }
                cur = tl;
            }
        } else if cur.is_nil() {
            match stack.pop() {
                Some(t) => cur = t,
                None => return true,
            }
        } else {
            match bit_view(cur) {
                Some(v) if bits || v.bit_size.is_multiple_of(8) => f(Piece::Bits(v)),
                _ => return false,
            }
            cur = Term::NIL;
        }
    }
}

/// Bits being concatenated.
#[derive(Default)]
struct BitBuf {
    bytes: Vec<u8>,
    bits: usize,
}

impl BitBuf {
    fn push(&mut self, piece: Piece) {
        match piece {
            Piece::Byte(b) if self.bits.is_multiple_of(8) => {
                self.bytes.push(b);
                self.bits += 8;
            }
            Piece::Byte(b) => self.push_bits(&[b], 0, 8),
            Piece::Bits(v) => match v.as_bytes() {
                Some(b) if self.bits.is_multiple_of(8) => {
                    self.bytes.extend_from_slice(b);
                    self.bits += v.bit_size;
                }
                _ => self.push_bits(v.data, v.bit_offset, v.bit_size),
            },
        }
    }
    fn push_bits(&mut self, src: &[u8], off: usize, n: usize) {
        self.bytes.resize((self.bits + n).div_ceil(8), 0);
        crate::bits::copy_bits(src, off, &mut self.bytes, self.bits, n);
        self.bits += n;
    }
}

/// The bytes of an iolist, or of a binary when `top_binary` allows one at top level.
fn iolist_bytes(t: Term, top_binary: bool) -> Result<Vec<u8>, Fault> {
    if !(t.is_list() || t.is_nil() || (top_binary && is_bitstring(t))) {
        return Err(BADARG);
    }
    let mut buf = BitBuf::default();
    if walk_iolist(t, false, &mut |pc| buf.push(pc)) {
        Ok(buf.bytes)
    } else {
        Err(BADARG)
    }
}

fn list_to_binary(p: &mut Process, a: &[Term]) -> BifResult {
    let bytes = iolist_bytes(a[0], false)?;
    Ok(make_binary(&mut p.heap, &bytes))
}

fn iolist_to_binary(p: &mut Process, a: &[Term]) -> BifResult {
    if binary_bytes(a[0]).is_some() {
        return Ok(a[0]);
    }
    let bytes = iolist_bytes(a[0], true)?;
    Ok(make_binary(&mut p.heap, &bytes))
}

fn list_to_bitstring(p: &mut Process, a: &[Term]) -> BifResult {
    if !(a[0].is_list() || a[0].is_nil()) {
        return Err(BADARG);
    }
    let mut buf = BitBuf::default();
    if !walk_iolist(a[0], true, &mut |pc| buf.push(pc)) {
        return Err(BADARG);
    }
    Ok(make_bitstring(&mut p.heap, &buf.bytes, buf.bits))
}

fn iolist_size(p: &mut Process, a: &[Term]) -> BifResult {
    let t = a[0];
    if !(t.is_list() || t.is_nil() || is_bitstring(t)) {
        return Err(BADARG);
    }
    let mut n: u64 = 0;
    let ok = walk_iolist(t, false, &mut |pc| {
        n += match pc {
            Piece::Byte(_) => 1,
            Piece::Bits(v) => (v.bit_size / 8) as u64,
        }
    });
    if !ok {
        return Err(BADARG);
    }
    Ok(make_u64(&mut p.heap, n))
}

/// An element of an iolist as `iolist_to_iovec` takes it: a run of bytes (consecutive
/// integers of one list), or a binary.
enum IovPiece<'a> {
    Run(&'a [u8]),
    Bin(BitView<'a>, Term),
}

/// Walks an iolist for `iolist_to_iovec`, grouping each list's consecutive bytes into
/// runs. False if `t` is not an iolist.
fn walk_iovec(t: Term, f: &mut dyn FnMut(IovPiece)) -> bool {
    let mut stack: Vec<Term> = Vec::new();
    let mut run: Vec<u8> = Vec::new();
    let mut cur = t;
    loop {
        if cur.is_list() {
            let h = head(cur);
            if let Some(c) = h.as_small() {
                match u8::try_from(c) {
                    Ok(b) => run.push(b),
                    Err(_) => return false,
                }
                cur = tail(cur);
                continue;
            }
            if !run.is_empty() {
                f(IovPiece::Run(&run));
                run.clear();
            }
            if h.is_list() || h.is_nil() {
                stack.push(tail(cur));
                cur = h;
            } else {
                match bit_view(h) {
                    Some(v) if v.bit_size.is_multiple_of(8) => f(IovPiece::Bin(v, h)),
                    _ => return false,
                }
                cur = tail(cur);
            }
            continue;
        }
        if !run.is_empty() {
            f(IovPiece::Run(&run));
            run.clear();
        }
        if !cur.is_nil() {
            match bit_view(cur) {
                Some(v) if v.bit_size.is_multiple_of(8) => f(IovPiece::Bin(v, cur)),
                _ => return false,
            }
        }
        match stack.pop() {
            Some(t) => cur = t,
            None => return true,
        }
    }
}

/// The reference's buffer for gathering bytes and small binaries in `iolist_to_iovec`:
/// it starts at [`IOVEC_SMALL`] bytes and doubles as needed, but once it has reached
/// [`IOVEC_ACC_LIMIT`] bytes, what does not fit goes to a new one. Where it is cut shows
/// in the result, so its size is followed here.
const IOVEC_SMALL: usize = 256;
const IOVEC_ACC_LIMIT: usize = IOVEC_SMALL * 32;

/// A vector element: gathered bytes, or a binary from `byte offset` on.
enum IovOut {
    Acc(Vec<u8>),
    Big(Term, usize),
}

#[derive(Default)]
struct IovAcc {
    bytes: Vec<u8>,
    /// The buffer's size in the reference; 0 when there is none.
    alloc: usize,
}

impl IovAcc {
    fn promote(&mut self, out: &mut Vec<IovOut>) {
        out.push(IovOut::Acc(std::mem::take(&mut self.bytes)));
        self.alloc = 0;
    }
    /// Makes room for `extra` more bytes.
    fn expand(&mut self, out: &mut Vec<IovOut>, extra: usize) {
        let required = self.bytes.len() + extra;
        if self.alloc == 0 {
            self.alloc = required.max(IOVEC_SMALL);
        } else if required > self.alloc {
            if self.alloc >= IOVEC_ACC_LIMIT {
                self.promote(out);
                self.alloc = extra.max(IOVEC_SMALL);
            } else {
                self.alloc = required.max(self.alloc * 2);
            }
        }
    }
    fn append(&mut self, out: &mut Vec<IovOut>, bytes: &[u8]) {
        self.expand(out, bytes.len());
        self.bytes.extend_from_slice(bytes);
    }
}

/// `erlang:iolist_to_iovec/1`. Bytes and small binaries are gathered into new binaries;
/// a big binary is kept as it is, except that one following a short gathered run is
/// partly or wholly copied into it, as the reference does.
fn iolist_to_iovec(p: &mut Process, a: &[Term]) -> BifResult {
    let t = a[0];
    if is_bitstring(t) {
        let v = bit_view(t).ok_or(BADARG)?;
        if !v.bit_size.is_multiple_of(8) {
            return Err(BADARG);
        }
        if v.bit_size == 0 {
            return Ok(Term::NIL);
        }
        return Ok(list_from_iter(&mut p.heap, &[t], Term::NIL));
    }
    if !(t.is_list() || t.is_nil()) {
        return Err(BADARG);
    }
    let mut out: Vec<IovOut> = Vec::new();
    let mut acc = IovAcc::default();
    let ok = walk_iovec(t, &mut |pc| match pc {
        IovPiece::Run(bytes) => acc.append(&mut out, bytes),
        IovPiece::Bin(v, bin) => {
            let data = match v.as_bytes() {
                Some(b) => std::borrow::Cow::Borrowed(b),
                None => std::borrow::Cow::Owned(v.to_vec()),
            };
            let n = data.len();
            if n == 0 {
                return;
            }
            let len = acc.bytes.len();
            let (acc_small, bin_small) = (len < IOVEC_SMALL, n < IOVEC_SMALL);
            if !bin_small && (len == 0 || !acc_small) {
                if len != 0 {
                    acc.promote(&mut out);
                }
                out.push(IovOut::Big(bin, 0));
            } else if bin_small || len + n < 2 * IOVEC_SMALL {
                acc.append(&mut out, &data);
            } else {
                // Top the buffer up to the small size; the rest stays in the binary.
                let fill = IOVEC_SMALL - len;
                acc.append(&mut out, &data[..fill]);
                acc.promote(&mut out);
                out.push(IovOut::Big(bin, fill));
            }
        }
    });
    if !ok {
        return Err(BADARG);
    }
    if !acc.bytes.is_empty() {
        acc.promote(&mut out);
    }
    let mut items = Vec::with_capacity(out.len());
    for o in out {
        items.push(match o {
            IovOut::Acc(bytes) => make_binary(&mut p.heap, &bytes),
            IovOut::Big(bin, 0) => bin,
            IovOut::Big(bin, off) => {
                let size = bit_view(bin).map_or(0, |v| v.bit_size);
                make_sub_binary(&mut p.heap, bin, off * 8, size - off * 8)
            }
        });
    }
    Ok(list_from_iter(&mut p.heap, &items, Term::NIL))
}

fn binary_to_list1(p: &mut Process, a: &[Term]) -> BifResult {
    let b = bin_arg(a[0])?;
    Ok(list_result(p, &b))
}

fn binary_to_list3(p: &mut Process, a: &[Term]) -> BifResult {
    let v = bit_view(a[0]).ok_or(BADARG)?;
    let whole = v.bit_size / 8;
    let (start, stop) = (
        a[1].as_small().ok_or(BADARG)?,
        a[2].as_small().ok_or(BADARG)?,
    );
    if start < 1 || stop < start || stop as usize > whole {
        return Err(BADARG);
    }
    let bytes = v.to_vec();
    Ok(list_result(p, &bytes[start as usize - 1..stop as usize]))
}

fn bitstring_to_list(p: &mut Process, a: &[Term]) -> BifResult {
    let v = bit_view(a[0]).ok_or(BADARG)?;
    let bytes = v.to_vec();
    let whole = v.bit_size / 8;
    let rem = v.bit_size % 8;
    let tail = if rem > 0 {
        make_bitstring(&mut p.heap, &bytes[whole..], rem)
    } else {
        Term::NIL
    };
    let items: Vec<Term> = bytes[..whole]
        .iter()
        .map(|&b| Term::small(b as i64))
        .collect();
    if rem > 0 {
        let last = list_from_iter(&mut p.heap, &[tail], Term::NIL);
        Ok(list_from_iter(&mut p.heap, &items, last))
    } else {
        Ok(list_from_iter(&mut p.heap, &items, Term::NIL))
    }
}

fn byte_size(p: &mut Process, a: &[Term]) -> BifResult {
    let v = bit_view(a[0]).ok_or(BADARG)?;
    Ok(make_u64(&mut p.heap, v.byte_size() as u64))
}

fn bit_size(p: &mut Process, a: &[Term]) -> BifResult {
    let v = bit_view(a[0]).ok_or(BADARG)?;
    Ok(make_u64(&mut p.heap, v.bit_size as u64))
}

/// `binary_part(Bin, Start, Len)`: a negative length counts back from `Start`.
pub(crate) fn part<A: Alloc + ?Sized>(h: &mut A, bin: Term, start: Term, len: Term) -> BifResult {
    let v = bit_view(bin).ok_or(BADARG)?;
    let size = (v.bit_size / 8) as i64;
    let (s, l) = (
        start.as_small().ok_or(BADARG)?,
        len.as_small().ok_or(BADARG)?,
    );
    let (from, to) = if l >= 0 {
        (s, s.checked_add(l).ok_or(BADARG)?)
    } else {
        (s + l, s)
    };
    if from < 0 || to > size || s < 0 || s > size {
        return Err(BADARG);
    }
    Ok(make_sub_binary(
        h,
        bin,
        from as usize * 8,
        (to - from) as usize * 8,
    ))
}

fn binary_part2(p: &mut Process, a: &[Term]) -> BifResult {
    let pl = a[1];
    if !(is_tuple(pl) && tuple_arity(pl) == 2) {
        return Err(BADARG);
    }
    let e = tuple_elements(pl);
    part(&mut p.heap, a[0], e[0], e[1])
}

fn binary_part3(p: &mut Process, a: &[Term]) -> BifResult {
    part(&mut p.heap, a[0], a[1], a[2])
}

fn split_binary(p: &mut Process, a: &[Term]) -> BifResult {
    let v = bit_view(a[0]).ok_or(BADARG)?;
    let pos = a[1].as_small().ok_or(BADARG)?;
    if pos < 0 || pos as usize > v.bit_size / 8 {
        return Err(BADARG);
    }
    let at = pos as usize * 8;
    let first = make_sub_binary(&mut p.heap, a[0], 0, at);
    let second = make_sub_binary(&mut p.heap, a[0], at, v.bit_size - at);
    Ok(make_tuple(&mut p.heap, &[first, second]))
}

// ---------------------------------------------------------------- pids, ports, refs, funs

/// Parses decimal numbers separated by dots between `prefix` and `>`: the reference's
/// text forms `<A.B.C>`, `#Port<A.B>` and `#Ref<A.B.C.D>`.
fn dotted_numbers(s: &[u8], prefix: &[u8]) -> Option<Vec<u64>> {
    let body = s.strip_prefix(prefix)?.strip_suffix(b">")?;
    body.split(|&c| c == b'.')
        .map(|part| {
            if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
                return None;
            }
            std::str::from_utf8(part).ok()?.parse::<u64>().ok()
        })
        .collect()
}

fn list_to_pid(_p: &mut Process, a: &[Term]) -> BifResult {
    let s = byte_list(a[0]).ok_or(BADARG)?;
    match dotted_numbers(&s, b"<").as_deref() {
        // Local pids only (node 0); the reference's limits on number and serial.
        Some(&[0, number, serial]) if number < 1 << 15 && serial < 1 << 13 => {
            Ok(Term::pid(number | serial << 15))
        }
        _ => Err(BADARG),
    }
}

fn list_to_port(_p: &mut Process, a: &[Term]) -> BifResult {
    let s = byte_list(a[0]).ok_or(BADARG)?;
    match dotted_numbers(&s, b"#Port<").as_deref() {
        Some(&[0, n]) if n < 1 << 59 => Ok(Term::port(n)),
        _ => Err(BADARG),
    }
}

fn list_to_ref(p: &mut Process, a: &[Term]) -> BifResult {
    let s = byte_list(a[0]).ok_or(BADARG)?;
    match dotted_numbers(&s, b"#Ref<").as_deref() {
        // oxbeam refs carry one 64-bit id, printed as three words the way the
        // external format holds it; other forms keep their low words.
        Some(&[0, w2, w1, w0]) if w2 <= u32::MAX as u64 && w1 <= u32::MAX as u64 => {
            let id = if w0 < 1 << 18 && w2 < 1 << 14 {
                super::etf::ref_id_from_words([w0 as u32, w1 as u32, w2 as u32])
            } else {
                w0 ^ (w1 << 32) ^ (w2 << 48)
            };
            Ok(make_ref(&mut p.heap, id))
        }
        _ => Err(BADARG),
    }
}

/// The `~w` text of a term, exactly as the VM prints it elsewhere.
fn printed(p: &mut Process, t: Term) -> Term {
    let s = crate::print::format_term(t, crate::print::Style::Write);
    string_to_list(&mut p.heap, &s)
}

/// The reference's text of a local pid: oxbeam's pid id holds the pid number in its
/// low 15 bits and the serial above them (as `list_to_pid/1` and the external format
/// read them).
pub fn pid_text(id: u64) -> String {
    format!("<0.{}.{}>", id & 0x7fff, id >> 15)
}

fn pid_to_list(p: &mut Process, a: &[Term]) -> BifResult {
    if a[0].is_local_pid() {
        return Ok(string_to_list(&mut p.heap, &pid_text(a[0].pid_value())));
    }
    if boxed_subtag(a[0]) != Some(oxbeam_term::header::SUBTAG_EXT_PID) {
        return Err(BADARG);
    }
    Ok(printed(p, a[0]))
}

fn port_to_list(p: &mut Process, a: &[Term]) -> BifResult {
    if !a[0].is_local_port() && boxed_subtag(a[0]) != Some(oxbeam_term::header::SUBTAG_EXT_PORT) {
        return Err(BADARG);
    }
    Ok(printed(p, a[0]))
}

fn ref_to_list(p: &mut Process, a: &[Term]) -> BifResult {
    if !is_ref(a[0]) {
        return Err(BADARG);
    }
    Ok(printed(p, a[0]))
}

fn fun_to_list(p: &mut Process, a: &[Term]) -> BifResult {
    if !is_fun(a[0]) {
        return Err(BADARG);
    }
    Ok(printed(p, a[0]))
}

// ---------------------------------------------------------------- string module

/// The leading characters of a list that could belong to a number, with the term
/// that follows each of them (the rest of the list after that character).
fn number_prefix(t: Term) -> (Vec<u8>, Vec<Term>) {
    let (mut chars, mut rests) = (Vec::new(), Vec::new());
    let mut l = t;
    while l.is_list() {
        match head(l).as_small().and_then(|c| u8::try_from(c).ok()) {
            Some(c @ (b'0'..=b'9' | b'+' | b'-' | b'.' | b',' | b'e' | b'E')) => {
                chars.push(c);
                l = tail(l);
                rests.push(l);
            }
            _ => break,
        }
    }
    (chars, rests)
}

fn digits_at(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
    }
    i
}

/// `{Value, Rest}`, or `{error, Reason}` for these BIFs' failures.
fn parsed(p: &mut Process, v: Term, t: Term, rests: &[Term], used: usize) -> Term {
    let rest = if used == 0 { t } else { rests[used - 1] };
    make_tuple(&mut p.heap, &[v, rest])
}

fn string_error(p: &mut Process, reason: &str) -> Term {
    make_tuple(
        &mut p.heap,
        &[Term::atom(am::ERROR), Term::atom(Atom::from_str(reason))],
    )
}

/// `string:list_to_integer/1`: an integer at the start of a string.
fn string_list_to_integer(p: &mut Process, a: &[Term]) -> BifResult {
    let t = a[0];
    if !(t.is_list() || t.is_nil()) {
        return Ok(string_error(p, "not_a_list"));
    }
    let (s, rests) = number_prefix(t);
    let start = usize::from(matches!(s.first(), Some(b'+' | b'-')));
    let end = digits_at(&s, start);
    if end == start {
        return Ok(string_error(p, "no_integer"));
    }
    let Some(v) = parse_integer(&s[..end], 10) else {
        return Ok(string_error(p, "no_integer"));
    };
    let v = make_integer(&mut p.heap, &v);
    Ok(parsed(p, v, t, &rests, end))
}

/// `string:list_to_float/1`: a float (Erlang syntax) at the start of a string.
fn string_list_to_float(p: &mut Process, a: &[Term]) -> BifResult {
    let t = a[0];
    if !(t.is_list() || t.is_nil()) {
        return Ok(string_error(p, "not_a_list"));
    }
    let (s, rests) = number_prefix(t);
    let start = usize::from(matches!(s.first(), Some(b'+' | b'-')));
    let int_end = digits_at(&s, start);
    let frac_end = if int_end > start && matches!(s.get(int_end), Some(b'.' | b',')) {
        digits_at(&s, int_end + 1)
    } else {
        int_end
    };
    if frac_end <= int_end + 1 {
        return Ok(string_error(p, "no_float"));
    }
    // An exponent only counts when complete.
    let mut end = frac_end;
    if matches!(s.get(end), Some(b'e' | b'E')) {
        let digits_start = end + 1 + usize::from(matches!(s.get(end + 1), Some(b'+' | b'-')));
        let exp_end = digits_at(&s, digits_start);
        if exp_end > digits_start {
            end = exp_end;
        }
    }
    let Some(f) = float::parse(&s[..end]) else {
        return Ok(string_error(p, "no_float"));
    };
    let v = make_float(&mut p.heap, f);
    Ok(parsed(p, v, t, &rests, end))
}

// ---------------------------------------------------------------- registration

pub fn register() {
    unicode::register();
    let erlang: &[(&str, u32, BifFn)] = &[
        ("integer_to_list", 1, integer_to_list1),
        ("integer_to_list", 2, integer_to_list2),
        ("integer_to_binary", 1, integer_to_binary1),
        ("integer_to_binary", 2, integer_to_binary2),
        ("list_to_integer", 1, list_to_integer1),
        ("list_to_integer", 2, list_to_integer2),
        ("binary_to_integer", 1, binary_to_integer1),
        ("binary_to_integer", 2, binary_to_integer2),
        ("float_to_list", 1, float_to_list),
        ("float_to_list", 2, float_to_list),
        ("float_to_binary", 1, float_to_binary),
        ("float_to_binary", 2, float_to_binary),
        ("list_to_float", 1, list_to_float),
        ("binary_to_float", 1, binary_to_float),
        ("atom_to_binary", 2, atom_to_binary2),
        ("binary_to_atom", 2, binary_to_atom2),
        ("binary_to_existing_atom", 2, binary_to_existing_atom2),
        ("list_to_binary", 1, list_to_binary),
        ("iolist_to_binary", 1, iolist_to_binary),
        ("list_to_bitstring", 1, list_to_bitstring),
        ("iolist_size", 1, iolist_size),
        ("iolist_to_iovec", 1, iolist_to_iovec),
        ("binary_to_list", 1, binary_to_list1),
        ("binary_to_list", 3, binary_to_list3),
        ("bitstring_to_list", 1, bitstring_to_list),
        ("byte_size", 1, byte_size),
        ("bit_size", 1, bit_size),
        ("binary_part", 2, binary_part2),
        ("binary_part", 3, binary_part3),
        ("split_binary", 2, split_binary),
        ("list_to_pid", 1, list_to_pid),
        ("list_to_port", 1, list_to_port),
        ("list_to_ref", 1, list_to_ref),
        ("pid_to_list", 1, pid_to_list),
        ("port_to_list", 1, port_to_list),
        ("ref_to_list", 1, ref_to_list),
        ("fun_to_list", 1, fun_to_list),
    ];
    for &(name, arity, f) in erlang {
        reg("erlang", name, arity, f);
    }
    reg("string", "list_to_integer", 1, string_list_to_integer);
    reg("string", "list_to_float", 1, string_list_to_float);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_parsing_is_strict() {
        assert_eq!(parse_integer(b"+1", 10), Some(BigInt::from(1)));
        assert_eq!(parse_integer(b"-ff", 16), Some(BigInt::from(-255)));
        assert_eq!(parse_integer(b"zZ", 36), Some(BigInt::from(1295)));
        for bad in [
            &b""[..],
            b"-",
            b"--1",
            b"+-1",
            b"1_000",
            b" 1",
            b"1 ",
            b"fg",
        ] {
            assert_eq!(
                parse_integer(bad, 16),
                None,
                "{:?}",
                std::str::from_utf8(bad)
            );
        }
        assert_eq!(parse_integer(b"12", 2), None);
    }

    #[test]
    fn dotted_forms() {
        assert_eq!(dotted_numbers(b"<0.1.2>", b"<"), Some(vec![0, 1, 2]));
        assert_eq!(dotted_numbers(b"<00.01.02>", b"<"), Some(vec![0, 1, 2]));
        assert_eq!(dotted_numbers(b"< 0.1.2>", b"<"), None);
        assert_eq!(dotted_numbers(b"<0.+1.2>", b"<"), None);
        assert_eq!(dotted_numbers(b"<0.1.2> ", b"<"), None);
        assert_eq!(dotted_numbers(b"<0..2>", b"<"), None);
    }
}
