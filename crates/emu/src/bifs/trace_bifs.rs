//! Tracing BIFs: `erlang:trace/3`, `trace_pattern/2,3`, `trace_info/2`,
//! `trace_delivered/1`, and the sequential trace token functions (`seq_trace/2`,
//! `seq_trace_info/1`, `seq_trace_print/1,2`). See `crate::trace`.

use super::reg;
use crate::bif::{BifResult, Fault, BADARG};
use crate::object::*;
use crate::process::Process;
use crate::trace::{self, bp};
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};

fn atom(s: &str) -> Term {
    Term::atom(Atom::from_str(s))
}

fn is_atom(t: Term, s: &str) -> bool {
    t.as_atom().is_some_and(|a| a.name() == s)
}

// ---------------------------------------------------------------- erlang:trace/3

/// The flags and the tracer (`None`: the caller) of a flag list.
fn parse_flags(list: Term) -> Result<(u32, Option<u64>), Fault> {
    let items = list_to_vec(list).ok_or(BADARG)?;
    let mut flags = 0;
    let mut tracer = None;
    for it in items {
        if let Some(a) = it.as_atom() {
            match trace::flag_by_name(a.name()) {
                // CPU time stamps are not available (as on the reference's platforms
                // without a per-thread CPU clock).
                Some(trace::CPU_TIMESTAMP) | None => return Err(BADARG),
                Some(f) => flags |= f,
            }
            continue;
        }
        if is_tuple(it) && tuple_arity(it) == 2 && is_atom(tuple_get(it, 0), "tracer") {
            let t = tuple_get(it, 1);
            if !t.is_local_pid() {
                return Err(BADARG);
            }
            tracer = Some(t.pid_value());
            continue;
        }
        // `{tracer, erl_tracer, State}`: the default tracer module, which sends trace
        // messages to State, a process. Other tracer modules would be NIF libraries,
        // which cannot be loaded here.
        if is_tuple(it) && tuple_arity(it) == 3 && is_atom(tuple_get(it, 0), "tracer") {
            if !is_atom(tuple_get(it, 1), "erl_tracer") {
                return Err(BADARG);
            }
            tracer = Some(tracer_state_id(tuple_get(it, 2)));
            continue;
        }
        return Err(BADARG);
    }
    Ok((flags, tracer))
}

/// The states of `{tracer, erl_tracer, State}` and `{meta, erl_tracer, State}` that are
/// not processes, by id (`STATE_ID_BASE` + index). Such a tracer is never alive (the
/// reference's `erl_tracer:enabled/3` says `remove` for it), so it traces nothing, but
/// it is another tracer than any process, and `trace_info` shows a meta tracer's state.
static TRACER_STATES: parking_lot::Mutex<Vec<crate::process::Message>> =
    parking_lot::Mutex::new(Vec::new());

/// Above any process id.
const STATE_ID_BASE: u64 = 1 << 58;

/// The tracer id of an `erl_tracer` state: the process's id for a pid, else the id of
/// the state in `TRACER_STATES` (equal states get the same id).
fn tracer_state_id(state: Term) -> u64 {
    if state.is_local_pid() {
        return state.pid_value();
    }
    let mut states = TRACER_STATES.lock();
    let i = match states
        .iter()
        .position(|m| crate::compare::eq_exact(m.term, state))
    {
        Some(i) => i,
        None => {
            states.push(crate::sched::copy_to_fragment(state));
            states.len() - 1
        }
    };
    STATE_ID_BASE + i as u64
}

/// A tracer as `trace_info` shows it: the pid, or the state of `erl_tracer`.
fn tracer_term(p: &mut Process, id: u64) -> Term {
    if id >= STATE_ID_BASE {
        if let Some(m) = TRACER_STATES.lock().get((id - STATE_ID_BASE) as usize) {
            return copy_term(&mut p.heap, m.term);
        }
    }
    Term::pid(id)
}

/// Applies the change to process `id`; `Err` if it has another tracer.
fn trace_one(p: &mut Process, id: u64, on: bool, flags: u32, tracer: u64) -> Result<(), ()> {
    let (cur, cur_tracer) = if id == p.id {
        match trace::flags_of(id) {
            Some(v) => v,
            None => (p.trace_flags, p.tracer),
        }
    } else {
        match trace::flags_of(id) {
            Some(v) => v,
            None => return Ok(()),
        }
    };
    let (new, t) = if on {
        if flags == 0 {
            return Ok(());
        }
        if cur != 0 && cur_tracer != tracer {
            return Err(());
        }
        (cur | flags, tracer)
    } else {
        (cur & !flags, cur_tracer)
    };
    if id == p.id {
        trace::set_own_flags(p, new, t);
    } else {
        trace::store_flags(id, new, t);
    }
    Ok(())
}

fn trace3(p: &mut Process, a: &[Term]) -> BifResult {
    let on = match a[1] {
        Term::TRUE => true,
        Term::FALSE => false,
        _ => return Err(BADARG),
    };
    let (flags, tracer) = parse_flags(a[2])?;
    let tracer = tracer.unwrap_or(p.id);
    let spec = a[0];
    if spec.is_local_pid() {
        let id = spec.pid_value();
        if id != p.id && crate::sched::slot(id).is_none() {
            return Err(BADARG);
        }
        if trace_one(p, id, on, flags, tracer).is_err() {
            return Err(BADARG);
        }
        return Ok(Term::small(1));
    }
    let name = spec.as_atom().ok_or(BADARG)?;
    let (existing, new) = match name.name() {
        "all" | "processes" => (true, true),
        "existing" | "existing_processes" => (true, false),
        "new" | "new_processes" => (false, true),
        "ports" | "existing_ports" | "new_ports" => (false, false),
        _ => return Err(BADARG),
    };
    if new && (flags != 0 || !on) && !trace::set_new_process_flags(on, flags, tracer) {
        return Err(BADARG);
    }
    let mut n = 0;
    if existing {
        for id in crate::sched::all_pids() {
            if trace_one(p, id, on, flags, tracer).is_ok() {
                n += 1;
            }
        }
    }
    Ok(Term::small(n))
}

// ---------------------------------------------------------------- trace_pattern

fn trace_pattern2(p: &mut Process, a: &[Term]) -> BifResult {
    trace_pattern(p, a[0], a[1], Term::NIL)
}

fn trace_pattern3(p: &mut Process, a: &[Term]) -> BifResult {
    trace_pattern(p, a[0], a[1], a[2])
}

fn setting(pattern: Term) -> Result<bp::Setting, Fault> {
    Ok(match pattern {
        Term::TRUE => bp::Setting::On(bp::Pattern::always()),
        Term::FALSE => bp::Setting::Off,
        t if is_atom(t, "restart") => bp::Setting::Restart,
        t if is_atom(t, "pause") => bp::Setting::Pause,
        t if t.is_list() || t.is_nil() => bp::Setting::On(bp::Pattern::compile(t)?),
        _ => return Err(BADARG),
    })
}

fn trace_pattern(p: &mut Process, spec: Term, pattern: Term, opts: Term) -> BifResult {
    let opt_list = list_to_vec(opts).ok_or(BADARG)?;
    if is_atom(spec, "send") || is_atom(spec, "receive") {
        if !opt_list.is_empty() {
            return Err(BADARG);
        }
        let ev = if is_atom(spec, "send") {
            trace::Event::Send
        } else {
            trace::Event::Receive
        };
        let pat = match setting(pattern)? {
            bp::Setting::On(p) if p.ms.is_none() => None,
            bp::Setting::On(p) => Some(Some(p)),
            bp::Setting::Off => Some(None),
            _ => return Err(BADARG),
        };
        trace::set_event_pattern(ev, pat);
        return Ok(Term::small(1));
    }
    let mut kinds = bp::Kinds::default();
    for o in opt_list {
        match o.as_atom().map(|a| a.name()) {
            Some("global") => kinds.global = true,
            Some("local") => kinds.local = true,
            Some("meta") => kinds.meta = Some(p.id),
            Some("call_count") => kinds.call_count = true,
            Some("call_time") => kinds.call_time = true,
            _ => {
                if is_tuple(o)
                    && tuple_arity(o) == 2
                    && is_atom(tuple_get(o, 0), "meta")
                    && tuple_get(o, 1).is_local_pid()
                {
                    kinds.meta = Some(tuple_get(o, 1).pid_value());
                } else if is_tuple(o)
                    && tuple_arity(o) == 3
                    && is_atom(tuple_get(o, 0), "meta")
                    && is_atom(tuple_get(o, 1), "erl_tracer")
                {
                    kinds.meta = Some(tracer_state_id(tuple_get(o, 2)));
                } else {
                    return Err(BADARG);
                }
            }
        }
    }
    let others = kinds.local || kinds.meta.is_some() || kinds.call_count || kinds.call_time;
    if kinds.global && others {
        return Err(BADARG);
    }
    if !kinds.global && !others {
        kinds.global = true;
    }
    let setting = setting(pattern)?;
    if is_atom(spec, "on_load") {
        bp::set_on_load_pattern(setting, kinds);
        return Ok(Term::small(0));
    }
    if !is_tuple(spec) || tuple_arity(spec) != 3 {
        return Err(BADARG);
    }
    let (m, f, ar) = (tuple_get(spec, 0), tuple_get(spec, 1), tuple_get(spec, 2));
    let wild = |t: Term| is_atom(t, "_");
    let m = if wild(m) {
        None
    } else {
        Some(m.as_atom().ok_or(BADARG)?)
    };
    let f = if wild(f) {
        None
    } else {
        Some(f.as_atom().ok_or(BADARG)?)
    };
    let arity = if wild(ar) {
        None
    } else if let Some(n) = ar.as_small() {
        match u32::try_from(n) {
            Ok(n) => Some(n),
            // A negative arity matches nothing.
            Err(_) => return Ok(Term::small(0)),
        }
    } else {
        return Err(BADARG);
    };
    if (m.is_none() && (f.is_some() || arity.is_some())) || (f.is_none() && arity.is_some()) {
        return Err(BADARG);
    }
    let n = bp::set_pattern(m, f, arity, &setting, kinds);
    bp::refresh_mode(p);
    Ok(Term::small(n as i64))
}

// ---------------------------------------------------------------- trace_info

fn pattern_term(p: &mut Process, pat: &bp::Pattern) -> Term {
    copy_term(&mut p.heap, pat.term)
}

fn trace_info(p: &mut Process, a: &[Term]) -> BifResult {
    let (what, item) = (a[0], a[1]);
    let item_name = item.as_atom().ok_or(BADARG)?.name();
    let pair = |p: &mut Process, v: Term| Ok(make_tuple(&mut p.heap, &[item, v]));
    if what.is_local_pid() || is_atom(what, "new") || is_atom(what, "new_processes") {
        let (flags, tracer) = if what.is_local_pid() {
            let id = what.pid_value();
            match trace::flags_of(id) {
                Some(v) => v,
                None => {
                    if !matches!(item_name, "flags" | "tracer") {
                        return Err(BADARG);
                    }
                    return Ok(Term::atom(am::UNDEFINED));
                }
            }
        } else {
            trace::new_process_flags()
        };
        return match item_name {
            "flags" => {
                let l = trace::flags_list(p, flags);
                pair(p, l)
            }
            "tracer" => {
                let t = if flags == 0 || !trace::is_alive(tracer) {
                    Term::NIL
                } else {
                    Term::pid(tracer)
                };
                pair(p, t)
            }
            _ => Err(BADARG),
        };
    }
    if is_atom(what, "send") || is_atom(what, "receive") {
        if item_name != "match_spec" {
            return Err(BADARG);
        }
        let ev = if is_atom(what, "send") {
            trace::Event::Send
        } else {
            trace::Event::Receive
        };
        let v = match trace::event_pattern(ev) {
            None => Term::TRUE,
            Some(None) => Term::FALSE,
            Some(Some(pat)) => pattern_term(p, &pat),
        };
        return pair(p, v);
    }
    if is_atom(what, "on_load") {
        return on_load_info(p, item);
    }
    if !is_tuple(what) || tuple_arity(what) != 3 {
        return Err(BADARG);
    }
    let (m, f, ar) = (tuple_get(what, 0), tuple_get(what, 1), tuple_get(what, 2));
    let (Some(m), Some(f), Some(ar)) = (m.as_atom(), f.as_atom(), ar.as_small()) else {
        return Err(BADARG);
    };
    let Ok(ar) = u32::try_from(ar) else {
        return pair(p, Term::atom(am::UNDEFINED));
    };
    if !bp::function_exists(m, f, ar) {
        return pair(p, Term::atom(am::UNDEFINED));
    }
    // As in the reference: any item of an untraced function is `false`.
    let Some(b) = bp::info((m, f, ar)) else {
        return pair(p, Term::FALSE);
    };
    let traced = match &b.call {
        Some((true, _)) => atom("local"),
        Some((false, _)) => atom("global"),
        None => Term::FALSE,
    };
    let ms = match &b.call {
        Some((_, pat)) => pattern_term(p, pat),
        None => Term::FALSE,
    };
    let meta_ms = match &b.meta {
        Some((_, pat)) => pattern_term(p, pat),
        None => Term::FALSE,
    };
    let count = match &b.count {
        Some(c) => make_u64(
            &mut p.heap,
            c.count.load(std::sync::atomic::Ordering::Relaxed),
        ),
        None => Term::FALSE,
    };
    let meta = |p: &mut Process, none: Term| match &b.meta {
        Some((t, _)) => tracer_term(p, *t),
        None => none,
    };
    let v = match item.as_atom().map(|a| a.name()) {
        Some("traced") => traced,
        Some("match_spec") => ms,
        // (The reference shows "no meta tracer" as [] here and as false in `all`.)
        Some("meta") => meta(p, Term::NIL),
        Some("meta_match_spec") => meta_ms,
        Some("call_count") => count,
        Some("call_time") => Term::FALSE,
        Some("all") => {
            let items = [
                ("traced", traced),
                ("match_spec", ms),
                ("meta", meta(p, Term::FALSE)),
                ("meta_match_spec", meta_ms),
                ("call_time", Term::FALSE),
                ("call_count", count),
            ];
            let v: Vec<Term> = items
                .iter()
                .map(|&(k, v)| make_tuple(&mut p.heap, &[atom(k), v]))
                .collect();
            list_from_iter(&mut p.heap, &v, Term::NIL)
        }
        _ => return Err(BADARG),
    };
    pair(p, v)
}

/// `trace_info(on_load, Item)`: the patterns modules loaded from now on get.
fn on_load_info(p: &mut Process, item: Term) -> BifResult {
    let pair = |p: &mut Process, v: Term| Ok(make_tuple(&mut p.heap, &[item, v]));
    let Some((setting, kinds)) = bp::on_load_pattern() else {
        return pair(p, Term::FALSE);
    };
    let call_on = kinds.global || kinds.local;
    let ms = |p: &mut Process, on: bool| match &setting {
        bp::Setting::On(pat) if on => pattern_term(p, pat),
        _ if on => Term::NIL,
        _ => Term::FALSE,
    };
    let traced = if kinds.global {
        atom("global")
    } else if kinds.local {
        atom("local")
    } else {
        Term::FALSE
    };
    let meta = kinds.meta.map_or(Term::FALSE, |t| tracer_term(p, t));
    let count = Term::boolean(kinds.call_count);
    let time = Term::boolean(kinds.call_time);
    let v = match item.as_atom().map(|a| a.name()) {
        Some("traced") => traced,
        Some("match_spec") => ms(p, call_on),
        Some("meta") => meta,
        Some("meta_match_spec") => ms(p, kinds.meta.is_some()),
        Some("call_count") => count,
        Some("call_time") => time,
        Some("all") => {
            let items = [
                ("traced", traced),
                ("match_spec", ms(p, call_on)),
                ("meta", meta),
                ("meta_match_spec", ms(p, kinds.meta.is_some())),
                ("call_count", count),
            ];
            let v: Vec<Term> = items
                .iter()
                .map(|&(k, v)| make_tuple(&mut p.heap, &[atom(k), v]))
                .collect();
            list_from_iter(&mut p.heap, &v, Term::NIL)
        }
        _ => return Err(BADARG),
    };
    pair(p, v)
}

// ---------------------------------------------------------------- trace_delivered

/// Trace messages are queued to the tracer when they are generated, so they are all
/// delivered already: the answer comes at once.
fn trace_delivered(p: &mut Process, a: &[Term]) -> BifResult {
    if !a[0].is_local_pid() && !is_atom(a[0], "all") {
        return Err(BADARG);
    }
    let r = super::erlang::new_ref(p);
    let msg = make_tuple(&mut p.heap, &[atom("trace_delivered"), a[0], r]);
    let m = crate::sched::copy_to_fragment(msg);
    crate::sched::enqueue(p, m);
    Ok(r)
}

// ---------------------------------------------------------------- sequential trace token

const SEQ_SEND: i64 = 1;
const SEQ_RECEIVE: i64 = 2;
const SEQ_PRINT: i64 = 4;
const SEQ_NOW_TIMESTAMP: i64 = 8;
const SEQ_STRICT_MON_TIMESTAMP: i64 = 16;
const SEQ_MON_TIMESTAMP: i64 = 32;

fn seq_flag(name: &str) -> Option<i64> {
    Some(match name {
        "send" => SEQ_SEND,
        "receive" => SEQ_RECEIVE,
        "print" => SEQ_PRINT,
        "timestamp" => SEQ_NOW_TIMESTAMP,
        "strict_monotonic_timestamp" => SEQ_STRICT_MON_TIMESTAMP,
        "monotonic_timestamp" => SEQ_MON_TIMESTAMP,
        _ => return None,
    })
}

/// The token's elements `{Flags, Label, Serial, From, LastCnt}`, creating it if the
/// process has none.
fn token_parts(p: &mut Process) -> [Term; 5] {
    let t = p.seq_token;
    if is_tuple(t) && tuple_arity(t) == 5 {
        let e = tuple_elements(t);
        [e[0], e[1], e[2], e[3], e[4]]
    } else {
        [
            Term::small(0),
            Term::small(0),
            Term::small(0),
            p.pid,
            Term::small(p.seq_lastcnt),
        ]
    }
}

fn set_token(p: &mut Process, parts: [Term; 5]) {
    p.seq_token = make_tuple(&mut p.heap, &parts);
}

fn seq_trace2(p: &mut Process, a: &[Term]) -> BifResult {
    let key = a[0].as_atom().ok_or(BADARG)?.name();
    let v = a[1];
    if let Some(bit) = seq_flag(key) {
        let on = match v {
            Term::TRUE => true,
            Term::FALSE => false,
            _ => return Err(BADARG),
        };
        let mut parts = token_parts(p);
        let flags = parts[0].as_small().unwrap_or(0);
        let old = Term::boolean(flags & bit != 0);
        parts[0] = Term::small(if on { flags | bit } else { flags & !bit });
        set_token(p, parts);
        return Ok(old);
    }
    match key {
        "label" => {
            let mut parts = token_parts(p);
            let old = parts[1];
            parts[1] = v;
            set_token(p, parts);
            Ok(old)
        }
        "serial" => {
            if !is_tuple(v) || tuple_arity(v) != 2 {
                return Err(BADARG);
            }
            let (last, serial) = (tuple_get(v, 0), tuple_get(v, 1));
            let (Some(l), Some(sn)) = (last.as_small(), serial.as_small()) else {
                return Err(BADARG);
            };
            let mut parts = token_parts(p);
            let old = make_tuple(&mut p.heap, &[parts[4], parts[2]]);
            parts[4] = last;
            parts[2] = serial;
            set_token(p, parts);
            p.seq_clock = sn;
            p.seq_lastcnt = l;
            Ok(old)
        }
        "sequential_trace_token" => {
            if !v.is_nil() {
                return Err(BADARG);
            }
            let old = p.seq_token;
            p.seq_token = Term::NIL;
            Ok(old)
        }
        _ => Err(BADARG),
    }
}

fn seq_trace_info(p: &mut Process, a: &[Term]) -> BifResult {
    let key = a[0].as_atom().ok_or(BADARG)?.name();
    let t = p.seq_token;
    let has = is_tuple(t) && tuple_arity(t) == 5;
    if let Some(bit) = seq_flag(key) {
        let flags = if has {
            tuple_get(t, 0).as_small().unwrap_or(0)
        } else {
            0
        };
        return Ok(make_tuple(
            &mut p.heap,
            &[a[0], Term::boolean(flags & bit != 0)],
        ));
    }
    match key {
        "label" => {
            if !has {
                return Ok(Term::NIL);
            }
            Ok(make_tuple(&mut p.heap, &[a[0], tuple_get(t, 1)]))
        }
        "serial" => {
            if !has {
                return Ok(Term::NIL);
            }
            let s = make_tuple(&mut p.heap, &[tuple_get(t, 4), tuple_get(t, 2)]);
            Ok(make_tuple(&mut p.heap, &[a[0], s]))
        }
        _ => Err(BADARG),
    }
}

/// A print with a token advances its serial (the process's sequential trace clock); the
/// message itself would go to the system sequential tracer (sequential trace messages
/// are not generated here).
fn seq_print(p: &mut Process) {
    let mut parts = token_parts(p);
    p.seq_lastcnt = parts[2].as_small().unwrap_or(0);
    p.seq_clock += 1;
    parts[2] = Term::small(p.seq_clock);
    set_token(p, parts);
}

fn has_token(p: &Process) -> bool {
    let t = p.seq_token;
    is_tuple(t) && tuple_arity(t) == 5
}

fn seq_trace_print1(p: &mut Process, _a: &[Term]) -> BifResult {
    if !has_token(p) {
        return Ok(Term::FALSE);
    }
    seq_print(p);
    Ok(Term::TRUE)
}

fn seq_trace_print2(p: &mut Process, a: &[Term]) -> BifResult {
    if !has_token(p) {
        return Ok(Term::FALSE);
    }
    if !a[0].is_atom() && !a[0].is_small() {
        return Err(BADARG);
    }
    if !crate::compare::eq_exact(tuple_get(p.seq_token, 1), a[0]) {
        return Ok(Term::FALSE);
    }
    seq_print(p);
    Ok(Term::TRUE)
}

/// The system's sequential tracer (a pid's id; 0: none).
static SEQ_TRACER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// `erlang:system_info(sequential_tracer)`'s value: the tracer or `false`.
pub fn sequential_tracer() -> Term {
    match SEQ_TRACER.load(std::sync::atomic::Ordering::Acquire) {
        0 => Term::FALSE,
        id if trace::is_alive(id) => Term::pid(id),
        _ => Term::FALSE,
    }
}

/// `erlang:system_flag(sequential_tracer, Tracer)`: returns the previous one. Only
/// processes can be sequential tracers here (no ports or tracer modules).
pub fn set_sequential_tracer(t: Term) -> Result<Term, Fault> {
    let id = if t == Term::FALSE {
        0
    } else if t.is_local_pid() && trace::is_alive(t.pid_value()) {
        t.pid_value()
    } else {
        return Err(BADARG);
    };
    let old = sequential_tracer();
    SEQ_TRACER.store(id, std::sync::atomic::Ordering::Release);
    Ok(old)
}

/// `erlang:system_flag(reset_seq_trace, true)`: the caller's token is dropped (tokens
/// do not travel with messages here, so no other process has one it did not set).
pub fn reset_seq_trace(p: &mut Process) {
    p.seq_token = Term::NIL;
}

pub fn register() {
    reg("erlang", "trace", 3, trace3);
    reg("erlang", "trace_pattern", 2, trace_pattern2);
    reg("erlang", "trace_pattern", 3, trace_pattern3);
    reg("erlang", "trace_info", 2, trace_info);
    reg("erlang", "trace_delivered", 1, trace_delivered);
    reg("erlang", "seq_trace", 2, seq_trace2);
    reg("erlang", "seq_trace_info", 1, seq_trace_info);
    reg("erlang", "seq_trace_print", 1, seq_trace_print1);
    reg("erlang", "seq_trace_print", 2, seq_trace_print2);
}
