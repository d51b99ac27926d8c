//! Float text conversions: `float_to_list/1,2`, `float_to_binary/1,2`, `list_to_float/1`
//! and `binary_to_float/1`.
//!
//! The reference formats floats four ways:
//! * the default and `{scientific, N}` are C's `%.Ne` (exact decimal expansion, ties to
//!   even; a negative `N` means C's default of 6);
//! * `short` is the shortest text that reads back as the same float;
//! * `{decimals, N}` is a fast fixed-point routine for `N <= 18` and `|F| < 2^53`: the
//!   fraction is multiplied by `10^N` in double precision and rounded half up, so
//!   its last digits can differ from C's `%.Nf`, which is used otherwise;
//! * `compact` strips trailing fraction zeros (keeping one). After `%.0f`, the C path
//!   strips trailing zeros of the integer part too — a reference quirk kept here.
//!
//! Results longer than 255 characters (before `compact`) are `badarg`, as in the
//! reference, whose buffer has that size.

use num_bigint::BigUint;

/// The reference's output buffer limit.
const MAX_CHARS: usize = 255;
/// Largest `decimals` the fast fixed-point routine handles.
const FAST_MAX_DECIMALS: i64 = 18;
/// The fast routine needs the integer part to fit exactly.
const FAST_MAX_VALUE: f64 = 9007199254740992.0; // 2^53

/// A requested format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `%.20e`.
    Legacy,
    Fixed {
        decimals: i64,
        compact: bool,
    },
    Scientific(i64),
    Short,
}

/// The exact decimal value of a finite, non-negative float: `digits` (no leading
/// zeros, or empty for zero) times `10^(exp10 - digits.len())`, i.e. the decimal point
/// sits `exp10` digits from the left.
fn exact_digits(f: f64) -> (Vec<u8>, i64) {
    if f == 0.0 {
        return (Vec::new(), 0);
    }
    let bits = f.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    let (mant, exp2) = if biased == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), biased - 1075)
    };
    // f = mant * 2^exp2. With a negative exponent, f = mant * 5^-e / 10^-e.
    let (n, scale10) = if exp2 >= 0 {
        (BigUint::from(mant) << (exp2 as usize), 0i64)
    } else {
        (
            BigUint::from(mant) * BigUint::from(5u32).pow((-exp2) as u32),
            -exp2,
        )
    };
    let digits: Vec<u8> = n
        .to_str_radix(10)
        .into_bytes()
        .iter()
        .map(|c| c - b'0')
        .collect();
    let exp10 = digits.len() as i64 - scale10;
    (digits, exp10)
}

/// Keeps the first `keep` digits (which may be 0 or negative: everything is dropped),
/// rounding ties to even as C's printf does. Returns the kept digits (exactly `keep`
/// of them when `keep > 0`, after a carry possibly one more) and whether a carry
/// created a new leading digit.
fn round_digits(digits: &[u8], keep: i64) -> (Vec<u8>, bool) {
    if keep >= digits.len() as i64 {
        let mut v = digits.to_vec();
        v.resize(keep.max(0) as usize, 0);
        return (v, false);
    }
    let k = keep.max(0) as usize;
    let mut v = digits[..k].to_vec();
    // The dropped part compared with one half of the last kept unit.
    let (first, rest) = if keep < 0 {
        (0u8, digits)
    } else {
        (digits[k], &digits[k + 1..])
    };
    let rest_nonzero = rest.iter().any(|&d| d != 0);
    let round_up = if keep < 0 {
        false
    } else {
        match first {
            6..=9 => true,
            5 => rest_nonzero || v.last().is_some_and(|d| d % 2 == 1),
            _ => false,
        }
    };
    // `keep == 0` with a dropped part above one half rounds up to a new unit digit.
    if !round_up {
        return (v, false);
    }
    for d in v.iter_mut().rev() {
        if *d == 9 {
            *d = 0;
        } else {
            *d += 1;
            return (v, false);
        }
    }
    v.insert(0, 1);
    (v, true)
}

fn digit_str(d: &[u8]) -> String {
    d.iter().map(|&x| (b'0' + x) as char).collect()
}

/// C's `%.{prec}e`.
pub fn format_scientific(f: f64, prec: i64) -> String {
    let prec = if prec < 0 { 6 } else { prec };
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let (digits, exp10) = exact_digits(f.abs());
    let (mant, exp) = if digits.is_empty() {
        (vec![0u8; prec as usize + 1], 0)
    } else {
        let (r, carried) = round_digits(&digits, prec + 1);
        let e = exp10 - 1 + carried as i64;
        let mut r = r;
        r.truncate(prec as usize + 1);
        (r, e)
    };
    let mut s = String::with_capacity(prec as usize + 8);
    s.push_str(sign);
    s.push((b'0' + mant[0]) as char);
    if prec > 0 {
        s.push('.');
        s.push_str(&digit_str(&mant[1..]));
    }
    s.push('e');
    s.push(if exp < 0 { '-' } else { '+' });
    let ea = exp.unsigned_abs();
    if ea < 10 {
        s.push('0');
    }
    s.push_str(&ea.to_string());
    s
}

/// C's `%.{decimals}f`.
fn format_fixed_exact(f: f64, decimals: usize) -> String {
    let sign = if f.is_sign_negative() { "-" } else { "" };
    let (digits, exp10) = exact_digits(f.abs());
    // Keep every integer digit and `decimals` fraction digits.
    let (kept, int_len) = if digits.is_empty() {
        (vec![0u8; decimals + 1], 1)
    } else {
        let keep = exp10 + decimals as i64;
        let (r, carried) = round_digits(&digits, keep);
        let int_len = exp10 + carried as i64;
        if int_len <= 0 {
            // Pad with leading zeros up to "0.000…".
            let mut v = vec![0u8; (1 - int_len) as usize];
            v.extend_from_slice(&r);
            v.resize(decimals + 1, 0);
            (v, 1)
        } else {
            (r, int_len as usize)
        }
    };
    let mut s = String::with_capacity(kept.len() + 2);
    s.push_str(sign);
    s.push_str(&digit_str(&kept[..int_len]));
    if decimals > 0 {
        s.push('.');
        s.push_str(&digit_str(&kept[int_len..]));
    }
    s
}

/// The reference's fast fixed-point routine (see the module docs).
fn format_fixed_fast(f: f64, decimals: u32) -> String {
    let neg = f.is_sign_negative();
    let a = f.abs();
    let mut int_part = a.trunc() as u64;
    let frac = a - a.trunc();
    let scale = 10u64.pow(decimals);
    let x = frac * scale as f64;
    let mut digits = x as u64;
    if x - digits as f64 >= 0.5 {
        digits += 1;
    }
    if digits >= scale {
        digits -= scale;
        int_part += 1;
    }
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    s.push_str(&int_part.to_string());
    if decimals > 0 {
        s.push('.');
        s.push_str(&format!("{:0width$}", digits, width = decimals as usize));
    }
    s
}

/// Strips trailing fraction zeros, keeping one digit after the point.
fn compact_fraction(s: &mut String) {
    if let Some(dot) = s.find('.') {
        let keep = s.trim_end_matches('0').len().max(dot + 2);
        s.truncate(keep);
    }
}

/// Decimal digits (values 0-9): up to 17 significant ones.
pub struct Digits {
    buf: [u8; 24],
    len: usize,
}

impl std::ops::Deref for Digits {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// The shortest decimal digits that read back as `f` (non-zero, finite) and the
/// decimal exponent of the first digit: the candidate nearest the exact value, the even
/// one on an exact tie. These are Ryu's digits, as the reference computes them (it uses
/// the same algorithm, so the `ryu` crate gives the same digits).
pub fn shortest_digits(f: f64) -> (Digits, i32) {
    let mut buf = ryu::Buffer::new();
    let text = buf.format_finite(f.abs()).as_bytes();
    // `ryu` writes `123.45`, `0.000123`, `1.5e-7` or `1e21`.
    let mut d = Digits {
        buf: [0; 24],
        len: 0,
    };
    let mut int_len = None;
    let mut lead = 0i32;
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'.' => int_len = Some(i as i32),
            b'e' => break,
            c => {
                if d.len == 0 && c == b'0' {
                    lead += 1;
                } else if d.len < d.buf.len() {
                    d.buf[d.len] = c - b'0';
                    d.len += 1;
                }
            }
        }
        i += 1;
    }
    let int_len = int_len.unwrap_or(i as i32);
    let mut exp = 0i32;
    if i < text.len() {
        let (neg, start) = if text.get(i + 1) == Some(&b'-') {
            (true, i + 2)
        } else {
            (false, i + 1)
        };
        for &c in &text[start..] {
            exp = exp * 10 + (c - b'0') as i32;
        }
        if neg {
            exp = -exp;
        }
    }
    while d.len > 1 && d.buf[d.len - 1] == 0 {
        d.len -= 1;
    }
    (d, int_len - 1 - lead + exp)
}

/// The number of characters of `e` written in decimal (with its sign).
fn exp_len(e: i32) -> usize {
    let a = e.unsigned_abs();
    (a.checked_ilog10().unwrap_or(0) + 1) as usize + usize::from(e < 0)
}

/// `float_to_list(F, [short])`: the shortest round-tripping digits, written plainly
/// below 2^53 unless scientific notation is shorter (plain on a tie).
pub fn format_short(f: f64) -> String {
    let neg = f.is_sign_negative();
    if f == 0.0 {
        return if neg { "-0.0" } else { "0.0" }.to_string();
    }
    let (d, exp) = shortest_digits(f);
    let n = d.len() as i32;
    let point = exp + 1;
    // Lengths without the sign: `D.DDDeX` and the plain form.
    let sci_len = 2 + (d.len() - 1).max(1) + 1 + exp_len(exp);
    let plain_len = if point <= 0 {
        2 + (-point) as usize + d.len()
    } else if point >= n {
        point as usize + 2
    } else {
        d.len() + 1
    };
    let mut out = String::with_capacity(sci_len.max(plain_len) + 1);
    if neg {
        out.push('-');
    }
    let digit = |x: u8| (b'0' + x) as char;
    if f.abs() >= FAST_MAX_VALUE || sci_len < plain_len {
        out.push(digit(d[0]));
        out.push('.');
        if d.len() > 1 {
            out.extend(d[1..].iter().map(|&x| digit(x)));
        } else {
            out.push('0');
        }
        out.push('e');
        if exp < 0 {
            out.push('-');
        }
        let mut buf = [0u8; 12];
        let mut i = buf.len();
        let mut a = exp.unsigned_abs();
        loop {
            i -= 1;
            buf[i] = (a % 10) as u8;
            a /= 10;
            if a == 0 {
                break;
            }
        }
        out.extend(buf[i..].iter().map(|&x| digit(x)));
    } else if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        out.extend(d.iter().map(|&x| digit(x)));
    } else if point >= n {
        out.extend(d.iter().map(|&x| digit(x)));
        out.extend(std::iter::repeat_n('0', (point - n) as usize));
        out.push_str(".0");
    } else {
        let (a, b) = d.split_at(point as usize);
        out.extend(a.iter().map(|&x| digit(x)));
        out.push('.');
        out.extend(b.iter().map(|&x| digit(x)));
    }
    out
}

/// Formats `f` as the reference does, or `None` where it raises `badarg`.
pub fn format(f: f64, fmt: Format) -> Option<String> {
    let s = match fmt {
        Format::Legacy => format_scientific(f, 20),
        Format::Scientific(n) => {
            // Longer than the buffer either way; avoids huge allocations.
            if n > MAX_CHARS as i64 {
                return None;
            }
            format_scientific(f, n)
        }
        Format::Short => format_short(f),
        Format::Fixed { decimals, compact } => {
            if !(0..=MAX_CHARS as i64).contains(&decimals) {
                return None;
            }
            if decimals <= FAST_MAX_DECIMALS && f.abs() < FAST_MAX_VALUE {
                let mut s = format_fixed_fast(f, decimals as u32);
                if compact {
                    compact_fraction(&mut s);
                }
                s
            } else {
                // Integer part alone can exceed the limit: check before expanding.
                if f.abs() >= 1e256 {
                    return None;
                }
                let mut s = format_fixed_exact(f, decimals as usize);
                if s.len() > MAX_CHARS {
                    return None;
                }
                if compact {
                    if decimals == 0 {
                        let keep = s.trim_end_matches('0').len();
                        s.truncate(keep);
                    } else {
                        compact_fraction(&mut s);
                    }
                }
                return Some(s);
            }
        }
    };
    if s.len() > MAX_CHARS {
        None
    } else {
        Some(s)
    }
}

/// Parses the reference's float syntax: `[+-]digits(.|,)digits[(e|E)[+-]digits]`,
/// optionally followed by a NUL and anything. Overflow is `None`; underflow gives 0.
pub fn parse(bytes: &[u8]) -> Option<f64> {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    let s = &bytes[..end];
    let mut i = 0;
    if matches!(s.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < s.len() && s[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return None;
    }
    let dot = i;
    if !matches!(s.get(i), Some(b'.' | b',')) {
        return None;
    }
    i += 1;
    if !digits(&mut i) {
        return None;
    }
    if matches!(s.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(s.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return None;
        }
    }
    if i != s.len() {
        return None;
    }
    let mut text = String::from_utf8(s.to_vec()).ok()?;
    text.replace_range(dot..dot + 1, ".");
    let v: f64 = text.parse().ok()?;
    if v.is_finite() {
        Some(v)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(f: f64, d: i64) -> String {
        format(
            f,
            Format::Fixed {
                decimals: d,
                compact: false,
            },
        )
        .unwrap_or_else(|| "badarg".into())
    }

    #[test]
    fn scientific_matches_printf() {
        assert_eq!(format_scientific(1.0, 20), "1.00000000000000000000e+00");
        assert_eq!(format_scientific(0.1, 20), "1.00000000000000005551e-01");
        assert_eq!(format_scientific(-0.0, 20), "-0.00000000000000000000e+00");
        assert_eq!(
            format_scientific(5.0e-324, 20),
            "4.94065645841246544177e-324"
        );
        assert_eq!(
            format_scientific(1.0e300, 20),
            "1.00000000000000005250e+300"
        );
        assert_eq!(format_scientific(0.5, 0), "5e-01");
        assert_eq!(format_scientific(2.5, 0), "2e+00");
        assert_eq!(format_scientific(3.5, 0), "4e+00");
        assert_eq!(format_scientific(9.99, 1), "1.0e+01");
        assert_eq!(format_scientific(1.0e100, -1), "1.000000e+100");
    }

    #[test]
    fn fixed_matches_the_reference() {
        // Recorded from erl 25.
        assert_eq!(fixed(0.125, 2), "0.13");
        assert_eq!(fixed(2.5, 0), "3");
        assert_eq!(fixed(0.5, 0), "1");
        assert_eq!(fixed(1.005, 2), "1.00");
        assert_eq!(fixed(9.999, 2), "10.00");
        assert_eq!(fixed(-0.0, 2), "-0.00");
        assert_eq!(fixed(-0.001, 2), "-0.00");
        assert_eq!(fixed(123.456, 16), "123.4560000000000031");
        assert_eq!(fixed(562667.9097919464, 17), "562667.90979194641113280");
        assert_eq!(fixed(0.1, 30), "0.100000000000000005551115123126");
        assert_eq!(fixed(1.0e23, 0), "99999999999999991611392");
        assert_eq!(fixed(1.0e20, 2), "100000000000000000000.00");
        assert_eq!(fixed(1.0e300, 2), "badarg");
        assert_eq!(fixed(1.0, 254), "badarg");
        assert_eq!(fixed(1.0, -1), "badarg");
        assert_eq!(fixed(1.0e-20, 20), "0.00000000000000000001");
    }

    #[test]
    fn compact_quirks() {
        let c = |f, d| {
            format(
                f,
                Format::Fixed {
                    decimals: d,
                    compact: true,
                },
            )
            .unwrap()
        };
        assert_eq!(c(1.0, 4), "1.0");
        assert_eq!(c(100.0, 0), "100");
        assert_eq!(c(1.0e16, 0), "1");
        assert_eq!(c(1.0e19, 1), "10000000000000000000.0");
        assert_eq!(c(0.1, 19), "0.1000000000000000056");
    }

    #[test]
    fn parsing_follows_erlang_syntax() {
        assert_eq!(parse(b"1.0"), Some(1.0));
        assert_eq!(parse(b"-1.5e-3"), Some(-0.0015));
        assert_eq!(parse(b"+1.0E5"), Some(1.0e5));
        assert_eq!(parse(b"1,0"), Some(1.0));
        assert_eq!(parse(b"1.0\0junk"), Some(1.0));
        assert_eq!(parse(b"1.0e-400"), Some(0.0));
        for bad in [
            &b"1"[..],
            b"1e5",
            b".5",
            b"5.",
            b"1.0e",
            b" 1.0",
            b"1.0 ",
            b"1.0e400",
            b"1_0.0",
            b"",
            b"-",
            b"1.0,0",
        ] {
            assert_eq!(parse(bad), None, "{:?}", std::str::from_utf8(bad));
        }
    }
}
