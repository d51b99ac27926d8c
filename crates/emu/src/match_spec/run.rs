//! Running compiled match specifications: the head matcher and the guard/body stack
//! machine.

use super::{MatchSpec, Outcome, Scratch};
use crate::compare::{compare, eq, eq_exact};
use crate::interp::type_test;
use crate::object::*;
use crate::ops::TypeTest;
use oxbeam_term::atom::am;
use oxbeam_term::Term;
use std::sync::atomic::{AtomicU32, Ordering};

/// One compiled clause.
pub(super) struct Clause {
    pub head: Box<[HOp]>,
    pub guard: Box<[Op]>,
    pub body: Box<[Op]>,
}

/// Head instructions. They work on a stack of terms still to match, which starts with
/// the object; each instruction takes the top term.
#[derive(Clone, Debug)]
pub(super) enum HOp {
    /// A tuple of this arity; its elements are pushed, the first on top.
    Tuple(u32),
    /// A cons cell; the tail then the head are pushed.
    List,
    /// The trace flavor's argument list, of this length; the arguments are pushed, the
    /// first on top.
    Args(u32),
    /// A map with at least these keys (`=:=`); their values are pushed, the first on top.
    MapKeys(Box<[Term]>),
    /// Binds a variable slot.
    Bind(u32),
    /// Compares with a bound slot (`=:=`).
    Cmp(u32),
    /// `'_'`.
    Skip,
    /// An immediate constant.
    Eq(Term),
    /// A boxed constant (no float inside), compared with `=:=`.
    EqTerm(Term),
    /// A float constant, compared bit for bit as the reference does.
    EqFloat(u64),
    /// A tuple whose elements are each matched by one leaf instruction (`Bind`, `Cmp`,
    /// `Skip`, `Eq`, `EqTerm`, `EqFloat`): matched in place, without the stack.
    TupleFlat(Box<[HOp]>),
}

impl HOp {
    /// Whether this matches one term without pushing anything.
    pub fn is_leaf(&self) -> bool {
        matches!(
            self,
            HOp::Bind(_) | HOp::Cmp(_) | HOp::Skip | HOp::Eq(_) | HOp::EqTerm(_) | HOp::EqFloat(_)
        )
    }
}

/// An operand of a fused guard test.
#[derive(Clone, Copy, Debug)]
pub(super) enum Operand {
    Var(u32),
    Const(Term),
}

/// The guard functions (all can be called in guards and bodies of both flavors unless
/// noted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Bif {
    Type(TypeTest),
    IsRecord,
    Abs,
    Element,
    Hd,
    Tl,
    Length,
    Node0,
    Node1,
    Round,
    Size,
    MapSize,
    MapGet,
    IsMapKey,
    BitSize,
    ByteSize,
    BinaryPart2,
    BinaryPart3,
    Trunc,
    Float,
    Pos,
    Neg,
    Add,
    Sub,
    Mul,
    FDiv,
    Div,
    Rem,
    Band,
    Bor,
    Bxor,
    Bnot,
    Bsl,
    Bsr,
    Gt,
    Ge,
    Lt,
    Le,
    EqExact,
    Eq,
    NeExact,
    Ne,
    Not,
    Xor,
    /// Trace flavor only.
    GetTcw,
    /// Trace flavor bodies only.
    SetTcw,
    /// `set_tcw` in `erlang:match_spec_test/3`: checks the argument, changes nothing.
    SetTcwFake,
}

/// Guard and body instructions, in postfix order on a value stack.
#[derive(Clone, Debug)]
pub(super) enum Op {
    /// Pushes a constant as is (guards, immediates).
    Const(Term),
    /// Pushes a copy of a boxed constant made with the result allocator (bodies).
    ConstOut(Term),
    /// Pushes a variable's binding (guards).
    Var(u32),
    /// Pushes a variable's binding copied with the result allocator (bodies; copied once).
    VarOut(u32),
    /// `'$_'`.
    Obj,
    ObjOut,
    /// `'$$'`: the clause's bound variables, in order.
    Bindings(Box<[u32]>),
    BindingsOut(Box<[u32]>),
    /// Pops `n` values (the first element on top) and pushes the tuple.
    Tuple(u32),
    /// Pops the tail and `n` elements (pushed first to last) and pushes the list.
    List(u32),
    /// Pops `n` keys (the first on top) then `n` values (the first on top) and pushes the
    /// map; later keys win.
    FlatMap(u32),
    /// Pops `n` key/value pairs (pushed key, value, key, value...) and pushes the map;
    /// later pairs win.
    HashMap(u32),
    Call0(Bif),
    /// Calls with the first argument on top of the stack.
    Call1(Bif),
    Call2(Bif),
    Call3(Bif),
    /// Pops `n` values (the first on top): all must be booleans.
    And(u32),
    Or(u32),
    /// `andalso`: a `false` on top jumps forward (keeping it), `true` is popped, anything
    /// else fails (guards) or becomes `'EXIT'` and jumps (bodies).
    AndAlso(u32),
    OrElse(u32),
    Jump(u32),
    SelfPid,
    /// A guard test: pops; the clause fails unless it is `true`.
    True,
    /// Drops a body expression's value.
    Waste,
    /// Pops the body's result (table flavor).
    Return,
    // ---- fused forms of common sequences
    /// A guard comparison of two operands (the first argument first): fails the
    /// clause unless it holds.
    GuardCmp(Bif, Operand, Operand),
    /// A guard type test of a variable.
    GuardType(TypeTest, u32),
    /// A body that is just a variable: its (copied) binding is the result.
    ReturnVar(u32),
    // ---- trace flavor bodies
    Message,
    ReturnTrace,
    ExceptionTrace,
    ProcessDump,
    Display,
    Caller,
    CallerLine,
    GetSeqToken,
    IsSeqTrace,
    /// Pops the key (top) and the value.
    SetSeqToken,
    SetSeqTokenFake,
    EnableTrace,
    EnableTrace2,
    DisableTrace,
    DisableTrace2,
    Trace2,
    Trace3,
    Silent,
}

// ---------------------------------------------------------------- trace interface

/// An action a trace-flavor body asked for, in the order it ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceAction {
    /// `{silent, Bool}`.
    Silent(bool),
    /// `{enable_trace, Flag}` / `{enable_trace, Tracee, Flag}`.
    EnableTrace {
        tracee: Option<Term>,
        flag: Term,
    },
    DisableTrace {
        tracee: Option<Term>,
        flag: Term,
    },
    /// `{trace, Disable, Enable}` / `{trace, Tracee, Disable, Enable}`.
    Trace {
        tracee: Option<Term>,
        disable: Term,
        enable: Term,
    },
    /// `{set_seq_token, Key, Value}` (not in `erlang:match_spec_test/3`).
    SetSeqToken {
        key: Term,
        value: Term,
    },
    /// `{set_tcw, Value}` (not in `erlang:match_spec_test/3`): the new word.
    SetTcw(u32),
}

/// The result of a trace-flavor run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceOutcome {
    /// `None` when no clause matched; else the `message/1` value (`true` when the
    /// body did not call it; `false` means "no trace message").
    pub result: Option<Term>,
    pub return_trace: bool,
    pub exception_trace: bool,
    pub actions: Vec<TraceAction>,
}

/// What the trace-only functions see of the traced process. The defaults are what
/// `erlang:match_spec_test/3` does: no caller, no sequential trace token, flag changes
/// only checked.
pub trait TraceHooks {
    /// `{caller}`: `{Module, Function, Arity}` of the caller, if known.
    fn caller(&mut self) -> Option<(Term, Term, u32)> {
        None
    }
    /// `{caller_line}`: the caller and its location term (`{File, Line}` or similar;
    /// it must stay valid during the run, it is copied).
    fn caller_line(&mut self) -> Option<(Term, Term, u32, Term)> {
        None
    }
    fn is_seq_trace(&mut self) -> bool {
        false
    }
    /// `{get_seq_token}`: the token (valid during the run; it is copied), `[]` if none.
    fn get_seq_token(&mut self) -> Term {
        Term::NIL
    }
    /// `seq_trace:get_token(Key)`'s value for `{set_seq_token, Key, _}` in
    /// `erlang:match_spec_test/3` (which does not set anything); `None` for a bad key.
    fn seq_token_value(&mut self, key: Term) -> Option<SeqValue> {
        default_seq_value(key)
    }
    /// `{set_seq_token, Key, Value}`: the previous value, or `None` (the call gives
    /// `'EXIT'`).
    fn set_seq_token(&mut self, key: Term, value: Term) -> Option<SeqValue> {
        let _ = value;
        self.seq_token_value(key)
    }
    /// `{process_dump}`: the text of the process's dump.
    fn process_dump(&mut self) -> Vec<u8> {
        Vec::new()
    }
    /// `{display, Term}`.
    fn display(&mut self, t: Term) {
        let s = crate::print::format_term(t, crate::print::Style::Display);
        crate::report::write_stdout(format!("{s}\n").as_bytes());
    }
    /// Whether a process (pid or registered name) exists, for the trace actions that
    /// name one.
    fn process_exists(&mut self, tracee: Term) -> bool {
        let _ = tracee;
        false
    }
    /// `{trace, ...}`: whether the trace flags changed (only checked by default).
    fn trace(&mut self, tracee: Option<Term>, disable: Term, enable: Term) -> bool {
        let _ = (tracee, disable, enable);
        false
    }
}

/// A value of `seq_trace:get_token/1` as the match specification returns it: the
/// bare value (`label`, `serial`: `[]` without a token) or `{Key, Bool}` for flags.
#[derive(Clone, Copy, Debug)]
pub enum SeqValue {
    Bare(Term),
    Flag(Term, bool),
}

fn default_seq_value(key: Term) -> Option<SeqValue> {
    let name = key.as_atom().map(|a| a.name()).unwrap_or("");
    match name {
        "label" | "serial" => Some(SeqValue::Bare(Term::NIL)),
        "send"
        | "receive"
        | "print"
        | "timestamp"
        | "monotonic_timestamp"
        | "strict_monotonic_timestamp"
        | "spawn" => Some(SeqValue::Flag(key, false)),
        _ => None,
    }
}

/// Hooks that do nothing (the defaults).
pub struct NoTraceHooks;
impl TraceHooks for NoTraceHooks {}

/// The trace control word (`get_tcw`, `set_tcw`, `erlang:system_flag/2`).
pub fn trace_control_word() -> &'static AtomicU32 {
    static TCW: AtomicU32 = AtomicU32::new(0);
    &TCW
}

/// Whether `flag` is a single trace flag (`erlang:trace/3`'s flags).
fn trace_flag_ok(flag: Term) -> bool {
    flag.as_atom().is_some_and(|a| {
        matches!(
            a.name(),
            "timestamp"
                | "strict_monotonic_timestamp"
                | "monotonic_timestamp"
                | "all"
                | "send"
                | "receive"
                | "set_on_spawn"
                | "procs"
                | "set_on_first_spawn"
                | "set_on_link"
                | "set_on_first_link"
                | "running"
                | "exiting"
                | "garbage_collection"
                | "call"
                | "arity"
                | "return_to"
                | "silent"
                | "scheduler_id"
                | "running_ports"
                | "running_procs"
                | "ports"
        )
    })
}

/// Whether `l` is a proper list of trace flags or `{tracer, ...}` tuples
/// (`cpu_timestamp` is refused, as in the reference).
fn trace_flag_list_ok(mut l: Term) -> bool {
    while l.is_list() {
        let f = head(l);
        let ok = trace_flag_ok(f)
            || (is_tuple(f)
                && matches!(tuple_arity(f), 2 | 3)
                && tuple_get(f, 0) == Term::atom(oxbeam_term::Atom::from_str("tracer")));
        if !ok {
            return false;
        }
        l = tail(l);
    }
    l.is_nil()
}

// ---------------------------------------------------------------- head

/// Matches one term with a leaf instruction (see [`HOp::is_leaf`]).
#[inline(always)]
fn match_leaf(op: &HOp, t: Term, vars: &mut [Term]) -> bool {
    match *op {
        HOp::Bind(i) => {
            vars[i as usize] = t;
            true
        }
        HOp::Cmp(i) => eq_exact(vars[i as usize], t),
        HOp::Skip => true,
        HOp::Eq(c) => t == c,
        HOp::EqTerm(c) => eq_exact(c, t),
        HOp::EqFloat(bits) => is_float(t) && word(t, 1).0 == bits,
        _ => false,
    }
}

#[inline(always)]
fn match_flat(items: &[HOp], t: Term, vars: &mut [Term]) -> bool {
    if !is_tuple(t) || tuple_arity(t) != items.len() {
        return false;
    }
    for (op, &e) in items.iter().zip(tuple_elements(t)) {
        if !match_leaf(op, e, vars) {
            return false;
        }
    }
    true
}

#[inline]
fn match_head(code: &[HOp], obj: Term, vars: &mut [Term], hs: &mut Vec<Term>) -> bool {
    // The common ETS pattern: one tuple of variables and constants.
    if let [HOp::TupleFlat(items)] = code {
        return match_flat(items, obj, vars);
    }
    hs.clear();
    hs.push(obj);
    for op in code {
        let Some(t) = hs.pop() else {
            return false;
        };
        match *op {
            HOp::Tuple(n) => {
                if !is_tuple(t) || tuple_arity(t) != n as usize {
                    return false;
                }
                hs.extend(tuple_elements(t).iter().rev());
            }
            HOp::List => {
                if !t.is_list() {
                    return false;
                }
                hs.push(tail(t));
                hs.push(head(t));
            }
            HOp::Args(n) => {
                let base = hs.len();
                let mut l = t;
                while l.is_list() {
                    hs.push(head(l));
                    l = tail(l);
                }
                if hs.len() - base != n as usize {
                    return false;
                }
                hs[base..].reverse();
            }
            HOp::MapKeys(ref keys) => {
                if !is_map(t) || crate::map::size(t) < keys.len() {
                    return false;
                }
                for &k in keys.iter().rev() {
                    match crate::map::get(t, k) {
                        Some(v) => hs.push(v),
                        None => return false,
                    }
                }
            }
            HOp::Bind(i) => vars[i as usize] = t,
            HOp::Cmp(i) => {
                if !eq_exact(vars[i as usize], t) {
                    return false;
                }
            }
            HOp::Skip => {}
            HOp::Eq(c) => {
                if t != c {
                    return false;
                }
            }
            HOp::EqTerm(c) => {
                if !eq_exact(c, t) {
                    return false;
                }
            }
            HOp::EqFloat(bits) => {
                if !(is_float(t) && word(t, 1).0 == bits) {
                    return false;
                }
            }
            HOp::TupleFlat(ref items) => {
                if !match_flat(items, t, vars) {
                    return false;
                }
            }
        }
    }
    true
}

// ---------------------------------------------------------------- guard functions

fn bool_arg(t: Term) -> Result<bool, ()> {
    if t == Term::TRUE {
        Ok(true)
    } else if t == Term::FALSE {
        Ok(false)
    } else {
        Err(())
    }
}

fn node_of(t: Term) -> Result<Term, ()> {
    if t.is_local_pid() || t.is_local_port() || is_ref(t) {
        Ok(Term::atom(crate::node::name()))
    } else {
        Err(())
    }
}

fn set_tcw_value(t: Term) -> Result<u32, ()> {
    match term_to_i64(t) {
        Some(v) if (0..=u32::MAX as i64).contains(&v) => Ok(v as u32),
        _ => Err(()),
    }
}

#[inline]
fn call1<A: Alloc + ?Sized>(b: Bif, x: Term, h: &mut A) -> Result<Term, ()> {
    use crate::bifs::arith::ops;
    Ok(match b {
        Bif::Type(t) => Term::boolean(type_test(t, x)),
        Bif::Abs => return ops::abs(h, x).map_err(drop),
        Bif::Hd => {
            if !x.is_list() {
                return Err(());
            }
            head(x)
        }
        Bif::Tl => {
            if !x.is_list() {
                return Err(());
            }
            tail(x)
        }
        Bif::Length => Term::small(list_length(x).ok_or(())? as i64),
        Bif::Node1 => node_of(x)?,
        Bif::Round => return ops::round(h, x).map_err(drop),
        Bif::Trunc => return ops::trunc(h, x).map_err(drop),
        Bif::Float => return ops::float(h, x).map_err(drop),
        Bif::Size => {
            if is_tuple(x) {
                Term::small(tuple_arity(x) as i64)
            } else {
                let v = bit_view(x).ok_or(())?;
                make_u64(h, (v.bit_size / 8) as u64)
            }
        }
        Bif::MapSize => {
            if !is_map(x) {
                return Err(());
            }
            Term::small(crate::map::size(x) as i64)
        }
        Bif::BitSize => make_u64(h, bit_view(x).ok_or(())?.bit_size as u64),
        Bif::ByteSize => make_u64(h, bit_view(x).ok_or(())?.byte_size() as u64),
        Bif::Pos => return ops::pos(x).map_err(drop),
        Bif::Neg => return ops::neg(h, x).map_err(drop),
        Bif::Bnot => return ops::bnot(h, x).map_err(drop),
        Bif::Not => Term::boolean(!bool_arg(x)?),
        Bif::SetTcw => {
            let v = set_tcw_value(x)?;
            let old = trace_control_word().swap(v, Ordering::AcqRel);
            make_u64(h, old as u64)
        }
        Bif::SetTcwFake => {
            set_tcw_value(x)?;
            make_u64(h, trace_control_word().load(Ordering::Acquire) as u64)
        }
        _ => return Err(()),
    })
}

#[inline]
fn call2<A: Alloc + ?Sized>(b: Bif, x: Term, y: Term, h: &mut A) -> Result<Term, ()> {
    use crate::bifs::arith::ops;
    Ok(match b {
        Bif::Gt => Term::boolean(
            cmp_small(x, y)
                .unwrap_or_else(|| compare(x, y, false))
                .is_gt(),
        ),
        Bif::Ge => Term::boolean(
            cmp_small(x, y)
                .unwrap_or_else(|| compare(x, y, false))
                .is_ge(),
        ),
        Bif::Lt => Term::boolean(
            cmp_small(x, y)
                .unwrap_or_else(|| compare(x, y, false))
                .is_lt(),
        ),
        Bif::Le => Term::boolean(
            cmp_small(x, y)
                .unwrap_or_else(|| compare(x, y, false))
                .is_le(),
        ),
        Bif::EqExact => Term::boolean(eq_exact(x, y)),
        Bif::NeExact => Term::boolean(!eq_exact(x, y)),
        Bif::Eq => Term::boolean(eq(x, y)),
        Bif::Ne => Term::boolean(!eq(x, y)),
        Bif::Add => return ops::add(h, x, y).map_err(drop),
        Bif::Sub => return ops::sub(h, x, y).map_err(drop),
        Bif::Mul => return ops::mul(h, x, y).map_err(drop),
        Bif::FDiv => return ops::fdiv(h, x, y).map_err(drop),
        Bif::Div => return ops::div(h, x, y).map_err(drop),
        Bif::Rem => return ops::rem(h, x, y).map_err(drop),
        Bif::Band => return ops::band(h, x, y).map_err(drop),
        Bif::Bor => return ops::bor(h, x, y).map_err(drop),
        Bif::Bxor => return ops::bxor(h, x, y).map_err(drop),
        Bif::Bsl => return ops::bsl(h, x, y).map_err(drop),
        Bif::Bsr => return ops::bsr(h, x, y).map_err(drop),
        Bif::Xor => Term::boolean(bool_arg(x)? ^ bool_arg(y)?),
        Bif::Element => {
            if !is_tuple(y) {
                return Err(());
            }
            match x.as_small() {
                Some(i) if i >= 1 && (i as usize) <= tuple_arity(y) => tuple_get(y, i as usize - 1),
                _ => return Err(()),
            }
        }
        Bif::MapGet => {
            if !is_map(y) {
                return Err(());
            }
            crate::map::get(y, x).ok_or(())?
        }
        Bif::IsMapKey => {
            if !is_map(y) {
                return Err(());
            }
            Term::boolean(crate::map::get(y, x).is_some())
        }
        Bif::BinaryPart2 => {
            if !(is_tuple(y) && tuple_arity(y) == 2) {
                return Err(());
            }
            let e = tuple_elements(y);
            return crate::bifs::convert::part(h, x, e[0], e[1]).map_err(drop);
        }
        _ => return Err(()),
    })
}

#[inline(always)]
fn cmp_small(x: Term, y: Term) -> Option<std::cmp::Ordering> {
    match (x.as_small(), y.as_small()) {
        (Some(a), Some(b)) => Some(a.cmp(&b)),
        _ => None,
    }
}

fn call3<A: Alloc + ?Sized>(b: Bif, x: Term, y: Term, z: Term, h: &mut A) -> Result<Term, ()> {
    match b {
        Bif::IsRecord => {
            if !y.is_atom() || !z.is_small() {
                return Err(());
            }
            Ok(Term::boolean(
                is_tuple(x)
                    && tuple_arity(x) > 0
                    && tuple_arity(x) as i64 == z.small_value()
                    && tuple_get(x, 0) == y,
            ))
        }
        Bif::BinaryPart3 => crate::bifs::convert::part(h, x, y, z).map_err(drop),
        _ => Err(()),
    }
}

fn call0<A: Alloc + ?Sized>(b: Bif, h: &mut A) -> Result<Term, ()> {
    match b {
        Bif::Node0 => Ok(Term::atom(crate::node::name())),
        Bif::GetTcw => Ok(make_u64(
            h,
            trace_control_word().load(Ordering::Acquire) as u64,
        )),
        _ => Err(()),
    }
}

// ---------------------------------------------------------------- guards and bodies

/// The value of a fused guard test (`None` for other instructions).
#[inline(always)]
fn fused_guard(op: &Op, vars: &[Term]) -> Option<bool> {
    let get = |o: Operand| match o {
        Operand::Var(i) => vars[i as usize],
        Operand::Const(c) => c,
    };
    Some(match *op {
        Op::GuardCmp(b, x, y) => {
            let (x, y) = (get(x), get(y));
            match b {
                Bif::EqExact => eq_exact(x, y),
                Bif::NeExact => !eq_exact(x, y),
                Bif::Eq => eq(x, y),
                Bif::Ne => !eq(x, y),
                _ => {
                    let o = cmp_small(x, y).unwrap_or_else(|| compare(x, y, false));
                    match b {
                        Bif::Gt => o.is_gt(),
                        Bif::Ge => o.is_ge(),
                        Bif::Lt => o.is_lt(),
                        _ => o.is_le(),
                    }
                }
            }
        }
        Op::GuardType(t, i) => type_test(t, vars[i as usize]),
        _ => return None,
    })
}

/// How a program runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Guards: any failure fails the clause; nothing is copied.
    Guard,
    /// Bodies building a result: failures give `'EXIT'`; bindings, the object and
    /// boxed constants are copied with the result allocator.
    Build,
    /// Bodies whose value is only compared with `true`: nothing is copied.
    Peek,
}

/// Trace-flavor state of one run.
struct TraceState<'h> {
    ret: Term,
    return_trace: bool,
    exception_trace: bool,
    actions: Vec<TraceAction>,
    hooks: &'h mut dyn TraceHooks,
}

struct Ctx<'a> {
    vars: &'a [Term],
    out_vars: &'a mut [Term],
    stack: &'a mut Vec<Term>,
    pairs: &'a mut Vec<(Term, Term)>,
    obj: Term,
    self_pid: Term,
}

fn exit_atom() -> Term {
    Term::atom(am::EXIT)
}

/// Runs a guard or body program. `Err(())` means a guard failed. For a table body the
/// result is the value `Return` popped.
fn exec<A: Alloc + ?Sized>(
    code: &[Op],
    mode: Mode,
    cx: &mut Ctx,
    h: &mut A,
    mut tr: Option<&mut TraceState>,
) -> Result<Term, ()> {
    let guard = mode == Mode::Guard;
    let build = mode == Mode::Build;
    let st = &mut *cx.stack;
    st.clear();
    let mut result = Term::TRUE;
    let mut pc = 0usize;
    // A failed call: fails a guard, gives 'EXIT' in a body.
    macro_rules! fail_or_exit {
        () => {{
            if guard {
                return Err(());
            }
            exit_atom()
        }};
    }
    macro_rules! pop {
        () => {
            st.pop().unwrap_or(Term::NIL)
        };
    }
    while pc < code.len() {
        let op = &code[pc];
        pc += 1;
        match *op {
            Op::Const(c) => st.push(c),
            Op::ConstOut(c) => st.push(if build { super::copy_deep(h, c) } else { c }),
            Op::Var(i) => st.push(cx.vars[i as usize]),
            Op::VarOut(i) => {
                let i = i as usize;
                if build {
                    if cx.out_vars[i].is_non_value() {
                        cx.out_vars[i] = super::copy_deep(h, cx.vars[i]);
                    }
                    st.push(cx.out_vars[i]);
                } else {
                    st.push(cx.vars[i]);
                }
            }
            Op::Obj => st.push(cx.obj),
            Op::ObjOut => st.push(if build {
                super::copy_deep(h, cx.obj)
            } else {
                cx.obj
            }),
            Op::Bindings(ref slots) => {
                let mut l = Term::NIL;
                for &s in slots.iter().rev() {
                    l = cons(h, cx.vars[s as usize], l);
                }
                st.push(l);
            }
            Op::BindingsOut(ref slots) => {
                let mut l = Term::NIL;
                for &s in slots.iter().rev() {
                    let s = s as usize;
                    let v = if build {
                        if cx.out_vars[s].is_non_value() {
                            cx.out_vars[s] = super::copy_deep(h, cx.vars[s]);
                        }
                        cx.out_vars[s]
                    } else {
                        cx.vars[s]
                    };
                    l = cons(h, v, l);
                }
                st.push(l);
            }
            Op::Tuple(n) => {
                let n = n as usize;
                let base = st.len() - n;
                st[base..].reverse();
                let t = make_tuple(h, &st[base..]);
                st.truncate(base);
                st.push(t);
            }
            Op::List(n) => {
                let n = n as usize;
                let tl = pop!();
                let base = st.len() - n;
                let l = list_from_iter(h, &st[base..], tl);
                st.truncate(base);
                st.push(l);
            }
            Op::FlatMap(n) => {
                let n = n as usize;
                let base = st.len() - 2 * n;
                cx.pairs.clear();
                for i in 0..n {
                    let k = st[st.len() - 1 - i];
                    let v = st[base + n - 1 - i];
                    cx.pairs.push((k, v));
                }
                st.truncate(base);
                let m = crate::map::from_pairs(h, cx.pairs);
                st.push(m);
            }
            Op::HashMap(n) => {
                let n = n as usize;
                let base = st.len() - 2 * n;
                cx.pairs.clear();
                for i in 0..n {
                    cx.pairs.push((st[base + 2 * i], st[base + 2 * i + 1]));
                }
                st.truncate(base);
                let m = crate::map::from_pairs(h, cx.pairs);
                st.push(m);
            }
            Op::Call0(b) => {
                let v = match call0(b, h) {
                    Ok(v) => v,
                    Err(()) => fail_or_exit!(),
                };
                st.push(v);
            }
            Op::Call1(b) => {
                let x = pop!();
                let v = match call1(b, x, h) {
                    Ok(v) => v,
                    Err(()) => fail_or_exit!(),
                };
                st.push(v);
            }
            Op::Call2(b) => {
                let x = pop!();
                let y = pop!();
                let v = match call2(b, x, y, h) {
                    Ok(v) => v,
                    Err(()) => fail_or_exit!(),
                };
                st.push(v);
            }
            Op::Call3(b) => {
                let x = pop!();
                let y = pop!();
                let z = pop!();
                let v = match call3(b, x, y, z, h) {
                    Ok(v) => v,
                    Err(()) => fail_or_exit!(),
                };
                st.push(v);
            }
            Op::And(n) | Op::Or(n) => {
                let is_and = matches!(op, Op::And(_));
                let base = st.len() - n as usize;
                let mut acc = is_and;
                let mut bad = false;
                for i in (base..st.len()).rev() {
                    match bool_arg(st[i]) {
                        Ok(b) => {
                            if is_and {
                                acc &= b;
                            } else {
                                acc |= b;
                            }
                        }
                        Err(()) => {
                            bad = true;
                            break;
                        }
                    }
                }
                st.truncate(base);
                let v = if bad {
                    fail_or_exit!()
                } else {
                    Term::boolean(acc)
                };
                st.push(v);
            }
            Op::AndAlso(skip) | Op::OrElse(skip) => {
                let stop = if matches!(op, Op::AndAlso(_)) {
                    Term::FALSE
                } else {
                    Term::TRUE
                };
                let v = pop!();
                if v == stop {
                    st.push(v);
                    pc += skip as usize;
                } else if !v.is_boolean() {
                    if guard {
                        return Err(());
                    }
                    st.push(exit_atom());
                    pc += skip as usize;
                }
            }
            Op::Jump(skip) => pc += skip as usize,
            Op::SelfPid => st.push(cx.self_pid),
            Op::True => {
                if pop!() != Term::TRUE {
                    return Err(());
                }
            }
            Op::Waste => {
                st.pop();
            }
            Op::Return => result = pop!(),
            Op::GuardCmp(..) | Op::GuardType(..) => {
                if !fused_guard(op, cx.vars).unwrap_or(false) {
                    return Err(());
                }
            }
            Op::ReturnVar(i) => {
                let i = i as usize;
                result = if build {
                    if cx.out_vars[i].is_non_value() {
                        cx.out_vars[i] = super::copy_deep(h, cx.vars[i]);
                    }
                    cx.out_vars[i]
                } else {
                    cx.vars[i]
                };
            }
            // ---- trace flavor
            _ => {
                let Some(t) = tr.as_deref_mut() else {
                    // Trace instructions only appear in trace-flavor programs.
                    return Err(());
                };
                trace_op(op, st, t, h);
            }
        }
    }
    Ok(result)
}

/// The trace-flavor instructions (only in bodies, which never fail).
fn trace_op<A: Alloc + ?Sized>(op: &Op, st: &mut Vec<Term>, t: &mut TraceState, h: &mut A) {
    let exit = exit_atom();
    macro_rules! pop {
        () => {
            st.pop().unwrap_or(Term::NIL)
        };
    }
    let v = match *op {
        Op::Message => {
            t.ret = pop!();
            Term::TRUE
        }
        Op::ReturnTrace => {
            t.return_trace = true;
            Term::TRUE
        }
        Op::ExceptionTrace => {
            t.exception_trace = true;
            Term::TRUE
        }
        Op::ProcessDump => {
            let bytes = t.hooks.process_dump();
            make_binary(h, &bytes)
        }
        Op::Display => {
            let x = pop!();
            t.hooks.display(x);
            Term::TRUE
        }
        Op::Caller => match t.hooks.caller() {
            Some((m, f, a)) => make_tuple(h, &[m, f, Term::small(a as i64)]),
            None => Term::atom(am::UNDEFINED),
        },
        Op::CallerLine => match t.hooks.caller_line() {
            Some((m, f, a, loc)) => {
                let loc = super::copy_deep(h, loc);
                make_tuple(h, &[m, f, Term::small(a as i64), loc])
            }
            None => Term::atom(am::UNDEFINED),
        },
        Op::GetSeqToken => {
            let tok = t.hooks.get_seq_token();
            super::copy_deep(h, tok)
        }
        Op::IsSeqTrace => Term::boolean(t.hooks.is_seq_trace()),
        Op::SetSeqToken | Op::SetSeqTokenFake => {
            let key = pop!();
            let value = pop!();
            let r = if matches!(op, Op::SetSeqToken) {
                let r = t.hooks.set_seq_token(key, value);
                if r.is_some() {
                    t.actions.push(TraceAction::SetSeqToken { key, value });
                }
                r
            } else {
                t.hooks.seq_token_value(key)
            };
            match r {
                Some(SeqValue::Bare(v)) => super::copy_deep(h, v),
                Some(SeqValue::Flag(k, b)) => make_tuple(h, &[k, Term::boolean(b)]),
                None => exit,
            }
        }
        Op::EnableTrace | Op::DisableTrace => {
            let flag = pop!();
            if trace_flag_ok(flag) {
                t.actions.push(if matches!(op, Op::EnableTrace) {
                    TraceAction::EnableTrace { tracee: None, flag }
                } else {
                    TraceAction::DisableTrace { tracee: None, flag }
                });
                Term::TRUE
            } else {
                exit
            }
        }
        Op::EnableTrace2 | Op::DisableTrace2 => {
            let tracee = pop!();
            let flag = pop!();
            if trace_flag_ok(flag) && t.hooks.process_exists(tracee) {
                let tracee = Some(tracee);
                t.actions.push(if matches!(op, Op::EnableTrace2) {
                    TraceAction::EnableTrace { tracee, flag }
                } else {
                    TraceAction::DisableTrace { tracee, flag }
                });
                Term::TRUE
            } else {
                exit
            }
        }
        Op::Trace2 | Op::Trace3 => {
            let tracee = if matches!(op, Op::Trace3) {
                Some(pop!())
            } else {
                None
            };
            let disable = pop!();
            let enable = pop!();
            let ok = trace_flag_list_ok(disable)
                && trace_flag_list_ok(enable)
                && tracee.is_none_or(|p| t.hooks.process_exists(p));
            if ok {
                t.actions.push(TraceAction::Trace {
                    tracee,
                    disable,
                    enable,
                });
                Term::boolean(t.hooks.trace(tracee, disable, enable))
            } else {
                exit
            }
        }
        Op::Silent => {
            let x = pop!();
            if let Ok(b) = bool_arg(x) {
                t.actions.push(TraceAction::Silent(b));
            }
            Term::TRUE
        }
        _ => exit,
    };
    st.push(v);
}

// ---------------------------------------------------------------- entry points

#[inline]
fn prepare(ms: &MatchSpec, s: &mut Scratch) {
    if s.vars.len() < ms.nslots {
        s.vars.resize(ms.nslots, Term::NIL);
        s.out_vars.resize(ms.nslots, Term::NON_VALUE);
    }
}

pub(super) fn run_table<A: Alloc + ?Sized>(
    ms: &MatchSpec,
    obj: Term,
    self_pid: Term,
    s: &mut Scratch,
    out: &mut A,
) -> Outcome {
    prepare(ms, s);
    for c in ms.clauses.iter() {
        if !match_head(&c.head, obj, &mut s.vars, &mut s.hstack) {
            continue;
        }
        match &c.guard[..] {
            [] => {}
            [g] if fused_guard(g, &s.vars).is_some() => {
                if fused_guard(g, &s.vars) != Some(true) {
                    continue;
                }
            }
            guard => {
                if !s.temp.is_untouched() {
                    s.temp.reset();
                }
                let mut cx = Ctx {
                    vars: &s.vars,
                    out_vars: &mut s.out_vars,
                    stack: &mut s.stack,
                    pairs: &mut s.pairs,
                    obj,
                    self_pid,
                };
                if exec(guard, Mode::Guard, &mut cx, &mut s.temp, None).is_err() {
                    continue;
                }
            }
        }
        if let [Op::ReturnVar(i)] = c.body[..] {
            return Outcome::Matched(super::copy_deep(out, s.vars[i as usize]));
        }
        for v in s.out_vars[..ms.nslots].iter_mut() {
            *v = Term::NON_VALUE;
        }
        let mut cx = Ctx {
            vars: &s.vars,
            out_vars: &mut s.out_vars,
            stack: &mut s.stack,
            pairs: &mut s.pairs,
            obj,
            self_pid,
        };
        let r = exec(&c.body, Mode::Build, &mut cx, out, None).unwrap_or(Term::TRUE);
        return Outcome::Matched(r);
    }
    Outcome::NoMatch
}

pub(super) fn run_is_true(ms: &MatchSpec, obj: Term, self_pid: Term, s: &mut Scratch) -> bool {
    prepare(ms, s);
    for c in ms.clauses.iter() {
        if !match_head(&c.head, obj, &mut s.vars, &mut s.hstack) {
            continue;
        }
        if !s.temp.is_untouched() {
            s.temp.reset();
        }
        let mut cx = Ctx {
            vars: &s.vars,
            out_vars: &mut s.out_vars,
            stack: &mut s.stack,
            pairs: &mut s.pairs,
            obj,
            self_pid,
        };
        if !c.guard.is_empty() && exec(&c.guard, Mode::Guard, &mut cx, &mut s.temp, None).is_err() {
            continue;
        }
        if ms.flavor == super::Flavor::Trace {
            return true;
        }
        let r = exec(&c.body, Mode::Peek, &mut cx, &mut s.temp, None).unwrap_or(Term::TRUE);
        return r == Term::TRUE;
    }
    false
}

pub(super) fn run_trace<A: Alloc + ?Sized>(
    ms: &MatchSpec,
    args: Term,
    self_pid: Term,
    s: &mut Scratch,
    out: &mut A,
    hooks: &mut dyn TraceHooks,
) -> TraceOutcome {
    if ms.flavor == super::Flavor::Table {
        let r = match run_table(ms, args, self_pid, s, out) {
            Outcome::Matched(t) => Some(t),
            Outcome::NoMatch => None,
        };
        return TraceOutcome {
            result: r,
            return_trace: false,
            exception_trace: false,
            actions: Vec::new(),
        };
    }
    prepare(ms, s);
    for c in ms.clauses.iter() {
        if !match_head(&c.head, args, &mut s.vars, &mut s.hstack) {
            continue;
        }
        let mut ts = TraceState {
            ret: Term::TRUE,
            return_trace: false,
            exception_trace: false,
            actions: Vec::new(),
            hooks: &mut *hooks,
        };
        if !c.guard.is_empty() {
            if !s.temp.is_untouched() {
                s.temp.reset();
            }
            let mut cx = Ctx {
                vars: &s.vars,
                out_vars: &mut s.out_vars,
                stack: &mut s.stack,
                pairs: &mut s.pairs,
                obj: args,
                self_pid,
            };
            if exec(&c.guard, Mode::Guard, &mut cx, &mut s.temp, Some(&mut ts)).is_err() {
                continue;
            }
        }
        for v in s.out_vars[..ms.nslots].iter_mut() {
            *v = Term::NON_VALUE;
        }
        let mut cx = Ctx {
            vars: &s.vars,
            out_vars: &mut s.out_vars,
            stack: &mut s.stack,
            pairs: &mut s.pairs,
            obj: args,
            self_pid,
        };
        let _ = exec(&c.body, Mode::Build, &mut cx, out, Some(&mut ts));
        return TraceOutcome {
            result: Some(ts.ret),
            return_trace: ts.return_trace,
            exception_trace: ts.exception_trace,
            actions: ts.actions,
        };
    }
    TraceOutcome {
        result: None,
        return_trace: false,
        exception_trace: false,
        actions: Vec::new(),
    }
}
