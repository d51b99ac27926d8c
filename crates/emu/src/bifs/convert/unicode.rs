//! `unicode:characters_to_binary/2`, `unicode:characters_to_list/2` and
//! `unicode:bin_is_7bit/1`: the native part of OTP's `unicode` module (its other
//! functions are Erlang code that calls these).
//!
//! The input is chardata: a possibly deep list of code points and binaries, whose tails
//! may also be binaries. Conversion happens in two passes, as the reference does: the
//! whole structure is type-checked first (any other term anywhere is `badarg`, even after
//! the point where conversion would stop), then characters are converted until the end
//! or the first bad one.
//!
//! The shapes of the `{error, Converted, Rest}` and `{incomplete, Converted, Rest}` results
//! follow the reference exactly:
//! * the rest starts at the offending element of the innermost list (or at the offending
//!   byte, as a sub-binary consed onto that list's remainder), and each enclosing list
//!   adds one level: `[InnerRest | OuterTail]`;
//! * a binary ending with fewer bytes than its last sequence's lead byte announces
//!   carries them over to the next element, unchecked; if that cannot complete the
//!   sequence, the rest is `[PendingBytes, RestAsAbove]`;
//! * a sequence still unfinished at the end makes the result `incomplete` when its
//!   bytes could still become a character (a lead byte followed only by continuation
//!   bytes), and `error` otherwise;
//! * `characters_to_binary/2` (not `characters_to_list/2`) takes a one-element list
//!   `[Binary]` as `Binary`, so an error in it leaves a bare sub-binary as the rest.

use crate::bif::{BifResult, Fault, Trap, BADARG};
use crate::object::*;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};

/// The encodings the BIFs convert natively; the others are handled in Erlang.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum InEnc {
    Latin1,
    Utf8,
}

/// What an encoding argument means to the BIFs.
enum EncArg {
    Native(InEnc),
    /// utf16/utf32 in either byte order: valid, converted by OTP's Erlang code.
    Other,
}

fn encoding_arg(t: Term) -> Result<EncArg, Fault> {
    if let Some(a) = t.as_atom() {
        return match a {
            am::LATIN1 => Ok(EncArg::Native(InEnc::Latin1)),
            am::UNICODE | am::UTF8 => Ok(EncArg::Native(InEnc::Utf8)),
            am::UTF16 | am::UTF32 => Ok(EncArg::Other),
            _ => Err(BADARG),
        };
    }
    if is_tuple(t) && tuple_arity(t) == 2 {
        let e = tuple_elements(t);
        if matches!(e[0].as_atom(), Some(am::UTF16 | am::UTF32))
            && matches!(e[1].as_atom(), Some(am::BIG | am::LITTLE))
        {
            return Ok(EncArg::Other);
        }
    }
    Err(BADARG)
}

/// Where converted characters go.
pub trait Sink {
    fn push_char(&mut self, c: u32);
    /// Bytes known to be valid UTF-8.
    fn push_utf8(&mut self, s: &[u8]);
    /// Bytes that are each a latin1 character.
    fn push_latin1(&mut self, s: &[u8]) {
        for &b in s {
            self.push_char(b as u32);
        }
    }
}

/// UTF-8 bytes.
impl Sink for Vec<u8> {
    #[inline]
    fn push_char(&mut self, c: u32) {
        if c < 0x80 {
            self.push(c as u8);
            return;
        }
        let mut buf = [0u8; 4];
        match char::from_u32(c) {
            // Byte by byte: a call to copy 2-4 bytes costs more than the pushes.
            Some(ch) => {
                for &b in ch.encode_utf8(&mut buf).as_bytes() {
                    self.push(b);
                }
            }
            // Only valid scalar values are ever pushed.
            None => debug_assert!(false, "invalid code point {c:#x}"),
        }
    }
    fn push_utf8(&mut self, s: &[u8]) {
        self.extend_from_slice(s);
    }
}

/// Code points.
impl Sink for Vec<u32> {
    fn push_char(&mut self, c: u32) {
        self.push(c);
    }
    fn push_utf8(&mut self, s: &[u8]) {
        // The caller validated these bytes; invalid input would just be skipped.
        if let Ok(st) = std::str::from_utf8(s) {
            self.extend(st.chars().map(|c| c as u32));
        }
    }
}

/// The number of bytes a UTF-8 sequence with this lead byte has, by its bit pattern
/// alone (the reference's notion when deciding whether a sequence is unfinished).
fn seq_len(lead: u8) -> Option<usize> {
    match lead {
        0x00..=0x7f => Some(1),
        0xc0..=0xdf => Some(2),
        0xe0..=0xef => Some(3),
        0xf0..=0xf7 => Some(4),
        _ => None,
    }
}

fn is_cont(b: u8) -> bool {
    b & 0xc0 == 0x80
}

/// Whether `s` (starting with a lead byte) is the unfinished start of a sequence: too
/// short, and everything after the lead byte is a continuation byte. The bytes need not
/// be able to form a valid character (`<<16#E0,16#80>>` counts), as in the reference.
pub fn is_unfinished(s: &[u8]) -> bool {
    match s.first().and_then(|&b| seq_len(b)) {
        Some(n) if n > 1 => s.len() < n && s[1..].iter().all(|&b| is_cont(b)),
        _ => false,
    }
}

/// Whether the rest of a binary, `s`, is shorter than the sequence its lead byte starts:
/// it is then carried over to the next binary, whatever its bytes are (the reference
/// only judges them once it has the whole sequence, or at the end of the input).
fn is_short_sequence(s: &[u8]) -> bool {
    match s.first().and_then(|&b| seq_len(b)) {
        Some(n) => n > 1 && s.len() < n,
        None => false,
    }
}

/// The one valid UTF-8 character that is exactly `s`.
fn decode_exact(s: &[u8]) -> Option<u32> {
    let st = std::str::from_utf8(s).ok()?;
    let mut it = st.chars();
    let c = it.next()?;
    if it.next().is_some() {
        return None;
    }
    Some(c as u32)
}

/// How a binary's conversion ended.
enum BinEnd {
    /// All converted (perhaps leaving an unfinished sequence pending).
    Done,
    /// A bad sequence at this byte offset of the binary.
    BadAt(usize),
    /// The pending bytes from earlier binaries could not be completed by this one.
    BadPending,
}

/// A conversion in progress: the output and any unfinished UTF-8 sequence carried over
/// from the previous binary.
struct Conv<'s, S: Sink> {
    enc: InEnc,
    out: &'s mut S,
    pending: Vec<u8>,
}

impl<S: Sink> Conv<'_, S> {
    fn integer(&self, t: Term) -> Option<u32> {
        let c = t.as_small()?;
        let max = if self.enc == InEnc::Latin1 {
            0xff
        } else {
            0x10ffff
        };
        if (0..=max).contains(&c) && !(0xd800..=0xdfff).contains(&c) {
            Some(c as u32)
        } else {
            None
        }
    }

    fn binary(&mut self, bytes: &[u8]) -> BinEnd {
        if self.enc == InEnc::Latin1 {
            self.out.push_latin1(bytes);
            return BinEnd::Done;
        }
        let mut pos = 0;
        if !self.pending.is_empty() {
            let need = seq_len(self.pending[0])
                .unwrap_or(1)
                .saturating_sub(self.pending.len());
            if bytes.len() < need {
                // Not enough to finish it yet: keep collecting, unchecked.
                self.pending.extend_from_slice(bytes);
                return BinEnd::Done;
            }
            let mut seq = std::mem::take(&mut self.pending);
            seq.extend_from_slice(&bytes[..need]);
            match decode_exact(&seq) {
                Some(c) => self.out.push_char(c),
                None => {
                    seq.truncate(seq.len() - need);
                    self.pending = seq;
                    return BinEnd::BadPending;
                }
            }
            pos = need;
        }
        let rest = &bytes[pos..];
        match std::str::from_utf8(rest) {
            Ok(_) => {
                self.out.push_utf8(rest);
                BinEnd::Done
            }
            Err(e) => {
                let good = e.valid_up_to();
                self.out.push_utf8(&rest[..good]);
                let tail = &rest[good..];
                if is_short_sequence(tail) {
                    self.pending = tail.to_vec();
                    BinEnd::Done
                } else {
                    BinEnd::BadAt(pos + good)
                }
            }
        }
    }
}

/// Checks that `t` is chardata (integers, byte-aligned binaries, lists of them, with
/// `[]` or binary tails). Integers of any value pass: their range is checked later.
fn check_chardata(t: Term) -> bool {
    let mut stack = vec![t];
    while let Some(mut t) = stack.pop() {
        loop {
            if t.is_list() {
                let h = head(t);
                if h.is_small() {
                    t = tail(t);
                    continue;
                }
                if h.is_list() {
                    stack.push(h);
                } else if !(h.is_nil() || is_integer(h) || binary_bytes(h).is_some()) {
                    return false;
                }
                t = tail(t);
            } else if t.is_nil() || binary_bytes(t).is_some() {
                break;
            } else {
                return false;
            }
        }
    }
    true
}

/// How a conversion ended.
pub enum Outcome {
    Ok,
    /// `{error, Converted, Rest}`.
    Error(Term),
    /// `{incomplete, Converted, Rest}`.
    Incomplete(Term),
}

/// Builds the rest of the input from the position `here` inside the innermost list,
/// wrapping it in each enclosing list's remainder.
fn unwind(p: &mut Process, mut here: Term, stack: &mut Vec<Term>) -> Term {
    while let Some(outer_tail) = stack.pop() {
        here = cons(&mut p.heap, here, outer_tail);
    }
    here
}

fn sub_binary_from(p: &mut Process, bin: Term, offset: usize) -> Term {
    if offset == 0 {
        return bin;
    }
    let size = bit_view(bin).map_or(0, |v| v.bit_size);
    make_sub_binary(&mut p.heap, bin, offset * 8, size - offset * 8)
}

/// Converts chardata `t` into `out`. `Err(BADARG)` if `t` is not chardata.
pub fn convert<S: Sink>(
    p: &mut Process,
    t: Term,
    enc: InEnc,
    out: &mut S,
) -> Result<Outcome, Fault> {
    if !check_chardata(t) {
        return Err(BADARG);
    }
    let mut c = Conv {
        enc,
        out,
        pending: Vec::new(),
    };
    let mut stack: Vec<Term> = Vec::new();
    let mut io = t;
    loop {
        if io.is_list() {
            let obj = head(io);
            if obj.is_small() && c.pending.is_empty() {
                // The common case: a character.
                match c.integer(obj) {
                    Some(ch) => c.out.push_char(ch),
                    None => return Ok(Outcome::Error(unwind(p, io, &mut stack))),
                }
                io = tail(io);
                continue;
            }
            if obj.is_list() {
                stack.push(tail(io));
                io = obj;
                continue;
            }
            if obj.is_nil() {
                io = tail(io);
                continue;
            }
            if let Some(bytes) = binary_bytes(obj) {
                match c.binary(&bytes) {
                    BinEnd::Done => io = tail(io),
                    BinEnd::BadAt(off) => {
                        let sub = sub_binary_from(p, obj, off);
                        let here = cons(&mut p.heap, sub, tail(io));
                        return Ok(Outcome::Error(unwind(p, here, &mut stack)));
                    }
                    BinEnd::BadPending => {
                        return Ok(Outcome::Error(pending_rest(p, &c.pending, io, &mut stack)))
                    }
                }
                continue;
            }
            // An integer.
            if !c.pending.is_empty() {
                return Ok(Outcome::Error(pending_rest(p, &c.pending, io, &mut stack)));
            }
            match c.integer(obj) {
                Some(ch) => c.out.push_char(ch),
                None => return Ok(Outcome::Error(unwind(p, io, &mut stack))),
            }
            io = tail(io);
        } else if let Some(bytes) = binary_bytes(io) {
            // A binary tail.
            match c.binary(&bytes) {
                BinEnd::Done => io = Term::NIL,
                BinEnd::BadAt(off) => {
                    let sub = sub_binary_from(p, io, off);
                    return Ok(Outcome::Error(unwind(p, sub, &mut stack)));
                }
                BinEnd::BadPending => {
                    return Ok(Outcome::Error(pending_rest(p, &c.pending, io, &mut stack)))
                }
            }
        } else {
            // `[]`: this list is done.
            match stack.pop() {
                Some(next) => io = next,
                None => break,
            }
        }
    }
    if c.pending.is_empty() {
        return Ok(Outcome::Ok);
    }
    let rest = make_binary(&mut p.heap, &c.pending);
    if is_unfinished(&c.pending) {
        Ok(Outcome::Incomplete(rest))
    } else {
        Ok(Outcome::Error(rest))
    }
}

/// `[PendingBytes, Rest]` for a pending sequence that `io` could not complete.
fn pending_rest(p: &mut Process, pending: &[u8], io: Term, stack: &mut Vec<Term>) -> Term {
    let rest = unwind(p, io, stack);
    let pb = make_binary(&mut p.heap, pending);
    let l = cons(&mut p.heap, rest, Term::NIL);
    cons(&mut p.heap, pb, l)
}

fn result(p: &mut Process, converted: Term, outcome: Outcome) -> Term {
    match outcome {
        Outcome::Ok => converted,
        Outcome::Error(rest) => make_tuple(&mut p.heap, &[Term::atom(am::ERROR), converted, rest]),
        Outcome::Incomplete(rest) => {
            make_tuple(&mut p.heap, &[Term::atom(am::INCOMPLETE), converted, rest])
        }
    }
}

fn trap_to(function: &str, a: &[Term], p: &mut Process) -> Fault {
    let args = list_from_iter(&mut p.heap, a, Term::NIL);
    Fault::Trap(Trap::Apply {
        module: Term::atom(am::UNICODE),
        function: Term::atom(Atom::from_str(function)),
        args,
    })
}

fn characters_to_binary2(p: &mut Process, a: &[Term]) -> BifResult {
    let enc = match encoding_arg(a[1])? {
        EncArg::Native(e) => e,
        EncArg::Other => return Err(trap_to("characters_to_binary_int", a, p)),
    };
    // Already UTF-8 in one piece: the binary itself is the answer.
    if enc == InEnc::Utf8 {
        if let Some(bytes) = binary_bytes(a[0]) {
            if std::str::from_utf8(&bytes).is_ok() {
                return Ok(a[0]);
            }
        }
    }
    // The reference handles `[Binary]` exactly like `Binary` here (so an error in it
    // leaves a bare rest), unlike characters_to_list/2.
    let mut input = a[0];
    if input.is_list() && tail(input).is_nil() && binary_bytes(head(input)).is_some() {
        input = head(input);
    }
    let mut out: Vec<u8> = Vec::new();
    let outcome = convert(p, input, enc, &mut out)?;
    let bin = make_binary(&mut p.heap, &out);
    Ok(result(p, bin, outcome))
}

fn characters_to_list2(p: &mut Process, a: &[Term]) -> BifResult {
    let enc = match encoding_arg(a[1])? {
        EncArg::Native(e) => e,
        EncArg::Other => return Err(trap_to("characters_to_list_int", a, p)),
    };
    let mut out: Vec<u32> = Vec::new();
    let outcome = convert(p, a[0], enc, &mut out)?;
    let items: Vec<Term> = out.iter().map(|&c| Term::small(c as i64)).collect();
    let list = list_from_iter(&mut p.heap, &items, Term::NIL);
    Ok(result(p, list, outcome))
}

fn bin_is_7bit(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(Term::boolean(
        binary_bytes(a[0]).is_some_and(|b| b.is_ascii()),
    ))
}

pub fn register() {
    use super::super::reg;
    reg("unicode", "characters_to_binary", 2, characters_to_binary2);
    reg("unicode", "characters_to_list", 2, characters_to_list2);
    reg("unicode", "bin_is_7bit", 1, bin_is_7bit);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfinished_sequences_are_judged_by_shape() {
        assert!(is_unfinished(&[0xe2, 0x82]));
        assert!(is_unfinished(&[0xe0, 0x80])); // overlong, but still "unfinished"
        assert!(is_unfinished(&[0xf5]));
        assert!(is_unfinished(&[0xc1]));
        assert!(!is_unfinished(&[0xe2, 0x01]));
        assert!(!is_unfinished(&[0xc0, 0x80])); // complete length
        assert!(!is_unfinished(&[0xf8]));
        assert!(!is_unfinished(&[0x80]));
        assert!(!is_unfinished(&[]));
    }

    #[test]
    fn short_sequences_are_carried_over() {
        assert!(is_short_sequence(&[0xe2, 0xff])); // judged later
        assert!(is_short_sequence(&[0xe0, 0xe0]));
        assert!(is_short_sequence(&[0xf0]));
        assert!(!is_short_sequence(&[0xc0, 0x80])); // complete: an error right away
        assert!(!is_short_sequence(&[0x80]));
        assert!(!is_short_sequence(&[0xff, 0x80]));
    }

    #[test]
    fn exact_decoding_rejects_invalid_sequences() {
        assert_eq!(decode_exact(&[0xe2, 0x82, 0xac]), Some(0x20ac));
        assert_eq!(decode_exact(&[0xc0, 0x80]), None);
        assert_eq!(decode_exact(&[0xed, 0xa0, 0x80]), None);
        assert_eq!(decode_exact(&[0xf4, 0x90, 0x80, 0x80]), None);
        assert_eq!(decode_exact(&[0x61, 0x62]), None);
    }
}
