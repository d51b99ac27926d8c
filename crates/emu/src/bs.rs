//! Bit syntax: binary matching and construction instructions. The interpreter hands
//! every `Bs*` instruction to [`exec`].
//!
//! * `bs_match.rs`: match contexts and the matching instructions.
//! * `bs_build.rs`: `bs_create_bin` and the older `bs_init2`/`bs_put_*` protocol.
//! * `bs_append.rs`: writable binaries, which make repeated appends linear.
//! * `bs_bits.rs`: reading and writing segments at any bit position.
//!
//! None of these instructions collects garbage: they allocate with `Heap::alloc`, which
//! goes to a heap fragment when the heap is full (the next safe point collects), so the
//! terms they hold stay put.

use crate::code::Module;
use crate::interp::Regs;
use crate::ops::*;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::Term;
use std::cell::RefCell;
use std::sync::Arc;

/// Evaluates a `Result<T, reason>`: the value, or on error a jump to `fail` when it is a
/// label, else returns the error (raised by the interpreter).
macro_rules! or_fail {
    ($ip:expr, $fail:expr, $r:expr) => {
        match $r {
            Ok(v) => v,
            Err(reason) => return $crate::bs::fail_with($ip, $fail, reason),
        }
    };
}

#[path = "bs_append.rs"]
mod bs_append;
#[path = "bs_bits.rs"]
mod bs_bits;
#[path = "bs_build.rs"]
mod bs_build;
#[path = "bs_match.rs"]
mod bs_match;

/// Executes one bit-syntax instruction; returns the next instruction or an error reason.
pub fn exec(p: &mut Process, regs: &mut Regs, ip: *const Op, op: &Op) -> Result<*const Op, Term> {
    match op {
        Op::BsStartMatch { .. }
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
        | Op::BsSkipUtf { .. } => bs_match::exec(p, regs, ip, op),
        _ => bs_build::exec(p, regs, ip, op),
    }
}

fn badarg() -> Term {
    Term::atom(am::BADARG)
}

fn system_limit() -> Term {
    Term::atom(am::SYSTEM_LIMIT)
}

// Register access and jumps are the interpreter's own helpers.
use crate::interp::{get, jump, next, set};

/// A failed test: jump to the fail label. Without one (a context the compiler knows is
/// valid) there is nowhere to go, which only a compiler bug can cause: raise `badarg`.
fn fail(ip: *const Op, l: Label) -> Result<*const Op, Term> {
    fail_with(ip, l, badarg())
}

/// An error in an instruction with an optional fail label: jump there, or raise.
fn fail_with(ip: *const Op, l: Label, reason: Term) -> Result<*const Op, Term> {
    if l.is_none() {
        Err(reason)
    } else {
        Ok(jump(ip, l))
    }
}

/// Whether a size operand is the literal `all` (a register holding the atom `all` is
/// just a bad size).
fn is_all(size: Src) -> bool {
    size.as_term() == Some(Term::atom(am::ALL))
}

thread_local! {
    /// The module of the last string-table access: the same few modules do most
    /// matching, and looking a code address up takes the global code-index lock.
    static LAST_MODULE: RefCell<Option<Arc<Module>>> = const { RefCell::new(None) };
}

/// Calls `f` with the string table of the module containing `ip`.
fn with_module_strings<R>(ip: *const Op, f: impl FnOnce(&[u8]) -> R) -> Option<R> {
    LAST_MODULE.with(|last| {
        let mut last = last.borrow_mut();
        let hit = last.as_ref().is_some_and(|m| {
            let (s, e) = m.code_range();
            (s..e).contains(&(ip as usize))
        });
        if !hit {
            *last = Some(crate::code::module_of_addr(ip)?);
        }
        last.as_ref().map(|m| f(&m.strings))
    })
}
