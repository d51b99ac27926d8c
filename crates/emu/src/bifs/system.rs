//! System BIFs: time, system_info, statistics, process_info, garbage_collect, and the
//! small BIFs of other runtime modules (net_kernel, os) that OTP's libraries call.

use super::reg;
use crate::bif::{BifFn, BifResult, Fault, Trap, BADARG};
use crate::object::*;
use crate::process::Process;
use crate::sched;
use crate::time;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use std::sync::atomic::{AtomicI64, Ordering};

fn atom(s: &str) -> Term {
    Term::atom(Atom::from_str(s))
}

fn dflag_unicode_io(_p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(Term::TRUE)
}

/// The reference's default (`+pc latin1`): ~p prints only latin1 lists as strings.
fn printable_range(_p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(Term::atom(am::LATIN1))
}

// ---------------------------------------------------------------- time

/// Units per second of a time unit term, as the reference accepts them.
fn unit_per_sec(t: Term) -> Option<i64> {
    if let Some(n) = t.as_small() {
        return if n > 0 { Some(n) } else { None };
    }
    Some(match t.as_atom()? {
        am::SECOND | am::SECONDS => 1,
        am::MILLISECOND | am::MILLI_SECONDS => 1_000,
        am::MICROSECOND | am::MICRO_SECONDS => 1_000_000,
        am::NANOSECOND | am::NANO_SECONDS | am::NATIVE => 1_000_000_000,
        am::PERF_COUNTER => 1_000_000_000,
        _ => return None,
    })
}

/// Converts `v` from nanoseconds to `per_sec` units, rounding towards negative infinity
/// as the reference does.
fn from_ns(v: i64, per_sec: i64) -> i64 {
    let num = v as i128 * per_sec as i128;
    num.div_euclid(1_000_000_000) as i64
}

fn monotonic_time0(p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(make_i64(&mut p.heap, time::erlang_monotonic()))
}
fn monotonic_time1(p: &mut Process, a: &[Term]) -> BifResult {
    let u = unit_per_sec(a[0]).ok_or(BADARG)?;
    Ok(make_i64(&mut p.heap, from_ns(time::erlang_monotonic(), u)))
}
fn system_time0(p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(make_i64(&mut p.heap, time::system_ns()))
}
fn system_time1(p: &mut Process, a: &[Term]) -> BifResult {
    let u = unit_per_sec(a[0]).ok_or(BADARG)?;
    Ok(make_i64(&mut p.heap, from_ns(time::system_ns(), u)))
}
fn time_offset0(p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(make_i64(&mut p.heap, time::time_offset()))
}
fn time_offset1(p: &mut Process, a: &[Term]) -> BifResult {
    let u = unit_per_sec(a[0]).ok_or(BADARG)?;
    Ok(make_i64(&mut p.heap, from_ns(time::time_offset(), u)))
}

fn convert_time_unit(p: &mut Process, a: &[Term]) -> BifResult {
    let v = integer_to_bigint(a[0]).ok_or(BADARG)?;
    let from = unit_per_sec(a[1]).ok_or(BADARG)?;
    let to = unit_per_sec(a[2]).ok_or(BADARG)?;
    use num_integer::Integer;
    let r = (v * num_bigint::BigInt::from(to)).div_floor(&num_bigint::BigInt::from(from));
    Ok(make_integer(&mut p.heap, &r))
}

fn timestamp_tuple(p: &mut Process, ns: i64) -> Term {
    let us = ns / 1000;
    let (mega, sec, micro) = (
        us / 1_000_000_000_000,
        (us / 1_000_000) % 1_000_000,
        us % 1_000_000,
    );
    make_tuple(
        &mut p.heap,
        &[Term::small(mega), Term::small(sec), Term::small(micro)],
    )
}

fn timestamp(p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(timestamp_tuple(p, time::system_ns()))
}

static LAST_NOW: AtomicI64 = AtomicI64::new(0);

/// erlang:now/0: unique, strictly increasing microseconds.
fn now(p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(timestamp_tuple(p, unique_now_us() * 1000))
}

/// Microseconds of system time, unique and strictly increasing (erlang:now/0, trace
/// timestamps).
pub fn unique_now_us() -> i64 {
    let mut us = time::system_ns() / 1000;
    loop {
        let last = LAST_NOW.load(Ordering::Relaxed);
        if us <= last {
            us = last + 1;
        }
        if LAST_NOW
            .compare_exchange(last, us, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            break;
        }
    }
    us
}

static UNIQUE: AtomicI64 = AtomicI64::new(1);

/// The next value of erlang:unique_integer([monotonic]).
pub fn next_unique_integer() -> i64 {
    UNIQUE.fetch_add(1, Ordering::Relaxed) - 576_460_752_303_423_489
}

fn unique_integer(p: &mut Process, a: &[Term]) -> BifResult {
    let opts = if a.is_empty() {
        vec![]
    } else {
        list_to_vec(a[0]).ok_or(BADARG)?
    };
    let mut positive = false;
    for o in opts {
        match o.as_atom() {
            Some(am::POSITIVE) => positive = true,
            Some(am::MONOTONIC) => {}
            _ => return Err(BADARG),
        }
    }
    let n = UNIQUE.fetch_add(1, Ordering::Relaxed);
    // Like the reference, values without `positive` may be negative.
    let v = if positive {
        n
    } else {
        n - 576_460_752_303_423_489
    };
    Ok(make_i64(&mut p.heap, v))
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn utc_parts() -> ((i64, i64, i64), (i64, i64, i64)) {
    let secs = time::system_ns().div_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    (
        civil_from_days(days),
        (rem / 3600, (rem % 3600) / 60, rem % 60),
    )
}

fn triple(p: &mut Process, t: (i64, i64, i64)) -> Term {
    make_tuple(
        &mut p.heap,
        &[Term::small(t.0), Term::small(t.1), Term::small(t.2)],
    )
}

fn date(p: &mut Process, _a: &[Term]) -> BifResult {
    let (d, _) = utc_parts();
    Ok(triple(p, d))
}
fn time_bif(p: &mut Process, _a: &[Term]) -> BifResult {
    let (_, t) = utc_parts();
    Ok(triple(p, t))
}
/// Local time is UTC until time-zone support lands (noted in docs/compatibility.md).
fn universaltime(p: &mut Process, _a: &[Term]) -> BifResult {
    let (d, t) = utc_parts();
    let (dt, tt) = (triple(p, d), triple(p, t));
    Ok(make_tuple(&mut p.heap, &[dt, tt]))
}

fn garbage_collect1(p: &mut Process, a: &[Term]) -> BifResult {
    if a[0] == p.pid {
        return Err(Fault::Trap(Trap::GarbageCollect(Term::TRUE)));
    }
    if !a[0].is_local_pid() {
        return Err(BADARG);
    }
    Ok(Term::boolean(sched::slot(a[0].pid_value()).is_some()))
}

fn garbage_collect2(p: &mut Process, a: &[Term]) -> BifResult {
    if list_to_vec(a[1]).is_none() {
        return Err(BADARG);
    }
    garbage_collect1(p, &a[..1])
}

// ---------------------------------------------------------------- system_info

fn system_info(p: &mut Process, a: &[Term]) -> BifResult {
    if is_tuple(a[0]) {
        return Err(BADARG);
    }
    let what = a[0].as_atom().ok_or(BADARG)?;
    let s = |p: &mut Process, v: &str| string_to_list(&mut p.heap, v);
    Ok(match what.name() {
        "otp_release" => s(p, "25"),
        "version" => s(p, "13.1.5"),
        "machine" => s(p, "BEAM"),
        "system_architecture" => s(p, "x86_64-pc-linux-gnu"),
        "system_version" => {
            let (n, m) = (sched::schedulers(), sched::schedulers_online());
            s(
                p,
                &format!("Erlang/OTP 25 [erts-13.1.5] [oxbeam] [64-bit] [smp:{n}:{m}]\n"),
            )
        }
        "wordsize" => Term::small(8),
        "scheduler_id" => Term::small(sched::runq::current_scheduler().map_or(1, |i| i + 1) as i64),
        "schedulers" => Term::small(sched::schedulers() as i64),
        "schedulers_online" => Term::small(sched::schedulers_online() as i64),
        "logical_processors" | "logical_processors_available" | "logical_processors_online" => {
            Term::small(
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1) as i64,
            )
        }
        "dirty_cpu_schedulers" | "dirty_cpu_schedulers_online" => {
            Term::small(sched::dirty::threads(sched::dirty::DirtyKind::Cpu) as i64)
        }
        "dirty_io_schedulers" => {
            Term::small(sched::dirty::threads(sched::dirty::DirtyKind::Io) as i64)
        }
        "thread_pool_size" => Term::small(0),
        "process_count" => Term::small(sched::process_count() as i64),
        "process_limit" => Term::small(sched::process_limit() as i64),
        "atom_count" => Term::small(Atom::count() as i64),
        "atom_limit" => Term::small(oxbeam_term::atom::MAX_ATOMS as i64),
        "port_count" => Term::small(0),
        "port_limit" => Term::small(65_536),
        "ets_limit" => Term::small(8192),
        "threads" | "smp_support" => Term::TRUE,
        "hipe_architecture" => Term::atom(am::UNDEFINED),
        "os_type" => {
            let (f, n) = (atom("unix"), atom("linux"));
            make_tuple(&mut p.heap, &[f, n])
        }
        "endian" => atom("little"),
        "debug_compiled" | "kernel_poll" | "dynamic_trace_probes" => Term::FALSE,
        "dynamic_trace" => atom("none"),
        "nif_version" => s(p, "2.16"),
        "emu_type" => atom("opt"),
        "emu_flavor" => atom("emu"),
        "build_type" => atom("opt"),
        "compat_rel" => Term::small(25),
        "context_reductions" => Term::small(crate::process::CONTEXT_REDS),
        "fullsweep_after" => {
            let k = atom("fullsweep_after");
            make_tuple(
                &mut p.heap,
                &[k, Term::small(crate::heap::DEFAULT_FULLSWEEP_AFTER as i64)],
            )
        }
        "min_heap_size" => {
            let k = atom("min_heap_size");
            make_tuple(
                &mut p.heap,
                &[k, Term::small(crate::heap::DEFAULT_MIN_HEAP_SIZE as i64)],
            )
        }
        "heap_type" => atom("private"),
        "start_time" => make_i64(
            &mut p.heap,
            time::erlang_monotonic() - time::monotonic_ns() as i64,
        ),
        "time_offset" => atom("final"),
        "time_warp_mode" => atom("no_time_warp"),
        "os_monotonic_time_source" | "os_system_time_source" => Term::NIL,
        "creation" => Term::small(0),
        "delayed_node_table_gc" => Term::small(1),
        "check_io" => Term::NIL,
        "build_type_flavor" => atom("opt"),
        "scheduler_bind_type" => atom("unbound"),
        "cpu_topology" => Term::atom(am::UNDEFINED),
        "trace_control_word" => Term::small(0),
        "update_cpu_info" => atom("unchanged"),
        "port_parallelism" => Term::FALSE,
        "async_dist" => Term::FALSE,
        "sequential_tracer" => {
            let k = atom("sequential_tracer");
            let t = super::trace_bifs::sequential_tracer();
            make_tuple(&mut p.heap, &[k, t])
        }
        _ => return Err(BADARG),
    })
}

// ---------------------------------------------------------------- statistics

fn statistics(p: &mut Process, a: &[Term]) -> BifResult {
    use sched::dirty::{self, DirtyKind};
    use sched::stats;
    let what = a[0].as_atom().ok_or(BADARG)?;
    let pair = |p: &mut Process, (a, b): (u64, u64)| {
        let (a, b) = (int_term(p, a), int_term(p, b));
        make_tuple(&mut p.heap, &[a, b])
    };
    let ints = |p: &mut Process, v: &[usize]| {
        let v: Vec<Term> = v.iter().map(|&n| Term::small(n as i64)).collect();
        list_from_iter(&mut p.heap, &v, Term::NIL)
    };
    // Runnable processes per normal scheduler, then the dirty CPU queue, then (for the
    // `_all` items) the dirty I/O queue, as the reference lists them.
    let queues = |all: bool| {
        let mut v = sched::runq::queue_lengths();
        v.push(dirty::queue_len(DirtyKind::Cpu));
        if all {
            v.push(dirty::queue_len(DirtyKind::Io));
        }
        v
    };
    // Queued plus running, per scheduler (the caller counts as running on its own).
    let active = |all: bool| {
        let mut v = sched::runq::queue_lengths();
        for (i, n) in v.iter_mut().enumerate() {
            *n += stats::running(i) as usize;
        }
        v.push(dirty::queue_len(DirtyKind::Cpu) + dirty::busy(DirtyKind::Cpu));
        if all {
            v.push(dirty::queue_len(DirtyKind::Io) + dirty::busy(DirtyKind::Io));
        }
        v
    };
    Ok(match what.name() {
        "runtime" => pair(p, stats::runtime()),
        "wall_clock" => pair(p, stats::wall_clock()),
        "reductions" | "exact_reductions" => {
            let current = (crate::process::CONTEXT_REDS - p.reds_remaining()).max(0) as u64;
            pair(p, stats::reductions(current))
        }
        "context_switches" => {
            let n = int_term(p, stats::context_switches());
            make_tuple(&mut p.heap, &[n, Term::small(0)])
        }
        "run_queue" => Term::small(queues(false).iter().sum::<usize>() as i64),
        "run_queue_lengths" => ints(p, &queues(false)),
        "run_queue_lengths_all" => ints(p, &queues(true)),
        "total_run_queue_lengths" => Term::small(queues(false).iter().sum::<usize>() as i64),
        "total_run_queue_lengths_all" => Term::small(queues(true).iter().sum::<usize>() as i64),
        "active_tasks" => ints(p, &active(false)),
        "active_tasks_all" => ints(p, &active(true)),
        "total_active_tasks" => Term::small(active(false).iter().sum::<usize>() as i64),
        "total_active_tasks_all" => Term::small(active(true).iter().sum::<usize>() as i64),
        "scheduler_wall_time" | "scheduler_wall_time_all" => {
            match stats::wall_time(what.name() == "scheduler_wall_time_all") {
                None => Term::atom(am::UNDEFINED),
                Some(rows) => {
                    let mut v = Vec::with_capacity(rows.len());
                    for (id, active, total) in rows {
                        let (ac, to) = (int_term(p, active), int_term(p, total));
                        v.push(make_tuple(&mut p.heap, &[Term::small(id as i64), ac, to]));
                    }
                    list_from_iter(&mut p.heap, &v, Term::NIL)
                }
            }
        }
        "garbage_collection" => {
            let n = p.heap.gc_count as i64;
            make_tuple(
                &mut p.heap,
                &[Term::small(n), Term::small(0), Term::small(0)],
            )
        }
        "io" => {
            let i = make_tuple(&mut p.heap, &[atom("input"), Term::small(0)]);
            let o = make_tuple(&mut p.heap, &[atom("output"), Term::small(0)]);
            make_tuple(&mut p.heap, &[i, o])
        }
        _ => return Err(BADARG),
    })
}

/// An unsigned count as an integer term (a bignum past the small range).
fn int_term(p: &mut Process, n: u64) -> Term {
    if n <= (1u64 << 59) {
        Term::small(n as i64)
    } else {
        make_integer(&mut p.heap, &num_bigint::BigInt::from(n))
    }
}

// ---------------------------------------------------------------- system_flag

fn system_flag(p: &mut Process, a: &[Term]) -> BifResult {
    let flag = a[0].as_atom().ok_or(BADARG)?;
    let bool_arg = || match a[1] {
        Term::TRUE => Ok(true),
        Term::FALSE => Ok(false),
        _ => Err(BADARG),
    };
    let count_arg = |max: usize| {
        a[1].as_small()
            .filter(|&n| n >= 1 && n as usize <= max)
            .map(|n| n as usize)
            .ok_or(BADARG)
    };
    Ok(match flag.name() {
        "scheduler_wall_time" => {
            let on = bool_arg()?;
            Term::boolean(sched::stats::set_wall_time(on, &mut p.wall_time_enables))
        }
        "schedulers_online" => {
            let n = count_arg(sched::schedulers())?;
            let old = sched::runq::set_online(n);
            // Running on a scheduler that just went offline: move at the next call,
            // as the reference migrates the caller before returning.
            if sched::runq::current_scheduler().is_some_and(|i| i >= n) {
                p.force_yield();
            }
            Term::small(old as i64)
        }
        "sequential_tracer" => super::trace_bifs::set_sequential_tracer(a[1])?,
        "reset_seq_trace" => {
            super::trace_bifs::reset_seq_trace(p);
            Term::TRUE
        }
        "dirty_cpu_schedulers_online" => {
            let n = sched::dirty::threads(sched::dirty::DirtyKind::Cpu);
            if count_arg(n)? != n {
                return Err(BADARG);
            }
            Term::small(n as i64)
        }
        _ => return Err(BADARG),
    })
}

// ---------------------------------------------------------------- memory

/// Approximate memory use by category, in bytes (what erlang:memory/0,1 reports).
fn memory_items() -> Vec<(&'static str, i64)> {
    // Process structures plus every heap block, old generation and message fragment.
    let procs = (sched::process_count() * super::process_info::fixed_process_bytes()
        + crate::words::held_bytes()) as i64;
    let atoms = Atom::count() as i64 * 40;
    let code = 8 << 20;
    let system = atoms + code + (1 << 20);
    vec![
        ("total", procs + system),
        ("processes", procs),
        ("processes_used", procs),
        ("system", system),
        ("atom", atoms),
        ("atom_used", atoms),
        ("binary", 0),
        ("code", code),
        ("ets", 0),
    ]
}

fn memory0(p: &mut Process, _a: &[Term]) -> BifResult {
    let items: Vec<Term> = memory_items()
        .into_iter()
        .map(|(k, v)| {
            let kt = atom(k);
            make_tuple(&mut p.heap, &[kt, Term::small(v)])
        })
        .collect();
    Ok(list_from_iter(&mut p.heap, &items, Term::NIL))
}

fn memory1(p: &mut Process, a: &[Term]) -> BifResult {
    let items = memory_items();
    let lookup = |t: Term| -> Option<i64> {
        let n = t.as_atom()?.name();
        items.iter().find(|(k, _)| *k == n).map(|(_, v)| *v)
    };
    if a[0].is_atom() {
        return lookup(a[0]).map(Term::small).ok_or(BADARG);
    }
    let wanted = list_to_vec(a[0]).ok_or(BADARG)?;
    let mut out = Vec::new();
    for w in wanted {
        let v = lookup(w).ok_or(BADARG)?;
        out.push(make_tuple(&mut p.heap, &[w, Term::small(v)]));
    }
    Ok(list_from_iter(&mut p.heap, &out, Term::NIL))
}

// ---------------------------------------------------------------- misc

fn bump_reductions(p: &mut Process, a: &[Term]) -> BifResult {
    let n = a[0].as_small().filter(|&n| n >= 0).ok_or(BADARG)?;
    p.reds_left -= n.min(crate::process::CONTEXT_REDS);
    Ok(Term::TRUE)
}

/// No ports exist until the I/O layer lands.
fn ports(_p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(Term::NIL)
}

/// string:list_to_integer/1: a leading integer and the rest of the string.
fn string_list_to_integer(p: &mut Process, a: &[Term]) -> BifResult {
    let Some(items) = list_to_vec(a[0]) else {
        let r = atom("not_a_list");
        return Ok(make_tuple(&mut p.heap, &[Term::atom(am::ERROR), r]));
    };
    let chars: Vec<i64> = items.iter().map(|t| t.as_small().unwrap_or(-1)).collect();
    let mut i = 0;
    let neg = match chars.first() {
        Some(&c) if c == '-' as i64 => {
            i = 1;
            true
        }
        Some(&c) if c == '+' as i64 => {
            i = 1;
            false
        }
        _ => false,
    };
    let start = i;
    while i < chars.len() && (('0' as i64)..=('9' as i64)).contains(&chars[i]) {
        i += 1;
    }
    if i == start {
        let r = atom("no_integer");
        return Ok(make_tuple(&mut p.heap, &[Term::atom(am::ERROR), r]));
    }
    let digits: String = chars[start..i].iter().map(|&c| c as u8 as char).collect();
    let mut v: num_bigint::BigInt = digits.parse().map_err(|_| BADARG)?;
    if neg {
        v = -v;
    }
    let n = make_integer(&mut p.heap, &v);
    let rest = list_from_iter(&mut p.heap, &items[i..], Term::NIL);
    Ok(make_tuple(&mut p.heap, &[n, rest]))
}

/// string:list_to_float/1: a leading float (digits "." digits, optional exponent).
fn string_list_to_float(p: &mut Process, a: &[Term]) -> BifResult {
    let Some(items) = list_to_vec(a[0]) else {
        let r = atom("not_a_list");
        return Ok(make_tuple(&mut p.heap, &[Term::atom(am::ERROR), r]));
    };
    let ch = |i: usize| {
        items
            .get(i)
            .and_then(|t| t.as_small())
            .and_then(|c| u8::try_from(c).ok())
            .map(|c| c as char)
    };
    let digits_from = |mut i: usize| {
        let s = i;
        while ch(i).map(|c| c.is_ascii_digit()).unwrap_or(false) {
            i += 1;
        }
        (s, i)
    };
    let mut i = 0;
    if matches!(ch(0), Some('-') | Some('+')) {
        i = 1;
    }
    let (s1, e1) = digits_from(i);
    let mut end = None;
    if e1 > s1 && ch(e1) == Some('.') {
        let (s2, e2) = digits_from(e1 + 1);
        if e2 > s2 {
            end = Some(e2);
            if matches!(ch(e2), Some('e') | Some('E')) {
                let mut j = e2 + 1;
                if matches!(ch(j), Some('-') | Some('+')) {
                    j += 1;
                }
                let (s3, e3) = digits_from(j);
                if e3 > s3 {
                    end = Some(e3);
                }
            }
        }
    }
    let Some(end) = end else {
        let r = atom("no_float");
        return Ok(make_tuple(&mut p.heap, &[Term::atom(am::ERROR), r]));
    };
    let text: String = (0..end).filter_map(ch).collect();
    let f: f64 = text.parse().map_err(|_| BADARG)?;
    if !f.is_finite() {
        let r = atom("no_float");
        return Ok(make_tuple(&mut p.heap, &[Term::atom(am::ERROR), r]));
    }
    let ft = make_float(&mut p.heap, f);
    let rest = list_from_iter(&mut p.heap, &items[end..], Term::NIL);
    Ok(make_tuple(&mut p.heap, &[ft, rest]))
}

// ---------------------------------------------------------------- os

fn getenv1(p: &mut Process, a: &[Term]) -> BifResult {
    let name = super::erlang::list_chars(a[0]).ok_or(BADARG)?;
    match std::env::var(&name) {
        Ok(v) => Ok(string_to_list(&mut p.heap, &v)),
        Err(_) => Ok(Term::FALSE),
    }
}

fn getenv0(p: &mut Process, _a: &[Term]) -> BifResult {
    let vars: Vec<String> = std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();
    let items: Vec<Term> = vars
        .iter()
        .map(|s| string_to_list(&mut p.heap, s))
        .collect();
    Ok(list_from_iter(&mut p.heap, &items, Term::NIL))
}

fn putenv(_p: &mut Process, a: &[Term]) -> BifResult {
    let k = super::erlang::list_chars(a[0]).ok_or(BADARG)?;
    let v = super::erlang::list_chars(a[1]).ok_or(BADARG)?;
    if k.is_empty() || k.contains('=') || k.contains('\0') || v.contains('\0') {
        return Err(BADARG);
    }
    std::env::set_var(k, v);
    Ok(Term::TRUE)
}

fn unsetenv(_p: &mut Process, a: &[Term]) -> BifResult {
    let k = super::erlang::list_chars(a[0]).ok_or(BADARG)?;
    std::env::remove_var(k);
    Ok(Term::TRUE)
}

fn getpid(p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(string_to_list(&mut p.heap, &std::process::id().to_string()))
}

fn os_system_time1(p: &mut Process, a: &[Term]) -> BifResult {
    system_time1(p, a)
}

pub fn register() {
    let list: &[(&str, &str, u32, BifFn)] = &[
        ("net_kernel", "dflag_unicode_io", 1, dflag_unicode_io),
        ("io", "printable_range", 0, printable_range),
        ("erlang", "monotonic_time", 0, monotonic_time0),
        ("erlang", "monotonic_time", 1, monotonic_time1),
        ("erlang", "system_time", 0, system_time0),
        ("erlang", "system_time", 1, system_time1),
        ("erlang", "time_offset", 0, time_offset0),
        ("erlang", "time_offset", 1, time_offset1),
        ("erlang", "convert_time_unit", 3, convert_time_unit),
        ("erlang", "timestamp", 0, timestamp),
        ("erlang", "now", 0, now),
        ("erlang", "unique_integer", 0, unique_integer),
        ("erlang", "unique_integer", 1, unique_integer),
        ("erlang", "date", 0, date),
        ("erlang", "time", 0, time_bif),
        ("erlang", "universaltime", 0, universaltime),
        ("erlang", "localtime", 0, universaltime),
        ("erlang", "garbage_collect", 1, garbage_collect1),
        ("erlang", "garbage_collect", 2, garbage_collect2),
        ("erlang", "system_info", 1, system_info),
        ("erlang", "statistics", 1, statistics),
        ("erlang", "system_flag", 2, system_flag),
        ("erlang", "bump_reductions", 1, bump_reductions),
        ("erlang", "memory", 0, memory0),
        ("erlang", "memory", 1, memory1),
        ("erlang", "ports", 0, ports),
        ("string", "list_to_integer", 1, string_list_to_integer),
        ("string", "list_to_float", 1, string_list_to_float),
        ("os", "getenv", 0, getenv0),
        ("os", "getenv", 1, getenv1),
        ("os", "putenv", 2, putenv),
        ("os", "unsetenv", 1, unsetenv),
        ("os", "getpid", 0, getpid),
        ("os", "system_time", 0, system_time0),
        ("os", "system_time", 1, os_system_time1),
        ("os", "timestamp", 0, timestamp),
    ];
    for &(m, f, a, fun) in list {
        reg(m, f, a, fun);
    }
}
