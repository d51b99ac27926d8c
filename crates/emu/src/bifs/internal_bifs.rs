//! Small BIFs of `erlang` and `erts_internal` that the reference's Erlang code (or a
//! curious program) calls directly: `erlang:display_nl/0`, `exit_signal/2`,
//! `spawn_request_abandon/1`, `is_builtin/3`, and the `erts_internal` helpers behind
//! `erlang.erl`, `erts_debug.erl`, `instrument.erl` and `ets:info(T, binary)`, with the
//! reference's protocols (several answer by message to the caller). Many of these have
//! a native `erlang` counterpart here already; these give the raw interface.

use super::erlang::new_ref;
use super::reg;
use crate::bif::{BifFn, BifResult, Fault, Trap, BADARG};
use crate::map::Node;
use crate::object::*;
use crate::process::Process;
use crate::sched::{self, monitors};
use oxbeam_term::atom::am;
use oxbeam_term::header::*;
use oxbeam_term::{Atom, Term};
use parking_lot::Mutex;
use std::collections::BTreeSet;

fn atom(s: &str) -> Term {
    Term::atom(Atom::from_str(s))
}

fn is_atom(t: Term, name: &str) -> bool {
    t.as_atom().is_some_and(|a| a.name() == name)
}

/// Calls the BIF registered as `m:f/arity` (arity = `args.len()`) on `args`.
fn call_native(p: &mut Process, m: &str, f: &str, args: &[Term]) -> BifResult {
    let e = crate::code::find_export(Atom::from_str(m), Atom::from_str(f), args.len() as u32)
        .and_then(|e| e.bif.get().copied())
        .ok_or(BADARG)?;
    e(p, args)
}

/// Sends `msg` (built on the caller's heap) to the caller itself.
fn to_self(p: &mut Process, msg: Term) -> Result<(), Fault> {
    sched::send(p, p.pid, msg)
}

// ---------------------------------------------------------------- erlang

/// `erlang:display_nl/0`: a line end on standard error.
fn display_nl(_p: &mut Process, _a: &[Term]) -> BifResult {
    crate::report::write_stderr(b"\r\n");
    Ok(Term::TRUE)
}

/// `erlang:exit_signal/2`: sends an exit signal as `exit/2` does, but as a plain signal
/// even to the caller itself: it is acted on like any other signal (after the call
/// returns), and a `normal` one is ignored unless the caller traps exits.
fn exit_signal(p: &mut Process, a: &[Term]) -> BifResult {
    let (target, reason) = (a[0], a[1]);
    if target.is_local_port()
        || matches!(boxed_subtag(target), Some(SUBTAG_EXT_PID | SUBTAG_EXT_PORT))
    {
        return Ok(Term::TRUE);
    }
    if !target.is_local_pid() {
        return Err(BADARG);
    }
    if target == p.pid && reason == Term::atom(am::NORMAL) && !p.trap_exit {
        // What the signal would do once handled: nothing. (Our signal handling takes a
        // `normal` signal from oneself for exit/2's, which ends the process.)
        return Ok(Term::TRUE);
    }
    sched::exit_signal(p.pid, target.pid_value(), reason, false);
    Ok(Term::TRUE)
}

/// `erlang:spawn_request_abandon/1`: whether a pending spawn request was abandoned. A
/// local spawn request is answered before `spawn_request` returns, so there is never
/// one pending.
fn spawn_request_abandon(_p: &mut Process, a: &[Term]) -> BifResult {
    if !is_ref(a[0]) {
        return Err(BADARG);
    }
    // Local spawns are answered at once; only a request to another node can wait.
    Ok(Term::boolean(
        !is_ext_ref(a[0]) && crate::dist::spawn::abandon(ref_id(a[0])),
    ))
}

/// `erlang:is_builtin/3`: whether `M:F/A` is a BIF of the reference (see
/// `crate::builtin`).
fn is_builtin(_p: &mut Process, a: &[Term]) -> BifResult {
    let (Some(m), Some(f), Some(ar)) = (a[0].as_atom(), a[1].as_atom(), a[2].as_small()) else {
        return Err(BADARG);
    };
    let Ok(ar) = u32::try_from(ar) else {
        return Ok(Term::FALSE);
    };
    Ok(Term::boolean(crate::builtin::is_builtin(m, f, ar)))
}

// ---------------------------------------------------------------- terms

/// Native time units per second (nanoseconds).
fn time_unit(_p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(Term::small(1_000_000_000))
}

/// `os:perf_counter/0` units per second (nanoseconds).
fn perf_counter_unit(_p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(Term::small(1_000_000_000))
}

/// `erts_internal:term_type/1`: the kind of object, as the reference names them.
fn term_type(_p: &mut Process, a: &[Term]) -> BifResult {
    let t = a[0];
    let name = if t.is_small() {
        "fixnum"
    } else if t.is_atom() {
        "atom"
    } else if t.is_nil() {
        "nil"
    } else if t.is_local_pid() {
        "pid"
    } else if t.is_local_port() {
        "port"
    } else if t.is_catch() {
        "catch"
    } else if t.is_list() {
        "list"
    } else if t.is_boxed() {
        match header_subtag(header(t)) {
            SUBTAG_TUPLE => "tuple",
            SUBTAG_POS_BIG | SUBTAG_NEG_BIG => "bignum",
            SUBTAG_FLOAT => "hfloat",
            SUBTAG_HEAP_BIN => "heap_binary",
            SUBTAG_REFC_BIN => "refc_binary",
            SUBTAG_SUB_BIN | SUBTAG_MATCH_CTX => "sub_binary",
            SUBTAG_MAP => "flatmap",
            SUBTAG_HASHMAP => {
                if Node::of(t).size.is_some() {
                    "hashmap"
                } else {
                    "hashmap_node"
                }
            }
            SUBTAG_FUN => "fun",
            SUBTAG_EXPORT => "export",
            SUBTAG_REF => "reference",
            SUBTAG_EXT_REF => "external_reference",
            SUBTAG_EXT_PID => "external_pid",
            SUBTAG_EXT_PORT => "external_port",
            _ => return Err(BADARG),
        }
    } else {
        return Err(BADARG);
    };
    Ok(atom(name))
}

fn badmap(p: &mut Process, t: Term) -> Fault {
    Fault::Error(make_tuple(&mut p.heap, &[Term::atom(am::BADMAP), t]))
}

/// `erts_internal:map_to_tuple_keys/1`: a flatmap's keys tuple (the object itself).
fn map_to_tuple_keys(p: &mut Process, a: &[Term]) -> BifResult {
    let m = a[0];
    if !is_map(m) {
        return Err(badmap(p, m));
    }
    if !is_flatmap(m) {
        return Err(BADARG);
    }
    Ok(word(m, 1))
}

/// `erts_internal:map_hashmap_children/1`: the children of a hash-trie node (inner nodes
/// or `[Key | Value]` leaves), for `erts_debug:size/1`; they must not escape further.
fn map_hashmap_children(p: &mut Process, a: &[Term]) -> BifResult {
    let m = a[0];
    if !is_map(m) {
        return Err(badmap(p, m));
    }
    if !crate::map::is_hashmap(m) {
        return Err(BADARG);
    }
    let kids: Vec<Term> = Node::of(m).children().collect();
    Ok(list_from_iter(&mut p.heap, &kids, Term::NIL))
}

// ---------------------------------------------------------------- processes

/// Processes the runtime counts as its own (`spawn_system_process/3`).
static SYSTEM: Mutex<BTreeSet<u64>> = Mutex::new(BTreeSet::new());

fn is_system_process(_p: &mut Process, a: &[Term]) -> BifResult {
    let pid = a[0];
    if boxed_subtag(pid) == Some(SUBTAG_EXT_PID) {
        return Ok(Term::FALSE);
    }
    if !pid.is_local_pid() {
        return Err(BADARG);
    }
    let id = pid.pid_value();
    if sched::slot(id).is_none() {
        SYSTEM.lock().remove(&id);
        return Ok(Term::FALSE);
    }
    let init = sched::whereis(Atom::from_str("init")) == Some(id);
    Ok(Term::boolean(init || SYSTEM.lock().contains(&id)))
}

/// Counts process `id` as one of the runtime's own (the system processes the VM starts
/// at boot; `init` stops them last, after everything else).
pub fn mark_system_process(id: u64) {
    SYSTEM.lock().insert(id);
}

/// `erts_internal:spawn_system_process(M, F, Args)`: a process of the runtime.
fn spawn_system_process(p: &mut Process, a: &[Term]) -> BifResult {
    let (Some(m), Some(f)) = (a[0].as_atom(), a[1].as_atom()) else {
        return Err(BADARG);
    };
    let args = list_to_vec(a[2]).ok_or(BADARG)?;
    let pid = sched::try_spawn(Some(p), m, f, &args, 0, sched::SpawnLinks::default())
        .ok_or_else(Fault::system_limit)?;
    let mut set = SYSTEM.lock();
    set.retain(|&id| sched::slot(id).is_some());
    set.insert(pid.pid_value());
    Ok(pid)
}

/// Sets `pid`'s group leader; false if it is gone.
fn set_group_leader(p: &mut Process, gl: Term, pid: Term) -> bool {
    if pid == p.pid {
        p.group_leader = gl;
        return true;
    }
    sched::set_group_leader(pid.pid_value(), gl)
}

/// `erts_internal:group_leader(GL, Pid)`: `true`, or the atom `badarg` (the Erlang
/// wrapper raises it).
fn group_leader2(p: &mut Process, a: &[Term]) -> BifResult {
    if !is_any_pid(a[0]) || !a[1].is_local_pid() {
        return Ok(Term::atom(am::BADARG));
    }
    Ok(if set_group_leader(p, a[0], a[1]) {
        Term::TRUE
    } else {
        Term::atom(am::BADARG)
    })
}

/// `erts_internal:group_leader(GL, Pid, Ref)`: `ok`, and `{Ref, true | badarg}` to the
/// caller.
fn group_leader3(p: &mut Process, a: &[Term]) -> BifResult {
    if !is_any_pid(a[0]) || !a[1].is_local_pid() || !is_ref(a[2]) {
        return Err(BADARG);
    }
    let r = if set_group_leader(p, a[0], a[1]) {
        Term::TRUE
    } else {
        Term::atom(am::BADARG)
    };
    let msg = make_tuple(&mut p.heap, &[a[2], r]);
    to_self(p, msg)?;
    Ok(Term::atom(am::OK))
}

/// `erts_internal:is_process_alive(Pid, Ref)`: `ok`, and `{Ref, Alive}` to the caller
/// (after the signals the caller sent to `Pid` before).
fn is_process_alive2(p: &mut Process, a: &[Term]) -> BifResult {
    if !a[0].is_local_pid() || !is_ref(a[1]) {
        return Err(BADARG);
    }
    let alive = call_native(p, "erlang", "is_process_alive", &a[..1])?;
    let msg = make_tuple(&mut p.heap, &[a[1], alive]);
    to_self(p, msg)?;
    Ok(Term::atom(am::OK))
}

/// `erts_internal:process_flag(Pid, Flag, Value)`: only `save_calls` (which is not
/// recorded here: the old value is always 0). The answer for the caller itself comes
/// back directly, for another process by message `{Ref, Answer}`; `badarg` and
/// `badtype` are returned as atoms for the Erlang wrapper to raise.
fn process_flag3(p: &mut Process, a: &[Term]) -> BifResult {
    let (pid, flag, v) = (a[0], a[1], a[2]);
    let answer =
        if is_atom(flag, "save_calls") && v.as_small().is_some_and(|n| (0..=10000).contains(&n)) {
            Term::small(0)
        } else {
            Term::atom(am::BADARG)
        };
    if pid == p.pid {
        return Ok(answer);
    }
    if !pid.is_local_pid() || sched::slot(pid.pid_value()).is_none() {
        return Ok(atom("badtype"));
    }
    let r = new_ref(p);
    let msg = make_tuple(&mut p.heap, &[r, answer]);
    to_self(p, msg)?;
    Ok(r)
}

/// `erts_internal:garbage_collect(major | minor)` of the caller.
fn garbage_collect1(_p: &mut Process, a: &[Term]) -> BifResult {
    if !(is_atom(a[0], "major") || is_atom(a[0], "minor")) {
        return Err(BADARG);
    }
    Err(Fault::Trap(Trap::GarbageCollect(Term::TRUE)))
}

/// `erts_internal:request_system_task(Pid, Prio, Request)`: a garbage collection or a
/// code check of `Pid`, answered by message. A collection of another process is not
/// done here (it happens as its heap needs); the answer says whether it is alive.
/// Checking code: no process runs purged code here, so the answer is `false`.
fn request_system_task3(p: &mut Process, a: &[Term]) -> BifResult {
    let (pid, prio, req) = (a[0], a[1], a[2]);
    let prio_ok = prio
        .as_atom()
        .is_some_and(|x| matches!(x.name(), "max" | "high" | "normal" | "low" | "inherit"));
    if !pid.is_local_pid() || !prio_ok || !is_tuple(req) || tuple_arity(req) < 2 {
        return Err(BADARG);
    }
    let e = tuple_elements(req);
    let alive = pid == p.pid || sched::slot(pid.pid_value()).is_some();
    let reply = match (e[0].as_atom().map(|x| x.name()), e.len()) {
        (Some("garbage_collect"), 3) if is_atom(e[2], "major") || is_atom(e[2], "minor") => {
            make_tuple(&mut p.heap, &[e[0], e[1], Term::boolean(alive)])
        }
        (Some("check_process_code"), 3) if e[2].is_atom() => {
            make_tuple(&mut p.heap, &[e[0], e[1], Term::FALSE])
        }
        _ => return Err(BADARG),
    };
    to_self(p, reply)?;
    if pid == p.pid && is_atom(e[0], "garbage_collect") {
        return Err(Fault::Trap(Trap::GarbageCollect(Term::atom(am::OK))));
    }
    Ok(Term::atom(am::OK))
}

/// `erts_internal:request_system_task/4` is for the runtime's dirty signal handler
/// only; any other caller gets `badarg`, as in the reference.
fn request_system_task4(_p: &mut Process, _a: &[Term]) -> BifResult {
    Err(BADARG)
}

/// `erts_internal:system_check(schedulers)`: every scheduler is responsive here.
fn system_check(_p: &mut Process, a: &[Term]) -> BifResult {
    if !is_atom(a[0], "schedulers") {
        return Err(BADARG);
    }
    Ok(Term::atom(am::OK))
}

/// `erts_internal:process_display(Pid, backtrace)`: writes the process's backtrace to
/// standard error. `true` for the caller, a reference (and `{Ref, true}` by message)
/// for another process; the atoms `badarg` / `badopt` for the Erlang wrapper.
fn process_display(p: &mut Process, a: &[Term]) -> BifResult {
    let (pid, what) = (a[0], a[1]);
    if !pid.is_local_pid() {
        return Ok(Term::atom(am::BADARG));
    }
    if !is_atom(what, "backtrace") {
        return Ok(atom("badopt"));
    }
    if pid == p.pid {
        let text = crate::backtrace::dump(p, Some("erlang:process_display/2"));
        crate::report::write_stderr(text.as_bytes());
        return Ok(Term::TRUE);
    }
    let info = call_native(p, "erlang", "process_info", &[pid, atom("backtrace")])?;
    if !is_tuple(info) {
        return Ok(Term::atom(am::BADARG));
    }
    if let Some(bytes) = binary_bytes(tuple_get(info, 1)) {
        crate::report::write_stderr(&bytes);
    }
    let r = new_ref(p);
    let msg = make_tuple(&mut p.heap, &[r, Term::TRUE]);
    to_self(p, msg)?;
    Ok(r)
}

/// `erts_internal:spawn_request(M, F, Args, Opts)`: spawns at once and answers
/// `{ReplyTag, ReqId, ok, Pid}` (or `{ReplyTag, ReqId, error, badopt}`) as the `reply`
/// option says; returns `ReqId`, or the atoms `badarg` / `badopt` for the wrapper. With
/// `monitor`, `ReqId` is the monitor's reference.
fn spawn_request4(p: &mut Process, a: &[Term]) -> BifResult {
    let (Some(m), Some(f), Some(args)) = (a[0].as_atom(), a[1].as_atom(), list_to_vec(a[2])) else {
        return Ok(Term::atom(am::BADARG));
    };
    let Some(opts) = list_to_vec(a[3]) else {
        return Ok(atom("badopt"));
    };
    let mut tag = atom("spawn_reply");
    let (mut on_ok, mut on_error) = (true, true);
    let mut bad = false;
    let mut rest = Vec::with_capacity(opts.len());
    for o in opts {
        if is_tuple(o) && tuple_arity(o) == 2 && is_atom(tuple_get(o, 0), "reply_tag") {
            tag = tuple_get(o, 1);
        } else if is_tuple(o) && tuple_arity(o) == 2 && is_atom(tuple_get(o, 0), "reply") {
            match super::spawn_bifs::reply_option(tuple_get(o, 1)) {
                Some(r) => (on_ok, on_error) = r,
                None => bad = true,
            }
        } else {
            rest.push(o);
        }
    }
    let req_id = new_ref(p);
    let reply = |p: &mut Process, status: &str, v: Term| -> Result<(), Fault> {
        let msg = make_tuple(&mut p.heap, &[tag, req_id, atom(status), v]);
        to_self(p, msg)
    };
    let rest = list_from_iter(&mut p.heap, &rest, Term::NIL);
    let req = match super::spawn_bifs::spawn_options(rest) {
        Ok(r) if !bad => r,
        _ => {
            if on_error {
                reply(p, "error", atom("badopt"))?;
            }
            return Ok(req_id);
        }
    };
    let id = ref_id(req_id);
    let with = sched::SpawnLinks {
        link: req.link.then_some(p.id),
        monitor: req.monitor.as_ref().map(|o| (id, p.id, o.tag)),
        group_leader: None,
    };
    let Some(pid) = sched::try_spawn_with(Some(p), m, f, &args, req.settings, with) else {
        if on_error {
            reply(p, "error", Term::atom(am::SYSTEM_LIMIT))?;
        }
        return Ok(req_id);
    };
    if p.trace_flags != 0 {
        crate::trace::after_spawn(p);
    }
    if let Some(o) = req.monitor {
        let watched = monitors::Watched {
            ref_id: id,
            target: pid.pid_value(),
            name: None,
        };
        p.monitoring.insert(id, watched);
        if let Some(mode) = o.alias {
            monitors::activate_alias(p, id, mode);
        }
    }
    if on_ok {
        reply(p, "ok", pid)?;
    }
    Ok(req_id)
}

// ---------------------------------------------------------------- tracing

/// `erts_internal:trace/3`: `erlang:trace/3` without the wrapper.
fn trace3(p: &mut Process, a: &[Term]) -> BifResult {
    call_native(p, "erlang", "trace", a)
}

/// `erts_internal:trace_pattern/3`: `erlang:trace_pattern/3` without the wrapper.
fn trace_pattern3(p: &mut Process, a: &[Term]) -> BifResult {
    call_native(p, "erlang", "trace_pattern", a)
}

// ---------------------------------------------------------------- system

/// `erts_internal:scheduler_wall_time(Enable)`: the raw switch (the reference counts
/// the enables per process in `kernel_refc`, in Erlang). Anything but `true` turns it
/// off. Returns whether it was on.
fn scheduler_wall_time(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(Term::boolean(sched::stats::switch_wall_time_raw(
        a[0] == Term::TRUE,
    )))
}

/// Threads doing auxiliary work, one per scheduler plus one: the allocator instances
/// `instrument` asks about.
fn no_aux_work_threads(_p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(Term::small(sched::schedulers() as i64 + 1))
}

fn erase_persistent_terms(_p: &mut Process, _a: &[Term]) -> BifResult {
    super::persistent::erase_all();
    Ok(Term::TRUE)
}

/// The reference's allocators, and which of them are `alloc_util` allocators (whose
/// carriers `instrument` can scan).
const ALLOCATORS: &[(&str, bool)] = &[
    ("sys_alloc", false),
    ("temp_alloc", true),
    ("sl_alloc", true),
    ("std_alloc", true),
    ("ll_alloc", true),
    ("eheap_alloc", true),
    ("ets_alloc", true),
    ("fix_alloc", true),
    ("literal_alloc", true),
    ("binary_alloc", true),
    ("driver_alloc", true),
];

/// Checks `{Type, SchedId, HistWidth, HistStart, Ref}`; whether `Type` is an allocator
/// with carriers to report on.
fn gather_args(a: Term) -> Result<(bool, Term), Fault> {
    if !is_tuple(a) || tuple_arity(a) != 5 {
        return Err(BADARG);
    }
    let e = tuple_elements(a);
    let kind = e[0].as_atom().ok_or(BADARG)?;
    let sched_ok = e[1]
        .as_small()
        .is_some_and(|n| n >= 0 && (n as usize) <= sched::schedulers());
    let width_ok = e[2].as_small().is_some_and(|n| (1..=32).contains(&n));
    let start_ok = e[3].as_small().is_some_and(|n| n >= 1);
    if !sched_ok || !width_ok || !start_ok || !is_ref(e[4]) {
        return Err(BADARG);
    }
    let util = ALLOCATORS
        .iter()
        .find(|(n, _)| *n == kind.name())
        .ok_or(BADARG)?
        .1;
    Ok((util, e[4]))
}

/// `erts_internal:gather_alloc_histograms/1`: this VM keeps no per-allocator block
/// histograms; each instance answers `{Ref, 0, []}` (nothing unscanned, no blocks).
fn gather_alloc_histograms(p: &mut Process, a: &[Term]) -> BifResult {
    let (util, r) = gather_args(a[0])?;
    if !util {
        return Ok(Term::small(0));
    }
    let msg = make_tuple(&mut p.heap, &[r, Term::small(0), Term::NIL]);
    to_self(p, msg)?;
    Ok(Term::small(1))
}

/// `erts_internal:gather_carrier_info/1`: no carriers to report: `{Ref, []}`.
fn gather_carrier_info(p: &mut Process, a: &[Term]) -> BifResult {
    let (util, r) = gather_args(a[0])?;
    if !util {
        return Ok(Term::small(0));
    }
    let msg = make_tuple(&mut p.heap, &[r, Term::NIL]);
    to_self(p, msg)?;
    Ok(Term::small(1))
}

// ---------------------------------------------------------------- ets

/// Processes that asked to see every table (`ets_super_user(true)`).
static SUPER_USERS: Mutex<BTreeSet<u64>> = Mutex::new(BTreeSet::new());

fn ets_super_user(p: &mut Process, a: &[Term]) -> BifResult {
    match a[0] {
        Term::TRUE => SUPER_USERS.lock().insert(p.id),
        Term::FALSE => SUPER_USERS.lock().remove(&p.id),
        _ => return Err(BADARG),
    };
    Ok(Term::atom(am::OK))
}

/// `erts_internal:ets_raw_first/1`: the first key in the table's own order.
fn ets_raw_first(p: &mut Process, a: &[Term]) -> BifResult {
    call_native(p, "ets", "first", a)
}

/// `erts_internal:ets_raw_next/2`: the key after `Key` in the table's own order.
fn ets_raw_next(p: &mut Process, a: &[Term]) -> BifResult {
    call_native(p, "ets", "next", a)
}

/// The off-heap binaries of `t`: (data address, size, references).
fn refc_binaries(t: Term, out: &mut Vec<(u64, u64, u64)>) {
    let mut stack = vec![t];
    while let Some(t) = stack.pop() {
        if t.is_list() {
            stack.push(tail(t));
            stack.push(head(t));
        } else if t.is_boxed() {
            let h = header(t);
            if header_subtag(h) == SUBTAG_REFC_BIN {
                let data = word(t, 2).0 as *const BinData;
                // SAFETY: the handle (in a stored object kept alive by the table lock)
                // holds a reference to its BinData.
                let d: &BinData = unsafe { &*data };
                let (size, refc) = (d.bytes.len(), d.ref_count());
                out.push((data as u64, size as u64, refc as u64));
                continue;
            }
            let (s, e) = term_words(h);
            for i in s..e {
                stack.push(word(t, i));
            }
        }
    }
}

/// `erts_internal:ets_lookup_binary_info(Tab, Key)`: `[{Address, Size, Refc}]` of the
/// off-heap binaries in the objects with key `Key`.
fn ets_lookup_binary_info(p: &mut Process, a: &[Term]) -> BifResult {
    use crate::ets::table::{Storage, Table};
    let (tab, key) = (a[0], a[1]);
    let t = if SUPER_USERS.lock().contains(&p.id) {
        crate::ets::lookup(tab).ok_or(BADARG)?
    } else {
        crate::ets::resolve(p, tab, crate::ets::Access::Read)?
    };
    let mut found = Vec::new();
    match &t.storage {
        Storage::Hash(shards) => {
            let h = crate::ets::hash_store::key_hash(key);
            let s = Table::shard(shards, h).read();
            for o in s.lookup(key, h) {
                refc_binaries(o.term(), &mut found);
            }
        }
        Storage::Ordered(tree) => {
            if let Some(o) = tree.read().lookup(key) {
                refc_binaries(o.term(), &mut found);
            }
        }
    }
    let items: Vec<Term> = found
        .into_iter()
        .map(|(addr, size, refc)| {
            let v = [
                make_u64(&mut p.heap, addr),
                make_u64(&mut p.heap, size),
                make_u64(&mut p.heap, refc),
            ];
            make_tuple(&mut p.heap, &v)
        })
        .collect();
    Ok(list_from_iter(&mut p.heap, &items, Term::NIL))
}

pub fn register() {
    let list: &[(&str, &str, u32, BifFn)] = &[
        ("erlang", "display_nl", 0, display_nl),
        ("erlang", "exit_signal", 2, exit_signal),
        ("erlang", "spawn_request_abandon", 1, spawn_request_abandon),
        ("erlang", "is_builtin", 3, is_builtin),
        ("erts_internal", "time_unit", 0, time_unit),
        ("erts_internal", "perf_counter_unit", 0, perf_counter_unit),
        ("erts_internal", "term_type", 1, term_type),
        ("erts_internal", "map_to_tuple_keys", 1, map_to_tuple_keys),
        (
            "erts_internal",
            "map_hashmap_children",
            1,
            map_hashmap_children,
        ),
        ("erts_internal", "is_system_process", 1, is_system_process),
        (
            "erts_internal",
            "spawn_system_process",
            3,
            spawn_system_process,
        ),
        ("erts_internal", "group_leader", 2, group_leader2),
        ("erts_internal", "group_leader", 3, group_leader3),
        ("erts_internal", "is_process_alive", 2, is_process_alive2),
        ("erts_internal", "process_flag", 3, process_flag3),
        ("erts_internal", "garbage_collect", 1, garbage_collect1),
        (
            "erts_internal",
            "request_system_task",
            3,
            request_system_task3,
        ),
        (
            "erts_internal",
            "request_system_task",
            4,
            request_system_task4,
        ),
        ("erts_internal", "system_check", 1, system_check),
        ("erts_internal", "process_display", 2, process_display),
        ("erts_internal", "spawn_request", 4, spawn_request4),
        ("erts_internal", "trace", 3, trace3),
        ("erts_internal", "trace_pattern", 3, trace_pattern3),
        (
            "erts_internal",
            "scheduler_wall_time",
            1,
            scheduler_wall_time,
        ),
        (
            "erts_internal",
            "no_aux_work_threads",
            0,
            no_aux_work_threads,
        ),
        (
            "erts_internal",
            "erase_persistent_terms",
            0,
            erase_persistent_terms,
        ),
        (
            "erts_internal",
            "gather_alloc_histograms",
            1,
            gather_alloc_histograms,
        ),
        (
            "erts_internal",
            "gather_carrier_info",
            1,
            gather_carrier_info,
        ),
        ("erts_internal", "ets_super_user", 1, ets_super_user),
        ("erts_internal", "ets_raw_first", 1, ets_raw_first),
        ("erts_internal", "ets_raw_next", 2, ets_raw_next),
        (
            "erts_internal",
            "ets_lookup_binary_info",
            2,
            ets_lookup_binary_info,
        ),
    ];
    for &(m, f, a, fun) in list {
        reg(m, f, a, fun);
    }
}
