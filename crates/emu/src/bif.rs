//! The calling convention of built-in functions.
//!
//! A BIF gets its process (for allocation, the dictionary, the mailbox...) and its
//! arguments, and returns a term or a [`Fault`]. BIFs allocate with `Heap::alloc`, which
//! never collects, so the terms they hold stay valid; the interpreter collects afterwards
//! if the BIF spilled into heap fragments.

use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::Term;

pub type BifFn = fn(&mut Process, &[Term]) -> BifResult;
pub type BifResult = Result<Term, Fault>;

/// Exception classes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Class {
    Error,
    Exit,
    Throw,
}

impl Class {
    pub fn atom(self) -> Term {
        Term::atom(match self {
            Class::Error => am::ERROR,
            Class::Exit => am::EXIT_CLASS,
            Class::Throw => am::THROW,
        })
    }
    pub fn from_term(t: Term) -> Option<Class> {
        match t.as_atom()? {
            am::ERROR => Some(Class::Error),
            am::EXIT_CLASS => Some(Class::Exit),
            am::THROW => Some(Class::Throw),
            _ => None,
        }
    }
}

/// Why a BIF did not return a value.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// An error raised by the BIF itself: the stack trace gets a frame for the BIF with
    /// its arguments (and `error_info`), as the reference does for `badarg` and friends.
    Error(Term),
    /// Like `Error`, with a `cause` for the frame's `error_info` map (the reason
    /// `erl_erts_errors` and friends explain, such as `badopt`), as the reference gives
    /// for some BIFs. The cause must be an atom or a term on the process heap.
    ErrorCause(Term, Term),
    /// `erlang:error/exit/throw`: raised in the caller's frame, no BIF frame.
    Raise(Class, Term),
    /// `erlang:error/2,3`: like `Raise` with class error, the caller's frame shows `args`
    /// (and the `error_info` option of error/3, if any, after its location).
    RaiseArgs(Term, Term, Option<Term>),
    /// `erlang:raise/3`: re-raise with a given stack trace.
    Reraise(Class, Term, Term),
    /// The BIF wants the interpreter to act before continuing.
    Trap(Trap),
}

/// Things only the interpreter can do for a BIF.
#[derive(Clone, Copy, Debug)]
pub enum Trap {
    /// Return the value and let other processes run.
    Yield(Term),
    /// Return the value after a full-sweep collection (erlang:garbage_collect).
    GarbageCollect(Term),
    /// Call `m:f(args)` in place of the BIF (args is a proper list).
    Apply {
        module: Term,
        function: Term,
        args: Term,
    },
    /// Call the fun with args (a proper list) in place of the BIF.
    ApplyFun { fun: Term, args: Term },
    /// Stop the VM with this exit status (`halt/0,1,2`).
    Halt(i32),
    /// `erlang:hibernate(M, F, Args)`: drop the stack, wait for a message, then call
    /// `M:F(Args...)` (args is a proper list).
    Hibernate {
        module: Term,
        function: Term,
        args: Term,
    },
    /// End the process with this reason (an exit signal it handled said so).
    Exit(Term),
    /// Handle the process's own queued signals (one it just sent itself, say), then
    /// return the value unless one of them ends the process.
    HandleSignals(Term),
    /// Not possible now (another scheduler is running the process it needs to look
    /// at): let others run, then call the BIF again with the same arguments.
    Retry,
    /// Move to a dirty scheduler of this kind, where the call runs again (its job is in
    /// `Process::dirty`).
    Dirty(crate::sched::dirty::DirtyKind),
    /// Call the function taking no arguments whose code starts at this address (an
    /// `&Op` of loaded code) in place of the BIF (`erlang:call_on_load_function/1`).
    CallCode(usize),
}

impl Fault {
    pub const fn badarg() -> Fault {
        Fault::Error(Term::atom(am::BADARG))
    }
    pub const fn badarith() -> Fault {
        Fault::Error(Term::atom(am::BADARITH))
    }
    pub const fn system_limit() -> Fault {
        Fault::Error(Term::atom(am::SYSTEM_LIMIT))
    }
    /// `badarg` whose `error_info` names `cause`.
    pub const fn badarg_cause(cause: Term) -> Fault {
        Fault::ErrorCause(Term::atom(am::BADARG), cause)
    }
}

pub const BADARG: Fault = Fault::badarg();
pub const BADARITH: Fault = Fault::badarith();
