//! Arithmetic, bitwise and comparison operators on small integers, bignums and floats.

use super::reg;
use crate::bif::{BifResult, Fault, BADARG, BADARITH};
use crate::compare::{self, number, Num};
use crate::object::*;
use crate::process::Process;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};
use oxbeam_term::Term;

fn float_result<A: Alloc + ?Sized>(h: &mut A, f: f64) -> BifResult {
    if f.is_finite() {
        Ok(make_float(h, f))
    } else {
        Err(BADARITH)
    }
}

fn int_result<A: Alloc + ?Sized>(h: &mut A, v: BigInt) -> BifResult {
    // The reference limits integers to about 2^(64*2^24) bits; refuse absurd sizes.
    if v.bits() > (1u64 << 26) {
        return Err(Fault::system_limit());
    }
    Ok(make_integer(h, &v))
}

fn big(n: Num) -> Option<BigInt> {
    match n {
        Num::Int(i) => Some(BigInt::from(i)),
        Num::Big(b) => Some(b),
        Num::Float(_) => None,
    }
}

fn to_f(n: &Num) -> Option<f64> {
    match n {
        Num::Int(i) => Some(*i as f64),
        Num::Big(b) => b.to_f64().filter(|f| f.is_finite()),
        Num::Float(f) => Some(*f),
    }
}

/// The operators on any allocator: the BIFs below use them with the process heap, match
/// specifications with their own result heaps. Errors are the BIFs' (`badarith`,
/// `badarg`, `system_limit`).
pub mod ops {
    use super::*;

    fn arith2<A: Alloc + ?Sized>(h: &mut A, a: Term, b: Term, op: char) -> BifResult {
        // Float arithmetic without a bignum operand needs no `Num` (the common case).
        if is_float(a) || is_float(b) {
            if let (Some(x), Some(y)) = (compare::small_or_float(a), compare::small_or_float(b)) {
                return float_result(
                    h,
                    match op {
                        '+' => x + y,
                        '-' => x - y,
                        _ => x * y,
                    },
                );
            }
        }
        let (na, nb) = match (number(a), number(b)) {
            (Some(x), Some(y)) => (x, y),
            _ => return Err(BADARITH),
        };
        if matches!(na, Num::Float(_)) || matches!(nb, Num::Float(_)) {
            let (x, y) = match (to_f(&na), to_f(&nb)) {
                (Some(x), Some(y)) => (x, y),
                _ => return Err(BADARITH),
            };
            return float_result(
                h,
                match op {
                    '+' => x + y,
                    '-' => x - y,
                    _ => x * y,
                },
            );
        }
        if let (Num::Int(x), Num::Int(y)) = (&na, &nb) {
            let r = match op {
                '+' => x.checked_add(*y),
                '-' => x.checked_sub(*y),
                _ => x.checked_mul(*y),
            };
            if let Some(r) = r {
                return Ok(make_i64(h, r));
            }
        }
        let (x, y) = (big(na).unwrap(), big(nb).unwrap());
        int_result(
            h,
            match op {
                '+' => x + y,
                '-' => x - y,
                _ => x * y,
            },
        )
    }

    /// `A + B`.
    #[inline]
    pub fn add<A: Alloc + ?Sized>(h: &mut A, a: Term, b: Term) -> BifResult {
        if let (Some(x), Some(y)) = (a.as_small(), b.as_small()) {
            return Ok(make_i64(h, x + y));
        }
        arith2(h, a, b, '+')
    }
    /// `A - B`.
    #[inline]
    pub fn sub<A: Alloc + ?Sized>(h: &mut A, a: Term, b: Term) -> BifResult {
        if let (Some(x), Some(y)) = (a.as_small(), b.as_small()) {
            return Ok(make_i64(h, x - y));
        }
        arith2(h, a, b, '-')
    }
    /// `A * B`.
    pub fn mul<A: Alloc + ?Sized>(h: &mut A, a: Term, b: Term) -> BifResult {
        arith2(h, a, b, '*')
    }

    /// `A / B`.
    pub fn fdiv<A: Alloc + ?Sized>(h: &mut A, a: Term, b: Term) -> BifResult {
        let (x, y) = match (
            number(a).as_ref().and_then(to_f),
            number(b).as_ref().and_then(to_f),
        ) {
            (Some(x), Some(y)) => (x, y),
            _ => return Err(BADARITH),
        };
        if y == 0.0 {
            return Err(BADARITH);
        }
        float_result(h, x / y)
    }

    fn ints(a: Term, b: Term) -> Result<(Num, Num), Fault> {
        match (number(a), number(b)) {
            (Some(x @ (Num::Int(_) | Num::Big(_))), Some(y @ (Num::Int(_) | Num::Big(_)))) => {
                Ok((x, y))
            }
            _ => Err(BADARITH),
        }
    }

    /// `A div B`.
    pub fn div<A: Alloc + ?Sized>(h: &mut A, a: Term, b: Term) -> BifResult {
        let (x, y) = ints(a, b)?;
        if let (Num::Int(x), Num::Int(y)) = (&x, &y) {
            if *y == 0 {
                return Err(BADARITH);
            }
            if let Some(r) = x.checked_div(*y) {
                return Ok(make_i64(h, r));
            }
        }
        let (x, y) = (big(x).unwrap(), big(y).unwrap());
        if y.is_zero() {
            return Err(BADARITH);
        }
        int_result(h, &x / &y)
    }

    /// `A rem B`.
    pub fn rem<A: Alloc + ?Sized>(h: &mut A, a: Term, b: Term) -> BifResult {
        let (x, y) = ints(a, b)?;
        if let (Num::Int(x), Num::Int(y)) = (&x, &y) {
            if *y == 0 {
                return Err(BADARITH);
            }
            return Ok(make_i64(h, x.checked_rem(*y).unwrap_or(0)));
        }
        let (x, y) = (big(x).unwrap(), big(y).unwrap());
        if y.is_zero() {
            return Err(BADARITH);
        }
        int_result(h, &x % &y)
    }

    fn bitop<A: Alloc + ?Sized>(h: &mut A, a: Term, b: Term, op: char) -> BifResult {
        let (x, y) = ints(a, b)?;
        if let (Num::Int(x), Num::Int(y)) = (&x, &y) {
            let r = match op {
                '&' => x & y,
                '|' => x | y,
                _ => x ^ y,
            };
            return Ok(make_i64(h, r));
        }
        let (x, y) = (big(x).unwrap(), big(y).unwrap());
        int_result(
            h,
            match op {
                '&' => x & y,
                '|' => x | y,
                _ => x ^ y,
            },
        )
    }

    /// `A band B`.
    pub fn band<A: Alloc + ?Sized>(h: &mut A, a: Term, b: Term) -> BifResult {
        bitop(h, a, b, '&')
    }
    /// `A bor B`.
    pub fn bor<A: Alloc + ?Sized>(h: &mut A, a: Term, b: Term) -> BifResult {
        bitop(h, a, b, '|')
    }
    /// `A bxor B`.
    pub fn bxor<A: Alloc + ?Sized>(h: &mut A, a: Term, b: Term) -> BifResult {
        bitop(h, a, b, '^')
    }

    fn shift<A: Alloc + ?Sized>(h: &mut A, a: Term, by: Term, left: bool) -> BifResult {
        let (x, s) = ints(a, by)?;
        let s = match s {
            Num::Int(s) => s,
            Num::Big(b) => {
                // Huge shifts: right shifts give 0 or -1; left shifts of non-zero overflow.
                let x = big(x).unwrap();
                let right = b.is_negative() == left;
                if right || x.is_zero() {
                    return Ok(Term::small(if x.is_negative() && right { -1 } else { 0 }));
                }
                return Err(Fault::system_limit());
            }
            _ => unreachable!(),
        };
        let s = if left {
            s
        } else {
            s.checked_neg().unwrap_or(i64::MAX)
        };
        let x = big(x).unwrap();
        if s >= 0 {
            if s > (1 << 26) && !x.is_zero() {
                return Err(Fault::system_limit());
            }
            int_result(h, x << (s as usize))
        } else {
            let r = (-s).min(1 << 30) as usize;
            // Arithmetic shift right rounds towards negative infinity.
            int_result(h, x.div_floor(&(BigInt::from(1) << r)))
        }
    }

    /// `A bsl B`.
    pub fn bsl<A: Alloc + ?Sized>(h: &mut A, a: Term, b: Term) -> BifResult {
        if let (Some(x), Some(s)) = (a.as_small(), b.as_small()) {
            if (0..63).contains(&s) && x.unsigned_abs() < (1u64 << (62 - s)) {
                return Ok(make_i64(h, x << s));
            }
        }
        shift(h, a, b, true)
    }
    /// `A bsr B`.
    pub fn bsr<A: Alloc + ?Sized>(h: &mut A, a: Term, b: Term) -> BifResult {
        if let (Some(x), Some(s)) = (a.as_small(), b.as_small()) {
            if s >= 0 {
                return Ok(Term::small(x >> s.min(63)));
            }
        }
        shift(h, a, b, false)
    }

    /// `bnot A`.
    pub fn bnot<A: Alloc + ?Sized>(h: &mut A, a: Term) -> BifResult {
        match number(a) {
            Some(Num::Int(x)) => Ok(make_i64(h, !x)),
            Some(Num::Big(b)) => int_result(h, -b - 1),
            _ => Err(BADARITH),
        }
    }

    /// `-A`.
    pub fn neg<A: Alloc + ?Sized>(h: &mut A, a: Term) -> BifResult {
        match number(a) {
            Some(Num::Int(x)) => match x.checked_neg() {
                Some(v) => Ok(make_i64(h, v)),
                None => int_result(h, -BigInt::from(x)),
            },
            Some(Num::Big(b)) => int_result(h, -b),
            Some(Num::Float(f)) => float_result(h, -f),
            None => Err(BADARITH),
        }
    }

    /// `+A`.
    pub fn pos(a: Term) -> BifResult {
        if is_number(a) {
            Ok(a)
        } else {
            Err(BADARITH)
        }
    }

    /// `abs(A)`.
    pub fn abs<A: Alloc + ?Sized>(h: &mut A, a: Term) -> BifResult {
        match number(a) {
            Some(Num::Int(x)) => match x.checked_abs() {
                Some(v) => Ok(make_i64(h, v)),
                None => int_result(h, BigInt::from(x).abs()),
            },
            Some(Num::Big(b)) => int_result(h, b.abs()),
            // The reference negates only values below zero, so abs(-0.0) stays -0.0.
            Some(Num::Float(f)) => float_result(h, if f < 0.0 { -f } else { f }),
            None => Err(BADARG),
        }
    }

    /// `float(A)`.
    pub fn float<A: Alloc + ?Sized>(h: &mut A, a: Term) -> BifResult {
        match number(a) {
            Some(Num::Float(_)) => Ok(a),
            Some(n) => match to_f(&n) {
                Some(f) => Ok(make_float(h, f)),
                None => Err(BADARG),
            },
            None => Err(BADARG),
        }
    }

    /// Converts a float to an integer term with a rounding function.
    fn float_to_int<A: Alloc + ?Sized>(h: &mut A, t: Term, f: fn(f64) -> f64) -> BifResult {
        match number(t) {
            Some(Num::Float(x)) => {
                let r = f(x);
                if r.abs() < 9.0e18 {
                    Ok(make_i64(h, r as i64))
                } else {
                    let b = num_bigint::BigInt::from_f64_exact(r);
                    int_result(h, b)
                }
            }
            Some(_) => Ok(t),
            None => Err(BADARG),
        }
    }

    /// `trunc(A)`.
    pub fn trunc<A: Alloc + ?Sized>(h: &mut A, a: Term) -> BifResult {
        float_to_int(h, a, f64::trunc)
    }
    /// `round(A)`.
    pub fn round<A: Alloc + ?Sized>(h: &mut A, a: Term) -> BifResult {
        float_to_int(h, a, f64::round)
    }
    /// `floor(A)`.
    pub fn floor<A: Alloc + ?Sized>(h: &mut A, a: Term) -> BifResult {
        float_to_int(h, a, f64::floor)
    }
    /// `ceil(A)`.
    pub fn ceil<A: Alloc + ?Sized>(h: &mut A, a: Term) -> BifResult {
        float_to_int(h, a, f64::ceil)
    }
}

pub fn plus(p: &mut Process, a: &[Term]) -> BifResult {
    ops::add(&mut p.heap, a[0], a[1])
}
pub fn minus(p: &mut Process, a: &[Term]) -> BifResult {
    ops::sub(&mut p.heap, a[0], a[1])
}
pub fn times(p: &mut Process, a: &[Term]) -> BifResult {
    ops::mul(&mut p.heap, a[0], a[1])
}
fn fdiv(p: &mut Process, a: &[Term]) -> BifResult {
    ops::fdiv(&mut p.heap, a[0], a[1])
}
fn div(p: &mut Process, a: &[Term]) -> BifResult {
    ops::div(&mut p.heap, a[0], a[1])
}
fn rem(p: &mut Process, a: &[Term]) -> BifResult {
    ops::rem(&mut p.heap, a[0], a[1])
}
fn band(p: &mut Process, a: &[Term]) -> BifResult {
    ops::band(&mut p.heap, a[0], a[1])
}
fn bor(p: &mut Process, a: &[Term]) -> BifResult {
    ops::bor(&mut p.heap, a[0], a[1])
}
fn bxor(p: &mut Process, a: &[Term]) -> BifResult {
    ops::bxor(&mut p.heap, a[0], a[1])
}
fn bsl(p: &mut Process, a: &[Term]) -> BifResult {
    ops::bsl(&mut p.heap, a[0], a[1])
}
fn bsr(p: &mut Process, a: &[Term]) -> BifResult {
    ops::bsr(&mut p.heap, a[0], a[1])
}
fn bnot(p: &mut Process, a: &[Term]) -> BifResult {
    ops::bnot(&mut p.heap, a[0])
}
fn neg(p: &mut Process, a: &[Term]) -> BifResult {
    ops::neg(&mut p.heap, a[0])
}
fn pos(_p: &mut Process, a: &[Term]) -> BifResult {
    ops::pos(a[0])
}
fn abs(p: &mut Process, a: &[Term]) -> BifResult {
    ops::abs(&mut p.heap, a[0])
}
fn float(p: &mut Process, a: &[Term]) -> BifResult {
    ops::float(&mut p.heap, a[0])
}

trait FromF64Exact {
    fn from_f64_exact(f: f64) -> BigInt;
}
impl FromF64Exact for BigInt {
    fn from_f64_exact(f: f64) -> BigInt {
        num_traits::FromPrimitive::from_f64(f).unwrap_or_default()
    }
}

fn trunc(p: &mut Process, a: &[Term]) -> BifResult {
    ops::trunc(&mut p.heap, a[0])
}
fn round(p: &mut Process, a: &[Term]) -> BifResult {
    ops::round(&mut p.heap, a[0])
}
fn floor(p: &mut Process, a: &[Term]) -> BifResult {
    ops::floor(&mut p.heap, a[0])
}
fn ceil(p: &mut Process, a: &[Term]) -> BifResult {
    ops::ceil(&mut p.heap, a[0])
}

fn eq(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(Term::boolean(compare::eq(a[0], a[1])))
}
fn ne(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(Term::boolean(!compare::eq(a[0], a[1])))
}
fn eqx(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(Term::boolean(compare::eq_exact(a[0], a[1])))
}
fn nex(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(Term::boolean(!compare::eq_exact(a[0], a[1])))
}
fn lt(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(Term::boolean(compare::compare(a[0], a[1], false).is_lt()))
}
fn gt(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(Term::boolean(compare::compare(a[0], a[1], false).is_gt()))
}
fn le(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(Term::boolean(compare::compare(a[0], a[1], false).is_le()))
}
fn ge(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(Term::boolean(compare::compare(a[0], a[1], false).is_ge()))
}

fn bool_args(a: &[Term]) -> Result<Vec<bool>, Fault> {
    a.iter()
        .map(|t| {
            if t.is_boolean() {
                Ok(*t == Term::TRUE)
            } else {
                Err(BADARG)
            }
        })
        .collect()
}
fn and(_p: &mut Process, a: &[Term]) -> BifResult {
    let b = bool_args(a)?;
    Ok(Term::boolean(b[0] && b[1]))
}
fn or(_p: &mut Process, a: &[Term]) -> BifResult {
    let b = bool_args(a)?;
    Ok(Term::boolean(b[0] || b[1]))
}
fn xor(_p: &mut Process, a: &[Term]) -> BifResult {
    let b = bool_args(a)?;
    Ok(Term::boolean(b[0] ^ b[1]))
}
fn not(_p: &mut Process, a: &[Term]) -> BifResult {
    let b = bool_args(a)?;
    Ok(Term::boolean(!b[0]))
}

fn min(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(if compare::compare(a[1], a[0], false).is_lt() {
        a[1]
    } else {
        a[0]
    })
}
fn max(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(if compare::compare(a[1], a[0], false).is_gt() {
        a[1]
    } else {
        a[0]
    })
}

pub fn register() {
    for (name, f) in [
        ("+", plus as crate::bif::BifFn),
        ("-", minus),
        ("*", times),
        ("/", fdiv),
        ("div", div),
        ("rem", rem),
        ("band", band),
        ("bor", bor),
        ("bxor", bxor),
        ("bsl", bsl),
        ("bsr", bsr),
    ] {
        reg("erlang", name, 2, f);
    }
    reg("erlang", "-", 1, neg);
    reg("erlang", "+", 1, pos);
    reg("erlang", "bnot", 1, bnot);
    for (name, f) in [
        ("abs", abs as crate::bif::BifFn),
        ("float", float),
        ("trunc", trunc),
        ("round", round),
        ("floor", floor),
        ("ceil", ceil),
        ("not", not),
    ] {
        reg("erlang", name, 1, f);
    }
    for (name, f) in [
        ("==", eq as crate::bif::BifFn),
        ("/=", ne),
        ("=:=", eqx),
        ("=/=", nex),
        ("<", lt),
        (">", gt),
        ("=<", le),
        (">=", ge),
        ("and", and),
        ("or", or),
        ("xor", xor),
        ("min", min),
        ("max", max),
    ] {
        reg("erlang", name, 2, f);
    }
}
