//! Bit-level helpers shared by matching and construction: reading and writing integer,
//! float and UTF segments at any bit position. Bits are numbered MSB-first inside each
//! byte, as in Erlang binaries.
//!
//! Little-endian segments whose size is not a whole number of bytes follow the
//! reference: the first full byte is the least significant one and a trailing partial
//! byte holds the most significant bits (`<<16#678:12/little>>` is `<<16#78, 6:4>>`).

use crate::object::*;
use num_bigint::{BigInt, BigUint};
use num_traits::{One, ToPrimitive};
use oxbeam_term::Term;

/// Reads `n` (at most 64) bits at bit `pos` of `data` as an unsigned number, first bit
/// most significant. The caller guarantees `pos + n <= data.len() * 8`.
pub(super) fn read_u64(data: &[u8], pos: usize, n: usize) -> u64 {
    debug_assert!(n <= 64);
    if n == 0 {
        return 0;
    }
    let first = pos / 8;
    let shift = pos % 8;
    // Fast path: the bits are inside one 8-byte window of the data.
    if shift + n <= 64 {
        if let Some(Ok(w)) = data.get(first..first + 8).map(<[u8; 8]>::try_from) {
            return (u64::from_be_bytes(w) << shift) >> (64 - n);
        }
    }
    let nbytes = (shift + n).div_ceil(8);
    let mut acc: u128 = 0;
    for &b in &data[first..first + nbytes] {
        acc = (acc << 8) | b as u128;
    }
    let excess = nbytes * 8 - shift - n;
    ((acc >> excess) & ((1u128 << n) - 1)) as u64
}

/// Writes the low `n` (at most 64) bits of `v` at bit `pos` of `dst`, leaving the other
/// bits of the touched bytes as they were.
pub(super) fn write_u64(dst: &mut [u8], mut pos: usize, v: u64, n: usize) {
    debug_assert!(n <= 64);
    let mut rem = n;
    while rem > 0 {
        let byte = pos / 8;
        let free = 8 - pos % 8;
        let take = free.min(rem);
        let chunk = ((v >> (rem - take)) & ((1u64 << take) - 1)) as u8;
        let mask = (((1u16 << take) - 1) as u8) << (free - take);
        dst[byte] = (dst[byte] & !mask) | (chunk << (free - take));
        pos += take;
        rem -= take;
    }
}

/// Copies `n` bits from bit `so` of `src` to bit `d` of `dst`, a byte at a time whatever
/// the alignment (the bit-at-a-time `bits::copy_bits` is too slow for large unaligned
/// binaries). Bits of `dst` outside the range are preserved.
pub(super) fn copy_bits(src: &[u8], mut so: usize, dst: &mut [u8], mut d: usize, mut n: usize) {
    // Bring the destination to a byte boundary.
    if !d.is_multiple_of(8) {
        let take = (8 - d % 8).min(n);
        write_u64(dst, d, read_u64(src, so, take), take);
        so += take;
        d += take;
        n -= take;
    }
    let whole = n / 8;
    let db = d / 8;
    let sb = so / 8;
    let s = so % 8;
    if s == 0 {
        dst[db..db + whole].copy_from_slice(&src[sb..sb + whole]);
    } else {
        // Each destination byte straddles two source bytes, both inside `src` because the
        // caller guarantees the source range is.
        for (k, out) in dst[db..db + whole].iter_mut().enumerate() {
            *out = (src[sb + k] << s) | (src[sb + k + 1] >> (8 - s));
        }
    }
    let done = whole * 8;
    if n > done {
        let rest = n - done;
        write_u64(dst, d + done, read_u64(src, so + done, rest), rest);
    }
}

/// The value of an `n`-bit little-endian segment read (in stream order) as `raw`.
pub(super) fn le_from_raw(raw: u64, n: usize) -> u64 {
    let (full, r) = (n / 8, n % 8);
    let mut v = 0u64;
    for k in 0..full {
        v |= ((raw >> (n - 8 * k - 8)) & 0xff) << (8 * k);
    }
    if r > 0 {
        // r > 0 means full <= 7, so the shift stays below 64.
        v |= (raw & ((1 << r) - 1)) << (8 * full);
    }
    v
}

/// The stream-order bits of the `n`-bit little-endian segment holding `v` (the inverse
/// of [`le_from_raw`]).
pub(super) fn raw_from_le(v: u64, n: usize) -> u64 {
    let (full, r) = (n / 8, n % 8);
    let mut raw = 0u64;
    for k in 0..full {
        raw |= ((v >> (8 * k)) & 0xff) << (n - 8 * k - 8);
    }
    if r > 0 {
        raw |= (v >> (8 * full)) & ((1 << r) - 1);
    }
    raw
}

/// Whether a segment with these flags is stored least significant byte first.
pub(super) fn is_little(flags: u32) -> bool {
    use crate::ops::{BS_FLAG_LITTLE, BS_FLAG_NATIVE};
    flags & BS_FLAG_LITTLE != 0 || (flags & BS_FLAG_NATIVE != 0 && cfg!(target_endian = "little"))
}

/// Reads an `n`-bit integer segment at bit `pos` (the caller checked the bits exist).
pub(super) fn read_integer<A: Alloc + ?Sized>(
    a: &mut A,
    data: &[u8],
    pos: usize,
    n: usize,
    little: bool,
    signed: bool,
) -> Term {
    if n == 0 {
        return Term::small(0);
    }
    if n <= 64 {
        let raw = read_u64(data, pos, n);
        let v = if little { le_from_raw(raw, n) } else { raw };
        return if signed {
            // Sign-extend from bit n-1.
            let s = ((v << (64 - n)) as i64) >> (64 - n);
            make_i64(a, s)
        } else {
            make_u64(a, v)
        };
    }
    let nb = n.div_ceil(8);
    let mut buf = vec![0u8; nb];
    copy_bits(data, pos, &mut buf, 0, n);
    let r = n % 8;
    let mag = if little {
        if r > 0 {
            buf[nb - 1] >>= 8 - r;
        }
        BigUint::from_bytes_le(&buf)
    } else {
        let v = BigUint::from_bytes_be(&buf);
        if r > 0 {
            v >> (8 - r)
        } else {
            v
        }
    };
    let negative = signed && mag.bit(n as u64 - 1);
    let mut v = BigInt::from(mag);
    if negative {
        v -= BigInt::one() << n;
    }
    make_integer(a, &v)
}

/// The two's complement of integer term `t` in `nb` bytes, least significant first
/// (sign-extended or truncated). `None` if `t` is not an integer.
fn int_le_bytes(t: Term, nb: usize) -> Option<Vec<u8>> {
    let (mut bytes, negative) = if let Some(v) = t.as_small() {
        (v.to_le_bytes().to_vec(), v < 0)
    } else if is_big(t) {
        (big_to_bigint(t).to_signed_bytes_le(), big_is_negative(t))
    } else {
        return None;
    };
    bytes.resize(nb, if negative { 0xff } else { 0 });
    Some(bytes)
}

/// Writes integer term `t` as an `n`-bit segment at bit `pos` of `dst`. Returns false
/// (writing nothing) if `t` is not an integer.
pub(super) fn write_integer(dst: &mut [u8], pos: usize, t: Term, n: usize, little: bool) -> bool {
    if let Some(v) = t.as_small() {
        if n <= 64 {
            let masked = if n == 64 {
                v as u64
            } else {
                (v as u64) & ((1u64 << n) - 1)
            };
            let raw = if little {
                raw_from_le(masked, n)
            } else {
                masked
            };
            write_u64(dst, pos, raw, n);
            return true;
        }
    }
    let nb = n.div_ceil(8);
    let Some(mut le) = int_le_bytes(t, nb) else {
        return false;
    };
    if n == 0 {
        return true;
    }
    let r = n % 8;
    if little {
        if r > 0 {
            le[nb - 1] <<= 8 - r;
        }
        copy_bits(&le, 0, dst, pos, n);
    } else {
        le.reverse();
        copy_bits(&le, nb * 8 - n, dst, pos, n);
    }
    true
}

/// The value of a float segment: floats, and integers converted to floats; `None` for
/// anything else or an integer too large for a float.
pub(super) fn float_value_of(t: Term) -> Option<f64> {
    if is_float(t) {
        return Some(float_value(t));
    }
    if let Some(v) = t.as_small() {
        return Some(v as f64);
    }
    if is_big(t) {
        return big_to_bigint(t).to_f64().filter(|f| f.is_finite());
    }
    None
}

/// The stream-order bits of float `f` as an `n`-bit segment (16, 32 or 64). Values too
/// large for the smaller formats become infinities, as in the reference.
pub(super) fn float_to_raw(f: f64, n: usize, little: bool) -> Option<u64> {
    let bits = match n {
        64 => f.to_bits(),
        32 => (f as f32).to_bits() as u64,
        16 => f64_to_f16(f) as u64,
        _ => return None,
    };
    Some(if little { raw_from_le(bits, n) } else { bits })
}

/// The float in an `n`-bit segment read as `raw`; `None` for a bad size, infinities
/// and NaNs (which Erlang floats cannot hold, so the match fails).
pub(super) fn float_from_raw(raw: u64, n: usize, little: bool) -> Option<f64> {
    let bits = if little { le_from_raw(raw, n) } else { raw };
    let f = match n {
        64 => f64::from_bits(bits),
        32 => f32::from_bits(bits as u32) as f64,
        16 => f16_to_f64(bits as u16)?,
        _ => return None,
    };
    f.is_finite().then_some(f)
}

/// IEEE half precision to double; `None` for infinities and NaNs.
fn f16_to_f64(h: u16) -> Option<f64> {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = ((h >> 10) & 0x1f) as i32;
    let mant = (h & 0x3ff) as f64;
    match exp {
        0x1f => None,
        0 => Some(sign * mant * 2f64.powi(-24)),
        _ => Some(sign * (1024.0 + mant) * 2f64.powi(exp - 25)),
    }
}

/// Double to IEEE half precision, rounding to nearest even (directly from the double,
/// so there is no double rounding); too large values become infinity.
fn f64_to_f16(f: f64) -> u16 {
    let sign = if f.is_sign_negative() { 0x8000u16 } else { 0 };
    let a = f.abs();
    if a.is_nan() {
        return sign | 0x7e00;
    }
    // 65520 is halfway between the largest half (65504) and the next power of two: it
    // and everything above round to infinity.
    if a >= 65520.0 {
        return sign | 0x7c00;
    }
    if a < 2f64.powi(-14) {
        // Subnormal: units of 2^-24. The scaling is exact; a result of 1024 is the
        // smallest normal number, whose encoding is the same bits.
        return sign | (a * 2f64.powi(24)).round_ties_even() as u16;
    }
    let e = ((a.to_bits() >> 52) & 0x7ff) as i32 - 1023;
    let mut q = (a * 2f64.powi(10 - e)).round_ties_even() as u32;
    let mut e = e;
    if q == 2048 {
        q = 1024;
        e += 1;
    }
    if e + 15 >= 31 {
        return sign | 0x7c00;
    }
    sign | (((e + 15) as u16) << 10) | (q - 1024) as u16
}

/// Whether `cp` is a Unicode scalar value (what the UTF segments accept).
pub(super) fn valid_code_point(cp: i64) -> bool {
    (0..=0x10ffff).contains(&cp) && !(0xd800..=0xdfff).contains(&cp)
}

/// Bits of the encoding of valid code point `cp` in UTF-`width`.
pub(super) fn utf_bits(cp: u32, width: u8) -> usize {
    match width {
        8 => match cp {
            0..=0x7f => 8,
            0x80..=0x7ff => 16,
            0x800..=0xffff => 24,
            _ => 32,
        },
        16 if cp < 0x10000 => 16,
        _ => 32,
    }
}

/// Writes valid code point `cp` in UTF-`width` at bit `pos`; returns the bits written.
pub(super) fn write_utf(dst: &mut [u8], pos: usize, cp: u32, width: u8, little: bool) -> usize {
    match width {
        8 => {
            let mut tmp = [0u8; 4];
            let s = char::from_u32(cp)
                .map(|c| c.encode_utf8(&mut tmp).len())
                .unwrap_or(0);
            copy_bits(&tmp, 0, dst, pos, s * 8);
            s * 8
        }
        16 => {
            let mut units = [0u16; 2];
            let k = char::from_u32(cp)
                .map(|c| c.encode_utf16(&mut units).len())
                .unwrap_or(0);
            for (i, &u) in units[..k].iter().enumerate() {
                let raw = if little { u.swap_bytes() } else { u };
                write_u64(dst, pos + 16 * i, raw as u64, 16);
            }
            16 * k
        }
        _ => {
            let raw = if little { cp.swap_bytes() } else { cp };
            write_u64(dst, pos, raw as u64, 32);
            32
        }
    }
}

/// Decodes one UTF-`width` character at bit `pos`, with `avail` bits available; returns
/// the code point and the bits it used, or `None` for an invalid or truncated encoding.
pub(super) fn read_utf(
    data: &[u8],
    pos: usize,
    avail: usize,
    width: u8,
    little: bool,
) -> Option<(u32, usize)> {
    let byte = |i: usize| read_u64(data, pos + 8 * i, 8) as u32;
    match width {
        8 => {
            if avail < 8 {
                return None;
            }
            let a = byte(0);
            let (len, init, min) = match a {
                0..=0x7f => return Some((a, 8)),
                _ if a & 0xe0 == 0xc0 => (2, a & 0x1f, 0x80),
                _ if a & 0xf0 == 0xe0 => (3, a & 0x0f, 0x800),
                _ if a & 0xf8 == 0xf0 => (4, a & 0x07, 0x10000),
                _ => return None,
            };
            if avail < 8 * len {
                return None;
            }
            let mut cp = init;
            for i in 1..len {
                let b = byte(i);
                if b & 0xc0 != 0x80 {
                    return None;
                }
                cp = (cp << 6) | (b & 0x3f);
            }
            (cp >= min && valid_code_point(cp as i64)).then_some((cp, 8 * len))
        }
        16 => {
            let unit = |i: usize| {
                let u = read_u64(data, pos + 16 * i, 16) as u16;
                if little {
                    u.swap_bytes() as u32
                } else {
                    u as u32
                }
            };
            if avail < 16 {
                return None;
            }
            let w1 = unit(0);
            match w1 {
                0xd800..=0xdbff => {
                    if avail < 32 {
                        return None;
                    }
                    let w2 = unit(1);
                    if !(0xdc00..=0xdfff).contains(&w2) {
                        return None;
                    }
                    Some((0x10000 + (((w1 & 0x3ff) << 10) | (w2 & 0x3ff)), 32))
                }
                0xdc00..=0xdfff => None,
                _ => Some((w1, 16)),
            }
        }
        _ => {
            if avail < 32 {
                return None;
            }
            let raw = read_u64(data, pos, 32) as u32;
            let cp = if little { raw.swap_bytes() } else { raw };
            valid_code_point(cp as i64).then_some((cp, 32))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn u64_round_trip_at_odd_offsets() {
        for pos in [0usize, 1, 3, 7, 8, 13] {
            for n in [1usize, 5, 8, 12, 31, 57, 64] {
                let mut buf = vec![0u8; 20];
                let v = 0xdead_beef_1234_5678u64 & if n == 64 { u64::MAX } else { (1 << n) - 1 };
                write_u64(&mut buf, pos, v, n);
                assert_eq!(read_u64(&buf, pos, n), v, "pos {pos} n {n}");
            }
        }
    }

    #[test]
    fn copy_preserves_neighbours() {
        let src: Vec<u8> = (0..40).map(|i| (i * 37 + 11) as u8).collect();
        for (so, d, n) in [
            (0, 0, 80),
            (3, 0, 77),
            (0, 5, 70),
            (3, 5, 100),
            (7, 1, 9),
            (1, 7, 3),
        ] {
            let mut dst = vec![0xa5u8; 30];
            copy_bits(&src, so, &mut dst, d, n);
            for i in 0..n {
                assert_eq!(read_u64(&dst, d + i, 1), read_u64(&src, so + i, 1));
            }
            for i in (0..d).chain(d + n..240) {
                assert_eq!(read_u64(&dst, i, 1), read_u64(&[0xa5], i % 8, 1));
            }
        }
    }

    #[test]
    fn little_endian_layout() {
        // <<16#678:12/little>> is <<16#78, 6:4>>.
        assert_eq!(raw_from_le(0x678, 12), 0x786);
        assert_eq!(le_from_raw(0x786, 12), 0x678);
        for n in [8, 16, 24, 40, 64] {
            let v = 0x0102_0304_0506_0708u64 & if n == 64 { u64::MAX } else { (1 << n) - 1 };
            assert_eq!(le_from_raw(raw_from_le(v, n), n), v);
        }
    }

    #[test]
    fn half_floats() {
        assert_eq!(f64_to_f16(1.5), 0x3e00);
        assert_eq!(f64_to_f16(65504.0), 0x7bff);
        assert_eq!(f64_to_f16(65520.0), 0x7c00);
        assert_eq!(f64_to_f16(65519.99), 0x7bff);
        assert_eq!(f64_to_f16(5.960464477539063e-8), 1);
        assert_eq!(f64_to_f16(2.9802322387695312e-8), 0);
        assert_eq!(f64_to_f16(-1.0e-10), 0x8000);
        assert_eq!(f16_to_f64(0x3e00), Some(1.5));
        assert_eq!(f16_to_f64(0x7c00), None);
        assert_eq!(f16_to_f64(1), Some(5.960464477539063e-8));
    }
}
