//! Building exceptions' stack traces in the reference's format:
//! `[{Module, Function, ArityOrArgs, [{file, File}, {line, Line}]} | ...]`.

use crate::code::{self, Module};
use crate::object::*;
use crate::ops::Op;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};

/// The reference's default `backtrace_depth`.
pub const DEFAULT_DEPTH: usize = 8;
/// The largest `backtrace_depth` the reference takes (larger values are clamped).
pub const MAX_DEPTH: usize = 64;

static DEPTH: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(DEFAULT_DEPTH);

/// The system-wide `backtrace_depth` (`erlang:system_flag(backtrace_depth, N)`).
pub fn depth() -> usize {
    DEPTH.load(std::sync::atomic::Ordering::Relaxed)
}

/// Sets `backtrace_depth` (clamped to [`MAX_DEPTH`]); returns the previous value.
pub fn set_depth(n: usize) -> usize {
    DEPTH.swap(n.min(MAX_DEPTH), std::sync::atomic::Ordering::Relaxed)
}

/// How many frames an exception's stack trace keeps: the depth, but at least the
/// faulting frame itself, as in the reference.
pub fn exception_depth() -> usize {
    depth().max(1)
}

/// The modules erl has built in (preloaded): its stack traces show no location for
/// them, as they are loaded without line information.
const PRELOADED: &[&str] = &[
    "atomics",
    "counters",
    "erl_init",
    "erl_prim_loader",
    "erl_tracer",
    "erlang",
    "erts_code_purger",
    "erts_dirty_process_signal_handler",
    "erts_internal",
    "erts_literal_area_collector",
    "init",
    "persistent_term",
    "prim_buffer",
    "prim_eval",
    "prim_file",
    "prim_inet",
    "prim_net",
    "prim_socket",
    "prim_zip",
    "socket_registry",
    "zlib",
];

fn is_preloaded(module: Atom) -> bool {
    static SET: std::sync::OnceLock<Vec<Atom>> = std::sync::OnceLock::new();
    SET.get_or_init(|| PRELOADED.iter().map(|n| Atom::from_str(n)).collect())
        .contains(&module)
}

/// The module that explains a BIF's errors (the `error_info` of its frame); `None` for
/// the BIFs whose frames have none in the reference (`prim_file`'s, `erts_debug`'s).
fn error_info_module(bif_module: Atom) -> Option<&'static str> {
    Some(match bif_module.name() {
        "erlang" | "atomics" | "counters" | "erts_internal" | "persistent_term" => {
            "erl_erts_errors"
        }
        "os" => "erl_kernel_errors",
        "prim_file" | "erts_debug" => return None,
        _ => "erl_stdlib_errors",
    })
}

/// The location list `[{file, F}, {line, L}]` of instruction `index` in `m`.
pub fn location(p: &mut Process, m: &Module, index: usize) -> Term {
    if is_preloaded(m.name) {
        return Term::NIL;
    }
    match m.line_at(index) {
        Some(loc) if loc.line > 0 || loc.file > 0 => {
            // File 0, and an empty name (code compiled from forms without a `-file`),
            // stand for the module's own source file, as in the reference.
            let file = match m.files.get((loc.file as usize).wrapping_sub(1)) {
                Some(f) if !f.is_empty() => f.clone(),
                _ => format!("{}.erl", m.name.name()),
            };
            let f = string_to_list(&mut p.heap, &file);
            let ft = make_tuple(&mut p.heap, &[Term::atom(am::FILE), f]);
            let lt = make_tuple(
                &mut p.heap,
                &[Term::atom(am::LINE), Term::small(loc.line as i64)],
            );
            list_from_iter(&mut p.heap, &[ft, lt], Term::NIL)
        }
        _ => Term::NIL,
    }
}

/// A frame for the function containing code address `addr`.
pub fn frame_at(p: &mut Process, addr: *const Op, args: Option<Term>) -> Option<Term> {
    let Some(m) = code::module_of_addr(addr) else {
        return apply_stub_frame(p, addr, args);
    };
    let index = m.index_of(addr);
    let f = m.function_at(index)?.clone();
    let loc = location(p, &m, index);
    let a = args.unwrap_or(Term::small(f.arity as i64));
    Some(make_tuple(
        &mut p.heap,
        &[Term::atom(m.name), Term::atom(f.name), a, loc],
    ))
}

/// The frame of `erlang:apply/3` or `/2` run through its export (see
/// `code::APPLY3_STUB`): `{erlang, apply, Arity, []}`, as the reference shows these
/// functions of its preloaded module `erlang`.
fn apply_stub_frame(p: &mut Process, addr: *const Op, args: Option<Term>) -> Option<Term> {
    let arity = if std::ptr::eq(addr, &code::APPLY3_STUB) {
        3
    } else if std::ptr::eq(addr, &code::APPLY2_STUB) {
        2
    } else {
        return None;
    };
    let a = args.unwrap_or(Term::small(arity));
    Some(make_tuple(
        &mut p.heap,
        &[Term::atom(am::ERLANG), Term::atom(am::APPLY), a, Term::NIL],
    ))
}

/// Return addresses on the stack, innermost first. As in the reference, a return
/// address equal to the one before it (or, for the first, to `prev`) is left out: a
/// non-tail recursion shows its recursive call once.
pub fn stack_cps(p: &Process, limit: usize, mut prev: *const Op) -> Vec<*const Op> {
    let mut out = Vec::new();
    let mut at = p.heap.stop as *const Term;
    while at < p.heap.end as *const Term && out.len() < limit {
        // SAFETY: walking the stack words between stop and end.
        let w = unsafe { *at };
        // Return trace frames are not part of stack traces.
        if w.is_header()
            && w.0 != 0
            && w.0 as *const Op != crate::trace::bp::return_trace_addr()
            && w.0 as *const Op != prev
        {
            prev = w.0 as *const Op;
            out.push(prev);
        }
        at = unsafe { at.add(1) };
    }
    out
}

/// What the top frame of a stack trace describes.
pub enum Top {
    /// An error inside a BIF: `{M, F, Args, [{error_info, ...}]}` precedes the caller.
    Bif {
        module: Atom,
        function: Atom,
        args: Term,
        /// The `cause` of the `error_info` map, if any.
        cause: Option<Term>,
    },
    /// The faulting function itself, showing its arguments (function_clause, error/2,3),
    /// with an `{error_info, _}` tuple to add after its location.
    Args(Term, Option<Term>),
    /// The faulting function with its arity.
    Arity,
    /// `undef`: `{M, F, Args, []}` precedes the caller.
    Undef {
        module: Atom,
        function: Atom,
        args: Term,
    },
    /// A call of a fun no loaded code defines (`undef`): `{Fun, Args, []}`, then the
    /// stack (as the reference's `error_handler:undefined_lambda/3` reports it).
    UndefFun { fun: Term, args: Term },
    /// An error inside a NIF: `{M, F, Args, []}`, then the NIF's callers.
    Nif {
        module: Atom,
        function: Atom,
        args: Term,
    },
}

/// Builds the stack trace for an exception raised at `ip`.
pub fn build(p: &mut Process, ip: *const Op, top: Top) -> Term {
    let mut frames = Vec::new();
    let mut caller_args = None;
    match top {
        Top::Bif {
            module,
            function,
            args,
            cause,
        } => {
            // maps:get/2 called from code is the same BIF as erlang:map_get/2 in the
            // reference: its errors show that one (not when called through its export:
            // a fun, an apply).
            let (module, function) = if module.name() == "maps"
                && code::module_of_addr(ip).is_some()
                && function.name() == "get"
                && list_to_vec(args).is_some_and(|a| a.len() == 2)
            {
                (Atom::from_str("erlang"), Atom::from_str("map_get"))
            } else {
                (module, function)
            };
            let l = match error_info_module(module) {
                Some(m) => {
                    let k = Term::atom(am::MODULE);
                    let v = Term::atom(Atom::from_str(m));
                    let info_map = match cause {
                        Some(c) => {
                            let ck = Term::atom(Atom::from_str("cause"));
                            crate::map::from_pairs(&mut p.heap, &[(ck, c), (k, v)])
                        }
                        None => crate::map::from_pairs(&mut p.heap, &[(k, v)]),
                    };
                    let ei = make_tuple(&mut p.heap, &[Term::atom(am::ERROR_INFO), info_map]);
                    list_from_iter(&mut p.heap, &[ei], Term::NIL)
                }
                None => Term::NIL,
            };
            frames.push(make_tuple(
                &mut p.heap,
                &[Term::atom(module), Term::atom(function), args, l],
            ));
            if let Some(f) = frame_at(p, ip, None) {
                frames.push(f);
            }
        }
        Top::Nif {
            module,
            function,
            args,
        } => {
            // `ip` is in the NIF stub itself: its callers are on the stack.
            frames.push(make_tuple(
                &mut p.heap,
                &[Term::atom(module), Term::atom(function), args, Term::NIL],
            ));
        }
        Top::UndefFun { fun, args } => {
            frames.push(make_tuple(&mut p.heap, &[fun, args, Term::NIL]));
        }
        Top::Undef {
            module,
            function,
            args,
        } => {
            frames.push(make_tuple(
                &mut p.heap,
                &[Term::atom(module), Term::atom(function), args, Term::NIL],
            ));
            if let Some(f) = frame_at(p, ip, None) {
                frames.push(f);
            }
        }
        Top::Args(args, info) => {
            // erlang:error/2,3 with arguments that are not a list (`none`): the
            // function's arity, as in the reference.
            let args = (args.is_list() || args.is_nil()).then_some(args);
            match frame_at(p, ip, args) {
                Some(f) => {
                    let f = with_info(p, f, info);
                    frames.push(f);
                }
                // Raised in a BIF's export stub (error/2 called through a fun or
                // apply/2): the arguments go to the caller's frame, as in the reference.
                None => caller_args = Some((args, info)),
            }
        }
        Top::Arity => {
            if let Some(f) = frame_at(p, ip, None) {
                frames.push(f);
            }
        }
    }
    let depth = exception_depth();
    for cp in stack_cps(p, depth, ip) {
        if frames.len() >= depth {
            break;
        }
        // The location of a return address is that of the call before it.
        // SAFETY: a return address always follows the call instruction in the same code.
        let call = unsafe { cp.sub(1) };
        let (args, info) = caller_args.take().unwrap_or((None, None));
        if let Some(f) = frame_at(p, call, args) {
            let f = with_info(p, f, info);
            frames.push(f);
        }
    }
    frames.truncate(depth);
    list_from_iter(&mut p.heap, &frames, Term::NIL)
}

/// Frame `f` with `{error_info, _}` tuple `info`, if any, after its location.
fn with_info(p: &mut Process, f: Term, info: Option<Term>) -> Term {
    match info {
        Some(i) => {
            let loc = tuple_get(f, 3);
            let mut items = list_to_vec(loc).unwrap_or_default();
            items.push(i);
            let loc = list_from_iter(&mut p.heap, &items, Term::NIL);
            let e = tuple_elements(f);
            make_tuple(&mut p.heap, &[e[0], e[1], e[2], loc])
        }
        None => f,
    }
}

/// `process_info(self(), current_stacktrace)`: the frames of the running code, from the
/// function at `ip` outwards.
/// Where a process that is not running is reported to be: one waiting in a receive
/// stands at the receive loop's start (where the reference parks it: the source line
/// is the one before the receive), not at the wait instruction that suspended it.
pub(crate) fn parked_ip(ip: *const Op) -> *const Op {
    if ip.is_null() || crate::code::module_of_addr(ip).is_none() {
        return ip;
    }
    // SAFETY: `ip` is an instruction of loaded code (checked above).
    match unsafe { &*ip } {
        Op::Wait { target } | Op::WaitTimeout { target, .. } => crate::interp::jump(ip, *target),
        _ => ip,
    }
}

pub fn current(p: &mut Process, ip: *const Op) -> Term {
    let depth = depth();
    let mut frames = Vec::new();
    if depth > 0 {
        if let Some(f) = frame_at(p, ip, None) {
            frames.push(f);
        }
    }
    for cp in stack_cps(p, depth, ip) {
        if frames.len() >= depth {
            break;
        }
        // SAFETY: a return address always follows the call instruction in the same code.
        let call = unsafe { cp.sub(1) };
        if let Some(f) = frame_at(p, call, None) {
            frames.push(f);
        }
    }
    list_from_iter(&mut p.heap, &frames, Term::NIL)
}
