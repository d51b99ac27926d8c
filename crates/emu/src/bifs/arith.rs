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

fn float_result(p: &mut Process, f: f64) -> BifResult {
    if f.is_finite() {
        Ok(make_float(&mut p.heap, f))
    } else {
        Err(BADARITH)
    }
}

fn int_result(p: &mut Process, v: BigInt) -> BifResult {
    // The reference limits integers to about 2^(64*2^24) bits; refuse absurd sizes.
    if v.bits() > (1u64 << 26) {
        return Err(Fault::system_limit());
    }
    Ok(make_integer(&mut p.heap, &v))
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

fn arith2(p: &mut Process, a: Term, b: Term, op: char) -> BifResult {
    // Float arithmetic without a bignum operand needs no `Num` (the common case).
    if is_float(a) || is_float(b) {
        if let (Some(x), Some(y)) = (compare::small_or_float(a), compare::small_or_float(b)) {
            return float_result(
                p,
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
            p,
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
            return Ok(make_i64(&mut p.heap, r));
        }
    }
    let (x, y) = (big(na).unwrap(), big(nb).unwrap());
    int_result(
        p,
        match op {
            '+' => x + y,
            '-' => x - y,
            _ => x * y,
        },
    )
}

pub fn plus(p: &mut Process, a: &[Term]) -> BifResult {
    arith2(p, a[0], a[1], '+')
}
pub fn minus(p: &mut Process, a: &[Term]) -> BifResult {
    arith2(p, a[0], a[1], '-')
}
pub fn times(p: &mut Process, a: &[Term]) -> BifResult {
    arith2(p, a[0], a[1], '*')
}

fn fdiv(p: &mut Process, a: &[Term]) -> BifResult {
    let (x, y) = match (
        number(a[0]).as_ref().and_then(to_f),
        number(a[1]).as_ref().and_then(to_f),
    ) {
        (Some(x), Some(y)) => (x, y),
        _ => return Err(BADARITH),
    };
    if y == 0.0 {
        return Err(BADARITH);
    }
    float_result(p, x / y)
}

fn ints(a: Term, b: Term) -> Result<(Num, Num), Fault> {
    match (number(a), number(b)) {
        (Some(x @ (Num::Int(_) | Num::Big(_))), Some(y @ (Num::Int(_) | Num::Big(_)))) => {
            Ok((x, y))
        }
        _ => Err(BADARITH),
    }
}

fn div(p: &mut Process, a: &[Term]) -> BifResult {
    let (x, y) = ints(a[0], a[1])?;
    if let (Num::Int(x), Num::Int(y)) = (&x, &y) {
        if *y == 0 {
            return Err(BADARITH);
        }
        if let Some(r) = x.checked_div(*y) {
            return Ok(make_i64(&mut p.heap, r));
        }
    }
    let (x, y) = (big(x).unwrap(), big(y).unwrap());
    if y.is_zero() {
        return Err(BADARITH);
    }
    int_result(p, &x / &y)
}

fn rem(p: &mut Process, a: &[Term]) -> BifResult {
    let (x, y) = ints(a[0], a[1])?;
    if let (Num::Int(x), Num::Int(y)) = (&x, &y) {
        if *y == 0 {
            return Err(BADARITH);
        }
        return Ok(make_i64(&mut p.heap, x.checked_rem(*y).unwrap_or(0)));
    }
    let (x, y) = (big(x).unwrap(), big(y).unwrap());
    if y.is_zero() {
        return Err(BADARITH);
    }
    int_result(p, &x % &y)
}

fn bitop(p: &mut Process, a: &[Term], op: char) -> BifResult {
    let (x, y) = ints(a[0], a[1])?;
    if let (Num::Int(x), Num::Int(y)) = (&x, &y) {
        let r = match op {
            '&' => x & y,
            '|' => x | y,
            _ => x ^ y,
        };
        return Ok(make_i64(&mut p.heap, r));
    }
    let (x, y) = (big(x).unwrap(), big(y).unwrap());
    int_result(
        p,
        match op {
            '&' => x & y,
            '|' => x | y,
            _ => x ^ y,
        },
    )
}

fn band(p: &mut Process, a: &[Term]) -> BifResult {
    bitop(p, a, '&')
}
fn bor(p: &mut Process, a: &[Term]) -> BifResult {
    bitop(p, a, '|')
}
fn bxor(p: &mut Process, a: &[Term]) -> BifResult {
    bitop(p, a, '^')
}

fn shift(p: &mut Process, a: Term, by: Term, left: bool) -> BifResult {
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
        int_result(p, x << (s as usize))
    } else {
        let r = (-s).min(1 << 30) as usize;
        // Arithmetic shift right rounds towards negative infinity.
        int_result(p, x.div_floor(&(BigInt::from(1) << r)))
    }
}

fn bsl(p: &mut Process, a: &[Term]) -> BifResult {
    if let (Some(x), Some(s)) = (a[0].as_small(), a[1].as_small()) {
        if (0..63).contains(&s) && x.unsigned_abs() < (1u64 << (62 - s)) {
            return Ok(make_i64(&mut p.heap, x << s));
        }
    }
    shift(p, a[0], a[1], true)
}
fn bsr(p: &mut Process, a: &[Term]) -> BifResult {
    if let (Some(x), Some(s)) = (a[0].as_small(), a[1].as_small()) {
        if s >= 0 {
            return Ok(Term::small(x >> s.min(63)));
        }
    }
    shift(p, a[0], a[1], false)
}

fn bnot(p: &mut Process, a: &[Term]) -> BifResult {
    match number(a[0]) {
        Some(Num::Int(x)) => Ok(make_i64(&mut p.heap, !x)),
        Some(Num::Big(b)) => int_result(p, -b - 1),
        _ => Err(BADARITH),
    }
}

fn neg(p: &mut Process, a: &[Term]) -> BifResult {
    match number(a[0]) {
        Some(Num::Int(x)) => match x.checked_neg() {
            Some(v) => Ok(make_i64(&mut p.heap, v)),
            None => int_result(p, -BigInt::from(x)),
        },
        Some(Num::Big(b)) => int_result(p, -b),
        Some(Num::Float(f)) => float_result(p, -f),
        None => Err(BADARITH),
    }
}

fn pos(_p: &mut Process, a: &[Term]) -> BifResult {
    if is_number(a[0]) {
        Ok(a[0])
    } else {
        Err(BADARITH)
    }
}

fn abs(p: &mut Process, a: &[Term]) -> BifResult {
    match number(a[0]) {
        Some(Num::Int(x)) => match x.checked_abs() {
            Some(v) => Ok(make_i64(&mut p.heap, v)),
            None => int_result(p, BigInt::from(x).abs()),
        },
        Some(Num::Big(b)) => int_result(p, b.abs()),
        // The reference negates only values below zero, so abs(-0.0) stays -0.0.
        Some(Num::Float(f)) => float_result(p, if f < 0.0 { -f } else { f }),
        None => Err(BADARG),
    }
}

fn float(p: &mut Process, a: &[Term]) -> BifResult {
    match number(a[0]) {
        Some(Num::Float(_)) => Ok(a[0]),
        Some(n) => match to_f(&n) {
            Some(f) => Ok(make_float(&mut p.heap, f)),
            None => Err(BADARG),
        },
        None => Err(BADARG),
    }
}

/// Converts a float to an integer term with a rounding function.
fn float_to_int(p: &mut Process, t: Term, f: fn(f64) -> f64) -> BifResult {
    match number(t) {
        Some(Num::Float(x)) => {
            let r = f(x);
            if r.abs() < 9.0e18 {
                Ok(make_i64(&mut p.heap, r as i64))
            } else {
                let b = num_bigint::BigInt::from_f64_exact(r);
                int_result(p, b)
            }
        }
        Some(_) => Ok(t),
        None => Err(BADARG),
    }
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
    float_to_int(p, a[0], f64::trunc)
}
fn round(p: &mut Process, a: &[Term]) -> BifResult {
    float_to_int(p, a[0], f64::round)
}
fn floor(p: &mut Process, a: &[Term]) -> BifResult {
    float_to_int(p, a[0], f64::floor)
}
fn ceil(p: &mut Process, a: &[Term]) -> BifResult {
    float_to_int(p, a[0], f64::ceil)
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
