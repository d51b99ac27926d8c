//! Binary construction: OTP 25's `bs_create_bin`, and the older protocol still found in
//! modules compiled by earlier compilers (Elixir's): `bs_init2`/`bs_init_bits`/
//! `bs_append` create the binary, then `bs_put_*` instructions fill it in.
//!
//! Errors follow the reference: every segment's size is checked first (`badarg` for a
//! size that is not a non-negative integer, `system_limit` for one too large), then the
//! values in order (`badarg` for the wrong type). With a fail label the instruction
//! jumps there instead of raising.

use super::bs_append::{self, zeroed};
use super::bs_bits::*;
use super::{badarg, get, is_all, next, set, system_limit, with_module_strings};
use crate::interp::Regs;
use crate::object::*;
use crate::ops::*;
use crate::process::Process;
use oxbeam_term::header::*;
use oxbeam_term::Term;
use std::cell::Cell;

/// `size * unit` bits for a construction size operand.
fn build_bits(size: Term, unit: u32) -> Result<usize, Term> {
    if let Some(s) = size.as_small() {
        let s = usize::try_from(s).map_err(|_| badarg())?;
        return s.checked_mul(unit as usize).ok_or_else(system_limit);
    }
    if is_big(size) && !big_is_negative(size) {
        return Err(system_limit());
    }
    Err(badarg())
}

/// Checks that `t` is a bitstring whose size is a multiple of `unit`; returns its bits.
fn bitstring_bits(t: Term, unit: u32) -> Result<usize, Term> {
    let bits = bit_view(t).ok_or_else(badarg)?.bit_size;
    if !bits.is_multiple_of((unit as usize).max(1)) {
        return Err(badarg());
    }
    Ok(bits)
}

/// Total bits from segment sizes, or `system_limit`.
fn add_bits(a: usize, b: usize) -> Result<usize, Term> {
    a.checked_add(b).ok_or_else(system_limit)
}

/// A binary term holding the first `bits` bits of `buf`: a heap binary when small
/// (copied from `small`), else an off-heap one taking `big` over.
fn finish(p: &mut Process, small: &[u8], big: Vec<u8>, bits: usize) -> Term {
    let bin = if bits.div_ceil(8) <= HEAP_BIN_LIMIT {
        make_binary(&mut p.heap, small)
    } else {
        make_refc_binary(&mut p.heap, big.into_boxed_slice())
    };
    if bits.is_multiple_of(8) {
        bin
    } else {
        make_sub_binary(&mut p.heap, bin, 0, bits)
    }
}

/// Writes one segment's value (`bits` bits, sizes already checked) at bit `pos` of `dst`.
fn write_segment(
    ip: *const Op,
    seg_kind: SegKind,
    flags: u32,
    value: Term,
    bits: usize,
    dst: &mut [u8],
    pos: usize,
) -> Result<(), Term> {
    let little = is_little(flags);
    match seg_kind {
        SegKind::Integer => {
            if !write_integer(dst, pos, value, bits, little) {
                return Err(badarg());
            }
        }
        SegKind::Float => {
            let f = float_value_of(value).ok_or_else(badarg)?;
            let raw = float_to_raw(f, bits, little).ok_or_else(badarg)?;
            write_u64(dst, pos, raw, bits);
        }
        SegKind::Binary => {
            let v = bit_view(value).ok_or_else(badarg)?;
            if v.bit_size < bits {
                return Err(badarg());
            }
            copy_bits(v.data, v.bit_offset, dst, pos, bits);
        }
        SegKind::Utf8 | SegKind::Utf16 | SegKind::Utf32 => {
            // Validated with the sizes.
            let cp = value.as_small().unwrap_or(0) as u32;
            write_utf(dst, pos, cp, utf_width(seg_kind), little);
        }
        SegKind::String => {
            let off = value
                .as_small()
                .and_then(|o| usize::try_from(o).ok())
                .ok_or_else(badarg)?;
            let ok = with_module_strings(ip, |s| {
                match s.get(off..off.saturating_add(bits.div_ceil(8))) {
                    Some(bytes) => {
                        copy_bits(bytes, 0, dst, pos, bits);
                        true
                    }
                    None => false,
                }
            });
            if ok != Some(true) {
                return Err(badarg());
            }
        }
        SegKind::Append | SegKind::PrivateAppend => return Err(badarg()),
    }
    Ok(())
}

fn utf_width(k: SegKind) -> u8 {
    match k {
        SegKind::Utf8 => 8,
        SegKind::Utf16 => 16,
        _ => 32,
    }
}

/// The bits of a UTF segment's value, or `badarg` if it is not a code point.
fn utf_segment_bits(value: Term, width: u8) -> Result<usize, Term> {
    match value.as_small() {
        Some(cp) if valid_code_point(cp) => Ok(utf_bits(cp as u32, width)),
        _ => Err(badarg()),
    }
}

/// `bs_create_bin`: the whole construction in one instruction.
fn create_bin(
    p: &mut Process,
    regs: &Regs,
    ip: *const Op,
    segments: &[Segment],
) -> Result<Term, Term> {
    let (acc, rest) = match segments.first() {
        Some(s) if matches!(s.kind, SegKind::Append | SegKind::PrivateAppend) => {
            (Some(s), &segments[1..])
        }
        _ => (None, segments),
    };
    // Sizes first. Most constructions have few segments and a small result: keep those
    // on the stack.
    let mut small_sizes = [0usize; 16];
    let mut big_sizes = Vec::new();
    let sizes: &mut [usize] = if rest.len() <= small_sizes.len() {
        &mut small_sizes[..rest.len()]
    } else {
        big_sizes.resize(rest.len(), 0);
        &mut big_sizes
    };
    let mut total = 0usize;
    for (s, size) in rest.iter().zip(sizes.iter_mut()) {
        let value = get(p, regs, s.value);
        *size = match s.kind {
            SegKind::Integer | SegKind::Float | SegKind::String => {
                build_bits(get(p, regs, s.size), s.unit)?
            }
            SegKind::Binary => {
                if is_all(s.size) {
                    bitstring_bits(value, s.unit)?
                } else {
                    build_bits(get(p, regs, s.size), s.unit)?
                }
            }
            // The size operand of UTF segments is absent (and not a real source).
            SegKind::Utf8 | SegKind::Utf16 | SegKind::Utf32 => {
                utf_segment_bits(value, utf_width(s.kind))?
            }
            SegKind::Append | SegKind::PrivateAppend => return Err(badarg()),
        };
        total = add_bits(total, *size)?;
    }
    let acc = match acc {
        Some(s) => {
            let t = get(p, regs, s.value);
            let acc_bits = bitstring_bits(t, s.unit)?;
            add_bits(acc_bits, total)?;
            Some(t)
        }
        None => None,
    };
    // Then the values, into a buffer of the final size (or of the appended part).
    let nbytes = total.div_ceil(8);
    let mut small_buf = [0u8; HEAP_BIN_LIMIT];
    let mut big_buf = Vec::new();
    let buf: &mut [u8] = if nbytes <= HEAP_BIN_LIMIT {
        &mut small_buf[..nbytes]
    } else {
        big_buf = zeroed(nbytes)?;
        &mut big_buf
    };
    let mut pos = 0;
    for (s, &bits) in rest.iter().zip(sizes.iter()) {
        write_segment(ip, s.kind, s.flags, get(p, regs, s.value), bits, buf, pos)?;
        pos += bits;
    }
    match acc {
        None => Ok(finish(
            p,
            &small_buf[..nbytes.min(HEAP_BIN_LIMIT)],
            big_buf,
            total,
        )),
        Some(acc) => {
            let r = bs_append::reserve(p, acc, total)?;
            let src = if nbytes <= HEAP_BIN_LIMIT {
                &small_buf[..]
            } else {
                &big_buf[..]
            };
            bs_append::fill(r.bytes, r.pos, src, total);
            Ok(r.term)
        }
    }
}

// ------------------------------------------------------------------ the older protocol

/// The binary the `bs_put_*` instructions write into: set by `bs_init2`/`bs_append`,
/// per scheduler thread as in the reference (no process can run between those and
/// their puts, which the compiler emits together).
#[derive(Clone, Copy)]
struct Current {
    owner: u64,
    /// The first byte of the binary's buffer.
    bytes: *mut u8,
    /// Next bit to write and the end of the room, from `bytes`.
    pos: usize,
    end: usize,
    /// For a heap binary (which a collection would move): the collection count when it
    /// was made. The compiler never puts a collection between a binary's creation and
    /// its puts; this makes sure of it.
    gc_count: Option<u64>,
}

thread_local! {
    static CURRENT: Cell<Option<Current>> = const { Cell::new(None) };
}

/// Writes the next `bits` bits of the current binary with `write(dst, bit_offset)`,
/// which returns false for a bad value.
fn put(p: &Process, bits: usize, write: impl FnOnce(&mut [u8], usize) -> bool) -> Result<(), Term> {
    let c = CURRENT.with(|c| c.get()).ok_or_else(badarg)?;
    let valid = c.owner == p.id && c.gc_count.is_none_or(|n| n == p.heap.gc_count);
    if !valid || bits > c.end - c.pos {
        return Err(badarg());
    }
    if bits > 0 {
        let first = c.pos / 8;
        let len = (c.pos + bits).div_ceil(8) - first;
        // SAFETY: the range is inside the room `bs_init2`/`bs_append` made for the puts
        // (checked above), in a binary no other process has seen yet, whose storage has
        // not moved (checked above); no other Rust reference to it is alive.
        let dst = unsafe { std::slice::from_raw_parts_mut(c.bytes.add(first), len) };
        if !write(dst, c.pos % 8) {
            return Err(badarg());
        }
    }
    CURRENT.with(|cur| {
        cur.set(Some(Current {
            pos: c.pos + bits,
            ..c
        }))
    });
    Ok(())
}

/// A zero-filled heap binary of `n` bytes and its first byte.
fn new_heap_binary(p: &mut Process, n: usize) -> (Term, *mut u8) {
    let words = words_for_bytes(n);
    let w = p.heap.alloc(2 + words);
    // SAFETY: 2 + words fresh words laid out as a heap binary (header.rs).
    unsafe {
        *w = make_header(SUBTAG_HEAP_BIN, 1 + words);
        *w.add(1) = Term(n as u64);
        for i in 0..words {
            *w.add(2 + i) = Term(0);
        }
        (Term::make_boxed(w), w.add(2) as *mut u8)
    }
}

/// `bs_init2` / `bs_init_bits`: a zeroed binary of the given size, made current.
fn init(p: &mut Process, size: Term, bits_unit: bool) -> Result<Term, Term> {
    let bits = build_bits(size, if bits_unit { 1 } else { 8 })?;
    let n = bits.div_ceil(8);
    let (bin, bytes, gc_count) = if n <= HEAP_BIN_LIMIT {
        let (t, b) = new_heap_binary(p, n);
        (t, b, Some(p.heap.gc_count))
    } else {
        let (t, b) = bs_append::new_refc(p, zeroed(n)?);
        (t, b, None)
    };
    CURRENT.with(|c| {
        c.set(Some(Current {
            owner: p.id,
            bytes,
            pos: 0,
            end: bits,
            gc_count,
        }))
    });
    Ok(if bits.is_multiple_of(8) {
        bin
    } else {
        make_sub_binary(&mut p.heap, bin, 0, bits)
    })
}

/// `bs_append` / `bs_private_append`: `bin` followed by `size` bits of room, made current.
fn append(p: &mut Process, bin: Term, size: Term, unit: u32) -> Result<Term, Term> {
    let bits = build_bits(size, 1)?;
    let acc_bits = bitstring_bits(bin, unit)?;
    add_bits(acc_bits, bits)?;
    let r = bs_append::reserve(p, bin, bits)?;
    CURRENT.with(|c| {
        c.set(Some(Current {
            owner: p.id,
            bytes: r.bytes,
            pos: r.pos,
            end: r.pos + bits,
            gc_count: None,
        }))
    });
    Ok(r.term)
}

/// `bs_put_binary`: `size` is a bit count, or `None` for `all`.
fn put_binary(p: &Process, value: Term, size: Option<Term>, unit: u32) -> Result<(), Term> {
    let v = bit_view(value).ok_or_else(badarg)?;
    let bits = match size {
        None => bitstring_bits(value, unit)?,
        Some(size) => build_bits(size, unit)?,
    };
    if bits > v.bit_size {
        return Err(badarg());
    }
    // The value may be the binary being appended to, sharing the destination's buffer:
    // copy it out first so the destination is not written while borrowed.
    let cur = CURRENT.with(|c| c.get()).ok_or_else(badarg)?;
    let src_range = v.data.as_ptr_range();
    let dst_start = cur.bytes.wrapping_add(cur.pos / 8) as *const u8;
    let dst_end = cur.bytes.wrapping_add((cur.pos + bits).div_ceil(8)) as *const u8;
    if src_range.start < dst_end && dst_start < src_range.end {
        let mut tmp = vec![0u8; bits.div_ceil(8)];
        copy_bits(v.data, v.bit_offset, &mut tmp, 0, bits);
        put(p, bits, |dst, at| {
            copy_bits(&tmp, 0, dst, at, bits);
            true
        })
    } else {
        put(p, bits, |dst, at| {
            copy_bits(v.data, v.bit_offset, dst, at, bits);
            true
        })
    }
}

/// `bs_add`: `a + b * unit`, both non-negative integers.
fn add(p: &mut Process, a: Term, b: Term, unit: u32) -> Result<Term, Term> {
    match (a.as_small(), b.as_small()) {
        (Some(x), Some(y)) if x >= 0 && y >= 0 => {
            let r = (y as u64)
                .checked_mul(unit as u64)
                .and_then(|m| m.checked_add(x as u64))
                .ok_or_else(system_limit)?;
            Ok(make_u64(&mut p.heap, r))
        }
        _ => {
            let bad = |t: Term| {
                !is_integer(t)
                    || (t.as_small().is_some_and(|v| v < 0))
                    || (is_big(t) && big_is_negative(t))
            };
            Err(if bad(a) || bad(b) {
                badarg()
            } else {
                system_limit()
            })
        }
    }
}

/// Bytes of the UTF-`width` encoding of `v` (the put that follows validates it).
fn utf_size(v: Term, width: u8) -> i64 {
    let cp = v.as_small().unwrap_or(i64::MAX);
    match (width, cp) {
        (8, ..0x80) => 1,
        (8, 0x80..0x800) => 2,
        (8, 0x800..0x10000) => 3,
        (8, _) => 4,
        (_, ..0x10000) => 2,
        _ => 4,
    }
}

/// Executes one construction instruction.
pub(super) fn exec(
    p: &mut Process,
    regs: &mut Regs,
    ip: *const Op,
    op: &Op,
) -> Result<*const Op, Term> {
    match op {
        Op::BsCreateBin {
            fail,
            dst,
            segments,
            ..
        } => {
            let t = or_fail!(ip, *fail, create_bin(p, regs, ip, segments));
            set(p, regs, *dst, t);
        }
        Op::BsInit(i) => {
            let size = get(p, regs, i.size);
            let t = or_fail!(ip, i.fail, init(p, size, i.bits));
            set(p, regs, i.dst, t);
        }
        Op::BsAppend(a) => {
            let (bin, size) = (get(p, regs, a.bin), get(p, regs, a.size));
            let t = or_fail!(ip, a.fail, append(p, bin, size, a.unit));
            set(p, regs, a.dst, t);
        }
        Op::BsInitWritable => {
            let t = bs_append::init_writable(p, regs.x[0])?;
            regs.x[0] = t;
        }
        Op::BsPutInteger(b) => {
            let (v, size) = (get(p, regs, b.src), get(p, regs, b.size));
            let little = is_little(b.flags);
            let r = build_bits(size, b.unit)
                .and_then(|bits| put(p, bits, |dst, at| write_integer(dst, at, v, bits, little)));
            or_fail!(ip, b.fail, r);
        }
        Op::BsPutFloat(b) => {
            let (v, size) = (get(p, regs, b.src), get(p, regs, b.size));
            let little = is_little(b.flags);
            let r = build_bits(size, b.unit).and_then(|bits| {
                let f = float_value_of(v).ok_or_else(badarg)?;
                let raw = float_to_raw(f, bits, little).ok_or_else(badarg)?;
                put(p, bits, |dst, at| {
                    write_u64(dst, at, raw, bits);
                    true
                })
            });
            or_fail!(ip, b.fail, r);
        }
        Op::BsPutBinary(b) => {
            let v = get(p, regs, b.src);
            let size = (!is_all(b.size)).then(|| get(p, regs, b.size));
            or_fail!(ip, b.fail, put_binary(p, v, size, b.unit));
        }
        Op::BsPutString { len, offset } => {
            let (off, n) = (*offset as usize, *len as usize);
            with_module_strings(ip, |s| match s.get(off..off + n) {
                Some(bytes) => put(p, n * 8, |dst, at| {
                    copy_bits(bytes, 0, dst, at, n * 8);
                    true
                }),
                None => Err(badarg()),
            })
            .unwrap_or_else(|| Err(badarg()))?;
        }
        Op::BsPutUtf {
            fail,
            width,
            flags,
            src,
        } => {
            let v = get(p, regs, *src);
            let little = is_little(*flags);
            let r = utf_segment_bits(v, *width).and_then(|bits| {
                put(p, bits, |dst, at| {
                    write_utf(dst, at, v.as_small().unwrap_or(0) as u32, *width, little);
                    true
                })
            });
            or_fail!(ip, *fail, r);
        }
        Op::BsUtfSize {
            width, src, dst, ..
        } => {
            let n = utf_size(get(p, regs, *src), *width);
            set(p, regs, *dst, Term::small(n));
        }
        Op::BsAdd {
            fail,
            a,
            b,
            unit,
            dst,
        } => {
            let (x, y) = (get(p, regs, *a), get(p, regs, *b));
            let t = or_fail!(ip, *fail, add(p, x, y, *unit));
            set(p, regs, *dst, t);
        }
        _ => return Err(badarg()),
    }
    Ok(next(ip))
}
