//! Core `erlang` BIFs: types, tuples, lists, atoms, processes, exceptions, the process
//! dictionary and module information.

use super::reg;
use crate::bif::{BifFn, BifResult, Class, Fault, Trap, BADARG};
use crate::compare;
use crate::object::*;
use crate::process::Process;
use crate::sched;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_REF: AtomicU64 = AtomicU64::new(1);

/// A fresh reference number (unique among all references of the VM).
pub fn next_ref_id() -> u64 {
    NEXT_REF.fetch_add(1, Ordering::Relaxed)
}

pub fn new_ref(p: &mut Process) -> Term {
    make_ref(&mut p.heap, next_ref_id())
}

fn type_test(t: crate::ops::TypeTest) -> impl Fn(Term) -> bool {
    move |v| crate::interp::type_test(t, v)
}

macro_rules! type_bif {
    ($name:ident, $test:ident) => {
        fn $name(_p: &mut Process, a: &[Term]) -> BifResult {
            Ok(Term::boolean(type_test(crate::ops::TypeTest::$test)(a[0])))
        }
    };
}
type_bif!(is_atom, Atom);
type_bif!(is_binary, Binary);
type_bif!(is_bitstring, Bitstr);
type_bif!(is_boolean, Boolean);
type_bif!(is_float_bif, Float);
type_bif!(is_function, Function);
type_bif!(is_integer_bif, Integer);
type_bif!(is_list, List);
type_bif!(is_map_bif, Map);
type_bif!(is_number_bif, Number);
type_bif!(is_pid, Pid);
type_bif!(is_port, Port);
type_bif!(is_reference, Reference);
type_bif!(is_tuple_bif, Tuple);

fn is_function2(_p: &mut Process, a: &[Term]) -> BifResult {
    let n = a[1].as_small().filter(|&n| n >= 0).ok_or(BADARG)?;
    Ok(Term::boolean(
        is_fun(a[0]) && crate::fun::fun_arity(a[0]) as i64 == n,
    ))
}

fn is_record3(_p: &mut Process, a: &[Term]) -> BifResult {
    let (t, tag, size) = (a[0], a[1], a[2]);
    if !tag.is_atom() || !size.is_small() {
        return Err(BADARG);
    }
    Ok(Term::boolean(
        is_tuple(t)
            && tuple_arity(t) as i64 == size.small_value()
            && tuple_arity(t) > 0
            && tuple_get(t, 0) == tag,
    ))
}

fn is_record2(_p: &mut Process, a: &[Term]) -> BifResult {
    if !a[1].is_atom() {
        return Err(BADARG);
    }
    Ok(Term::boolean(
        is_tuple(a[0]) && tuple_arity(a[0]) > 0 && tuple_get(a[0], 0) == a[1],
    ))
}

// ---------------------------------------------------------------- tuples

fn tuple_arg(t: Term) -> Result<Term, Fault> {
    if is_tuple(t) {
        Ok(t)
    } else {
        Err(BADARG)
    }
}

fn index_arg(t: Term, max: usize) -> Result<usize, Fault> {
    match t.as_small() {
        Some(i) if i >= 1 && (i as usize) <= max => Ok(i as usize),
        _ => Err(BADARG),
    }
}

fn element(_p: &mut Process, a: &[Term]) -> BifResult {
    let t = tuple_arg(a[1])?;
    let i = index_arg(a[0], tuple_arity(t))?;
    Ok(tuple_get(t, i - 1))
}

fn setelement(p: &mut Process, a: &[Term]) -> BifResult {
    let t = tuple_arg(a[1])?;
    let i = index_arg(a[0], tuple_arity(t))?;
    // Heap allocation never moves `t`: the copy is made in place, then patched.
    let copy = make_tuple(&mut p.heap, tuple_elements(t));
    set_word(copy, i, a[2]);
    Ok(copy)
}

fn tuple_size(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(Term::small(tuple_arity(tuple_arg(a[0])?) as i64))
}

fn size(p: &mut Process, a: &[Term]) -> BifResult {
    if is_tuple(a[0]) {
        return tuple_size(p, a);
    }
    match bit_view(a[0]) {
        Some(v) => Ok(Term::small((v.bit_size / 8) as i64)),
        None => Err(BADARG),
    }
}

fn make_tuple2(p: &mut Process, a: &[Term]) -> BifResult {
    let n = a[0]
        .as_small()
        .filter(|&n| (0..=(1 << 24)).contains(&n))
        .ok_or(BADARG)?;
    Ok(make_tuple_filled(&mut p.heap, n as usize, a[1]))
}

fn make_tuple3(p: &mut Process, a: &[Term]) -> BifResult {
    let n = a[0]
        .as_small()
        .filter(|&n| (0..=(1 << 24)).contains(&n))
        .ok_or(BADARG)? as usize;
    let mut v = vec![a[1]; n];
    let inits = list_to_vec(a[2]).ok_or(BADARG)?;
    for it in inits {
        if !is_tuple(it) || tuple_arity(it) != 2 {
            return Err(BADARG);
        }
        let i = index_arg(tuple_get(it, 0), n)?;
        v[i - 1] = tuple_get(it, 1);
    }
    Ok(make_tuple(&mut p.heap, &v))
}

fn append_element(p: &mut Process, a: &[Term]) -> BifResult {
    let t = tuple_arg(a[0])?;
    let mut v = tuple_elements(t).to_vec();
    v.push(a[1]);
    Ok(make_tuple(&mut p.heap, &v))
}

fn insert_element(p: &mut Process, a: &[Term]) -> BifResult {
    let t = tuple_arg(a[1])?;
    let i = index_arg(a[0], tuple_arity(t) + 1)?;
    let mut v = tuple_elements(t).to_vec();
    v.insert(i - 1, a[2]);
    Ok(make_tuple(&mut p.heap, &v))
}

fn delete_element(p: &mut Process, a: &[Term]) -> BifResult {
    let t = tuple_arg(a[1])?;
    let i = index_arg(a[0], tuple_arity(t))?;
    let mut v = tuple_elements(t).to_vec();
    v.remove(i - 1);
    Ok(make_tuple(&mut p.heap, &v))
}

fn tuple_to_list(p: &mut Process, a: &[Term]) -> BifResult {
    let t = tuple_arg(a[0])?;
    Ok(list_from_iter(&mut p.heap, tuple_elements(t), Term::NIL))
}

fn list_to_tuple(p: &mut Process, a: &[Term]) -> BifResult {
    let v = list_to_vec(a[0]).ok_or(BADARG)?;
    Ok(make_tuple(&mut p.heap, &v))
}

// ---------------------------------------------------------------- lists

fn length(_p: &mut Process, a: &[Term]) -> BifResult {
    list_length(a[0])
        .map(|n| Term::small(n as i64))
        .ok_or(BADARG)
}

fn hd(_p: &mut Process, a: &[Term]) -> BifResult {
    if a[0].is_list() {
        Ok(head(a[0]))
    } else {
        Err(BADARG)
    }
}

fn tl(_p: &mut Process, a: &[Term]) -> BifResult {
    if a[0].is_list() {
        Ok(tail(a[0]))
    } else {
        Err(BADARG)
    }
}

fn append(p: &mut Process, a: &[Term]) -> BifResult {
    if a[0].is_nil() {
        return Ok(a[1]);
    }
    let n = proper_length(a[0]).ok_or(BADARG)?;
    Ok(copy_list_cells(&mut p.heap, a[0], n, a[1], false))
}

fn subtract(p: &mut Process, a: &[Term]) -> BifResult {
    let mut v = list_to_vec(a[0]).ok_or(BADARG)?;
    let rm = list_to_vec(a[1]).ok_or(BADARG)?;
    for r in rm {
        if let Some(i) = v.iter().position(|&x| compare::eq_exact(x, r)) {
            v.remove(i);
        }
    }
    Ok(list_from_iter(&mut p.heap, &v, Term::NIL))
}

fn lists_reverse2(p: &mut Process, a: &[Term]) -> BifResult {
    let n = proper_length(a[0]).ok_or(BADARG)?;
    Ok(copy_list_cells(&mut p.heap, a[0], n, a[1], true))
}

fn lists_member(_p: &mut Process, a: &[Term]) -> BifResult {
    let mut l = a[1];
    while l.is_list() {
        if compare::eq_exact(head(l), a[0]) {
            return Ok(Term::TRUE);
        }
        l = tail(l);
    }
    if !l.is_nil() {
        return Err(BADARG);
    }
    Ok(Term::FALSE)
}

/// The first tuple whose `pos`-th element compares equal (`==`) to `key`.
fn keyfind_in(key: Term, pos: Term, list: Term) -> Result<Option<Term>, Fault> {
    let n = pos.as_small().filter(|&n| n >= 1).ok_or(BADARG)? as usize;
    let mut l = list;
    while l.is_list() {
        let e = head(l);
        if is_tuple(e) && tuple_arity(e) >= n && compare::eq(tuple_get(e, n - 1), key) {
            return Ok(Some(e));
        }
        l = tail(l);
    }
    if !l.is_nil() {
        return Err(BADARG);
    }
    Ok(None)
}

fn lists_keyfind(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(keyfind_in(a[0], a[1], a[2])?.unwrap_or(Term::FALSE))
}

fn lists_keymember(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(Term::boolean(keyfind_in(a[0], a[1], a[2])?.is_some()))
}

fn lists_keysearch(p: &mut Process, a: &[Term]) -> BifResult {
    match keyfind_in(a[0], a[1], a[2])? {
        Some(t) => Ok(make_tuple(
            &mut p.heap,
            &[Term::atom(Atom::from_str("value")), t],
        )),
        None => Ok(Term::FALSE),
    }
}

// ---------------------------------------------------------------- atoms

/// The characters of a string-like list, or None.
pub fn list_chars(t: Term) -> Option<String> {
    let v = list_to_vec(t)?;
    let mut s = String::with_capacity(v.len());
    for c in v {
        let c = c.as_small()?;
        s.push(char::from_u32(u32::try_from(c).ok()?)?);
    }
    Some(s)
}

fn atom_to_list(p: &mut Process, a: &[Term]) -> BifResult {
    let at = a[0].as_atom().ok_or(BADARG)?;
    Ok(string_to_list(&mut p.heap, at.name()))
}

fn list_to_atom(_p: &mut Process, a: &[Term]) -> BifResult {
    let s = list_chars(a[0]).ok_or(BADARG)?;
    Atom::intern(&s).map(Term::atom).map_err(|e| match e {
        oxbeam_term::atom::AtomError::TooLong => Fault::system_limit(),
        _ => Fault::system_limit(),
    })
}

fn list_to_existing_atom(_p: &mut Process, a: &[Term]) -> BifResult {
    let s = list_chars(a[0]).ok_or(BADARG)?;
    Atom::existing(&s).map(Term::atom).ok_or(BADARG)
}

// ---------------------------------------------------------------- exceptions

fn error1(_p: &mut Process, a: &[Term]) -> BifResult {
    Err(Fault::Raise(Class::Error, a[0]))
}
fn error2(_p: &mut Process, a: &[Term]) -> BifResult {
    Err(Fault::RaiseArgs(a[0], a[1], None))
}
/// erlang:error/3: the frame shows the last `{error_info, Map}` option, as the
/// reference does when the options hold nothing else.
fn error3(_p: &mut Process, a: &[Term]) -> BifResult {
    let is_info = |o: Term| {
        is_tuple(o)
            && tuple_arity(o) == 2
            && tuple_get(o, 0) == Term::atom(am::ERROR_INFO)
            && is_map(tuple_get(o, 1))
    };
    let info = list_to_vec(a[2])
        .filter(|opts| opts.iter().all(|&o| is_info(o)))
        .and_then(|opts| opts.last().copied());
    Err(Fault::RaiseArgs(a[0], a[1], info))
}
fn exit1(_p: &mut Process, a: &[Term]) -> BifResult {
    Err(Fault::Raise(Class::Exit, a[0]))
}
fn throw(_p: &mut Process, a: &[Term]) -> BifResult {
    Err(Fault::Raise(Class::Throw, a[0]))
}
/// erlang:nif_error/1,2 (what the Erlang stub of a BIF or NIF calls): an error with
/// its own frame, as the reference's BIF raises it.
fn nif_error(_p: &mut Process, a: &[Term]) -> BifResult {
    Err(Fault::Error(a[0]))
}

/// erlang:raise/3. With a bad class or stack trace the reference does not raise: it
/// returns `badarg`.
fn raise3(p: &mut Process, a: &[Term]) -> BifResult {
    let Some(class) = Class::from_term(a[0]) else {
        return Ok(Term::atom(am::BADARG));
    };
    // The stack trace must be a list of {M,F,A,Loc} / {Fun,A,Loc} tuples.
    let Some(items) = list_to_vec(a[2]) else {
        return Ok(Term::atom(am::BADARG));
    };
    for it in &items {
        if !is_tuple(*it) || !(3..=4).contains(&tuple_arity(*it)) {
            return Ok(Term::atom(am::BADARG));
        }
    }
    // The reference keeps at most `backtrace_depth` frames of the given trace.
    let depth = crate::stacktrace::exception_depth();
    let trace = if items.len() > depth {
        list_from_iter(&mut p.heap, &items[..depth], Term::NIL)
    } else {
        a[2]
    };
    Err(Fault::Reraise(class, a[1], trace))
}

// ---------------------------------------------------------------- processes

fn self_(p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(p.pid)
}

fn node0(_p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(Term::atom(crate::node::name()))
}

fn node1(_p: &mut Process, a: &[Term]) -> BifResult {
    if is_ext_pid(a[0]) || is_ext_port(a[0]) || is_ext_ref(a[0]) {
        Ok(Term::atom(ext_node(a[0])))
    } else if a[0].is_local_pid() || a[0].is_local_port() || is_ref(a[0]) {
        Ok(Term::atom(crate::node::name()))
    } else {
        Err(BADARG)
    }
}

fn link(p: &mut Process, a: &[Term]) -> BifResult {
    if !a[0].is_local_pid() && !a[0].is_local_port() {
        if is_ext_pid(a[0]) {
            return link_remote(p, a[0]);
        }
        if is_ext_port(a[0]) {
            return Ok(Term::TRUE);
        }
        return Err(BADARG);
    }
    let linked = if a[0].is_local_port() {
        crate::port::link(p, a[0])
    } else {
        sched::link(p.id, a[0].pid_value())
    };
    if p.trace_flags != 0 && a[0] != p.pid && a[0].is_local_pid() {
        crate::trace::on_link(p, a[0].pid_value());
    }
    if !linked && a[0] != p.pid {
        if p.trap_exit {
            let msg = make_tuple(
                &mut p.heap,
                &[Term::atom(am::EXIT), a[0], Term::atom(am::NOPROC)],
            );
            let m = sched::copy_to_fragment(msg);
            sched::enqueue(p, m);
        } else {
            return Err(Fault::Error(Term::atom(am::NOPROC)));
        }
    }
    Ok(Term::TRUE)
}

/// `link/1` to another node's process. A node that cannot be reached (or this one not
/// alive) makes it a link that breaks at once with `noconnection`, as in the reference.
fn link_remote(p: &mut Process, to: Term) -> BifResult {
    if crate::dist::outgoing::link(p.id, p.pid, to) {
        return Ok(Term::TRUE);
    }
    let reason = Term::atom(Atom::from_str("noconnection"));
    sched::exit_signal(to, p.id, reason, true);
    Err(Fault::Trap(Trap::HandleSignals(Term::TRUE)))
}

fn unlink(p: &mut Process, a: &[Term]) -> BifResult {
    if is_ext_pid(a[0]) {
        crate::dist::outgoing::unlink(p.id, p.pid, a[0]);
        return Ok(Term::TRUE);
    }
    if is_ext_port(a[0]) {
        return Ok(Term::TRUE);
    }
    if !a[0].is_local_pid() && !a[0].is_local_port() {
        return Err(BADARG);
    }
    if a[0].is_local_port() {
        crate::port::unlink(p, a[0]);
        return Ok(Term::TRUE);
    }
    sched::unlink(p.id, a[0].pid_value());
    if a[0] != p.pid {
        crate::trace::on_unlink(p, a[0].pid_value());
    }
    Ok(Term::TRUE)
}

fn exit2(p: &mut Process, a: &[Term]) -> BifResult {
    let target = a[0];
    if !target.is_local_pid() {
        if target.is_local_port() {
            crate::port::exit_port(target, a[1]);
            return Ok(Term::TRUE);
        }
        if is_ext_pid(target) {
            crate::dist::outgoing::exit2(p.pid, target, a[1]);
            return Ok(Term::TRUE);
        }
        if is_ext_port(target) {
            return Ok(Term::TRUE);
        }
        return Err(BADARG);
    }
    sched::exit_signal(p.pid, target.pid_value(), a[1], false);
    if target == p.pid {
        // A signal to oneself takes effect before exit/2 returns.
        return Err(Fault::Trap(Trap::HandleSignals(Term::TRUE)));
    }
    Ok(Term::TRUE)
}

/// `badarg` with the cause the reference's `register/2` gives.
fn register_error(cause: &str) -> Fault {
    Fault::ErrorCause(Term::atom(am::BADARG), Term::atom(Atom::from_str(cause)))
}

fn register_name(_p: &mut Process, a: &[Term]) -> BifResult {
    let Some(name) = a[0].as_atom().filter(|&n| n != am::UNDEFINED) else {
        return Err(register_error("none"));
    };
    if a[1].is_local_port() {
        return crate::port::register(name, a[1]).map_err(register_error);
    }
    if !a[1].is_local_pid() {
        return Err(register_error("none"));
    }
    let id = a[1].pid_value();
    if sched::slot(id).is_none() {
        return Err(register_error("notalive"));
    }
    if sched::registered_name_of(id).is_some() {
        return Err(register_error("registered_name"));
    }
    if sched::register(name, id) {
        crate::trace::event_of_id(id, crate::trace::PROCS, "register", &[a[0]]);
        Ok(Term::TRUE)
    } else {
        Err(register_error("none"))
    }
}

fn unregister(_p: &mut Process, a: &[Term]) -> BifResult {
    let name = a[0].as_atom().ok_or(BADARG)?;
    let owner = sched::whereis(name);
    if let Some(entry) = sched::whereis_any(name).filter(|&e| e & crate::port::PORT_LINK != 0) {
        crate::port::unregistered(entry);
    }
    if sched::unregister(name) {
        if let Some(id) = owner {
            crate::trace::event_of_id(id, crate::trace::PROCS, "unregister", &[a[0]]);
        }
        Ok(Term::TRUE)
    } else {
        Err(BADARG)
    }
}

fn whereis(_p: &mut Process, a: &[Term]) -> BifResult {
    let name = a[0].as_atom().ok_or(BADARG)?;
    Ok(sched::whereis_any(name)
        .map(crate::port::link_term)
        .unwrap_or(Term::atom(am::UNDEFINED)))
}

fn registered(p: &mut Process, _a: &[Term]) -> BifResult {
    let v: Vec<Term> = sched::registered().into_iter().map(Term::atom).collect();
    Ok(list_from_iter(&mut p.heap, &v, Term::NIL))
}

fn processes(p: &mut Process, _a: &[Term]) -> BifResult {
    let v: Vec<Term> = sched::all_pids().into_iter().map(Term::pid).collect();
    Ok(list_from_iter(&mut p.heap, &v, Term::NIL))
}

fn is_process_alive(p: &mut Process, a: &[Term]) -> BifResult {
    if !a[0].is_local_pid() {
        return Err(BADARG);
    }
    if a[0] == p.pid {
        return Ok(Term::TRUE);
    }
    // Signals sent to it before this call are handled before it is looked at.
    if sched::exit_signal_pending(p.pid, a[0].pid_value()) {
        return Err(Fault::Trap(Trap::Retry));
    }
    Ok(Term::boolean(sched::slot(a[0].pid_value()).is_some()))
}

fn send2(p: &mut Process, a: &[Term]) -> BifResult {
    sched::send(p, a[0], a[1])?;
    Ok(a[1])
}

/// Checks the options of `send/3` and `send_nosuspend/3`: a proper list of `noconnect`
/// and `nosuspend` (local sends never connect or suspend, so they change nothing).
fn check_send_options(opts: Term) -> Result<(), Fault> {
    let items = list_to_vec(opts).ok_or(BADARG)?;
    if items.iter().all(|o| {
        o.as_atom()
            .is_some_and(|a| matches!(a.name(), "noconnect" | "nosuspend"))
    }) {
        Ok(())
    } else {
        Err(BADARG)
    }
}

/// The other node a send to `to` goes to, if it goes to one.
fn remote_node(to: Term) -> Option<Atom> {
    if is_ext_pid(to) || is_ext_ref(to) {
        return Some(ext_node(to));
    }
    if is_tuple(to) && tuple_arity(to) == 2 && tuple_get(to, 0).is_atom() {
        return tuple_get(to, 1)
            .as_atom()
            .filter(|&n| n != crate::node::name());
    }
    None
}

fn send3(p: &mut Process, a: &[Term]) -> BifResult {
    check_send_options(a[2])?;
    // With `noconnect`, a send that would have to connect first says so instead; with
    // `nosuspend`, one to a busy connection.
    let opts = list_to_vec(a[2]).unwrap_or_default();
    let has = |name: &str| opts.contains(&Term::atom(Atom::from_str(name)));
    if let Some(node) = remote_node(a[0]) {
        if has("noconnect") && !crate::dist::outgoing::connected(node) {
            return Ok(Term::atom(Atom::from_str("noconnect")));
        }
        if has("nosuspend") && crate::dist::lookup(node).is_some_and(|c| c.is_busy()) {
            return Ok(Term::atom(Atom::from_str("nosuspend")));
        }
    }
    sched::send(p, a[0], a[1])?;
    Ok(Term::atom(am::OK))
}

fn group_leader0(p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(p.group_leader)
}

fn group_leader2(p: &mut Process, a: &[Term]) -> BifResult {
    if is_any_pid(a[0]) && is_ext_pid(a[1]) {
        crate::dist::outgoing::group_leader(a[0], a[1]);
        return Ok(Term::TRUE);
    }
    if !is_any_pid(a[0]) || !a[1].is_local_pid() {
        return Err(BADARG);
    }
    if a[1] == p.pid {
        p.group_leader = a[0];
        return Ok(Term::TRUE);
    }
    if sched::set_group_leader(a[1].pid_value(), a[0]) {
        Ok(Term::TRUE)
    } else {
        Err(BADARG)
    }
}

fn make_ref0(p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(new_ref(p))
}

fn yield0(_p: &mut Process, _a: &[Term]) -> BifResult {
    Err(Fault::Trap(Trap::Yield(Term::TRUE)))
}

fn garbage_collect0(_p: &mut Process, _a: &[Term]) -> BifResult {
    Err(Fault::Trap(Trap::GarbageCollect(Term::TRUE)))
}

fn halt_code(t: Term) -> Result<i32, Fault> {
    if let Some(i) = t.as_small() {
        if i >= 0 {
            return Ok((i & 0xff) as i32);
        }
        return Err(BADARG);
    }
    if t == Term::atom(Atom::from_str("abort")) {
        return Ok(134);
    }
    if let Some(s) = list_chars(t) {
        // The slogan, ended as the reference's crash-dump writer ends it.
        crate::report::write_stderr(format!("{s}\r\n").as_bytes());
        return Ok(1);
    }
    Err(BADARG)
}

fn halt0(_p: &mut Process, _a: &[Term]) -> BifResult {
    Err(Fault::Trap(Trap::Halt(0)))
}
fn halt1(_p: &mut Process, a: &[Term]) -> BifResult {
    Err(Fault::Trap(Trap::Halt(halt_code(a[0])?)))
}
fn halt2(_p: &mut Process, a: &[Term]) -> BifResult {
    if list_to_vec(a[1]).is_none() {
        return Err(BADARG);
    }
    Err(Fault::Trap(Trap::Halt(halt_code(a[0])?)))
}

fn apply2(_p: &mut Process, a: &[Term]) -> BifResult {
    Err(Fault::Trap(Trap::ApplyFun {
        fun: a[0],
        args: a[1],
    }))
}
fn apply3(_p: &mut Process, a: &[Term]) -> BifResult {
    Err(Fault::Trap(Trap::Apply {
        module: a[0],
        function: a[1],
        args: a[2],
    }))
}

// ---------------------------------------------------------------- dictionary

fn put(p: &mut Process, a: &[Term]) -> BifResult {
    Ok(p.dict.put(a[0], a[1]).unwrap_or(Term::atom(am::UNDEFINED)))
}

fn get1(p: &mut Process, a: &[Term]) -> BifResult {
    Ok(p.dict_get(a[0]).unwrap_or(Term::atom(am::UNDEFINED)))
}

fn get0(p: &mut Process, _a: &[Term]) -> BifResult {
    let pairs: Vec<[Term; 2]> = p.dict.pairs().to_vec();
    let v: Vec<Term> = pairs.iter().map(|kv| make_tuple(&mut p.heap, kv)).collect();
    Ok(list_from_iter(&mut p.heap, &v, Term::NIL))
}

fn get_keys0(p: &mut Process, _a: &[Term]) -> BifResult {
    let v: Vec<Term> = p.dict.pairs().iter().map(|kv| kv[0]).collect();
    Ok(list_from_iter(&mut p.heap, &v, Term::NIL))
}

fn get_keys1(p: &mut Process, a: &[Term]) -> BifResult {
    let v: Vec<Term> = p
        .dict
        .pairs()
        .iter()
        .filter(|kv| compare::eq_exact(kv[1], a[0]))
        .map(|kv| kv[0])
        .collect();
    Ok(list_from_iter(&mut p.heap, &v, Term::NIL))
}

fn erase1(p: &mut Process, a: &[Term]) -> BifResult {
    Ok(p.dict.erase(a[0]).unwrap_or(Term::atom(am::UNDEFINED)))
}

fn erase0(p: &mut Process, _a: &[Term]) -> BifResult {
    let r = get0(p, &[])?;
    p.dict.take_all();
    Ok(r)
}

// ---------------------------------------------------------------- modules

fn get_module_info1(p: &mut Process, a: &[Term]) -> BifResult {
    let m = a[0].as_atom().ok_or(BADARG)?;
    let items = ["module", "exports", "attributes", "compile", "md5"];
    let mut v = Vec::new();
    for it in items {
        let k = Term::atom(Atom::from_str(it));
        let val = get_module_info2(p, &[a[0], k])?;
        v.push(make_tuple(&mut p.heap, &[k, val]));
    }
    let _ = m;
    Ok(list_from_iter(&mut p.heap, &v, Term::NIL))
}

fn get_module_info2(p: &mut Process, a: &[Term]) -> BifResult {
    let m = a[0].as_atom().ok_or(BADARG)?;
    let module = crate::code::get_module(m).ok_or(BADARG)?;
    let what = a[1].as_atom().ok_or(BADARG)?;
    match what {
        am::MODULE => Ok(Term::atom(m)),
        am::EXPORTS | am::FUNCTIONS => {
            let mut v = Vec::new();
            if what == am::EXPORTS {
                for &(f, ar, _) in &module.exports {
                    v.push(make_tuple(
                        &mut p.heap,
                        &[Term::atom(f), Term::small(ar as i64)],
                    ));
                }
            } else {
                for f in &module.functions {
                    v.push(make_tuple(
                        &mut p.heap,
                        &[Term::atom(f.name), Term::small(f.arity as i64)],
                    ));
                }
            }
            Ok(list_from_iter(&mut p.heap, &v, Term::NIL))
        }
        am::ATTRIBUTES => Ok(module.attributes),
        am::COMPILE => Ok(module.compile_info),
        am::MD5 => Ok(make_binary(&mut p.heap, &module.md5)),
        am::NATIVE_ADDRESSES => Ok(Term::NIL),
        am::NATIVE => Ok(Term::FALSE),
        _ => Err(BADARG),
    }
}

fn function_exported(_p: &mut Process, a: &[Term]) -> BifResult {
    let (m, f) = (a[0].as_atom().ok_or(BADARG)?, a[1].as_atom().ok_or(BADARG)?);
    let ar = a[2].as_small().ok_or(BADARG)?;
    Ok(Term::boolean(
        match crate::code::find_export(m, f, ar as u32) {
            Some(e) => {
                e.is_loaded() || (e.bif.get().is_some() && crate::code::get_module(m).is_some())
            }
            None => false,
        },
    ))
}

fn module_loaded(_p: &mut Process, a: &[Term]) -> BifResult {
    let m = a[0].as_atom().ok_or(BADARG)?;
    Ok(Term::boolean(super::code_bifs::module_is_loaded(m)))
}

fn display(_p: &mut Process, a: &[Term]) -> BifResult {
    let mut s = crate::print::display_bytes(a[0]);
    // The reference ends the line with CR LF.
    s.extend_from_slice(b"\r\n");
    crate::report::write_stdout(&s);
    Ok(Term::TRUE)
}

/// erlang:display_string/1: a character list written to standard error as UTF-8, each
/// newline as CR LF as the reference writes it.
fn display_string(_p: &mut Process, a: &[Term]) -> BifResult {
    let s = list_chars(a[0]).ok_or(BADARG)?;
    crate::report::write_stderr(s.replace('\n', "\r\n").as_bytes());
    Ok(Term::TRUE)
}

/// `oxbeam:put_chars(Fd, IoData)`: raw output used by oxbeam's own group leader.
fn oxbeam_put_chars(_p: &mut Process, a: &[Term]) -> BifResult {
    let bytes = crate::bifs::iodata_bytes(a[1]).ok_or(BADARG)?;
    match a[0].as_small() {
        Some(2) => crate::report::write_stderr(&bytes),
        _ => crate::report::write_stdout(&bytes),
    }
    Ok(Term::atom(am::OK))
}

pub fn register() {
    let ones: &[(&str, BifFn)] = &[
        ("is_atom", is_atom),
        ("is_binary", is_binary),
        ("is_bitstring", is_bitstring),
        ("is_boolean", is_boolean),
        ("is_float", is_float_bif),
        ("is_function", is_function),
        ("is_integer", is_integer_bif),
        ("is_list", is_list),
        ("is_map", is_map_bif),
        ("is_number", is_number_bif),
        ("is_pid", is_pid),
        ("is_port", is_port),
        ("is_reference", is_reference),
        ("is_tuple", is_tuple_bif),
        ("tuple_size", tuple_size),
        ("size", size),
        ("tuple_to_list", tuple_to_list),
        ("list_to_tuple", list_to_tuple),
        ("length", length),
        ("hd", hd),
        ("tl", tl),
        ("atom_to_list", atom_to_list),
        ("list_to_atom", list_to_atom),
        ("list_to_existing_atom", list_to_existing_atom),
        ("error", error1),
        ("exit", exit1),
        ("throw", throw),
        ("nif_error", nif_error),
        ("link", link),
        ("unlink", unlink),
        ("unregister", unregister),
        ("whereis", whereis),
        ("is_process_alive", is_process_alive),
        ("node", node1),
        ("halt", halt1),
        ("get", get1),
        ("erase", erase1),
        ("get_keys", get_keys1),
        ("get_module_info", get_module_info1),
        ("module_loaded", module_loaded),
        ("display", display),
        ("display_string", display_string),
    ];
    for &(n, f) in ones {
        reg("erlang", n, 1, f);
    }
    let twos: &[(&str, BifFn)] = &[
        ("is_function", is_function2),
        ("is_record", is_record2),
        ("element", element),
        ("make_tuple", make_tuple2),
        ("append_element", append_element),
        ("delete_element", delete_element),
        ("++", append),
        ("append", append),
        ("--", subtract),
        ("subtract", subtract),
        ("error", error2),
        ("nif_error", nif_error),
        ("exit", exit2),
        ("register", register_name),
        ("send", send2),
        ("!", send2),
        ("group_leader", group_leader2),
        ("halt", halt2),
        ("apply", apply2),
        ("put", put),
        ("get_module_info", get_module_info2),
    ];
    for &(n, f) in twos {
        reg("erlang", n, 2, f);
    }
    let threes: &[(&str, BifFn)] = &[
        ("is_record", is_record3),
        ("setelement", setelement),
        ("make_tuple", make_tuple3),
        ("insert_element", insert_element),
        ("error", error3),
        ("raise", raise3),
        ("send", send3),
        ("apply", apply3),
        ("function_exported", function_exported),
    ];
    for &(n, f) in threes {
        reg("erlang", n, 3, f);
    }
    let zeros: &[(&str, BifFn)] = &[
        ("self", self_),
        ("node", node0),
        ("make_ref", make_ref0),
        ("registered", registered),
        ("processes", processes),
        ("group_leader", group_leader0),
        ("yield", yield0),
        ("garbage_collect", garbage_collect0),
        ("halt", halt0),
        ("get", get0),
        ("erase", erase0),
        ("get_keys", get_keys0),
    ];
    for &(n, f) in zeros {
        reg("erlang", n, 0, f);
    }
    reg("lists", "reverse", 2, lists_reverse2);
    reg("lists", "member", 2, lists_member);
    reg("lists", "keyfind", 3, lists_keyfind);
    reg("lists", "keymember", 3, lists_keymember);
    reg("lists", "keysearch", 3, lists_keysearch);
    reg("oxbeam", "put_chars", 2, oxbeam_put_chars);
}
