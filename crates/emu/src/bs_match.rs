//! Binary matching: match contexts and the `bs_get_*` / `bs_skip_*` / `bs_test_*`
//! instructions. Matching never raises: anything that does not match (a bad size, too
//! few bits, an invalid encoding) jumps to the fail label.
//!
//! A match context is a heap object `[header, binary, position, end]`: the binary being
//! matched (any bitstring term, kept alive and traced by the collector) and two raw
//! words, the current position and the end, in bits from the first bit of the binary.
//! The position is updated in place: a context belongs to the one match that created it.

use super::bs_bits::*;
use super::{fail, get, is_all, next, set, with_module_strings};
use crate::interp::Regs;
use crate::object::*;
use crate::ops::*;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::header::*;
use oxbeam_term::Term;

const CTX_HEADER: Term = make_header(SUBTAG_MATCH_CTX, 3);

/// A match context term.
#[derive(Clone, Copy)]
struct Ctx(Term);

impl Ctx {
    fn of(t: Term) -> Option<Ctx> {
        (t.is_boxed() && header(t) == CTX_HEADER).then_some(Ctx(t))
    }
    fn binary(self) -> Term {
        word(self.0, 1)
    }
    fn pos(self) -> usize {
        word(self.0, 2).0 as usize
    }
    fn end(self) -> usize {
        word(self.0, 3).0 as usize
    }
    fn remaining(self) -> usize {
        self.end().saturating_sub(self.pos())
    }
    fn set_pos(self, pos: usize) {
        // Contexts are mutable by design (see the module comment); `set_word` writes
        // one word of a live object.
        set_word(self.0, 2, Term(pos as u64));
    }
    /// The bytes of the binary and the absolute bit position of the context's position.
    fn data<'a>(self) -> Option<(&'a [u8], usize)> {
        let v = bit_view(self.binary())?;
        Some((v.data, v.bit_offset + self.pos()))
    }
}

fn new_ctx(p: &mut Process, bin: Term, bits: usize) -> Term {
    let w = p.heap.alloc(4);
    // SAFETY: four fresh words: the header, a term, and two raw words (skipped by the
    // collector, which traces only word 1 of a match context).
    unsafe {
        *w = CTX_HEADER;
        *w.add(1) = bin;
        *w.add(2) = Term(0);
        *w.add(3) = Term(bits as u64);
    }
    Term::make_boxed(w)
}

/// `size * unit` bits for a matching size operand; `None` (no match) when the size is
/// not a non-negative small integer or the product overflows.
fn match_bits(size: Term, unit: u32) -> Option<usize> {
    let s = size.as_small()?;
    usize::try_from(s).ok()?.checked_mul(unit as usize)
}

/// The bits to take for a `size`/`unit` operand pair where `size` may be the literal
/// `all` (the rest, which must then be a multiple of `unit`).
fn seg_bits(p: &Process, regs: &Regs, size: Src, unit: u32, remaining: usize) -> Option<usize> {
    if is_all(size) {
        let unit = (unit as usize).max(1);
        return remaining.is_multiple_of(unit).then_some(remaining);
    }
    match_bits(get(p, regs, size), unit).filter(|&b| b <= remaining)
}

/// Executes one matching instruction.
pub(super) fn exec(
    p: &mut Process,
    regs: &mut Regs,
    ip: *const Op,
    op: &Op,
) -> Result<*const Op, Term> {
    match op {
        Op::BsStartMatch {
            fail: f, src, dst, ..
        } => {
            let t = get(p, regs, *src);
            if Ctx::of(t).is_some() {
                set(p, regs, *dst, t);
                return Ok(next(ip));
            }
            let Some(v) = bit_view(t) else {
                return fail(ip, *f);
            };
            let ctx = new_ctx(p, t, v.bit_size);
            set(p, regs, *dst, ctx);
            Ok(next(ip))
        }
        Op::BsGetPosition { ctx, dst } => {
            let c = ctx_of(p, regs, *ctx)?;
            set(p, regs, *dst, Term::small(c.pos() as i64));
            Ok(next(ip))
        }
        Op::BsSetPosition { ctx, pos } => {
            let c = ctx_of(p, regs, *ctx)?;
            match get(p, regs, *pos)
                .as_small()
                .and_then(|v| usize::try_from(v).ok())
            {
                Some(v) if v <= c.end() => c.set_pos(v),
                _ => return Err(Term::atom(am::BADARG)),
            }
            Ok(next(ip))
        }
        Op::BsGetTail { ctx, dst } => {
            let c = ctx_of(p, regs, *ctx)?;
            let t = sub_binary(p, c, c.remaining());
            set(p, regs, *dst, t);
            Ok(next(ip))
        }
        Op::BsTestTail { fail: f, ctx, bits } => {
            let c = ctx_of(p, regs, *ctx)?;
            if c.remaining() == *bits as usize {
                Ok(next(ip))
            } else {
                fail(ip, *f)
            }
        }
        Op::BsTestUnit { fail: f, ctx, unit } => {
            let c = ctx_of(p, regs, *ctx)?;
            if c.remaining().is_multiple_of((*unit as usize).max(1)) {
                Ok(next(ip))
            } else {
                fail(ip, *f)
            }
        }
        Op::BsMatchString {
            fail: f,
            ctx,
            bits,
            offset,
        } => {
            let c = ctx_of(p, regs, *ctx)?;
            let bits = *bits as usize;
            if c.remaining() < bits {
                return fail(ip, *f);
            }
            let (data, at) = c.data().ok_or(Term::atom(am::BADARG))?;
            let same = with_module_strings(ip, |s| {
                let start = *offset as usize;
                s.get(start..start + bits.div_ceil(8))
                    .is_some_and(|want| bits_equal(data, at, want, bits))
            })
            .unwrap_or(false);
            if same {
                c.set_pos(c.pos() + bits);
                Ok(next(ip))
            } else {
                fail(ip, *f)
            }
        }
        Op::BsGetInteger(g) => {
            let c = ctx_of(p, regs, g.ctx)?;
            let Some(n) = match_bits(get(p, regs, g.size), g.unit).filter(|&n| n <= c.remaining())
            else {
                return fail(ip, g.fail);
            };
            let (data, at) = c.data().ok_or(Term::atom(am::BADARG))?;
            let (little, signed) = (is_little(g.flags), g.flags & BS_FLAG_SIGNED != 0);
            let v = if n < 60 && !little {
                // The common case, a small integer in big-endian order, without the
                // general path's conversions.
                let raw = read_u64(data, at, n);
                if signed && n > 0 {
                    Term::small(((raw << (64 - n)) as i64) >> (64 - n))
                } else {
                    Term::small(raw as i64)
                }
            } else {
                read_integer(&mut p.heap, data, at, n, little, signed)
            };
            c.set_pos(c.pos() + n);
            set(p, regs, g.dst, v);
            Ok(next(ip))
        }
        Op::BsGetFloat(g) => {
            let c = ctx_of(p, regs, g.ctx)?;
            let Some(n) = match_bits(get(p, regs, g.size), g.unit)
                .filter(|&n| n <= c.remaining() && matches!(n, 16 | 32 | 64))
            else {
                return fail(ip, g.fail);
            };
            let (data, at) = c.data().ok_or(Term::atom(am::BADARG))?;
            let Some(f) = float_from_raw(read_u64(data, at, n), n, is_little(g.flags)) else {
                return fail(ip, g.fail);
            };
            c.set_pos(c.pos() + n);
            let t = make_float(&mut p.heap, f);
            set(p, regs, g.dst, t);
            Ok(next(ip))
        }
        Op::BsGetBinary(g) => {
            let c = ctx_of(p, regs, g.ctx)?;
            let Some(n) = seg_bits(p, regs, g.size, g.unit, c.remaining()) else {
                return fail(ip, g.fail);
            };
            let t = sub_binary(p, c, n);
            c.set_pos(c.pos() + n);
            set(p, regs, g.dst, t);
            Ok(next(ip))
        }
        Op::BsSkipBits {
            fail: f,
            ctx,
            size,
            unit,
        } => {
            let c = ctx_of(p, regs, *ctx)?;
            let Some(n) = seg_bits(p, regs, *size, *unit, c.remaining()) else {
                return fail(ip, *f);
            };
            c.set_pos(c.pos() + n);
            Ok(next(ip))
        }
        Op::BsGetUtf {
            fail: f,
            ctx,
            width,
            flags,
            dst,
        } => {
            let c = ctx_of(p, regs, *ctx)?;
            let (data, at) = c.data().ok_or(Term::atom(am::BADARG))?;
            let Some((cp, n)) = read_utf(data, at, c.remaining(), *width, is_little(*flags)) else {
                return fail(ip, *f);
            };
            c.set_pos(c.pos() + n);
            set(p, regs, *dst, Term::small(cp as i64));
            Ok(next(ip))
        }
        Op::BsSkipUtf {
            fail: f,
            ctx,
            width,
            flags,
        } => {
            let c = ctx_of(p, regs, *ctx)?;
            let (data, at) = c.data().ok_or(Term::atom(am::BADARG))?;
            let Some((_, n)) = read_utf(data, at, c.remaining(), *width, is_little(*flags)) else {
                return fail(ip, *f);
            };
            c.set_pos(c.pos() + n);
            Ok(next(ip))
        }
        _ => Err(Term::atom(am::BADARG)),
    }
}

/// The match context in `src`. Only compiler bugs get the error: every context operand
/// was produced by `bs_start_match`.
fn ctx_of(p: &Process, regs: &Regs, src: Src) -> Result<Ctx, Term> {
    Ctx::of(get(p, regs, src)).ok_or(Term::atom(am::BADARG))
}

/// The `n` bits at the context's position as a binary term (the whole binary itself when
/// they are all of it).
fn sub_binary(p: &mut Process, c: Ctx, n: usize) -> Term {
    let bin = c.binary();
    if c.pos() == 0 && bit_view(bin).is_some_and(|v| v.bit_size == n) {
        return bin;
    }
    if n == 0 {
        // Not a sub-binary at some unaligned offset: simpler for everyone reading it.
        return make_binary(&mut p.heap, &[]);
    }
    make_sub_binary(&mut p.heap, bin, c.pos(), n)
}

/// Whether the `n` bits at bit `at` of `data` equal the first `n` bits of `want`.
fn bits_equal(data: &[u8], at: usize, want: &[u8], n: usize) -> bool {
    if at.is_multiple_of(8) && n.is_multiple_of(8) {
        return &data[at / 8..at / 8 + n / 8] == want;
    }
    let mut i = 0;
    while i < n {
        let k = (n - i).min(64);
        if read_u64(data, at + i, k) != read_u64(want, i, k) {
            return false;
        }
        i += k;
    }
    true
}
