//! System BIFs: clocks, system_info, statistics, system_flag, memory, garbage_collect,
//! and small BIFs of other runtime modules that OTP's libraries call (net_kernel,
//! os:system_time/timestamp; the rest of `os` is in `os_bifs.rs`, calendar time in
//! `time_conv.rs`).

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

// ---------------------------------------------------------------- system_info

/// The erts version the VM reports being compatible with.
pub const ERTS_VERSION: &str = "13.1.5";

/// The allocators the reference knows by name (`{allocator, A}` takes only these).
const ALLOCATORS: &[&str] = &[
    "sys_alloc",
    "temp_alloc",
    "sl_alloc",
    "std_alloc",
    "ll_alloc",
    "eheap_alloc",
    "ets_alloc",
    "fix_alloc",
    "literal_alloc",
    "binary_alloc",
    "driver_alloc",
    "test_alloc",
    "mseg_alloc",
    "sys_aligned_alloc",
    "literal_mmap",
    "exec_alloc",
    "erts_mmap",
];

fn logical_processors() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Erlang monotonic time at start (the VM's monotonic clock starts at 0 ns).
fn start_time() -> i64 {
    time::ERLANG_MONOTONIC_START
}

/// The OS monotonic clock (CLOCK_MONOTONIC) in nanoseconds.
fn os_monotonic_ns() -> i64 {
    // SAFETY: an all-zero timespec is a valid value.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    // SAFETY: `ts` is a live, writable timespec.
    if unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) } != 0 {
        return time::monotonic_ns() as i64;
    }
    ts.tv_sec * 1_000_000_000 + ts.tv_nsec
}

/// `{Major, Minor, Release}` of the OS kernel, from uname.
fn os_version() -> (i64, i64, i64) {
    // SAFETY: an all-zero utsname is a valid value (arrays of C chars).
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: `u` is a live, writable utsname.
    if unsafe { libc::uname(&mut u) } != 0 {
        return (0, 0, 0);
    }
    let release: String = u
        .release
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8 as char)
        .collect();
    let mut nums = release.split('.').map(|part| {
        part.chars()
            .take_while(|c| c.is_ascii_digit())
            .collect::<String>()
            .parse::<i64>()
            .unwrap_or(0)
    });
    let mut next = || nums.next().unwrap_or(0);
    (next(), next(), next())
}

/// What `system_flag(system_logger, _)` set: a pid, `logger` or `undefined` (None for
/// the initial `logger`).
static SYSTEM_LOGGER: parking_lot::Mutex<Option<Term>> = parking_lot::Mutex::new(None);

pub(crate) fn system_logger() -> Term {
    SYSTEM_LOGGER.lock().unwrap_or_else(|| atom("logger"))
}

/// Whether microstate accounting was turned on (it counts nothing yet).
static MSACC: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn system_info(p: &mut Process, a: &[Term]) -> BifResult {
    if is_tuple(a[0]) {
        return system_info_tuple(p, a[0]);
    }
    let what = a[0].as_atom().ok_or(BADARG)?;
    let s = |p: &mut Process, v: &str| string_to_list(&mut p.heap, v);
    let tag = |p: &mut Process, k: &str, v: Term| make_tuple(&mut p.heap, &[atom(k), v]);
    let int = |p: &mut Process, v: i64| make_i64(&mut p.heap, v);
    Ok(match what.name() {
        "otp_release" => s(p, "25"),
        "version" => s(p, ERTS_VERSION),
        "machine" => s(p, "BEAM"),
        "system_architecture" => s(p, "x86_64-pc-linux-gnu"),
        "system_version" => {
            let (n, m) = (sched::schedulers(), sched::schedulers_online());
            let dc = sched::dirty::threads(sched::dirty::DirtyKind::Cpu);
            let di = sched::dirty::threads(sched::dirty::DirtyKind::Io);
            s(
                p,
                &format!(
                    "Erlang/OTP 25 [erts-{ERTS_VERSION}] [oxbeam] [64-bit] [smp:{n}:{m}] \
                     [ds:{dc}:{dc}:{di}] [async-threads:1]\n"
                ),
            )
        }
        "wordsize" => Term::small(8),
        "scheduler_id" => Term::small(sched::runq::current_scheduler().map_or(1, |i| i + 1) as i64),
        "schedulers" => Term::small(sched::schedulers() as i64),
        "schedulers_online" => Term::small(sched::schedulers_online() as i64),
        "logical_processors" | "logical_processors_available" | "logical_processors_online" => {
            Term::small(logical_processors() as i64)
        }
        "cpu_topology" => cpu_topology(p),
        "cpu_quota" => atom("unknown"),
        "update_cpu_info" => atom("unchanged"),
        "dirty_cpu_schedulers" | "dirty_cpu_schedulers_online" => {
            Term::small(sched::dirty::threads(sched::dirty::DirtyKind::Cpu) as i64)
        }
        "dirty_io_schedulers" => {
            Term::small(sched::dirty::threads(sched::dirty::DirtyKind::Io) as i64)
        }
        "multi_scheduling" => atom("enabled"),
        "multi_scheduling_blockers" | "normal_multi_scheduling_blockers" => Term::NIL,
        "scheduler_bind_type" => atom("unbound"),
        "scheduler_bindings" => {
            make_tuple_filled(&mut p.heap, sched::schedulers(), atom("unbound"))
        }
        "threads" | "smp_support" => Term::TRUE,
        "break_ignored" => {
            if crate::brk::break_ignored() {
                Term::TRUE
            } else {
                Term::FALSE
            }
        }
        "thread_pool_size" => Term::small(1),
        "process_count" => Term::small(sched::process_count() as i64),
        "process_limit" => Term::small(sched::process_limit() as i64),
        "atom_count" => Term::small(Atom::count() as i64),
        "atom_limit" => Term::small(oxbeam_term::atom::MAX_ATOMS as i64),
        "port_count" => Term::small(crate::port::count() as i64),
        "port_limit" => Term::small(crate::port::PORT_LIMIT as i64),
        // No ETS tables exist until ETS lands.
        "ets_count" => Term::small(crate::ets::registry::count() as i64),
        "ets_limit" => Term::small(8192),
        "outstanding_system_requests_limit" => Term::small(2 * sched::schedulers() as i64),
        "hipe_architecture" => Term::atom(am::UNDEFINED),
        "os_type" => {
            let (f, n) = (atom("unix"), atom("linux"));
            make_tuple(&mut p.heap, &[f, n])
        }
        "os_version" => {
            let (a, b, c) = os_version();
            make_tuple(
                &mut p.heap,
                &[Term::small(a), Term::small(b), Term::small(c)],
            )
        }
        "endian" => atom("little"),
        "debug_compiled"
        | "kernel_poll"
        | "dynamic_trace_probes"
        | "lock_checking"
        | "lock_counting"
        | "port_parallelism" => Term::FALSE,
        "dynamic_trace" => atom("none"),
        "nif_version" => s(p, "2.16"),
        "driver_version" => s(p, "3.3"),
        "c_compiler_used" => {
            let (r, u) = (atom("rustc"), Term::atom(am::UNDEFINED));
            make_tuple(&mut p.heap, &[r, u])
        }
        "emu_type" | "build_type" => atom("opt"),
        "emu_flavor" => atom("emu"),
        "emu_args" => {
            let args: Vec<String> = std::env::args().collect();
            let items: Vec<Term> = args.iter().map(|a| s(p, a)).collect();
            list_from_iter(&mut p.heap, &items, Term::NIL)
        }
        "compat_rel" => Term::small(25),
        "context_reductions" => Term::small(crate::process::CONTEXT_REDS),
        "fullsweep_after" => {
            let v = Term::small(crate::heap::DEFAULT_FULLSWEEP_AFTER as i64);
            tag(p, "fullsweep_after", v)
        }
        "min_heap_size" => {
            let v = Term::small(crate::heap::DEFAULT_MIN_HEAP_SIZE as i64);
            tag(p, "min_heap_size", v)
        }
        "min_bin_vheap_size" => {
            let v = Term::small(crate::process::DEFAULT_MIN_BIN_VHEAP_SIZE as i64);
            tag(p, "min_bin_vheap_size", v)
        }
        "max_heap_size" => max_heap_size_map(p),
        "garbage_collection" => {
            let mh = Term::small(0);
            let items = [
                tag(p, "max_heap_size", mh),
                tag(
                    p,
                    "min_bin_vheap_size",
                    Term::small(crate::process::DEFAULT_MIN_BIN_VHEAP_SIZE as i64),
                ),
                tag(
                    p,
                    "min_heap_size",
                    Term::small(crate::heap::DEFAULT_MIN_HEAP_SIZE as i64),
                ),
                tag(
                    p,
                    "fullsweep_after",
                    Term::small(crate::heap::DEFAULT_FULLSWEEP_AFTER as i64),
                ),
            ];
            list_from_iter(&mut p.heap, &items, Term::NIL)
        }
        "heap_sizes" => {
            let sizes: Vec<Term> = crate::heap::heap_size_table()
                .iter()
                .map(|&n| Term::small(n as i64))
                .collect();
            list_from_iter(&mut p.heap, &sizes, Term::NIL)
        }
        "heap_type" => atom("private"),
        "message_queue_data" => atom("on_heap"),
        "modified_timing_level" => Term::atom(am::UNDEFINED),
        "start_time" => int(p, start_time()),
        // The last Erlang monotonic time the VM can represent (the reference's span).
        "end_time" => int(p, start_time() + 9_223_372_035_000_000_000),
        "time_offset" => atom("final"),
        "time_warp_mode" => atom("no_time_warp"),
        "time_correction" => Term::TRUE,
        "tolerant_timeofday" => atom("enabled"),
        "os_monotonic_time_source" => {
            let now = int(p, os_monotonic_ns());
            time_source(p, "CLOCK_MONOTONIC", true, now)
        }
        "os_system_time_source" => {
            let now = int(p, time::system_ns());
            time_source(p, "CLOCK_REALTIME", false, now)
        }
        "creation" => Term::small(0),
        "delayed_node_table_gc" => Term::small(60),
        "dist" => make_binary(&mut p.heap, b"=node:'nonode@nohost'\n=no_distribution\n"),
        "dist_buf_busy_limit" => Term::small(1_048_576),
        "dist_ctrl" => {
            // Connections that are up, with their ports: visible ones first, each group
            // most recent first, as the reference lists them.
            let mut conns: Vec<_> = crate::dist::all()
                .into_iter()
                .filter_map(|c| {
                    c.port().map(|port| {
                        (
                            c.flags() & crate::dist::DFLAG_PUBLISHED == 0,
                            c.id,
                            c.node,
                            port,
                        )
                    })
                })
                .collect();
            conns.sort_by_key(|&(hidden, id, _, _)| (hidden, std::cmp::Reverse(id)));
            let items: Vec<Term> = conns
                .into_iter()
                .map(|(_, _, node, port)| {
                    make_tuple(&mut p.heap, &[Term::atom(node), Term::port(port)])
                })
                .collect();
            list_from_iter(&mut p.heap, &items, Term::NIL)
        }
        "check_io" => Term::NIL,
        "eager_check_io" => Term::TRUE,
        "trace_control_word" => make_u64(
            &mut p.heap,
            crate::match_spec::trace_control_word().load(std::sync::atomic::Ordering::Acquire)
                as u64,
        ),
        "sequential_tracer" => {
            let t = super::trace_bifs::sequential_tracer();
            tag(p, "sequential_tracer", t)
        }
        "system_logger" => system_logger(),
        "allocator" => {
            let u = Term::atom(am::UNDEFINED);
            make_tuple(&mut p.heap, &[u, Term::NIL, Term::NIL, Term::NIL])
        }
        "alloc_util_allocators" => Term::NIL,
        "allocated_areas" => allocated_areas(p),
        "info" => {
            let mut text = String::from("=memory\n");
            for (k, v) in memory_items() {
                text.push_str(&format!("{k}: {v}\n"));
            }
            make_binary(&mut p.heap, text.as_bytes())
        }
        "loaded" => {
            let mut mods: Vec<String> = crate::code::loaded_modules()
                .iter()
                .map(|m| m.name().to_string())
                .collect();
            mods.sort();
            let mut text = format!("Current code: {}\nOld code: 0\n", 8 << 20);
            for m in mods {
                text.push_str(&format!("{m} 0\n"));
            }
            make_binary(&mut p.heap, text.as_bytes())
        }
        "procs" => {
            let mut text = String::new();
            for pid in sched::all_pids() {
                text.push_str(&format!("=proc:{}\n", super::convert::pid_text(pid)));
            }
            make_binary(&mut p.heap, text.as_bytes())
        }
        _ => return Err(BADARG),
    })
}

/// `system_info({Item, Arg})`.
fn system_info_tuple(p: &mut Process, t: Term) -> BifResult {
    if tuple_arity(t) != 2 {
        return Err(BADARG);
    }
    let (what, arg) = (tuple_get(t, 0), tuple_get(t, 1));
    let what = what.as_atom().ok_or(BADARG)?;
    let arg_name = arg.as_atom().map(|a| a.name());
    match (what.name(), arg_name) {
        ("wordsize", Some("internal" | "external")) => Ok(Term::small(8)),
        ("cpu_topology", Some("defined")) => Ok(Term::atom(am::UNDEFINED)),
        ("cpu_topology", Some("detected" | "used")) => Ok(cpu_topology(p)),
        // Known allocators are not used (oxbeam has its own), so their information is
        // `false`, as for a disabled allocator in the reference.
        ("allocator" | "allocator_sizes", Some(a)) if ALLOCATORS.contains(&a) => Ok(Term::FALSE),
        ("allocator" | "allocator_sizes", None) if arg.is_list() || arg.is_nil() => {
            let names = list_to_vec(arg).ok_or(BADARG)?;
            let mut out = Vec::with_capacity(names.len());
            for n in names {
                match n.as_atom() {
                    Some(a) if ALLOCATORS.contains(&a.name()) => {
                        out.push(make_tuple(&mut p.heap, &[n, Term::FALSE]))
                    }
                    _ => return Err(BADARG),
                }
            }
            Ok(list_from_iter(&mut p.heap, &out, Term::NIL))
        }
        // The reference passes anything else to erlang:alloc_info/1 or alloc_sizes/1,
        // which fail with function_clause: let them.
        ("allocator" | "allocator_sizes", None) => {
            let f = if what.name() == "allocator" {
                "alloc_info"
            } else {
                "alloc_sizes"
            };
            let args = list_from_iter(&mut p.heap, &[arg], Term::NIL);
            Err(Fault::Trap(Trap::Apply {
                module: Term::atom(am::ERLANG),
                function: atom(f),
                args,
            }))
        }
        _ => Err(BADARG),
    }
}

/// One processor with a core per logical processor.
fn cpu_topology(p: &mut Process) -> Term {
    let n = logical_processors();
    let cores: Vec<Term> = (0..n)
        .map(|i| {
            let l = make_tuple(&mut p.heap, &[atom("logical"), Term::small(i as i64)]);
            make_tuple(&mut p.heap, &[atom("core"), l])
        })
        .collect();
    let cores = list_from_iter(&mut p.heap, &cores, Term::NIL);
    let proc_ = make_tuple(&mut p.heap, &[atom("processor"), cores]);
    list_from_iter(&mut p.heap, &[proc_], Term::NIL)
}

/// The description of a clock the VM reads (clock_gettime with `clock_id`).
fn time_source(p: &mut Process, clock_id: &str, monotonic: bool, now: Term) -> Term {
    let mut items = vec![
        (atom("function"), atom("clock_gettime")),
        (atom("clock_id"), atom(clock_id)),
        (atom("resolution"), Term::small(1_000_000_000)),
    ];
    if monotonic {
        items.push((atom("extended"), atom("no")));
    }
    items.push((atom("parallel"), atom("yes")));
    items.push((atom("time"), now));
    let tuples: Vec<Term> = items
        .into_iter()
        .map(|(k, v)| make_tuple(&mut p.heap, &[k, v]))
        .collect();
    list_from_iter(&mut p.heap, &tuples, Term::NIL)
}

/// The default `max_heap_size` of new processes, as a map.
fn max_heap_size_map(p: &mut Process) -> Term {
    let d = crate::process::MaxHeapSize::default();
    let pairs = [
        (atom("error_logger"), Term::boolean(d.error_logger)),
        (atom("kill"), Term::boolean(d.kill)),
        (atom("size"), Term::small(d.size as i64)),
    ];
    crate::map::from_pairs(&mut p.heap, &pairs)
}

/// The memory areas `system_info(allocated_areas)` lists, from the VM's own accounting.
fn allocated_areas(p: &mut Process) -> Term {
    let items = memory_items();
    let get = |k: &str| items.iter().find(|(n, _)| *n == k).map_or(0, |(_, v)| *v);
    let procs_table = (sched::process_limit() * 8) as i64;
    let areas: Vec<(&str, Vec<i64>)> = vec![
        ("atom_space", vec![get("atom"), get("atom_used")]),
        ("loaded_code", vec![get("code")]),
        ("process_table", vec![procs_table]),
        ("bits_bufs_size", vec![0]),
        ("bif_timer", vec![0]),
    ];
    let tuples: Vec<Term> = areas
        .into_iter()
        .map(|(k, vs)| {
            let mut e = vec![atom(k)];
            e.extend(vs.into_iter().map(Term::small));
            make_tuple(&mut p.heap, &e)
        })
        .collect();
    list_from_iter(&mut p.heap, &tuples, Term::NIL)
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
            pair(
                p,
                stats::reductions(current, what.name() == "exact_reductions"),
            )
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
            let (n, words) = crate::gc::totals();
            let (n, words) = (int_term(p, n), int_term(p, words));
            make_tuple(&mut p.heap, &[n, words, Term::small(0)])
        }
        "microstate_accounting" => msacc_stats(p),
        "io" => {
            let i = make_tuple(&mut p.heap, &[atom("input"), Term::small(0)]);
            let o = make_tuple(&mut p.heap, &[atom("output"), Term::small(0)]);
            make_tuple(&mut p.heap, &[i, o])
        }
        _ => return Err(BADARG),
    })
}

/// `statistics(microstate_accounting)`: one entry per VM thread, as the reference lists
/// them. The VM does not measure thread states, so every counter is 0 (which is what the
/// reference shows while accounting is off).
fn msacc_stats(p: &mut Process) -> Term {
    use sched::dirty::{self, DirtyKind};
    let mut threads: Vec<(&str, usize)> = vec![("aux", 1)];
    threads.extend((1..=sched::schedulers()).map(|i| ("scheduler", i)));
    threads.push(("poll", 0));
    threads.extend(
        (1..=dirty::threads(DirtyKind::Io))
            .rev()
            .map(|i| ("dirty_io_scheduler", i)),
    );
    threads.extend(
        (1..=dirty::threads(DirtyKind::Cpu))
            .rev()
            .map(|i| ("dirty_cpu_scheduler", i)),
    );
    threads.push(("async", 0));
    let states = [
        "aux", "check_io", "emulator", "gc", "other", "port", "sleep",
    ];
    let zero: Vec<(Term, Term)> = states.iter().map(|s| (atom(s), Term::small(0))).collect();
    let mut out = Vec::with_capacity(threads.len());
    for (kind, id) in threads {
        let counters = crate::map::from_pairs(&mut p.heap, &zero);
        let pairs = [
            (atom("counters"), counters),
            (atom("id"), Term::small(id as i64)),
            (atom("type"), atom(kind)),
        ];
        out.push(crate::map::from_pairs(&mut p.heap, &pairs));
    }
    list_from_iter(&mut p.heap, &out, Term::NIL)
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
        "trace_control_word" => {
            let v = term_to_i64(a[1])
                .filter(|v| (0..=u32::MAX as i64).contains(v))
                .ok_or(BADARG)? as u32;
            let old = crate::match_spec::trace_control_word()
                .swap(v, std::sync::atomic::Ordering::AcqRel);
            make_u64(&mut p.heap, old as u64)
        }
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
        "system_logger" => {
            let ok = a[1].is_local_pid()
                || matches!(
                    a[1].as_atom().map(|a| a.name()),
                    Some("logger" | "undefined")
                );
            if !ok {
                return Err(BADARG);
            }
            let old = system_logger();
            *SYSTEM_LOGGER.lock() = Some(a[1]);
            old
        }
        "microstate_accounting" => {
            use std::sync::atomic::Ordering::Relaxed;
            let old = MSACC.load(Relaxed);
            match a[1].as_atom().map(|a| a.name()) {
                Some("true") => MSACC.store(true, Relaxed),
                Some("false") => MSACC.store(false, Relaxed),
                Some("reset") => {}
                _ => return Err(BADARG),
            }
            Term::boolean(old)
        }
        "backtrace_depth" => {
            let n = a[1].as_small().filter(|&n| n >= 0).ok_or(BADARG)?;
            let old = crate::stacktrace::set_depth(usize::try_from(n).unwrap_or(usize::MAX));
            Term::small(old as i64)
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
    // ETS objects live in blocks of the same kind as heap fragments.
    let held = crate::words::held_bytes().saturating_sub(crate::ets::registry::object_bytes());
    let procs = (sched::process_count() * super::process_info::fixed_process_bytes() + held) as i64;
    let atoms = Atom::count() as i64 * 40;
    let code = 8 << 20;
    let ets = crate::ets::registry::total_bytes() as i64;
    let system = atoms + code + ets + (1 << 20);
    vec![
        ("total", procs + system),
        ("processes", procs),
        ("processes_used", procs),
        ("system", system),
        ("atom", atoms),
        ("atom_used", atoms),
        ("binary", 0),
        ("code", code),
        ("ets", ets),
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
        ("erlang", "system_info", 1, system_info),
        ("erlang", "statistics", 1, statistics),
        ("erlang", "system_flag", 2, system_flag),
        ("erlang", "bump_reductions", 1, bump_reductions),
        ("erlang", "memory", 0, memory0),
        ("erlang", "memory", 1, memory1),
        ("string", "list_to_integer", 1, string_list_to_integer),
        ("string", "list_to_float", 1, string_list_to_float),
        ("os", "system_time", 0, system_time0),
        ("os", "system_time", 1, os_system_time1),
        ("os", "timestamp", 0, timestamp),
    ];
    for &(m, f, a, fun) in list {
        reg(m, f, a, fun);
    }
}
