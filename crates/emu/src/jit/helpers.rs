//! Rust functions that native code calls (System V ABI) for the parts of instructions
//! too big to write in assembly. Each either finishes its instruction's fast path or
//! reports, before changing anything, that the interpreter must do the instruction.

use crate::bif::{BifFn, BifResult};
use crate::compare;
use crate::interp::{self, Regs};
use crate::ops::{Op, TypeTest};
use crate::process::Process;
use oxbeam_term::Term;

/// The general comparison (`cmp` is an `emit::Cmp`): true if the test holds.
pub(super) extern "sysv64" fn compare(a: Term, b: Term, cmp: u32) -> bool {
    match cmp {
        0 => compare::compare(a, b, false).is_lt(),
        1 => compare::compare(a, b, false).is_ge(),
        2 => compare::eq(a, b),
        3 => !compare::eq(a, b),
        4 => compare::eq_exact(a, b),
        _ => !compare::eq_exact(a, b),
    }
}

/// A type test; `test` points into the module's (immortal) code.
pub(super) extern "sysv64" fn type_test(test: *const TypeTest, v: Term) -> bool {
    // SAFETY: the pointer was taken from an instruction of loaded code, never freed.
    interp::type_test(unsafe { *test }, v)
}

/// `is_function2`: a fun of arity `a`.
pub(super) extern "sysv64" fn is_function2(f: Term, a: Term) -> bool {
    interp::is_function2(f, a)
}

/// `has_map_fields` (`op`): false to take the fail label.
pub(super) extern "sysv64" fn has_map_fields(p: &mut Process, regs: &mut Regs, op: &Op) -> bool {
    match op {
        Op::HasMapFields { map, keys, .. } => interp::has_map_fields(p, regs, *map, keys),
        _ => false,
    }
}

/// `get_map_elements` (`op`): false to take the fail label.
pub(super) extern "sysv64" fn get_map_elements(p: &mut Process, regs: &mut Regs, op: &Op) -> bool {
    match op {
        Op::GetMapElements { map, pairs, .. } => interp::get_map_elements(p, regs, *map, pairs),
        _ => false,
    }
}

/// A guard BIF of one or two arguments: its value, or the non-value if it failed
/// (guard BIFs have no effects, so the interpreter may run it again to raise).
pub(super) extern "sysv64" fn guard_bif(
    p: &mut Process,
    bif: *const (),
    a: Term,
    b: Term,
    n: u32,
) -> Term {
    let args = [a, b];
    bif_fn(bif)(p, &args[..n as usize]).unwrap_or(Term::NON_VALUE)
}

/// A BIF's function from the address native code holds (taken from a `BifFn` of an
/// instruction when the code was compiled).
fn bif_fn(f: *const ()) -> BifFn {
    // SAFETY: native code passes only addresses it got from a `BifFn` (see
    // `emit::Emitter::guard_bif` and `call_bif`).
    unsafe { std::mem::transmute::<*const (), BifFn>(f) }
}

/// A BIF called as a function (`call_bif`, `op` at `ip`): its value, or the
/// non-value when the interpreter must take over the instruction: before the call for
/// a traced process; after it when the BIF failed or trapped, with the result left in
/// `Process::jit_bif_result` for the interpreter to use instead of calling again.
pub(super) extern "sysv64" fn call_bif(
    p: &mut Process,
    regs: &mut Regs,
    bif: *const (),
    arity: u32,
    ip: *const Op,
) -> Term {
    if p.trace_flags != 0 {
        return Term::NON_VALUE;
    }
    let n = arity as usize;
    p.ip = ip;
    p.reds_left -= 1;
    // The arguments are read in place: a BIF gets the process, not the registers,
    // so nothing writes them during the call.
    let r: BifResult = bif_fn(bif)(p, &regs.x[..n]);
    match r {
        Ok(v) if v.is_value() => v,
        other => {
            // The interpreter spends the reduction again.
            p.reds_left += 1;
            p.jit_bif_result = Some(other);
            Term::NON_VALUE
        }
    }
}

/// What a fun call jumps to: the code and the live registers, or a null code when the
/// interpreter must make the call (not a fun, wrong arity, code not loaded).
#[repr(C)]
pub(super) struct FunTarget {
    code: *const Op,
    live: u64,
}

/// Prepares the call of `fun` with `n` arguments (see `interp::fun_target`).
pub(super) extern "sysv64" fn prepare_fun(regs: &mut Regs, fun: Term, n: u64) -> FunTarget {
    match interp::fun_target(regs, fun, n as usize) {
        Some((code, live)) => FunTarget {
            code,
            live: live as u64,
        },
        None => FunTarget {
            code: std::ptr::null(),
            live: 0,
        },
    }
}

/// `put_map_assoc` / `put_map_exact` (`op`): false, before changing anything, when the
/// interpreter must do it (not a map, or a key missing for an exact update: it raises
/// or takes the fail label).
pub(super) extern "sysv64" fn put_map(p: &mut Process, regs: &mut Regs, op: &Op) -> bool {
    let (Op::PutMapAssoc(mp) | Op::PutMapExact(mp)) = op else {
        return false;
    };
    let m = interp::get(p, regs, mp.map);
    if !crate::object::is_map(m) {
        return false;
    }
    let updated = interp::with_map_updates(p, regs, &mp.pairs, |p, updates| match op {
        Op::PutMapAssoc(_) => Some(crate::map::put_many(&mut p.heap, m, updates)),
        _ => crate::map::update_many(&mut p.heap, m, updates).ok(),
    });
    let Some(updated) = updated else {
        return false;
    };
    interp::set(p, regs, mp.dst, updated);
    true
}
