//! `erlang:system_monitor/0,1,2`, `erlang:system_profile/0,2` (see `trace::sysmon`) and
//! the natives of the default tracer module `erl_tracer` (`enabled/3`, `trace/5`, NIFs
//! in the reference).

use super::{reg, reg_nif};
use crate::bif::{BifResult, Fault, BADARG};
use crate::object::*;
use crate::process::Process;
use crate::trace::sysmon::{self, MonitorSettings, ProfileSettings, Stamp};
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};

fn atom(s: &str) -> Term {
    Term::atom(Atom::from_str(s))
}

fn is_atom(t: Term, s: &str) -> bool {
    t.as_atom().is_some_and(|a| a.name() == s)
}

/// A non-negative integer that fits 64 bits.
fn to_u64(t: Term) -> Option<u64> {
    if let Some(i) = t.as_small() {
        return u64::try_from(i).ok();
    }
    use num_traits::ToPrimitive;
    integer_to_bigint(t)?.to_u64()
}

/// A live local process (ports are never alive here).
fn live_pid(t: Term) -> Option<u64> {
    if !t.is_local_pid() {
        return None;
    }
    let id = t.pid_value();
    crate::sched::slot(id).map(|_| id)
}

// ---------------------------------------------------------------- system_monitor

fn monitor_term(p: &mut Process, s: Option<MonitorSettings>) -> Term {
    let Some(s) = s else {
        return Term::atom(am::UNDEFINED);
    };
    let mut items = Vec::new();
    if s.busy_dist_port {
        items.push(atom("busy_dist_port"));
    }
    if s.busy_port {
        items.push(atom("busy_port"));
    }
    for (name, v) in [
        ("large_heap", s.large_heap),
        ("long_schedule", s.long_schedule),
        ("long_gc", s.long_gc),
    ] {
        if v != 0 {
            let n = make_u64(&mut p.heap, v);
            items.push(make_tuple(&mut p.heap, &[atom(name), n]));
        }
    }
    let list = list_from_iter(&mut p.heap, &items, Term::NIL);
    make_tuple(&mut p.heap, &[Term::pid(s.monitor), list])
}

/// The settings an option list asks for (later options win).
fn monitor_options(monitor: u64, opts: Term) -> Result<MonitorSettings, Fault> {
    let mut s = MonitorSettings {
        monitor,
        ..MonitorSettings::default()
    };
    for o in list_to_vec(opts).ok_or(BADARG)? {
        if let Some(a) = o.as_atom() {
            match a.name() {
                "busy_port" => s.busy_port = true,
                "busy_dist_port" => s.busy_dist_port = true,
                _ => return Err(BADARG),
            }
            continue;
        }
        if !is_tuple(o) || tuple_arity(o) != 2 {
            return Err(BADARG);
        }
        let n = to_u64(tuple_get(o, 1)).ok_or(BADARG)?;
        match tuple_get(o, 0).as_atom().map(|a| a.name()) {
            // Limits below these are raised to them, as in the reference (16 kilowords
            // is not an unusual heap).
            Some("long_gc") => s.long_gc = n.max(1),
            Some("long_schedule") => s.long_schedule = n.max(1),
            Some("large_heap") => s.large_heap = n.max(16384),
            _ => return Err(BADARG),
        }
    }
    Ok(s)
}

fn system_monitor(p: &mut Process, pid: Term, opts: Term) -> BifResult {
    // `undefined` or no options: monitoring off, whatever else the arguments hold.
    if is_atom(pid, "undefined") || opts.is_nil() {
        let old = sysmon::set_monitor(None);
        return Ok(monitor_term(p, old));
    }
    if !opts.is_list() {
        return Err(BADARG);
    }
    let monitor = live_pid(pid).ok_or(BADARG)?;
    let s = monitor_options(monitor, opts)?;
    let old = sysmon::set_monitor(Some(s));
    Ok(monitor_term(p, old))
}

fn system_monitor0(p: &mut Process, _a: &[Term]) -> BifResult {
    let s = sysmon::monitor_settings();
    Ok(monitor_term(p, s))
}

fn system_monitor1(p: &mut Process, a: &[Term]) -> BifResult {
    if is_atom(a[0], "undefined") {
        let old = sysmon::set_monitor(None);
        return Ok(monitor_term(p, old));
    }
    if is_tuple(a[0]) && tuple_arity(a[0]) == 2 {
        return system_monitor(p, tuple_get(a[0], 0), tuple_get(a[0], 1));
    }
    Err(BADARG)
}

fn system_monitor2(p: &mut Process, a: &[Term]) -> BifResult {
    system_monitor(p, a[0], a[1])
}

// ---------------------------------------------------------------- system_profile

fn profile_term(p: &mut Process, s: Option<ProfileSettings>) -> Term {
    let Some(s) = s else {
        return Term::atom(am::UNDEFINED);
    };
    let items: Vec<Term> = [
        (sysmon::EXCLUSIVE, "exclusive"),
        (sysmon::SCHEDULER, "scheduler"),
        (sysmon::RUNNABLE_PROCS, "runnable_procs"),
        (sysmon::RUNNABLE_PORTS, "runnable_ports"),
    ]
    .iter()
    .filter(|(bit, _)| s.options & bit != 0)
    .map(|(_, name)| atom(name))
    .collect();
    let list = list_from_iter(&mut p.heap, &items, Term::NIL);
    make_tuple(&mut p.heap, &[Term::pid(s.profiler), list])
}

fn system_profile0(p: &mut Process, _a: &[Term]) -> BifResult {
    let s = sysmon::profile_settings();
    Ok(profile_term(p, s))
}

fn system_profile2(p: &mut Process, a: &[Term]) -> BifResult {
    let (profiler, opts) = (a[0], a[1]);
    if is_atom(profiler, "undefined") || opts.is_nil() {
        let old = sysmon::set_profile(None);
        return Ok(profile_term(p, old));
    }
    if !opts.is_list() {
        return Err(BADARG);
    }
    let profiler = live_pid(profiler).ok_or(BADARG)?;
    let mut s = ProfileSettings {
        profiler,
        ..ProfileSettings::default()
    };
    for o in list_to_vec(opts).ok_or(BADARG)? {
        match o.as_atom().map(|a| a.name()) {
            Some("runnable_procs") => s.options |= sysmon::RUNNABLE_PROCS,
            Some("runnable_ports") => s.options |= sysmon::RUNNABLE_PORTS,
            Some("exclusive") => s.options |= sysmon::EXCLUSIVE,
            Some("scheduler") => s.options |= sysmon::SCHEDULER,
            Some("timestamp") => s.stamp = Stamp::Timestamp,
            Some("monotonic_timestamp") => s.stamp = Stamp::Monotonic,
            Some("strict_monotonic_timestamp") => s.stamp = Stamp::StrictMonotonic,
            _ => return Err(BADARG),
        }
    }
    let old = sysmon::set_profile(Some(s));
    Ok(profile_term(p, old))
}

// ---------------------------------------------------------------- erl_tracer

/// `erl_tracer:enabled(Tag, TracerState, Tracee)`: `trace` when the state is a live
/// process other than the tracee, `discard` for the tracee itself, and for a state that
/// is no live process `remove` (asked with `trace_status`) or `discard`.
fn tracer_enabled(_p: &mut Process, a: &[Term]) -> BifResult {
    let (tag, state, tracee) = (a[0], a[1], a[2]);
    if live_pid(state).is_none() {
        return Ok(atom(if is_atom(tag, "trace_status") {
            "remove"
        } else {
            "discard"
        }));
    }
    if crate::compare::eq_exact(state, tracee) {
        return Ok(atom("discard"));
    }
    Ok(atom("trace"))
}

/// Thread CPU time as `{MegaSecs, Secs, MicroSecs}` (the `cpu_timestamp` option).
fn cpu_time(p: &mut Process) -> Term {
    let ns: u64 = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let us = (ns / 1000) as i64;
    make_tuple(
        &mut p.heap,
        &[
            Term::small(us / 1_000_000_000_000),
            Term::small((us / 1_000_000) % 1_000_000),
            Term::small(us % 1_000_000),
        ],
    )
}

/// `erl_tracer:trace(Tag, TracerState, Tracee, Msg, Opts)`: sends the trace message
/// `{trace, Tracee, Tag, Msg}` (`{seq_trace, Label, Msg}` for `seq_trace`) to the
/// tracer process, with the `extra`, `match_spec_result`, `scheduler_id` and
/// `timestamp` options that `Opts` holds appended (`trace_ts` with a timestamp).
/// Always `ok`; nothing is sent to a state that is no process or for an unknown
/// timestamp kind.
fn tracer_trace(p: &mut Process, a: &[Term]) -> BifResult {
    let ok = Term::atom(am::OK);
    let (tag, state, tracee, msg, opts) = (a[0], a[1], a[2], a[3], a[4]);
    if !state.is_local_pid() {
        return Ok(ok);
    }
    let opt = |key: &str| {
        if is_map(opts) {
            crate::map::get(opts, atom(key))
        } else {
            None
        }
    };
    let trace = atom("trace");
    let mut elems = match opt("extra") {
        Some(extra) => vec![trace, tracee, tag, msg, extra],
        None if is_atom(tag, "seq_trace") => vec![tag, tracee, msg],
        None => vec![trace, tracee, tag, msg],
    };
    elems.extend(opt("match_spec_result"));
    elems.extend(opt("scheduler_id"));
    if let Some(kind) = opt("timestamp") {
        let ts = match kind.as_atom().map(|a| a.name()) {
            Some("monotonic") => make_i64(&mut p.heap, crate::time::erlang_monotonic()),
            Some("strict_monotonic") => {
                let mono = make_i64(&mut p.heap, crate::time::erlang_monotonic());
                let unique = make_i64(&mut p.heap, crate::bifs::system::next_unique_integer());
                make_tuple(&mut p.heap, &[mono, unique])
            }
            Some("timestamp") => {
                let us = crate::bifs::system::unique_now_us();
                make_tuple(
                    &mut p.heap,
                    &[
                        Term::small(us / 1_000_000_000_000),
                        Term::small((us / 1_000_000) % 1_000_000),
                        Term::small(us % 1_000_000),
                    ],
                )
            }
            Some("cpu_timestamp") => cpu_time(p),
            _ => return Ok(ok),
        };
        elems.push(ts);
        if elems[0] == trace {
            elems[0] = atom("trace_ts");
        }
    }
    let t = make_tuple(&mut p.heap, &elems);
    let m = crate::sched::copy_to_fragment(t);
    if state == p.pid {
        crate::sched::enqueue(p, m);
    } else {
        crate::sched::deliver(state.pid_value(), m);
    }
    Ok(ok)
}

pub fn register() {
    reg("erlang", "system_monitor", 0, system_monitor0);
    reg("erlang", "system_monitor", 1, system_monitor1);
    reg("erlang", "system_monitor", 2, system_monitor2);
    reg("erlang", "system_profile", 0, system_profile0);
    reg("erlang", "system_profile", 2, system_profile2);
    reg_nif("erl_tracer", "enabled", 3, tracer_enabled);
    reg_nif("erl_tracer", "trace", 5, tracer_trace);
}
