//! `erlang:send_after/3,4`, `start_timer/3,4`, `cancel_timer/1,2`, `read_timer/1,2`
//! on the schedulers' timer wheels (`sched/timers.rs`).

use crate::bif::{BifResult, BADARG};
use crate::object::*;
use crate::process::Process;
use crate::sched::{self, timers};
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};

/// The `{Name, Bool}` options of a timer BIF, in order; badarg for anything else or a
/// name not in `known`.
fn bool_options(opts: Term, known: &[&str]) -> Result<Vec<(Atom, bool)>, crate::bif::Fault> {
    let items = list_to_vec(opts).ok_or(BADARG)?;
    let mut out = Vec::new();
    for o in items {
        if !is_tuple(o) || tuple_arity(o) != 2 {
            return Err(BADARG);
        }
        let name = tuple_get(o, 0).as_atom().ok_or(BADARG)?;
        let v = tuple_get(o, 1);
        if !known.contains(&name.name()) || !(v == Term::TRUE || v == Term::FALSE) {
            return Err(BADARG);
        }
        out.push((name, v == Term::TRUE));
    }
    Ok(out)
}

fn option(opts: &[(Atom, bool)], name: &str, default: bool) -> bool {
    opts.iter()
        .rev()
        .find(|(n, _)| n.name() == name)
        .map_or(default, |&(_, v)| v)
}

/// Starts a timer: `timeout_tuple` for start_timer (the message is
/// `{timeout, Ref, Msg}`), else the message is `Msg` itself.
fn start(p: &mut Process, a: &[Term], opts: Term, timeout_tuple: bool) -> BifResult {
    let opts = bool_options(opts, &["abs"])?;
    let abs = option(&opts, "abs", false);
    let time = a[0];
    let deadline = if abs {
        timers::deadline_from_monotonic_ms(term_to_i64(time).ok_or(BADARG)?)
    } else {
        match term_to_i64(time) {
            Some(ms) if ms >= 0 => timers::deadline_after(ms as u64),
            _ => return Err(BADARG),
        }
    };
    let to = if a[1].is_local_pid() {
        timers::Dest::Pid(a[1].pid_value())
    } else if let Some(name) = a[1].as_atom() {
        timers::Dest::Name(name)
    } else {
        return Err(BADARG);
    };
    // A timer to a process that is not alive is cancelled at once.
    let target_slot = match to {
        timers::Dest::Pid(id) if id != p.id => match sched::slot(id) {
            Some(s) => Some(s),
            None => {
                let r = timers::dead_timer_ref();
                return Ok(make_ref(&mut p.heap, r));
            }
        },
        _ => None,
    };
    let msg = a[2];
    let ref_id = timers::start_timer(deadline, to, |ref_id| {
        if timeout_tuple {
            let mut f = crate::heap::Fragment::new(4 + 2 + size_of_term(msg));
            let m = copy_term(&mut f, msg);
            let r = make_ref(&mut f, ref_id);
            let t = make_tuple(&mut f, &[Term::atom(Atom::from_str("timeout")), r, m]);
            crate::process::Message {
                term: t,
                frag: Some(f),
            }
        } else {
            sched::copy_to_fragment(msg)
        }
    });
    // Where the target's exit will look for its timers.
    let bit = timers::wheel_bit(ref_id);
    match (to, target_slot) {
        (_, Some(s)) => {
            s.timer_wheels
                .fetch_or(bit, std::sync::atomic::Ordering::AcqRel);
        }
        (timers::Dest::Pid(_), None) => p.timer_wheels |= bit,
        _ => {}
    }
    Ok(make_ref(&mut p.heap, ref_id))
}

fn send_after3(p: &mut Process, a: &[Term]) -> BifResult {
    start(p, a, Term::NIL, false)
}

fn send_after4(p: &mut Process, a: &[Term]) -> BifResult {
    start(p, a, a[3], false)
}

fn start_timer3(p: &mut Process, a: &[Term]) -> BifResult {
    start(p, a, Term::NIL, true)
}

fn start_timer4(p: &mut Process, a: &[Term]) -> BifResult {
    start(p, a, a[3], true)
}

/// cancel_timer / read_timer: `op` gives the milliseconds left (or None); `tag` names
/// the asynchronous reply.
fn query(
    p: &mut Process,
    r: Term,
    opts: Term,
    tag: &str,
    known: &[&str],
    op: fn(u64) -> Option<u64>,
) -> BifResult {
    if !is_ref(r) {
        return Err(BADARG);
    }
    let opts = bool_options(opts, known)?;
    let asynchronous = option(&opts, "async", false);
    let info = option(&opts, "info", true);
    let left = op(ref_id(r));
    let result = match left {
        Some(ms) => make_i64(&mut p.heap, ms as i64),
        None => Term::FALSE,
    };
    if asynchronous {
        if info {
            let msg = make_tuple(&mut p.heap, &[Term::atom(Atom::from_str(tag)), r, result]);
            sched::send(p, p.pid, msg)?;
        }
        return Ok(Term::atom(am::OK));
    }
    Ok(if info { result } else { Term::atom(am::OK) })
}

fn cancel_timer1(p: &mut Process, a: &[Term]) -> BifResult {
    query(p, a[0], Term::NIL, "cancel_timer", &[], timers::cancel)
}

fn cancel_timer2(p: &mut Process, a: &[Term]) -> BifResult {
    query(
        p,
        a[0],
        a[1],
        "cancel_timer",
        &["async", "info"],
        timers::cancel,
    )
}

fn read_timer1(p: &mut Process, a: &[Term]) -> BifResult {
    query(p, a[0], Term::NIL, "read_timer", &[], timers::read)
}

fn read_timer2(p: &mut Process, a: &[Term]) -> BifResult {
    query(p, a[0], a[1], "read_timer", &["async"], timers::read)
}

pub fn register() {
    use super::reg;
    reg("erlang", "send_after", 3, send_after3);
    reg("erlang", "send_after", 4, send_after4);
    reg("erlang", "start_timer", 3, start_timer3);
    reg("erlang", "start_timer", 4, start_timer4);
    reg("erlang", "cancel_timer", 1, cancel_timer1);
    reg("erlang", "cancel_timer", 2, cancel_timer2);
    reg("erlang", "read_timer", 1, read_timer1);
    reg("erlang", "read_timer", 2, read_timer2);
}
