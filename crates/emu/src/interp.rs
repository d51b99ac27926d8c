//! The interpreter loop: one `match` arm per specific instruction (the compiler turns
//! the dense discriminants into a jump table: one indirect jump per instruction).
//!
//! Register conventions: X registers live in [`Regs`] (per scheduler); Y registers are
//! stack slots `stop[0..]` of the current frame; a call pushes its return address (a
//! code pointer, which has the header tag so it is never mistaken for a term) and
//! `return` pops it. Exceptions unwind to the innermost catch marker on the stack.

use crate::bif::{BifFn, Class, Fault, Trap};
use crate::code::Export;
use crate::compare;
use crate::object::*;
use crate::ops::*;
use crate::process::{CurrentException, Process};
use crate::stacktrace::{self, Top};
use oxbeam_term::atom::am;
use oxbeam_term::header::*;
use oxbeam_term::Term;

pub const X_REGS: usize = 1024;
pub const F_REGS: usize = 1024;

/// A scheduler's register file.
///
/// The registers are arrays inside the struct rather than boxed slices: an X register
/// is then addressed from the `regs` pointer itself, without first loading the slice's
/// data pointer (one load less per operand in the interpreter).
pub struct Regs {
    pub x: [Term; X_REGS],
    pub f: [f64; F_REGS],
    /// The JIT's per-scheduler state.
    pub jit: crate::jit::Ctx,
}

impl Default for Regs {
    fn default() -> Self {
        Regs {
            x: [Term::NIL; X_REGS],
            f: [0.0; F_REGS],
            jit: crate::jit::Ctx::default(),
        }
    }
}

/// Why the interpreter returned to the scheduler.
#[derive(Debug, Clone, Copy)]
pub enum Outcome {
    /// Out of reductions (or `erlang:yield`): runnable again.
    Yield,
    /// Waiting in `receive`.
    Wait,
    /// The process finished with this exit reason.
    Exit(Term),
    /// `halt/1`.
    Halt(i32),
    /// Continue on a dirty scheduler (the job is in `Process::dirty`).
    Dirty(crate::sched::dirty::DirtyKind),
}

/// The instruction every process's outermost frame returns to: a normal exit.
pub static PROCESS_EXIT: Op = Op::ProcessExit;

#[inline(always)]
fn y_ptr(p: &Process, i: usize) -> *mut Term {
    // SAFETY: Y index within the current frame (validated by the compiler's beam_validator).
    unsafe { p.heap.stop.add(i) }
}

/// The base of the register file a register operand indexes: the stack frame for Y,
/// the X registers otherwise. A conditional move, not a branch: one handler serves
/// instances with X and with Y operands, so the kind is unpredictable at that branch.
#[inline(always)]
fn reg_base(p: &Process, regs: &Regs, is_y: bool) -> *mut Term {
    std::hint::select_unpredictable(is_y, p.heap.stop, regs.x.as_ptr() as *mut Term)
}

#[inline(always)]
pub(crate) fn get(p: &Process, regs: &Regs, s: Src) -> Term {
    if s.is_reg() {
        // SAFETY: X indices were checked against X_REGS when the code was loaded; Y
        // indices lie within the current frame (see y_ptr).
        unsafe { *reg_base(p, regs, s.is_y()).add(s.reg_index()) }
    } else {
        Term(s.0)
    }
}

/// Float register `i` (indices were checked against F_REGS when the code was loaded).
#[inline(always)]
fn freg(regs: &mut Regs, i: u32) -> &mut f64 {
    // SAFETY: see above.
    unsafe { regs.f.get_unchecked_mut(i as usize) }
}

#[inline(always)]
pub(crate) fn set(p: &mut Process, regs: &mut Regs, d: Dst, v: Term) {
    // SAFETY: as in `get`.
    unsafe { *reg_base(p, regs, d.is_y()).add(d.index()) = v }
}

#[inline(always)]
pub(crate) fn jump(ip: *const Op, l: Label) -> *const Op {
    // SAFETY: label offsets were resolved to instructions of the same module.
    unsafe { ip.offset(l.0 as isize) }
}

#[inline(always)]
pub(crate) fn next(ip: *const Op) -> *const Op {
    // SAFETY: every instruction is followed by another (modules end in CodeEnd).
    unsafe { ip.add(1) }
}

/// Makes sure `need` heap words (plus the stack reserve) are free, collecting if not.
/// True if the collection is a long one that must run on a dirty scheduler: the job
/// and the live registers are saved, and the caller leaves with `Outcome::Dirty` to run
/// the instruction again afterwards.
#[inline(always)]
fn ensure_heap(p: &mut Process, regs: &mut Regs, need: usize, live: usize) -> bool {
    if p.heap.free_words() < need + crate::heap::STACK_RESERVE || p.heap.want_gc {
        return collect_here_or_dirty(p, regs, need, live);
    }
    false
}

/// Back from a dirty collection: its float registers return.
#[cold]
fn restore_after_dirty(p: &mut Process, regs: &mut Regs) {
    if let Some(s) = p.dirty.take() {
        match *s {
            crate::sched::dirty::DirtyState::Collected { fregs } => regs.f.copy_from_slice(&fregs),
            other => p.dirty = Some(Box::new(other)),
        }
    }
}

#[cold]
fn collect_here_or_dirty(p: &mut Process, regs: &mut Regs, need: usize, live: usize) -> bool {
    if crate::sched::dirty::gc_is_long(p, need) {
        let fregs: Box<[f64]> = Box::new(regs.f);
        p.dirty = Some(Box::new(crate::sched::dirty::DirtyState::Gc {
            need,
            fregs,
        }));
        p.saved_x.extend_from_slice(&regs.x[..live]);
        return true;
    }
    p.garbage_collect(&mut regs.x[..live], need, false);
    p.heap.want_gc = p.heap.stress;
    false
}

fn pop_frame(p: &mut Process, n: u32) {
    // SAFETY: the frame being dropped was allocated by `allocate` with the same size.
    p.heap.stop = unsafe { p.heap.stop.add(n as usize) };
}

/// `deallocate N` + `return`: drops the frame and returns to the address under it.
#[inline(always)]
fn dealloc_return(p: &mut Process, n: u32) -> *const Op {
    // SAFETY: the frame of `n` words sits on top of the return address pushed by the
    // call (see pop_frame and do_return).
    unsafe {
        let cp_at = p.heap.stop.add(n as usize);
        p.heap.stop = cp_at.add(1);
        (*cp_at).0 as *const Op
    }
}

/// Builds the tuple of `put_tuple2` from its element sources.
#[inline(always)]
fn put_tuple(p: &mut Process, regs: &Regs, elems: &[Src]) -> Term {
    let ptr = p.heap.alloc(elems.len() + 1);
    // SAFETY: fresh words for the header and elements.
    unsafe {
        *ptr = make_header(SUBTAG_TUPLE, elems.len());
        for (i, s) in elems.iter().enumerate() {
            *ptr.add(1 + i) = get(p, regs, *s);
        }
    }
    Term::make_boxed(ptr)
}

fn do_return(p: &mut Process) -> *const Op {
    // SAFETY: the top of the stack holds the return address pushed by the call.
    unsafe {
        let cp = *p.heap.stop;
        p.heap.stop = p.heap.stop.add(1);
        cp.0 as *const Op
    }
}

/// An exception about to be raised.
struct Raise {
    class: Class,
    reason: Term,
    top: Top,
    /// A stack trace to use as is (erlang:raise/3, rethrow).
    given_trace: Option<Term>,
}

fn error(reason: Term) -> Raise {
    Raise {
        class: Class::Error,
        reason,
        top: Top::Arity,
        given_trace: None,
    }
}

fn tuple2(p: &mut Process, a: Term, b: Term) -> Term {
    make_tuple(&mut p.heap, &[a, b])
}

fn args_list(p: &mut Process, regs: &Regs, arity: usize) -> Term {
    let v: Vec<Term> = regs.x[..arity].to_vec();
    list_from_iter(&mut p.heap, &v, Term::NIL)
}

/// Converts a BIF fault into a raise.
fn fault_to_raise(
    p: &mut Process,
    f: Fault,
    bif_export: Option<&'static Export>,
    args: &[Term],
) -> Raise {
    let (f, cause) = match f {
        Fault::ErrorCause(reason, cause) => (Fault::Error(reason), Some(cause)),
        f => (f, None),
    };
    match f {
        Fault::Error(reason) => match bif_export {
            Some(e) => {
                let a = list_from_iter(&mut p.heap, args, Term::NIL);
                let top = if e.nif.get().is_some() {
                    // A NIF's frame has no error_info, as in the reference.
                    Top::Nif {
                        module: e.module,
                        function: e.function,
                        args: a,
                    }
                } else {
                    Top::Bif {
                        module: e.module,
                        function: e.function,
                        args: a,
                        cause,
                    }
                };
                Raise {
                    class: Class::Error,
                    reason,
                    top,
                    given_trace: None,
                }
            }
            None => error(reason),
        },
        Fault::Raise(class, reason) => Raise {
            class,
            reason,
            top: Top::Arity,
            given_trace: None,
        },
        Fault::RaiseArgs(reason, a, info) => Raise {
            class: Class::Error,
            reason,
            top: Top::Args(a, info),
            given_trace: None,
        },
        Fault::Reraise(class, reason, trace) => Raise {
            class,
            reason,
            top: Top::Arity,
            given_trace: Some(trace),
        },
        Fault::Trap(_) | Fault::ErrorCause(..) => error(Term::atom(am::BADARG)),
    }
}

/// Unwinds to the innermost catch: returns the handler address, having set x0..x3, or
/// `None` when the process has no catch left (it then exits with the reason in x2).
fn throw(p: &mut Process, regs: &mut Regs, ip: *const Op, r: Raise) -> Option<*const Op> {
    let trace = match r.given_trace {
        Some(t) => t,
        None => stacktrace::build(p, ip, r.top),
    };
    if p.trace_flags & crate::trace::CALL != 0 || crate::trace::bp::all_mode() {
        crate::trace::bp::exception_unwind(p, r.class, r.reason);
    }
    let class = r.class.atom();
    let raw = make_tuple(&mut p.heap, &[class, trace]);
    p.exception = Some(CurrentException {
        class,
        reason: r.reason,
        stacktrace: trace,
    });
    regs.x[0] = Term::NON_VALUE;
    regs.x[1] = class;
    regs.x[2] = r.reason;
    regs.x[3] = raw;
    if p.catches > 0 {
        let mut at = p.heap.stop;
        while at < p.heap.end {
            // SAFETY: walking the stack words.
            let w = unsafe { *at };
            if w.is_catch() {
                let catch_op = w.catch_addr() as *const Op;
                // SAFETY: catch markers hold the address of their `catch`/`try` instruction.
                let (y, handler) = match unsafe { &*catch_op } {
                    Op::Catch { y, handler } | Op::Try { y, handler } => (*y, *handler),
                    _ => unreachable!("catch marker without catch instruction"),
                };
                // The frame starts y slots below the marker.
                p.heap.stop = unsafe { at.sub(y as usize) };
                return Some(jump(catch_op, handler));
            }
            at = unsafe { at.add(1) };
        }
    }
    None
}

/// The exit reason of an uncaught exception (error gets its stack trace attached).
fn exit_reason(p: &mut Process, regs: &Regs) -> Term {
    let class = regs.x[1];
    let reason = regs.x[2];
    if class == Term::atom(am::ERROR) {
        p.error_exit = true;
        let st = p.exception.map(|e| e.stacktrace).unwrap_or(Term::NIL);
        tuple2(p, reason, st)
    } else if class == Term::atom(am::THROW) {
        p.error_exit = true;
        let nc = tuple2(p, Term::atom(am::NOCATCH), reason);
        let st = p.exception.map(|e| e.stacktrace).unwrap_or(Term::NIL);
        tuple2(p, nc, st)
    } else {
        reason
    }
}

/// Looks up the code for a call to `m:f/arity` (loading the module on demand).
fn resolve_export(m: Term, f: Term, arity: u32) -> Option<&'static Export> {
    let (m, f) = (m.as_atom()?, f.as_atom()?);
    Some(crate::code::export(m, f, arity))
}

/// Kinds of call-like instructions (see `enter_call!`).
const CALL: u8 = 0;
const LAST: u8 = 1;
const ONLY: u8 = 2;

/// The start of a call-like instruction of kind `kind`: a body call pushes the return
/// address, a last call drops the frame first, an only call does neither. `kind` is a
/// constant at every use, so this inlines to straight-line code.
#[inline(always)]
fn enter_call(p: &mut Process, ip: *const Op, kind: u8, dealloc: u32) {
    match kind {
        CALL => p.heap.push(Term(next(ip) as u64)),
        LAST => pop_frame(p, dealloc),
        _ => {}
    }
}

/// Where a call-like instruction continues once its BIF returned a value.
#[inline(always)]
fn leave_call(p: &mut Process, ip: *const Op, kind: u8, dealloc: u32) -> *const Op {
    match kind {
        CALL => next(ip),
        LAST => {
            pop_frame(p, dealloc);
            do_return(p)
        }
        _ => do_return(p),
    }
}

/// Runs `p` until it yields, waits, or exits.
pub fn run(p: &mut Process, regs: &mut Regs) -> Outcome {
    let mut ip = p.ip;
    if let Some(e) = p.first_call.take() {
        // A process's first call goes through its export, as in the reference: it runs
        // the code that is current now, not when it was spawned.
        ip = e.code();
        if std::ptr::eq(ip, &crate::code::APPLY3_STUB) {
            ip = &crate::code::SPAWN_APPLY3;
        }
    }
    for (i, &t) in p.saved_x.iter().enumerate() {
        regs.x[i] = t;
    }
    let live = p.saved_x.len();
    p.saved_x.clear();
    if p.dirty.is_some() {
        restore_after_dirty(p, regs);
    }
    if p.trace_flags != 0 || p.trace_calls || crate::trace::bp::all_mode() {
        crate::trace::bp::schedule_in(p, regs, live);
        // A debug breakpoint may have replaced the first call.
        ip = p.ip;
    }
    if crate::jit::usable(p) {
        return crate::jit::run(p, regs, ip);
    }
    let mut next = std::ptr::null();
    run_loop::<false>(p, regs, ip, &mut next)
}

/// The interpreter loop from `ip`. With `STEP`, it returns after one instruction,
/// with the next instruction's address in `next` (which stays null when the
/// instruction itself ended the run: a yield, a wait, an exit).
pub(crate) fn run_loop<const STEP: bool>(
    p: &mut Process,
    regs: &mut Regs,
    mut ip: *const Op,
    next_ip: &mut *const Op,
) -> Outcome {
    let mut stepped = false;

    macro_rules! raise {
        ($r:expr) => {{
            let r = $r;
            match throw(p, regs, ip, r) {
                Some(h) => {
                    ip = h;
                    continue;
                }
                None => {
                    let reason = exit_reason(p, regs);
                    return Outcome::Exit(reason);
                }
            }
        }};
    }
    macro_rules! fail_or_raise {
        ($fail:expr, $r:expr) => {{
            if $fail.is_none() {
                raise!($r)
            } else {
                ip = jump(ip, $fail);
                continue;
            }
        }};
    }
    // A call: push the return address and either jump or yield at the target.
    macro_rules! dispatch_call {
        ($target:expr, $arity:expr) => {{
            p.reds_left -= 1;
            ip = $target;
            // A process whose calls are traced comes here at every call (see trace::bp).
            if p.reds_left <= 0 {
                let to = crate::trace::bp::call_slow(p, regs, ip, $arity as usize);
                if to.is_null() {
                    p.ip = ip;
                    p.saved_x.extend_from_slice(&regs.x[..$arity as usize]);
                    return Outcome::Yield;
                }
                ip = to;
            }
            continue;
        }};
    }
    // Makes room for `need` words with `live` X registers live; a collection too
    // long for this scheduler moves the process to a dirty one (the instruction runs
    // again there).
    macro_rules! test_heap {
        ($need:expr, $live:expr) => {
            if ensure_heap(p, regs, $need, $live) {
                p.ip = ip;
                return Outcome::Dirty(crate::sched::dirty::DirtyKind::Cpu);
            }
        };
    }
    // A body call to a function of this module.
    macro_rules! call_local {
        ($target:expr, $arity:expr) => {{
            p.heap.push(Term(next(ip) as u64));
            dispatch_call!(jump(ip, $target), $arity)
        }};
    }
    macro_rules! call_bif {
        ($bif:expr, $export:expr, $arity:expr) => {{
            p.reds_left -= 1;
            // process_info(self(), current_function | current_stacktrace) reads it.
            p.ip = ip;
            let n = $arity as usize;
            let mut args = [Term::NIL; 8];
            let argv: Vec<Term>;
            let a: &[Term] = if n <= 8 {
                args[..n].copy_from_slice(&regs.x[..n]);
                &args[..n]
            } else {
                argv = regs.x[..n].to_vec();
                &argv
            };
            // A call-traced process reports calls of BIFs with a trace pattern.
            let traced = if p.trace_flags & crate::trace::CALL != 0 {
                crate::trace::bp::bif_call(p, $export, a)
            } else {
                0
            };
            let result = match p.jit_bif_result.take() {
                Some(r) => r,
                None => ($bif)(p, a),
            };
            match result {
                Ok(v) => {
                    if traced != 0 {
                        crate::trace::bp::bif_return(p, $export, traced, Ok(v));
                    }
                    Ok(v)
                }
                Err(Fault::Trap(t)) => Err(Ok(t)),
                Err(f) => {
                    let a2: Vec<Term> = a.to_vec();
                    let r = fault_to_raise(p, f, Some($export), &a2);
                    if traced != 0 {
                        crate::trace::bp::bif_return(p, $export, traced, Err((r.class, r.reason)));
                    }
                    Err(Err(r))
                }
            }
        }};
    }

    // Calls a guard BIF on `$args`: the result goes to `$dst`, a failure jumps to
    // `$fail` or raises with the BIF's frame.
    macro_rules! guard_bif_apply {
        ($bif:expr, $fail:expr, $dst:expr, $args:expr) => {{
            let args = $args;
            match ($bif)(p, &args) {
                Ok(v) => {
                    set(p, regs, $dst, v);
                    ip = next(ip);
                }
                Err(f) => {
                    let e = bif_export_of($bif);
                    fail_or_raise!($fail, fault_to_raise(p, f, e, &args))
                }
            }
        }};
    }
    // Float-register arithmetic; a non-finite result is `badarith`.
    macro_rules! farith {
        ($a:expr, $b:expr, $dst:expr, $op:tt) => {{
            let r = *freg(regs, $a) $op *freg(regs, $b);
            if !r.is_finite() {
                raise!(error(Term::atom(am::BADARITH)))
            }
            *freg(regs, $dst) = r;
            ip = next(ip);
        }};
    }
    // Comparison with a small-integer fast path.
    macro_rules! cmp_op {
        ($fail:expr, $a:expr, $b:expr, $small:expr, $general:expr) => {{
            let (x, y) = (get(p, regs, $a), get(p, regs, $b));
            let ok = if x.is_small() && y.is_small() {
                #[allow(clippy::redundant_closure_call)]
                ($small)(x.small_value(), y.small_value())
            } else {
                #[allow(clippy::redundant_closure_call)]
                ($general)(x, y)
            };
            ip = if ok { next(ip) } else { jump(ip, $fail) };
        }};
    }
    // Arithmetic with a small-integer fast path; the BIF handles bignums and floats.
    macro_rules! arith {
        ($bif:expr, $fail:expr, $a:expr, $b:expr, $dst:expr, $small:expr, $fop:tt) => {{
            let (x, y) = (get(p, regs, $a), get(p, regs, $b));
            if x.is_small() && y.is_small() {
                #[allow(clippy::redundant_closure_call)]
                if let Some(r) = ($small)(x, y) {
                    set(p, regs, $dst, r);
                    ip = next(ip);
                    continue;
                }
            } else if is_float(x) || is_float(y) {
                // Float arithmetic the compiler could not move to float registers.
                if let (Some(fx), Some(fy)) = (compare::small_or_float(x), compare::small_or_float(y)) {
                    let r = fx $fop fy;
                    if r.is_finite() {
                        let f = make_float(&mut p.heap, r);
                        set(p, regs, $dst, f);
                        ip = next(ip);
                        continue;
                    }
                }
            }
            guard_bif_apply!($bif, $fail, $dst, [x, y])
        }};
    }

    // `X + Imm` / `X - Imm`. Like the reference's increment instruction, errors here show
    // no {erlang, '+' | '-', ...} frame.
    macro_rules! arith_imm {
        ($bif:expr, $fail:expr, $a:expr, $imm:expr, $dst:expr, $small_op:ident) => {{
            let x = get(p, regs, $a);
            if x.is_small() {
                if let Some(r) = x.$small_op(Term::small($imm as i64)) {
                    set(p, regs, $dst, r);
                    ip = next(ip);
                    continue;
                }
            }
            let args = [x, Term::small($imm as i64)];
            match ($bif)(p, &args) {
                Ok(v) => {
                    set(p, regs, $dst, v);
                    ip = next(ip);
                }
                Err(f) => fail_or_raise!($fail, fault_to_raise(p, f, None, &args)),
            }
        }};
    }

    macro_rules! call_bif_arm {
        ($bif:expr, $export:expr, $arity:expr, $kind:expr, $dealloc:expr) => {{
            let r = call_bif!($bif, $export, $arity);
            let v = match r {
                Ok(v) => v,
                // A BIF reached through an export stub (apply, a fun) reports its caller
                // at the return address; one called from Erlang code reports the calling
                // function, even from a tail call.
                Err(Err(raise)) => raise!(raise),
                Err(Ok(trap)) => match handle_trap(p, regs, trap) {
                    TrapAction::Value(v) => v,
                    TrapAction::Apply(target_args) => {
                        // Replace the BIF call by a call to the function.
                        enter_call(p, ip, $kind, $dealloc);
                        match target_args {
                            Ok((target, arity)) => dispatch_call!(target, arity),
                            Err(r) => raise!(r),
                        }
                    }
                    TrapAction::Yield(v) => {
                        regs.x[0] = v;
                        ip = leave_call(p, ip, $kind, $dealloc);
                        p.ip = ip;
                        p.saved_x.push(v);
                        return Outcome::Yield;
                    }
                    TrapAction::Halt(code) => return Outcome::Halt(code),
                    TrapAction::Exit(reason) => return Outcome::Exit(reason),
                    TrapAction::Hibernate(outcome) => return outcome,
                    TrapAction::Retry => {
                        p.ip = ip;
                        p.saved_x.extend_from_slice(&regs.x[..$arity as usize]);
                        return Outcome::Yield;
                    }
                    TrapAction::Dirty(kind) => {
                        p.ip = ip;
                        p.saved_x.extend_from_slice(&regs.x[..$arity as usize]);
                        return Outcome::Dirty(kind);
                    }
                },
            };
            regs.x[0] = v;
            ip = leave_call(p, ip, $kind, $dealloc);
        }};
    }
    macro_rules! guard_bif_arm {
        ($bif:expr, $fail:expr, $dst:expr, $($arg:expr),+) => {{
            guard_bif_apply!($bif, $fail, $dst, [$(get(p, regs, $arg)),+])
        }};
    }

    loop {
        if STEP {
            if stepped {
                *next_ip = ip;
                return Outcome::Yield;
            }
            stepped = true;
        }
        // SAFETY: `ip` always points at an instruction of loaded (immortal) code.
        let op = unsafe { &*ip };
        #[cfg(feature = "opstats")]
        crate::opstats::count(ip);
        match op {
            Op::MoveXX { src, dst } => {
                // SAFETY: X indices were checked against X_REGS when the code was loaded.
                unsafe {
                    *regs.x.get_unchecked_mut(*dst as usize) = *regs.x.get_unchecked(*src as usize)
                };
                ip = next(ip);
            }
            Op::Move { src, dst } => {
                let v = get(p, regs, *src);
                set(p, regs, *dst, v);
                ip = next(ip);
            }
            Op::MoveXY { src, dst } => {
                // SAFETY: X indices were checked against X_REGS when the code was loaded.
                let v = unsafe { *regs.x.get_unchecked(*src as usize) };
                // SAFETY: see y_ptr.
                unsafe { *y_ptr(p, *dst as usize) = v };
                ip = next(ip);
            }
            Op::MoveYX { src, dst } => {
                // SAFETY: see y_ptr.
                let v = unsafe { *y_ptr(p, *src as usize) };
                // SAFETY: X indices were checked against X_REGS when the code was loaded.
                unsafe { *regs.x.get_unchecked_mut(*dst as usize) = v };
                ip = next(ip);
            }
            Op::MoveCX { value, dst } => {
                // SAFETY: X indices were checked against X_REGS when the code was loaded.
                unsafe { *regs.x.get_unchecked_mut(*dst as usize) = *value };
                ip = next(ip);
            }
            Op::Move2 { s1, s2, d1, d2 } => {
                let v = get(p, regs, *s1);
                set(p, regs, *d1, v);
                let v = get(p, regs, *s2);
                set(p, regs, *d2, v);
                ip = next(ip);
            }
            Op::Call { arity, target } => call_local!(*target, *arity),
            Op::MoveCall {
                src,
                dst,
                arity,
                target,
            } => {
                let v = get(p, regs, *src);
                set(p, regs, *dst, v);
                call_local!(*target, *arity)
            }
            Op::Move2Call {
                s1,
                s2,
                d1,
                d2,
                arity,
                target,
            } => {
                let v = get(p, regs, *s1);
                set(p, regs, *d1, v);
                let v = get(p, regs, *s2);
                set(p, regs, *d2, v);
                call_local!(*target, *arity)
            }
            Op::CallLast {
                arity,
                target,
                dealloc,
            } => {
                pop_frame(p, *dealloc);
                dispatch_call!(jump(ip, *target), *arity)
            }
            Op::CallOnly { arity, target } => dispatch_call!(jump(ip, *target), *arity),
            Op::CallExt { arity, export } => {
                p.heap.push(Term(next(ip) as u64));
                dispatch_call!(export.code(), *arity)
            }
            Op::CallExtLast {
                arity,
                export,
                dealloc,
            } => {
                pop_frame(p, *dealloc);
                dispatch_call!(export.code(), *arity)
            }
            Op::CallExtOnly { arity, export } => dispatch_call!(export.code(), *arity),
            Op::CallBif { arity, bif, export } => call_bif_arm!(*bif, *export, *arity, CALL, 0),
            Op::CallBifLast {
                arity,
                bif,
                export,
                dealloc,
            } => call_bif_arm!(*bif, *export, *arity, LAST, *dealloc),
            Op::CallBifOnly { arity, bif, export } => {
                call_bif_arm!(*bif, *export, *arity, ONLY, 0)
            }
            Op::CallFun { arity } => {
                let n = *arity as usize;
                let fun = regs.x[n];
                p.heap.push(Term(next(ip) as u64));
                match prepare_fun_call(p, regs, fun, n) {
                    Ok((target, live)) => dispatch_call!(target, live),
                    // The return address stays: the reference's trace shows the caller
                    // twice (at the call, and as the return address).
                    Err(r) => raise!(r),
                }
            }
            Op::CallFun2 { func, arity } => {
                let n = *arity as usize;
                let fun = get(p, regs, *func);
                p.heap.push(Term(next(ip) as u64));
                match prepare_fun_call(p, regs, fun, n) {
                    Ok((target, live)) => dispatch_call!(target, live),
                    // The return address stays: the reference's trace shows the caller
                    // twice (at the call, and as the return address).
                    Err(r) => raise!(r),
                }
            }
            Op::CallFunLast { arity, dealloc } => {
                let n = *arity as usize;
                let fun = regs.x[n];
                match prepare_fun_call(p, regs, fun, n) {
                    Ok((target, live)) => {
                        pop_frame(p, *dealloc);
                        dispatch_call!(target, live)
                    }
                    Err(r) => raise!(r),
                }
            }
            Op::CallFun2Last {
                func,
                arity,
                dealloc,
            } => {
                let n = *arity as usize;
                let fun = get(p, regs, *func);
                match prepare_fun_call(p, regs, fun, n) {
                    Ok((target, live)) => {
                        pop_frame(p, *dealloc);
                        dispatch_call!(target, live)
                    }
                    Err(r) => raise!(r),
                }
            }
            Op::Return => {
                ip = do_return(p);
            }
            Op::Allocate {
                stack, heap, live, ..
            } => {
                let n = *stack as usize;
                test_heap!(n + *heap as usize, *live as usize);
                // SAFETY: ensure_heap made room for the frame. A local copy of the stack
                // pointer: stores through it cannot change it, which the compiler cannot
                // know of `p.heap.stop`.
                unsafe {
                    let frame = p.heap.stop.sub(n);
                    p.heap.stop = frame;
                    for i in 0..n {
                        *frame.add(i) = Term::NIL;
                    }
                }
                ip = next(ip);
            }
            Op::TestHeap { need, live } => {
                test_heap!(*need as usize, *live as usize);
                ip = next(ip);
            }
            Op::Deallocate { n } => {
                pop_frame(p, *n);
                ip = next(ip);
            }
            Op::DeallocateReturn { n } => ip = dealloc_return(p, *n),
            Op::Trim { n } => {
                pop_frame(p, *n);
                ip = next(ip);
            }
            Op::Init { dst } => {
                set(p, regs, *dst, Term::NIL);
                ip = next(ip);
            }
            Op::InitYregs { regs: ys } => {
                for &y in ys.iter() {
                    // SAFETY: see y_ptr.
                    unsafe { *y_ptr(p, y as usize) = Term::NIL };
                }
                ip = next(ip);
            }
            Op::Swap { a, b } => {
                let (va, vb) = (get(p, regs, a.as_src()), get(p, regs, b.as_src()));
                set(p, regs, *a, vb);
                set(p, regs, *b, va);
                ip = next(ip);
            }
            Op::Bif1 { bif, fail, a, dst } => guard_bif_arm!(*bif, *fail, *dst, *a),
            Op::GcBif1 {
                bif, fail, a, dst, ..
            } => guard_bif_arm!(*bif, *fail, *dst, *a),
            Op::Bif2 {
                bif,
                fail,
                a,
                b,
                dst,
            } => guard_bif_arm!(*bif, *fail, *dst, *a, *b),
            Op::GcBif2 {
                bif,
                fail,
                a,
                b,
                dst,
                ..
            } => guard_bif_arm!(*bif, *fail, *dst, *a, *b),
            Op::GcBif3 {
                bif,
                fail,
                args: srcs,
                dst,
                ..
            } => guard_bif_arm!(*bif, *fail, *dst, srcs[0], srcs[1], srcs[2]),
            Op::AddImm {
                bif,
                fail,
                a,
                imm,
                dst,
            } => arith_imm!(*bif, *fail, *a, *imm, *dst, small_add),
            Op::SubImm {
                bif,
                fail,
                a,
                imm,
                dst,
            } => arith_imm!(*bif, *fail, *a, *imm, *dst, small_sub),
            Op::Add {
                bif,
                fail,
                a,
                b,
                dst,
            } => arith!(*bif, *fail, *a, *b, *dst, |x: Term, y: Term| x.small_add(y), +),
            Op::Sub {
                bif,
                fail,
                a,
                b,
                dst,
            } => arith!(*bif, *fail, *a, *b, *dst, |x: Term, y: Term| x.small_sub(y), -),
            Op::Mul {
                bif,
                fail,
                a,
                b,
                dst,
            } => arith!(*bif, *fail, *a, *b, *dst, |x: Term, y: Term| {
                x.small_value()
                    .checked_mul(y.small_value())
                    .filter(|&r| Term::fits_small(r))
                    .map(Term::small)
            }, *),
            Op::GetList { src, hd, tl } => {
                let l = get(p, regs, *src);
                let (h, t) = (head(l), tail(l));
                set(p, regs, *hd, h);
                set(p, regs, *tl, t);
                ip = next(ip);
            }
            Op::GetHd { src, dst } => {
                let l = get(p, regs, *src);
                set(p, regs, *dst, head(l));
                ip = next(ip);
            }
            Op::GetTl { src, dst } => {
                let l = get(p, regs, *src);
                set(p, regs, *dst, tail(l));
                ip = next(ip);
            }
            Op::GetTupleElement { src, index, dst } => {
                let t = get(p, regs, *src);
                set(p, regs, *dst, tuple_get(t, *index as usize));
                ip = next(ip);
            }
            Op::PutList { hd, tl, dst } => {
                let (h, t) = (get(p, regs, *hd), get(p, regs, *tl));
                let c = cons(&mut p.heap, h, t);
                set(p, regs, *dst, c);
                ip = next(ip);
            }
            Op::PutTuple2 { dst, elems } => {
                let t = put_tuple(p, regs, elems);
                set(p, regs, *dst, t);
                ip = next(ip);
            }
            Op::IsTupleArity { fail, src, arity } => {
                let t = get(p, regs, *src);
                ip = if is_tuple(t) && tuple_arity(t) == *arity as usize {
                    next(ip)
                } else {
                    jump(ip, *fail)
                };
            }
            Op::IsTupleSelectArity {
                src,
                not_tuple,
                fail,
                table,
            } => {
                let t = get(p, regs, *src);
                ip = if !is_tuple(t) {
                    jump(ip, *not_tuple)
                } else {
                    let v = Term::small(tuple_arity(t) as i64);
                    jump(ip, select(table, v).unwrap_or(*fail))
                };
            }
            Op::IsNonemptyListGet { fail, src, hd, tl } => {
                let l = get(p, regs, *src);
                if l.is_list() {
                    let (h, t) = (head(l), tail(l));
                    set(p, regs, *hd, h);
                    set(p, regs, *tl, t);
                    ip = next(ip);
                } else {
                    ip = jump(ip, *fail);
                }
            }
            Op::GetTupleElement2 {
                src,
                i1,
                d1,
                i2,
                d2,
            } => {
                // The fusion made sure `d1` is not `src`.
                let t = get(p, regs, *src);
                set(p, regs, *d1, tuple_get(t, *i1 as usize));
                set(p, regs, *d2, tuple_get(t, *i2 as usize));
                ip = next(ip);
            }
            Op::GetTupleElement3 { src, i, d } => {
                // The fusion made sure neither `d[0]` nor `d[1]` is `src`.
                let t = get(p, regs, *src);
                for k in 0..3 {
                    set(p, regs, d[k], tuple_get(t, i[k] as usize));
                }
                ip = next(ip);
            }
            Op::Move3 { s, d } => {
                for k in 0..3 {
                    let v = get(p, regs, s[k]);
                    set(p, regs, d[k], v);
                }
                ip = next(ip);
            }
            Op::TestHeapPutList {
                need,
                live,
                hd,
                tl,
                dst,
            } => {
                test_heap!(*need as usize, *live as usize);
                let (h, t) = (get(p, regs, *hd), get(p, regs, *tl));
                let c = cons(&mut p.heap, h, t);
                set(p, regs, *dst, c);
                ip = next(ip);
            }
            Op::TestHeapPutTuple2 {
                need,
                live,
                dst,
                elems,
            } => {
                test_heap!(*need as usize, *live as usize);
                let t = put_tuple(p, regs, elems);
                set(p, regs, *dst, t);
                ip = next(ip);
            }
            Op::PutListReturn {
                hd,
                tl,
                dst,
                dealloc,
            } => {
                let (h, t) = (get(p, regs, *hd), get(p, regs, *tl));
                let c = cons(&mut p.heap, h, t);
                set(p, regs, *dst, c);
                ip = dealloc_return(p, *dealloc);
            }
            Op::PutTuple2Return {
                dst,
                dealloc,
                elems,
            } => {
                let t = put_tuple(p, regs, elems);
                set(p, regs, *dst, t);
                ip = dealloc_return(p, *dealloc);
            }
            Op::MoveCXReturn {
                value,
                dst,
                dealloc,
            } => {
                // SAFETY: X indices were checked against X_REGS when the code was loaded.
                unsafe { *regs.x.get_unchecked_mut(*dst as usize) = *value };
                ip = dealloc_return(p, *dealloc);
            }
            Op::Test { test, fail, src } => {
                let v = get(p, regs, *src);
                if type_test(*test, v) {
                    ip = next(ip);
                } else {
                    ip = jump(ip, *fail);
                }
            }
            Op::IsNil { fail, src } => {
                ip = if get(p, regs, *src).is_nil() {
                    next(ip)
                } else {
                    jump(ip, *fail)
                };
            }
            Op::IsNonemptyList { fail, src } => {
                ip = if get(p, regs, *src).is_list() {
                    next(ip)
                } else {
                    jump(ip, *fail)
                };
            }
            Op::IsTuple { fail, src } => {
                ip = if is_tuple(get(p, regs, *src)) {
                    next(ip)
                } else {
                    jump(ip, *fail)
                };
            }
            Op::IsAtom { fail, src } => {
                ip = if get(p, regs, *src).is_atom() {
                    next(ip)
                } else {
                    jump(ip, *fail)
                };
            }
            Op::TestArity { fail, src, arity } => {
                let t = get(p, regs, *src);
                ip = if tuple_arity(t) == *arity as usize {
                    next(ip)
                } else {
                    jump(ip, *fail)
                };
            }
            Op::IsTaggedTuple {
                fail,
                src,
                arity,
                tag,
            } => {
                let t = get(p, regs, *src);
                let ok = is_tuple(t)
                    && tuple_arity(t) == *arity as usize
                    && *arity > 0
                    && tuple_get(t, 0) == *tag;
                ip = if ok { next(ip) } else { jump(ip, *fail) };
            }
            Op::IsLt { fail, a, b } => {
                cmp_op!(*fail, *a, *b, |i, j| i < j, |x, y| compare::compare(
                    x, y, false
                )
                .is_lt())
            }
            Op::IsGe { fail, a, b } => {
                cmp_op!(*fail, *a, *b, |i, j| i >= j, |x, y| compare::compare(
                    x, y, false
                )
                .is_ge())
            }
            Op::IsEq { fail, a, b } => cmp_op!(*fail, *a, *b, |i, j| i == j, compare::eq),
            Op::IsNe { fail, a, b } => {
                cmp_op!(*fail, *a, *b, |i, j| i != j, |x, y| !compare::eq(x, y))
            }
            Op::IsEqExact { fail, a, b } => {
                cmp_op!(*fail, *a, *b, |i, j| i == j, compare::eq_exact)
            }
            Op::IsNeExact { fail, a, b } => {
                cmp_op!(*fail, *a, *b, |i, j| i != j, |x, y| !compare::eq_exact(
                    x, y
                ))
            }
            Op::IsEqExactImm { fail, a, imm } => {
                ip = if get(p, regs, *a) == *imm {
                    next(ip)
                } else {
                    jump(ip, *fail)
                };
            }
            Op::IsNeExactImm { fail, a, imm } => {
                ip = if get(p, regs, *a) != *imm {
                    next(ip)
                } else {
                    jump(ip, *fail)
                };
            }
            Op::SelectVal { src, fail, table } => {
                let v = get(p, regs, *src);
                ip = match select(table, v) {
                    Some(l) => jump(ip, l),
                    None => jump(ip, *fail),
                };
            }
            Op::SelectImm { src, fail, table } => {
                let v = get(p, regs, *src);
                ip = jump(ip, select_imm(table, v).unwrap_or(*fail));
            }
            Op::SelectVal2 {
                src,
                fail,
                v1,
                v2,
                l1,
                l2,
            } => {
                let v = get(p, regs, *src);
                ip = if v == *v1 {
                    jump(ip, *l1)
                } else if v == *v2 {
                    jump(ip, *l2)
                } else {
                    jump(ip, *fail)
                };
            }
            Op::JumpOnVal {
                src,
                fail,
                base,
                targets,
            } => {
                let v = get(p, regs, *src);
                let mut to = *fail;
                if v.is_small() {
                    let i = v.small_value().wrapping_sub(*base as i64) as u64;
                    if let Some(&l) = targets.get(i as usize) {
                        to = l;
                    }
                }
                ip = jump(ip, to);
            }
            Op::SelectTupleArity { src, fail, table } => {
                let t = get(p, regs, *src);
                let v = Term::small(tuple_arity(t) as i64);
                ip = match select(table, v) {
                    Some(l) => jump(ip, l),
                    None => jump(ip, *fail),
                };
            }
            Op::Jump { target } => ip = jump(ip, *target),
            Op::Fclearerror => ip = next(ip),
            Op::Fcheckerror { .. } => ip = next(ip),
            Op::FmoveToF { src, fr } => {
                // The compiler moves only floats into float registers; anything else
                // (a malformed module) is an arithmetic error rather than a bad read.
                match compare::small_or_float(get(p, regs, *src)) {
                    Some(f) => {
                        *freg(regs, *fr) = f;
                        ip = next(ip);
                    }
                    None => raise!(error(Term::atom(am::BADARITH))),
                }
            }
            Op::FmoveFromF { fr, dst } => {
                let f = make_float(&mut p.heap, *freg(regs, *fr));
                set(p, regs, *dst, f);
                ip = next(ip);
            }
            Op::FmoveFF { from, to } => {
                *freg(regs, *to) = *freg(regs, *from);
                ip = next(ip);
            }
            Op::Fconv { src, fr } => {
                let v = get(p, regs, *src);
                match compare::to_f64(v) {
                    Some(f) if f.is_finite() => {
                        *freg(regs, *fr) = f;
                        ip = next(ip);
                    }
                    _ => raise!(error(Term::atom(am::BADARITH))),
                }
            }
            Op::Fadd { a, b, dst } => farith!(*a, *b, *dst, +),
            Op::Fsub { a, b, dst } => farith!(*a, *b, *dst, -),
            Op::Fmul { a, b, dst } => farith!(*a, *b, *dst, *),
            Op::Fdiv { a, b, dst } => farith!(*a, *b, *dst, /),
            Op::Fnegate { a, dst } => {
                // The reference negates as 0.0 - x: zero of either sign gives 0.0.
                *freg(regs, *dst) = 0.0 - *freg(regs, *a);
                ip = next(ip);
            }
            Op::FuncInfo { .. }
            | Op::CallUndefined { .. }
            | Op::Apply { .. }
            | Op::ApplyLast { .. }
            | Op::ApplyMfa { .. }
            | Op::ApplyFun { .. }
            | Op::MakeFun { .. }
            | Op::ProcessExit
            | Op::Bif0 { .. }
            | Op::SetTupleElement { .. }
            | Op::IsFunction2 { .. }
            | Op::Badmatch { .. }
            | Op::CaseEnd { .. }
            | Op::TryCaseEnd { .. }
            | Op::Badrecord { .. }
            | Op::IfEnd
            | Op::Catch { .. }
            | Op::Try { .. }
            | Op::CatchEnd { .. }
            | Op::TryEnd { .. }
            | Op::TryCase { .. }
            | Op::Raise { .. }
            | Op::BuildStacktrace
            | Op::RawRaise
            | Op::Send
            | Op::LoopRec { .. }
            | Op::LoopRecEnd { .. }
            | Op::RemoveMessage
            | Op::Wait { .. }
            | Op::WaitTimeout { .. }
            | Op::Timeout
            | Op::RecvMarkerReserve { .. }
            | Op::RecvMarkerBind { .. }
            | Op::GetMapElements { .. }
            | Op::HasMapFields { .. }
            | Op::PutMapAssoc(_)
            | Op::PutMapExact(_)
            | Op::BsStartMatch { .. }
            | Op::OnLoad
            | Op::CodeEnd
            | Op::Unsupported { .. }
            | Op::BsGetPosition { .. }
            | Op::BsSetPosition { .. }
            | Op::BsGetTail { .. }
            | Op::BsTestTail { .. }
            | Op::BsTestUnit { .. }
            | Op::BsMatchString { .. }
            | Op::BsGetInteger(_)
            | Op::BsGetFloat(_)
            | Op::BsGetBinary(_)
            | Op::BsSkipBits { .. }
            | Op::BsGetUtf { .. }
            | Op::BsSkipUtf { .. }
            | Op::BsCreateBin { .. }
            | Op::BsInit(_)
            | Op::BsPutInteger(_)
            | Op::BsPutFloat(_)
            | Op::BsPutBinary(_)
            | Op::BsPutString { .. }
            | Op::BsPutUtf { .. }
            | Op::BsAdd { .. }
            | Op::BsUtfSize { .. }
            | Op::BsAppend(_)
            | Op::BsInitWritable
            | Op::RecvMarkerClear { .. }
            | Op::RecvMarkerUse { .. }
            | Op::TraceGlobal { .. }
            | Op::ReturnTrace => match exec_cold(p, regs, ip, op) {
                Flow::Jump(to) => ip = to,
                Flow::Call(target, arity) => dispatch_call!(target, arity),
                Flow::Raise(r) => raise!(r),
                Flow::RaiseAt(at, r) => {
                    ip = at;
                    raise!(r)
                }
                Flow::Done(outcome) => return outcome,
            },
        }
    }
}

/// The `badarg` of an apply with bad arguments: the reference's trace shows an
/// `erlang:apply` frame with them before the applying function.
/// Calls `f` with the key/value pairs of a map update instruction's operands. Most
/// updates name a few keys: those are gathered on the Rust stack.
pub(crate) fn with_map_updates<R>(
    p: &mut Process,
    regs: &Regs,
    pairs: &[(Src, Src)],
    f: impl FnOnce(&mut Process, &[(Term, Term)]) -> R,
) -> R {
    let mut few = [(Term::NIL, Term::NIL); 8];
    if pairs.len() <= few.len() {
        for (slot, (k, v)) in few.iter_mut().zip(pairs.iter()) {
            *slot = (get(p, regs, *k), get(p, regs, *v));
        }
        return f(p, &few[..pairs.len()]);
    }
    let many: Vec<(Term, Term)> = pairs
        .iter()
        .map(|(k, v)| (get(p, regs, *k), get(p, regs, *v)))
        .collect();
    f(p, &many)
}

fn apply_badarg(p: &mut Process, args: &[Term]) -> Raise {
    let args = list_from_iter(&mut p.heap, args, Term::NIL);
    Raise {
        class: Class::Error,
        reason: Term::atom(am::BADARG),
        top: Top::Bif {
            module: am::ERLANG,
            function: am::APPLY,
            args,
            cause: None,
        },
        given_trace: None,
    }
}

/// `apply(M, F, Args)` with x0..x2 holding them: a call of kind `kind` of the export
/// (see `apply_export`).
fn apply_mfa(p: &mut Process, regs: &mut Regs, ip: *const Op, kind: u8, dealloc: u32) -> Flow {
    let (m, f, args) = (regs.x[0], regs.x[1], regs.x[2]);
    let items = match list_to_vec(args) {
        Some(v) if v.len() < X_REGS => v,
        _ => return Flow::Raise(apply_badarg(p, &[m, f, args])),
    };
    match resolve_export(m, f, items.len() as u32) {
        Some(e) => {
            regs.x[..items.len()].copy_from_slice(&items);
            apply_export(p, regs, ip, e, items.len(), kind, dealloc)
        }
        None => Flow::Raise(apply_badarg(p, &[m, f, args])),
    }
}

/// An apply instruction at `ip` calling export `e` with the `n` arguments in x0.., as a
/// call of kind `kind`. A BIF runs here, as in the reference: an exception it raises
/// without a frame of its own (`error/1,2,3`, `exit/1`, `throw/1`) shows the applying
/// function at the apply, even after a tail call; one with its own frame (`badarg` of
/// `atom_to_list/1`, `undef`) shows the stack as the call left it. An apply of
/// `erlang:apply/3` is the same apply of its arguments. Anything else (Erlang code, a
/// BIF asking to be run again, a call-traced process) enters the export's code.
fn apply_export(
    p: &mut Process,
    regs: &mut Regs,
    ip: *const Op,
    mut e: &'static Export,
    mut n: usize,
    kind: u8,
    dealloc: u32,
) -> Flow {
    loop {
        let code = e.code();
        if std::ptr::eq(code, &crate::code::APPLY3_STUB) {
            let (m, f, args) = (regs.x[0], regs.x[1], regs.x[2]);
            let items = match list_to_vec(args) {
                Some(v) if v.len() < X_REGS => v,
                _ => return Flow::Raise(apply_badarg(p, &[m, f, args])),
            };
            match resolve_export(m, f, items.len() as u32) {
                Some(next_e) => {
                    regs.x[..items.len()].copy_from_slice(&items);
                    (e, n) = (next_e, items.len());
                    continue;
                }
                None => return Flow::Raise(apply_badarg(p, &[m, f, args])),
            }
        }
        // SAFETY: an export's code pointer always points at a live instruction.
        let bif = match unsafe { &*code } {
            Op::CallBifOnly { bif, .. } if p.trace_flags & crate::trace::CALL == 0 => *bif,
            _ => {
                enter_call(p, ip, kind, dealloc);
                return Flow::Call(code, n);
            }
        };
        p.reds_left -= 1;
        // process_info(self(), current_function | current_stacktrace) reads it: the
        // applying function, or after a tail call its caller (the stub has no frame).
        p.ip = if kind == CALL { ip } else { code };
        let mut buf = [Term::NIL; 8];
        let argv: Vec<Term>;
        let args: &[Term] = if n <= buf.len() {
            buf[..n].copy_from_slice(&regs.x[..n]);
            &buf[..n]
        } else {
            argv = regs.x[..n].to_vec();
            &argv
        };
        let v = match bif(p, args) {
            Ok(v) => v,
            Err(Fault::Trap(t)) => match handle_trap(p, regs, t) {
                TrapAction::Value(v) => v,
                TrapAction::Apply(target) => {
                    enter_call(p, ip, kind, dealloc);
                    return match target {
                        Ok((target, arity)) => Flow::Call(target, arity),
                        Err(r) => Flow::RaiseAt(code, r),
                    };
                }
                TrapAction::Yield(v) => {
                    regs.x[0] = v;
                    p.ip = leave_call(p, ip, kind, dealloc);
                    p.saved_x.push(v);
                    return Flow::Done(Outcome::Yield);
                }
                TrapAction::Halt(c) => return Flow::Done(Outcome::Halt(c)),
                TrapAction::Exit(reason) => return Flow::Done(Outcome::Exit(reason)),
                TrapAction::Hibernate(outcome) => return Flow::Done(outcome),
                // The BIF runs again from its stub, as if called through it.
                again @ (TrapAction::Retry | TrapAction::Dirty(_)) => {
                    let outcome = match again {
                        TrapAction::Dirty(k) => Outcome::Dirty(k),
                        _ => Outcome::Yield,
                    };
                    enter_call(p, ip, kind, dealloc);
                    p.ip = code;
                    p.saved_x.extend_from_slice(args);
                    return Flow::Done(outcome);
                }
            },
            Err(f) => {
                let r = fault_to_raise(p, f, Some(e), args);
                return match r.top {
                    Top::Arity | Top::Args(..) => Flow::Raise(r),
                    _ => {
                        enter_call(p, ip, kind, dealloc);
                        Flow::RaiseAt(code, r)
                    }
                };
            }
        };
        regs.x[0] = v;
        return Flow::Jump(leave_call(p, ip, kind, dealloc));
    }
}

/// How a rarely run instruction (see `exec_cold`) continues.
enum Flow {
    Jump(*const Op),
    /// Enter a function (counting a reduction, maybe yielding first).
    Call(*const Op, usize),
    Raise(Raise),
    /// Raise as if at this instruction (a BIF's export stub: see `apply_export`).
    RaiseAt(*const Op, Raise),
    Done(Outcome),
}

/// Instructions that run rarely enough (errors, receive, maps, binaries, apply, catch)
/// to live outside the interpreter loop: keeping `run` small lets the compiler keep
/// its state in registers.
#[inline(never)]
fn exec_cold(p: &mut Process, regs: &mut Regs, ip: *const Op, op: &Op) -> Flow {
    let mut ip = ip;
    macro_rules! raise {
        ($r:expr) => {
            return Flow::Raise($r)
        };
    }
    macro_rules! fail_or_raise {
        ($fail:expr, $r:expr) => {{
            if $fail.is_none() {
                raise!($r)
            } else {
                return Flow::Jump(jump(ip, $fail));
            }
        }};
    }
    macro_rules! dispatch_call {
        ($target:expr, $arity:expr) => {
            return Flow::Call($target, $arity as usize)
        };
    }
    macro_rules! apply_arm {
        ($arity:expr, $kind:expr, $dealloc:expr) => {{
            let n = $arity as usize;
            let (m, f) = (regs.x[n], regs.x[n + 1]);
            match resolve_export(m, f, $arity) {
                Some(e) => return apply_export(p, regs, ip, e, n, $kind, $dealloc),
                None => {
                    let args = args_list(p, regs, n);
                    raise!(apply_badarg(p, &[m, f, args]))
                }
            }
        }};
    }
    macro_rules! enter_catch {
        ($y:expr) => {{
            let marker = Term::catch_marker(ip as usize);
            // SAFETY: see y_ptr.
            unsafe { *y_ptr(p, $y as usize) = marker };
            p.catches += 1;
            ip = next(ip);
        }};
    }
    macro_rules! put_map_arm {
        ($mp:expr, $assoc:expr) => {{
            let mp = $mp;
            let m = get(p, regs, mp.map);
            if !is_map(m) {
                let r = tuple2(p, Term::atom(am::BADMAP), m);
                fail_or_raise!(mp.fail, error(r))
            }
            let r = with_map_updates(p, regs, &mp.pairs, |p, updates| {
                if $assoc {
                    Ok(crate::map::put_many(&mut p.heap, m, updates))
                } else {
                    crate::map::update_many(&mut p.heap, m, updates)
                }
            });
            match r {
                Ok(nm) => {
                    set(p, regs, mp.dst, nm);
                    ip = next(ip);
                }
                Err(k) => {
                    let r = tuple2(p, Term::atom(am::BADKEY), k);
                    fail_or_raise!(mp.fail, error(r))
                }
            }
        }};
    }
    match op {
        Op::FuncInfo {
            module,
            function,
            arity,
        } => {
            let args = args_list(p, regs, *arity as usize);
            let _ = (module, function);
            raise!(Raise {
                class: Class::Error,
                reason: Term::atom(am::FUNCTION_CLAUSE),
                top: Top::Args(args, None),
                given_trace: None
            })
        }
        Op::CallUndefined { export } => {
            // Before OTP's code server runs (oxbeam's built-in start-up), load the
            // module from the code path on first use, then retry. Once OTP is booted,
            // the error handler asks the code server, as in erl: it owns the code path,
            // knows what is loaded (code:is_loaded/1, code:which/1, code:all_loaded/0)
            // and loads nothing in embedded mode.
            if !export.is_loaded() && crate::loading::loads_on_call(export.module) {
                match crate::loading::ensure_loaded(export.module) {
                    Ok(_) if export.is_loaded() => return Flow::Jump(export.code()),
                    Err(crate::loading::LoadFailure::OnLoadPending) => {
                        // The module waits for its on_load function: Erlang code runs it
                        // (or waits for it) and then makes the call.
                        let args = args_list(p, regs, export.arity as usize);
                        regs.x[0] = Term::atom(export.module);
                        regs.x[1] = Term::atom(export.function);
                        regs.x[2] = args;
                        let h = crate::code::export(
                            oxbeam_term::Atom::from_str("oxbeam_code"),
                            oxbeam_term::Atom::from_str("undefined_function"),
                            3,
                        );
                        return Flow::Call(h.code(), 3);
                    }
                    _ => {}
                }
            }
            let args = args_list(p, regs, export.arity as usize);
            if !crate::loading::autoload() {
                // As erl: the process's error handler module decides (OTP's loads the
                // module through the code server and retries), unless it is missing
                // itself.
                let handler = crate::code::export(p.error_handler, am::UNDEFINED_FUNCTION, 3);
                if handler.is_loaded() && !std::ptr::eq(handler, *export) {
                    regs.x[0] = Term::atom(export.module);
                    regs.x[1] = Term::atom(export.function);
                    regs.x[2] = args;
                    return Flow::Jump(handler.code());
                }
            }
            // `ip` is the export's stub, outside any module: the trace starts with
            // the missing function and continues with the caller's return address.
            raise!(Raise {
                class: Class::Error,
                reason: Term::atom(am::UNDEF),
                top: Top::Undef {
                    module: export.module,
                    function: export.function,
                    args
                },
                given_trace: None
            })
        }
        Op::Apply { arity } => apply_arm!(*arity, CALL, 0),
        Op::ApplyLast { arity, dealloc } => apply_arm!(*arity, LAST, *dealloc),
        Op::ApplyMfa { last } => {
            let (kind, dealloc) = match last {
                None => (CALL, 0),
                Some(u32::MAX) => (ONLY, 0),
                Some(d) => (LAST, *d),
            };
            return apply_mfa(p, regs, ip, kind, dealloc);
        }
        Op::ApplyFun { last } => {
            let (fun, args) = (regs.x[0], regs.x[1]);
            let items = match list_to_vec(args) {
                Some(v) if v.len() < X_REGS - 256 => v,
                _ => raise!(apply_badarg(p, &[fun, args])),
            };
            regs.x[..items.len()].copy_from_slice(&items);
            match last {
                None => p.heap.push(Term(next(ip) as u64)),
                Some(u32::MAX) => {}
                Some(d) => pop_frame(p, *d),
            }
            match prepare_fun_call(p, regs, fun, items.len()) {
                Ok((target, live)) => dispatch_call!(target, live),
                Err(r) => raise!(r),
            }
        }
        Op::MakeFun { entry, dst, env } => {
            let vals: Vec<Term> = env.iter().map(|s| get(p, regs, *s)).collect();
            let f = crate::fun::make_fun(&mut p.heap, entry, &vals);
            set(p, regs, *dst, f);
            ip = next(ip);
        }
        Op::ProcessExit => {
            return Flow::Done(Outcome::Exit(Term::atom(am::NORMAL)));
        }
        Op::TraceGlobal { export } => {
            return Flow::Jump(crate::trace::bp::global_call(p, regs, export));
        }
        Op::ReturnTrace => {
            crate::trace::bp::return_trace(p, regs);
            return Flow::Jump(do_return(p));
        }
        Op::Bif0 { bif, dst } => {
            let v = match bif(p, &[]) {
                Ok(v) => v,
                Err(f) => raise!(fault_to_raise(p, f, None, &[])),
            };
            set(p, regs, *dst, v);
            ip = next(ip);
        }
        Op::SetTupleElement {
            value,
            tuple,
            index,
        } => {
            let (v, t) = (get(p, regs, *value), get(p, regs, *tuple));
            set_word(t, *index as usize + 1, v);
            ip = next(ip);
        }
        Op::IsFunction2 { fail, src, arity } => {
            let (f, a) = (get(p, regs, *src), get(p, regs, *arity));
            ip = if is_function2(f, a) {
                next(ip)
            } else {
                jump(ip, *fail)
            };
        }
        Op::Badmatch { src } => {
            let v = get(p, regs, *src);
            let r = tuple2(p, Term::atom(am::BADMATCH), v);
            raise!(error(r))
        }
        Op::CaseEnd { src } => {
            let v = get(p, regs, *src);
            let r = tuple2(p, Term::atom(am::CASE_CLAUSE), v);
            raise!(error(r))
        }
        Op::TryCaseEnd { src } => {
            let v = get(p, regs, *src);
            let r = tuple2(p, Term::atom(am::TRY_CLAUSE), v);
            raise!(error(r))
        }
        Op::Badrecord { src } => {
            let v = get(p, regs, *src);
            let r = tuple2(p, Term::atom(am::BADRECORD), v);
            raise!(error(r))
        }
        Op::IfEnd => raise!(error(Term::atom(am::IF_CLAUSE))),
        Op::Catch { y, .. } => enter_catch!(*y),
        Op::Try { y, .. } => enter_catch!(*y),
        Op::CatchEnd { y } => {
            unsafe { *y_ptr(p, *y as usize) = Term::NIL };
            p.catches -= 1;
            if regs.x[0].is_non_value() {
                let (class, reason) = (regs.x[1], regs.x[2]);
                regs.x[0] = if class == Term::atom(am::THROW) {
                    reason
                } else if class == Term::atom(am::ERROR) {
                    let st = p.exception.map(|e| e.stacktrace).unwrap_or(Term::NIL);
                    let inner = tuple2(p, reason, st);
                    tuple2(p, Term::atom(am::EXIT), inner)
                } else {
                    tuple2(p, Term::atom(am::EXIT), reason)
                };
            }
            ip = next(ip);
        }
        Op::TryEnd { y } => {
            unsafe { *y_ptr(p, *y as usize) = Term::NIL };
            p.catches -= 1;
            ip = next(ip);
        }
        Op::TryCase { y } => {
            unsafe { *y_ptr(p, *y as usize) = Term::NIL };
            p.catches -= 1;
            regs.x[0] = regs.x[1];
            regs.x[1] = regs.x[2];
            regs.x[2] = regs.x[3];
            ip = next(ip);
        }
        Op::Raise { stacktrace, reason } => {
            let (raw, reason) = (get(p, regs, *stacktrace), get(p, regs, *reason));
            let (class, trace) = raw_parts(raw);
            raise!(Raise {
                class,
                reason,
                top: Top::Arity,
                given_trace: Some(trace)
            })
        }
        Op::BuildStacktrace => {
            let (_, trace) = raw_parts(regs.x[0]);
            regs.x[0] = trace;
            ip = next(ip);
        }
        Op::RawRaise => {
            let (class, reason, raw) = (regs.x[0], regs.x[1], regs.x[2]);
            match Class::from_term(class) {
                Some(c) => {
                    let (_, trace) = raw_parts(raw);
                    raise!(Raise {
                        class: c,
                        reason,
                        top: Top::Arity,
                        given_trace: Some(trace)
                    })
                }
                None => {
                    regs.x[0] = Term::atom(am::BADARG);
                    ip = next(ip);
                }
            }
        }
        Op::Send => {
            let (to, msg) = (regs.x[0], regs.x[1]);
            match crate::sched::send(p, to, msg) {
                Ok(()) => {
                    regs.x[0] = msg;
                    p.reds_left -= 1;
                    ip = next(ip);
                }
                Err(f) => {
                    let e = crate::code::export(am::ERLANG, oxbeam_term::Atom::from_str("send"), 2);
                    raise!(fault_to_raise(p, f, Some(e), &[to, msg]))
                }
            }
        }
        Op::LoopRec { fail, dst } => {
            if p.recv_save >= p.mailbox.len() {
                if let Some(reason) = crate::sched::fetch_inbox(p) {
                    return Flow::Done(Outcome::Exit(reason));
                }
            }
            if p.recv_save < p.mailbox.len() {
                let m = p.mailbox[p.recv_save].term;
                set(p, regs, *dst, m);
                ip = next(ip);
            } else {
                ip = jump(ip, *fail);
            }
        }
        Op::LoopRecEnd { next: l } => {
            p.recv_save += 1;
            p.reds_left -= 1;
            ip = jump(ip, *l);
        }
        Op::RemoveMessage => {
            if let Some(m) = p.remove_message(p.recv_save) {
                if let Some(f) = m.frag {
                    p.heap.attach_fragment(f);
                }
            }
            p.recv_save = 0;
            p.cancel_receive_timeout();
            ip = next(ip);
        }
        Op::Wait { target } => {
            if let Some(reason) = crate::sched::fetch_inbox(p) {
                return Flow::Done(Outcome::Exit(reason));
            }
            if p.recv_save < p.mailbox.len() {
                ip = jump(ip, *target);
            } else {
                p.ip = ip;
                return Flow::Done(Outcome::Wait);
            }
        }
        Op::WaitTimeout { target, time } => {
            if let Some(reason) = crate::sched::fetch_inbox(p) {
                return Flow::Done(Outcome::Exit(reason));
            }
            // Messages not looked at yet are matched before the expiry counts (unless
            // the receive has no clauses: its target is this instruction).
            let scan = jump(ip, *target);
            if p.recv_save < p.mailbox.len() && scan != ip {
                return Flow::Jump(scan);
            }
            if p.timed_out {
                p.timed_out = false;
                p.recv_timeout_set = false;
                ip = next(ip);
                return Flow::Jump(ip);
            }
            if p.recv_timeout_set {
                p.ip = ip;
                return Flow::Done(Outcome::Wait);
            }
            let t = get(p, regs, *time);
            if t == Term::atom(am::INFINITY) {
                p.recv_timeout_set = true;
                p.ip = ip;
                return Flow::Done(Outcome::Wait);
            }
            let ms = match term_to_i64(t) {
                Some(ms) if (0..=u32::MAX as i64).contains(&ms) => ms as u64,
                _ => raise!(error(Term::atom(am::TIMEOUT_VALUE))),
            };
            if ms == 0 {
                ip = next(ip);
                return Flow::Jump(ip);
            }
            p.recv_timeout_set = true;
            if p.recv_timer.is_none() {
                p.recv_timer_seq += 1;
                let deadline = crate::sched::timers::deadline_after(ms);
                p.recv_timer = Some(crate::sched::timers::start_receive_timeout(
                    p.id,
                    p.recv_timer_seq,
                    deadline,
                ));
            }
            p.ip = ip;
            return Flow::Done(Outcome::Wait);
        }
        Op::Timeout => {
            if p.trace_flags & crate::trace::RECEIVE != 0 {
                crate::trace::on_receive(p, Term::atom(oxbeam_term::Atom::from_str("timeout")));
            }
            p.recv_save = 0;
            p.cancel_receive_timeout();
            ip = next(ip);
        }
        Op::RecvMarkerReserve { dst } => {
            // Messages still in the inbox were sent before the marker: they go before it.
            if let Some(reason) = crate::sched::fetch_inbox(p) {
                return Flow::Done(Outcome::Exit(reason));
            }
            if p.recv_markers.len() == crate::process::MAX_RECV_MARKERS {
                p.recv_markers.remove(0);
            }
            p.recv_markers.push(crate::process::RecvMarker {
                ref_id: 0,
                position: p.mailbox.len(),
            });
            let marker = Term::small(p.recv_markers.len() as i64 - 1);
            set(p, regs, *dst, marker);
            ip = next(ip);
        }
        Op::RecvMarkerBind { marker, reference } => {
            let (m, r) = (get(p, regs, *marker), get(p, regs, *reference));
            if let (Some(i), true) = (term_to_i64(m), is_ref(r)) {
                if let Some(slot) = p.recv_markers.get_mut(i as usize) {
                    if slot.ref_id == 0 {
                        slot.ref_id = ref_id(r);
                    }
                }
            }
            ip = next(ip);
        }
        Op::RecvMarkerUse { reference } => {
            let r = get(p, regs, *reference);
            if is_ref(r) {
                let id = ref_id(r);
                if let Some(m) = p.recv_markers.iter().find(|m| m.ref_id == id) {
                    if m.position <= p.mailbox.len() && m.position > p.recv_save {
                        p.recv_save = m.position;
                    }
                }
            }
            ip = next(ip);
        }
        Op::RecvMarkerClear { reference } => {
            let r = get(p, regs, *reference);
            if is_ref(r) {
                let id = ref_id(r);
                p.recv_markers.retain(|m| m.ref_id != id);
            }
            ip = next(ip);
        }
        Op::GetMapElements { fail, map, pairs } => {
            ip = if get_map_elements(p, regs, *map, pairs) {
                next(ip)
            } else {
                jump(ip, *fail)
            };
        }
        Op::HasMapFields { fail, map, keys } => {
            ip = if has_map_fields(p, regs, *map, keys) {
                next(ip)
            } else {
                jump(ip, *fail)
            };
        }
        Op::PutMapAssoc(mp) => put_map_arm!(mp, true),
        Op::PutMapExact(mp) => put_map_arm!(mp, false),
        Op::OnLoad => ip = next(ip),
        Op::CodeEnd => raise!(error(Term::atom(am::BADARG))),
        Op::Unsupported { opcode } => {
            let name = oxbeam_loader::opcodes::Opcode::from_u8(*opcode)
                .map(|o| o.name())
                .unwrap_or("?");
            let r = tuple2(
                p,
                Term::atom(oxbeam_term::Atom::from_str("unsupported_instruction")),
                Term::atom(oxbeam_term::Atom::from_str(name)),
            );
            raise!(error(r))
        }
        // Everything else that reaches here is a bit-syntax instruction.
        _ => match crate::bs::exec(p, regs, ip, op) {
            Ok(next_ip) => ip = next_ip,
            Err(reason) => raise!(error(reason)),
        },
    }
    Flow::Jump(ip)
}

/// What a trapping BIF asks the interpreter to do.
enum TrapAction {
    Value(Term),
    /// Jump to a function: `Ok((code, live arity))` or an exception.
    Apply(Result<(*const Op, usize), Raise>),
    Yield(Term),
    Halt(i32),
    /// The process ends with this reason (not an exception: nothing can catch it).
    Exit(Term),
    /// The process hibernated (`Outcome::Wait`, or `Yield` if messages are queued).
    Hibernate(Outcome),
    /// Run the instruction again after other processes ran.
    Retry,
    /// Run the instruction again after a dirty scheduler did its job.
    Dirty(crate::sched::dirty::DirtyKind),
}

fn handle_trap(p: &mut Process, regs: &mut Regs, t: Trap) -> TrapAction {
    match t {
        Trap::Yield(v) => TrapAction::Yield(v),
        Trap::GarbageCollect(v) => {
            p.garbage_collect(&mut [], 0, true);
            TrapAction::Value(v)
        }
        Trap::Halt(code) => TrapAction::Halt(code),
        Trap::HandleSignals(v) => match crate::sched::fetch_inbox(p) {
            Some(reason) => TrapAction::Exit(reason),
            None => TrapAction::Value(v),
        },
        Trap::Retry => TrapAction::Retry,
        Trap::Dirty(kind) => TrapAction::Dirty(kind),
        Trap::CallCode(addr) => TrapAction::Apply(Ok((addr as *const Op, 0))),
        Trap::Hibernate {
            module,
            function,
            args,
        } => {
            let items = match list_to_vec(args) {
                Some(v) => v,
                None => return TrapAction::Apply(Err(error(Term::atom(am::BADARG)))),
            };
            let (Some(m), Some(f)) = (module.as_atom(), function.as_atom()) else {
                return TrapAction::Apply(Err(error(Term::atom(am::BADARG))));
            };
            // An undefined function fails (undef) when the process wakes, as in the
            // reference: the export's stub raises it.
            let e = crate::code::export(m, f, items.len() as u32);
            // Nothing of the current computation survives: no frames, no catches.
            p.heap.drop_stack_frames();
            p.catches = 0;
            p.exception = None;
            p.saved_x.clear();
            p.saved_x.extend_from_slice(&items);
            // It wakes up through the export: in the code current then.
            p.ip = e.enter_op();
            p.hibernating = true;
            let mut roots = std::mem::take(&mut p.saved_x);
            p.hibernate_collect(&mut roots);
            p.saved_x = roots;
            if let Some(reason) = crate::sched::fetch_inbox(p) {
                return TrapAction::Exit(reason);
            }
            TrapAction::Hibernate(if p.mailbox.is_empty() {
                Outcome::Wait
            } else {
                Outcome::Yield
            })
        }
        Trap::Exit(reason) => TrapAction::Exit(reason),
        Trap::Apply {
            module,
            function,
            args,
        } => {
            let items = match list_to_vec(args) {
                Some(v) => v,
                None => return TrapAction::Apply(Err(error(Term::atom(am::BADARG)))),
            };
            regs.x[..items.len()].copy_from_slice(&items);
            match resolve_export(module, function, items.len() as u32) {
                Some(e) => TrapAction::Apply(Ok((e.code(), items.len()))),
                None => TrapAction::Apply(Err(error(Term::atom(am::BADARG)))),
            }
        }
        Trap::ApplyFun { fun, args } => {
            let items = match list_to_vec(args) {
                Some(v) => v,
                None => return TrapAction::Apply(Err(error(Term::atom(am::BADARG)))),
            };
            regs.x[..items.len()].copy_from_slice(&items);
            TrapAction::Apply(prepare_fun_call(p, regs, fun, items.len()))
        }
    }
}

/// Sets up the registers for calling `fun` with the `n` arguments in x0..: returns the
/// code to jump to and the number of live argument registers (arguments + environment).
/// The common case of a call of `fun` with `n` arguments: a fun of that arity whose
/// code is loaded. Its environment goes to the X registers after the arguments; the
/// code and the number of live registers are returned. `None` for everything else
/// (not a fun, the wrong arity, code not loaded), which `prepare_fun_call` handles.
#[inline]
pub(crate) fn fun_target(regs: &mut Regs, fun: Term, n: usize) -> Option<(*const Op, usize)> {
    if is_local_fun(fun) {
        let e = crate::fun::entry_of(fun);
        let code = e.code();
        if e.arity() as usize != n || code.is_null() {
            return None;
        }
        let env = crate::fun::env(fun);
        regs.x[n..n + env.len()].copy_from_slice(env);
        Some((code, n + env.len()))
    } else if is_export(fun) {
        let e = crate::fun::export_of(fun);
        (e.arity as usize == n).then(|| (e.code(), n))
    } else {
        None
    }
}

/// `get_map_elements`: looks every key of `pairs` up in the map at `map` and, if all
/// are there, sets their destinations; false (nothing set) if one is missing or `map`
/// is not a map.
pub(crate) fn get_map_elements(
    p: &mut Process,
    regs: &mut Regs,
    map: Src,
    pairs: &[(Src, Dst)],
) -> bool {
    let m = get(p, regs, map);
    // Look all keys up first: a destination may overwrite the map register.
    let mut few = [Term::NIL; 8];
    let mut many = Vec::new();
    let found: &mut [Term] = if pairs.len() <= few.len() {
        &mut few[..pairs.len()]
    } else {
        many.resize(pairs.len(), Term::NIL);
        &mut many
    };
    for (slot, (k, _)) in found.iter_mut().zip(pairs.iter()) {
        match crate::map::get(m, get(p, regs, *k)) {
            Some(v) => *slot = v,
            None => return false,
        }
    }
    for ((_, d), v) in pairs.iter().zip(found.iter()) {
        set(p, regs, *d, *v);
    }
    true
}

/// `has_map_fields`: every key is in the map (the compiler tested that it is one).
pub(crate) fn has_map_fields(p: &Process, regs: &Regs, map: Src, keys: &[Src]) -> bool {
    let m = get(p, regs, map);
    keys.iter()
        .all(|k| crate::map::get(m, get(p, regs, *k)).is_some())
}

/// `is_function2`: `f` is a fun of arity `a`.
pub(crate) fn is_function2(f: Term, a: Term) -> bool {
    is_fun(f) && a.is_small() && crate::fun::fun_arity(f) as i64 == a.small_value()
}

fn prepare_fun_call(
    p: &mut Process,
    regs: &mut Regs,
    fun: Term,
    n: usize,
) -> Result<(*const Op, usize), Raise> {
    if let Some(target) = fun_target(regs, fun, n) {
        return Ok(target);
    }
    if is_local_fun(fun) {
        let e = crate::fun::entry_of(fun);
        if e.arity() as usize != n {
            let args = args_list(p, regs, n);
            let fa = tuple2(p, fun, args);
            let r = tuple2(p, Term::atom(am::BADARITY), fa);
            return Err(error(r));
        }
        // A fun of the right arity whose code is not loaded.
        let code = match fun_without_code(p, regs, fun, e, n) {
            Ok(c) => c,
            Err(redirect) => return redirect,
        };
        let env = crate::fun::env(fun);
        regs.x[n..n + env.len()].copy_from_slice(env);
        Ok((code, n + env.len()))
    } else if is_export(fun) {
        // Of the wrong arity (`fun_target` took the others).
        let args = args_list(p, regs, n);
        let fa = tuple2(p, fun, args);
        let r = tuple2(p, Term::atom(am::BADARITY), fa);
        Err(error(r))
    } else {
        let r = tuple2(p, Term::atom(am::BADFUN), fun);
        Err(error(r))
    }
}

/// A call of a fun whose entry has no code (`e.code()` is null), with its `n`
/// arguments in x0..: `Ok` with the code to run after all (its module was loaded now,
/// or a purge was aborted meanwhile), or `Err` with what the call does instead, as in
/// the reference: wait in `erts_code_purger:pending_purge_lambda/3` while a purge of
/// its code is under way; `badfun` when its module is loaded but does not define it
/// any more; otherwise load the module and call it, or `undef`.
fn fun_without_code(
    p: &mut Process,
    regs: &mut Regs,
    fun: Term,
    e: &'static crate::code::FunEntry,
    n: usize,
) -> Result<*const Op, Result<(*const Op, usize), Raise>> {
    use oxbeam_term::Atom;
    let redirect = |p: &mut Process, regs: &mut Regs, m: &str, f: &str| {
        let args = args_list(p, regs, n);
        regs.x[0] = Term::atom(e.module);
        regs.x[1] = fun;
        regs.x[2] = args;
        let h = crate::code::export(Atom::from_str(m), Atom::from_str(f), 3);
        Err(Ok((h.code(), 3)))
    };
    if e.purge_pending() {
        return redirect(p, regs, "erts_code_purger", "pending_purge_lambda");
    }
    let code = e.code();
    if !code.is_null() {
        return Ok(code);
    }
    if crate::code::get_module(e.module).is_none() {
        if !crate::loading::loads_on_call(e.module) {
            // OTP is booted: its code server loads the module (see CallUndefined).
            return redirect(p, regs, p.error_handler.name(), "undefined_lambda");
        }
        match crate::loading::ensure_loaded(e.module) {
            Err(crate::loading::LoadFailure::OnLoadPending) => {
                return redirect(p, regs, "oxbeam_code", "undefined_lambda");
            }
            Err(crate::loading::LoadFailure::HasOnLoad) => {
                // OTP is booted: its code server loads the module (see ensure_loaded).
                return redirect(p, regs, p.error_handler.name(), "undefined_lambda");
            }
            Ok(_) => {
                let code = e.code();
                if !code.is_null() {
                    return Ok(code);
                }
            }
            Err(_) => {
                let args = args_list(p, regs, n);
                return Err(Err(Raise {
                    class: Class::Error,
                    reason: Term::atom(am::UNDEF),
                    top: Top::UndefFun { fun, args },
                    given_trace: None,
                }));
            }
        }
    }
    let r = tuple2(p, Term::atom(am::BADFUN), fun);
    Err(Err(error(r)))
}

fn raw_parts(raw: Term) -> (Class, Term) {
    if is_tuple(raw) && tuple_arity(raw) == 2 {
        let class = Class::from_term(tuple_get(raw, 0)).unwrap_or(Class::Error);
        (class, tuple_get(raw, 1))
    } else {
        (Class::Error, Term::NIL)
    }
}

/// A `select_val` over immediates sorted by raw word: only an equal word matches.
#[inline(always)]
fn select_imm(table: &SelectTable, v: Term) -> Option<Label> {
    let vals = &table.values;
    if vals.len() <= 8 {
        let i = vals.iter().position(|&t| t == v)?;
        return Some(table.labels[i]);
    }
    let i = vals.binary_search_by_key(&v.0, |t| t.0).ok()?;
    Some(table.labels[i])
}

fn select(table: &SelectTable, v: Term) -> Option<Label> {
    let vals = &table.values;
    if vals.len() <= 8 {
        for (i, &t) in vals.iter().enumerate() {
            if t == v || (!t.is_immed() && compare::eq_exact(t, v)) {
                return Some(table.labels[i]);
            }
        }
        return None;
    }
    vals.binary_search_by(|&t| compare::compare(t, v, true))
        .ok()
        .map(|i| table.labels[i])
}

#[inline]
pub fn type_test(test: TypeTest, v: Term) -> bool {
    match test {
        TypeTest::Integer => is_integer(v),
        TypeTest::Float => is_float(v),
        TypeTest::Number => is_number(v),
        TypeTest::Atom => v.is_atom(),
        TypeTest::Pid => {
            v.is_local_pid() || (v.is_boxed() && header_subtag(header(v)) == SUBTAG_EXT_PID)
        }
        TypeTest::Reference => is_ref(v),
        TypeTest::Port => {
            v.is_local_port() || (v.is_boxed() && header_subtag(header(v)) == SUBTAG_EXT_PORT)
        }
        TypeTest::Nil => v.is_nil(),
        TypeTest::Binary => {
            is_bitstring(v) && bit_view(v).map(|b| b.bit_size % 8 == 0).unwrap_or(false)
        }
        TypeTest::Bitstr => is_bitstring(v),
        TypeTest::List => v.is_list() || v.is_nil(),
        TypeTest::NonemptyList => v.is_list(),
        TypeTest::Tuple => is_tuple(v),
        TypeTest::Boolean => v.is_boolean(),
        TypeTest::Function => is_fun(v),
        TypeTest::Map => is_map(v),
    }
}

/// The export entry of a BIF function pointer (for stack traces of guard BIFs).
fn bif_export_of(f: BifFn) -> Option<&'static Export> {
    crate::bifs::export_of_bif(f)
}
