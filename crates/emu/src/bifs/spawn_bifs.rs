//! Spawning, monitors, aliases and process flags: `spawn/1,3`, `spawn_link`,
//! `spawn_monitor`, `spawn_opt/2,4`, `monitor/2,3`, `demonitor/1,2`, `alias/0,1`,
//! `unalias/1`, `process_flag/2`.

use super::erlang::new_ref;
use crate::bif::{BifResult, Fault, Trap, BADARG};
use crate::dist::outgoing;
use crate::dist::remote::{ExtPid, Target};
use crate::object::*;
use crate::process::{MaxHeapSize, Priority, Process};
use crate::sched::{self, monitors, monitors::AliasMode};
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};

/// Everything `spawn_opt` can ask for.
pub(super) struct SpawnRequest {
    pub link: bool,
    pub monitor: Option<MonitorOptions>,
    pub settings: sched::ProcessSettings,
}

#[derive(Default)]
pub(super) struct MonitorOptions {
    pub tag: Option<Term>,
    pub alias: Option<AliasMode>,
}

fn is_atom(t: Term, name: &str) -> bool {
    t.as_atom().is_some_and(|a| a.name() == name)
}

fn mfa_args(m: Term, f: Term, args: Term) -> Result<(Atom, Atom, Vec<Term>), Fault> {
    let m = m.as_atom().ok_or(BADARG)?;
    let f = f.as_atom().ok_or(BADARG)?;
    let v = list_to_vec(args).ok_or(BADARG)?;
    Ok((m, f, v))
}

/// What to run in a new process: `erlang:apply(Fun, [])` or `M:F(Args)`.
fn spawn_target(a: &[Term]) -> Result<(Atom, Atom, Vec<Term>), Fault> {
    match a {
        [fun] if is_fun(*fun) && crate::fun::fun_arity(*fun) == 0 => {
            Ok((am::ERLANG, am::APPLY, vec![*fun, Term::NIL]))
        }
        [m, f, args] => mfa_args(*m, *f, *args),
        _ => Err(BADARG),
    }
}

/// Parses monitor options (`monitor/3`, `{monitor, Opts}`): `{tag, T}`, `{alias, Mode}`.
fn monitor_options(opts: Term) -> Result<MonitorOptions, Fault> {
    let mut out = MonitorOptions::default();
    for o in list_to_vec(opts).ok_or(BADARG)? {
        if !is_tuple(o) || tuple_arity(o) != 2 {
            return Err(BADARG);
        }
        let (k, v) = (tuple_get(o, 0), tuple_get(o, 1));
        if is_atom(k, "tag") {
            out.tag = Some(v);
        } else if is_atom(k, "alias") {
            out.alias = Some(match v.as_atom().map(|a| a.name()) {
                Some("explicit_unalias") => AliasMode::Explicit,
                Some("demonitor") => AliasMode::Demonitor,
                Some("reply_demonitor") => AliasMode::Reply,
                _ => return Err(BADARG),
            });
        } else {
            return Err(BADARG);
        }
    }
    Ok(out)
}

fn non_neg(t: Term) -> Result<usize, Fault> {
    match t.as_small() {
        Some(v) if v >= 0 => Ok(v as usize),
        _ => Err(BADARG),
    }
}

/// Parses a `max_heap_size` value: a size, or a map with `size` and optionally `kill`
/// and `error_logger` (other keys are ignored, as the reference does).
fn max_heap_size(v: Term) -> Result<MaxHeapSize, Fault> {
    if let Some(size) = v.as_small() {
        return match size {
            s if s >= 0 => Ok(MaxHeapSize {
                size: s as usize,
                ..MaxHeapSize::default()
            }),
            _ => Err(BADARG),
        };
    }
    if !is_map(v) {
        return Err(BADARG);
    }
    let key = |k: &str| crate::map::get(v, Term::atom(Atom::from_str(k)));
    let mut m = MaxHeapSize {
        size: non_neg(key("size").ok_or(BADARG)?)?,
        ..MaxHeapSize::default()
    };
    let flag = |t: Option<Term>, default: bool| match t {
        None => Ok(default),
        Some(t) if t.is_boolean() => Ok(t == Term::TRUE),
        Some(_) => Err(BADARG),
    };
    m.kill = flag(key("kill"), true)?;
    m.error_logger = flag(key("error_logger"), true)?;
    Ok(m)
}

fn message_queue_data(v: Term) -> Result<bool, Fault> {
    match v.as_atom().map(|a| a.name()) {
        Some("off_heap") => Ok(true),
        Some("on_heap") => Ok(false),
        _ => Err(BADARG),
    }
}

/// Parses the option list of `spawn_opt`.
pub(super) fn spawn_options(opts: Term) -> Result<SpawnRequest, Fault> {
    let mut r = SpawnRequest {
        link: false,
        monitor: None,
        settings: sched::ProcessSettings::default(),
    };
    let s = &mut r.settings;
    for o in list_to_vec(opts).ok_or(BADARG)? {
        if is_atom(o, "link") {
            r.link = true;
            continue;
        }
        if is_atom(o, "monitor") {
            r.monitor.get_or_insert_with(MonitorOptions::default);
            continue;
        }
        if !is_tuple(o) || tuple_arity(o) != 2 {
            return Err(BADARG);
        }
        let (k, v) = (tuple_get(o, 0), tuple_get(o, 1));
        match k.as_atom().map(|a| a.name()).unwrap_or("") {
            "monitor" => r.monitor = Some(monitor_options(v)?),
            "priority" => s.priority = Priority::from_term(v).ok_or(BADARG)?,
            "min_heap_size" => s.min_heap_size = non_neg(v)?,
            "min_bin_vheap_size" => s.min_bin_vheap_size = non_neg(v)?,
            "fullsweep_after" => s.fullsweep_after = non_neg(v)?.min(u32::MAX as usize) as u32,
            "max_heap_size" => s.max_heap_size = max_heap_size(v)?,
            "message_queue_data" => s.off_heap_messages = message_queue_data(v)?,
            _ => return Err(BADARG),
        }
    }
    let min = crate::heap::next_heap_size(s.min_heap_size.max(crate::heap::DEFAULT_MIN_HEAP_SIZE));
    if s.max_heap_size.size != 0 && s.max_heap_size.size < min {
        return Err(BADARG);
    }
    Ok(r)
}

/// Spawns `target` as `req` asks. Returns the pid, or `{Pid, MonitorRef}`.
fn spawn_request(p: &mut Process, target: &[Term], req: SpawnRequest) -> BifResult {
    let (m, f, args) = spawn_target(target)?;
    let mref = req.monitor.as_ref().map(|_| new_ref(p));
    let tag = req.monitor.as_ref().and_then(|o| o.tag);
    let with = sched::SpawnLinks {
        link: req.link.then_some(p.id),
        monitor: mref.map(|r| (ref_id(r), p.id, tag)),
        group_leader: None,
    };
    let pid = sched::try_spawn_with(Some(p), m, f, &args, req.settings, with)
        .ok_or_else(Fault::system_limit)?;
    if p.trace_flags != 0 {
        crate::trace::after_spawn(p);
    }
    let Some(r) = mref else { return Ok(pid) };
    let watched = monitors::Watched {
        ref_id: ref_id(r),
        target: pid.pid_value(),
        name: None,
    };
    p.monitoring.insert(ref_id(r), watched);
    if let Some(mode) = req.monitor.and_then(|o| o.alias) {
        monitors::activate_alias(p, ref_id(r), mode);
    }
    Ok(make_tuple(&mut p.heap, &[pid, r]))
}

fn plain(link: bool, monitor: bool) -> SpawnRequest {
    SpawnRequest {
        link,
        monitor: monitor.then(MonitorOptions::default),
        settings: sched::ProcessSettings::default(),
    }
}

fn spawn(p: &mut Process, a: &[Term]) -> BifResult {
    spawn_request(p, a, plain(false, false))
}

fn spawn_link(p: &mut Process, a: &[Term]) -> BifResult {
    spawn_request(p, a, plain(true, false))
}

fn spawn_monitor(p: &mut Process, a: &[Term]) -> BifResult {
    spawn_request(p, a, plain(false, true))
}

fn spawn_opt2(p: &mut Process, a: &[Term]) -> BifResult {
    let req = spawn_options(a[1])?;
    spawn_request(p, &a[..1], req)
}

fn spawn_opt4(p: &mut Process, a: &[Term]) -> BifResult {
    let req = spawn_options(a[3])?;
    spawn_request(p, &a[..3], req)
}

/// Monitors `target` (a pid, or a registered name if `name`); returns the reference.
fn monitor_process(
    p: &mut Process,
    target: Option<u64>,
    object: Term,
    opts: MonitorOptions,
) -> BifResult {
    let r = new_ref(p);
    let id = ref_id(r);
    let name = object.as_atom();
    if let Some(mode) = opts.alias {
        monitors::activate_alias(p, id, mode);
    }
    let made = target.is_some_and(|t| monitors::monitor(p, t, id, name, opts.tag));
    if !made {
        // The target is gone: 'DOWN' with noproc at once, after what is queued already.
        if let Some(reason) = sched::fetch_inbox(p) {
            return Err(Fault::Trap(Trap::Exit(reason)));
        }
        let pid = target.map_or(object, Term::pid);
        let down = monitors::down_message(id, pid, name, opts.tag, Term::atom(am::NOPROC));
        sched::enqueue(p, down);
    }
    Ok(r)
}

/// `monitor(port, Target)`: a port, or the registered name of one.
fn monitor_port(p: &mut Process, target: Term, opts: MonitorOptions) -> BifResult {
    let (port, name) = if target.is_local_port() {
        (crate::port::get(target.port_value()), None)
    } else {
        let name = monitor_name(target)?;
        (crate::port::lookup(Term::atom(name)), Some(name))
    };
    let r = new_ref(p);
    let id = ref_id(r);
    if let Some(mode) = opts.alias {
        monitors::activate_alias(p, id, mode);
    }
    let made = port.is_some_and(|port| crate::port::monitor(p, &port, id, name, opts.tag));
    if !made {
        if let Some(reason) = sched::fetch_inbox(p) {
            return Err(Fault::Trap(Trap::Exit(reason)));
        }
        let kind = Term::atom(Atom::from_str("port"));
        let down =
            monitors::down_message_of(kind, id, target, name, opts.tag, Term::atom(am::NOPROC));
        sched::enqueue(p, down);
    }
    Ok(r)
}

/// A monitor target given by name: `Name` or `{Name, Node}` (this node only).
fn monitor_name(target: Term) -> Result<Atom, Fault> {
    if let Some(name) = target.as_atom() {
        return Ok(name);
    }
    if is_tuple(target) && tuple_arity(target) == 2 {
        let (n, node) = (tuple_get(target, 0), tuple_get(target, 1));
        if let (Some(n), Some(node)) = (n.as_atom(), node.as_atom()) {
            if node == crate::node::name() {
                return Ok(n);
            }
        }
    }
    Err(BADARG)
}

/// Monitors a process on another node (`object`: its pid, or `{Name, Node}`). When
/// the node cannot be reached (or this one is not alive) the monitor fires at once with
/// `noconnection`, as in the reference.
fn monitor_remote(
    p: &mut Process,
    node: Atom,
    target: Target,
    object: Term,
    opts: MonitorOptions,
) -> BifResult {
    let r = new_ref(p);
    let id = ref_id(r);
    if let Some(mode) = opts.alias {
        monitors::activate_alias(p, id, mode);
    }
    if crate::dist::alive() && outgoing::monitor(p.id, p.pid, node, target, id, opts.tag) {
        let name = match target {
            Target::Name(n) => Some(n),
            Target::Pid(_) => None,
        };
        let watched = monitors::Watched {
            ref_id: id,
            target: crate::dist::DIST_LINK,
            name,
        };
        p.monitoring.insert(id, watched);
        return Ok(r);
    }
    if let Some(reason) = sched::fetch_inbox(p) {
        return Err(Fault::Trap(Trap::Exit(reason)));
    }
    let reason = Term::atom(Atom::from_str("noconnection"));
    let down = monitors::down_message(id, object, None, opts.tag, reason);
    sched::enqueue(p, down);
    Ok(r)
}

fn monitor(p: &mut Process, kind: Term, target: Term, opts: MonitorOptions) -> BifResult {
    if kind == Term::atom(Atom::from_str("port")) {
        return monitor_port(p, target, opts);
    }
    if kind != Term::atom(am::PROCESS) {
        return Err(Fault::ErrorCause(
            Term::atom(am::BADARG),
            Term::atom(Atom::from_str("badtype")),
        ));
    }
    if target.is_local_pid() {
        let id = target.pid_value();
        if id == p.id {
            // Monitoring oneself is allowed and never fires.
            let r = new_ref(p);
            if let Some(mode) = opts.alias {
                monitors::activate_alias(p, ref_id(r), mode);
            }
            return Ok(r);
        }
        return monitor_process(p, Some(id), target, opts);
    }
    if let Some(pid) = ExtPid::of(target) {
        return monitor_remote(p, pid.node, Target::Pid(pid), target, opts);
    }
    let by_name = if let Some(name) = target.as_atom() {
        Some(name)
    } else if is_tuple(target) && tuple_arity(target) == 2 {
        let (n, node) = (tuple_get(target, 0), tuple_get(target, 1));
        match (n.as_atom(), node.as_atom()) {
            (Some(n), Some(node)) if node == crate::node::name() => Some(n),
            (Some(n), Some(node)) => {
                return monitor_remote(p, node, Target::Name(n), target, opts);
            }
            _ => return Err(BADARG),
        }
    } else {
        None
    };
    let Some(name) = by_name else {
        return Err(BADARG);
    };
    let id = sched::whereis(name);
    monitor_process(p, id, Term::atom(name), opts)
}

fn monitor2(p: &mut Process, a: &[Term]) -> BifResult {
    monitor(p, a[0], a[1], MonitorOptions::default())
}

fn monitor3(p: &mut Process, a: &[Term]) -> BifResult {
    let opts = monitor_options(a[2]).map_err(|_| {
        Fault::ErrorCause(Term::atom(am::BADARG), Term::atom(Atom::from_str("badopt")))
    })?;
    monitor(p, a[0], a[1], opts)
}

fn demonitor1(p: &mut Process, a: &[Term]) -> BifResult {
    if !is_ref(a[0]) || is_ext_ref(a[0]) {
        return Err(BADARG);
    }
    monitors::demonitor(p, ref_id(a[0]));
    Ok(Term::TRUE)
}

fn demonitor2(p: &mut Process, a: &[Term]) -> BifResult {
    if !is_ref(a[0]) || is_ext_ref(a[0]) {
        return Err(BADARG);
    }
    let opts = list_to_vec(a[1]).ok_or(BADARG)?;
    if !opts
        .iter()
        .all(|&o| is_atom(o, "flush") || is_atom(o, "info"))
    {
        return Err(BADARG);
    }
    let flush = opts.iter().any(|&o| is_atom(o, "flush"));
    let info = opts.iter().any(|&o| is_atom(o, "info"));
    let id = ref_id(a[0]);
    let found = monitors::demonitor(p, id);
    if flush {
        if let Some(reason) = sched::fetch_inbox(p) {
            return Err(Fault::Trap(Trap::Exit(reason)));
        }
        p.mailbox.retain(|m| {
            let t = m.term;
            !(is_tuple(t)
                && tuple_arity(t) == 5
                && is_ref(tuple_get(t, 1))
                && ref_id(tuple_get(t, 1)) == id
                && tuple_get(t, 2) == Term::atom(am::PROCESS))
        });
        p.recv_save = 0;
        p.reset_recv_markers();
    }
    Ok(if info {
        Term::boolean(found)
    } else {
        Term::TRUE
    })
}

fn alias(p: &mut Process, opts: Term) -> BifResult {
    let mut mode = AliasMode::Explicit;
    for o in list_to_vec(opts).ok_or(BADARG)? {
        if is_atom(o, "explicit_unalias") {
            mode = AliasMode::Explicit;
        } else if is_atom(o, "reply") {
            mode = AliasMode::Reply;
        } else {
            return Err(BADARG);
        }
    }
    let r = new_ref(p);
    monitors::activate_alias(p, ref_id(r), mode);
    Ok(r)
}

fn alias0(p: &mut Process, _a: &[Term]) -> BifResult {
    alias(p, Term::NIL)
}

fn alias1(p: &mut Process, a: &[Term]) -> BifResult {
    alias(p, a[0])
}

fn unalias(p: &mut Process, a: &[Term]) -> BifResult {
    if !is_ref(a[0]) {
        return Err(BADARG);
    }
    Ok(Term::boolean(monitors::unalias(p, ref_id(a[0]))))
}

/// The code of a node-monitoring option set: `None` for plain `monitor_nodes`, else
/// the bits of `{monitor_nodes, Opts}` (a map as net_kernel passes it, or a list).
fn node_monitor_key(flag: Term) -> Result<u8, Fault> {
    if flag.as_atom().is_some_and(|a| a.name() == "monitor_nodes") {
        return Ok(0);
    }
    if !(is_tuple(flag) && tuple_arity(flag) == 2)
        || tuple_get(flag, 0).as_atom().map(|a| a.name()) != Some("monitor_nodes")
    {
        return Err(BADARG);
    }
    let opts = tuple_get(flag, 1);
    if !is_map(opts) {
        return Err(BADARG);
    }
    // Bit 7 marks the option form, so `#{}` is not plain `monitor_nodes`.
    let mut key = 0x80u8;
    let mut bad = false;
    crate::map::for_each(opts, |k, v| {
        let boolean = |bit: u8, key: &mut u8, bad: &mut bool| {
            if v == Term::TRUE {
                *key |= bit;
            } else if v != Term::FALSE {
                *bad = true;
            }
        };
        match k.as_atom().map(|a| a.name()) {
            Some("connection_id") => boolean(1, &mut key, &mut bad),
            Some("nodedown_reason") => boolean(2, &mut key, &mut bad),
            Some("list") => boolean(4, &mut key, &mut bad),
            Some("node_type") => match v.as_atom().map(|a| a.name()) {
                Some("visible") => key |= 8,
                Some("hidden") => key |= 16,
                Some("all") => key |= 24,
                _ => bad = true,
            },
            _ => bad = true,
        }
    });
    if bad {
        return Err(BADARG);
    }
    Ok(key)
}

/// `process_flag(monitor_nodes, Bool)` and `process_flag({monitor_nodes, Opts}, Bool)`:
/// the subscription count before; `false` drops them all. Without distribution no
/// `nodeup`/`nodedown` ever comes.
fn monitor_nodes_flag(p: &mut Process, flag: Term, on: Term) -> BifResult {
    let key = node_monitor_key(flag)?;
    if !on.is_boolean() {
        return Err(BADARG);
    }
    let subs = &mut p.node_monitor_subs;
    let i = subs.iter().position(|&(k, _)| k == key);
    let before = i.map_or(0, |i| subs[i].1);
    let after = match (on == Term::TRUE, i) {
        (true, Some(i)) => {
            subs[i].1 += 1;
            subs[i].1
        }
        (true, None) => {
            subs.push((key, 1));
            1
        }
        (false, Some(i)) => {
            subs.remove(i);
            0
        }
        (false, None) => 0,
    };
    crate::dist::node_monitors::set(p.id, key, after);
    Ok(Term::small(before as i64))
}

fn process_flag(p: &mut Process, a: &[Term]) -> BifResult {
    if is_tuple(a[0]) || a[0].as_atom().is_some_and(|f| f.name() == "monitor_nodes") {
        return monitor_nodes_flag(p, a[0], a[1]);
    }
    let flag = a[0].as_atom().ok_or(BADARG)?;
    let v = a[1];
    match flag.name() {
        "trap_exit" => {
            if !v.is_boolean() {
                return Err(BADARG);
            }
            let old = Term::boolean(p.trap_exit);
            p.trap_exit = v == Term::TRUE;
            Ok(old)
        }
        "priority" => {
            let new = Priority::from_term(v).ok_or(BADARG)?;
            let old = p.priority;
            p.priority = new;
            sched::set_priority(p.id, new);
            Ok(Term::atom(Atom::from_str(old.name())))
        }
        "max_heap_size" => {
            let new = max_heap_size(v)?;
            if new.size != 0 && new.size < p.heap.min_heap_size {
                return Err(BADARG);
            }
            let old = p.max_heap_size;
            p.max_heap_size = new;
            Ok(super::process_info::max_heap_map(p, old))
        }
        "min_heap_size" => {
            let n = non_neg(v)?;
            let old = p.heap.min_heap_size;
            p.heap.min_heap_size =
                crate::heap::next_heap_size(n.max(crate::heap::DEFAULT_MIN_HEAP_SIZE));
            Ok(Term::small(old as i64))
        }
        "min_bin_vheap_size" => {
            let n = non_neg(v)?;
            let old = p.min_bin_vheap_size;
            p.min_bin_vheap_size =
                crate::heap::next_heap_size(n.max(crate::process::DEFAULT_MIN_BIN_VHEAP_SIZE));
            Ok(Term::small(old as i64))
        }
        "fullsweep_after" => {
            let n = non_neg(v)?;
            let old = p.heap.fullsweep_after;
            p.heap.fullsweep_after = n.min(u32::MAX as usize) as u32;
            Ok(Term::small(old as i64))
        }
        "message_queue_data" => {
            let new = message_queue_data(v)?;
            let old = p.off_heap_messages;
            p.off_heap_messages = new;
            Ok(Term::atom(Atom::from_str(if old {
                "off_heap"
            } else {
                "on_heap"
            })))
        }
        "sensitive" => {
            if !v.is_boolean() {
                return Err(BADARG);
            }
            let old = p.sensitive;
            p.sensitive = v == Term::TRUE;
            Ok(Term::boolean(old))
        }
        "error_handler" => {
            let new = v.as_atom().ok_or(BADARG)?;
            let old = p.error_handler;
            p.error_handler = new;
            Ok(Term::atom(old))
        }
        "save_calls" => {
            let n = non_neg(v)?;
            if n > 10000 {
                return Err(BADARG);
            }
            Ok(Term::small(0))
        }
        "async_dist" => {
            if !v.is_boolean() {
                return Err(BADARG);
            }
            Ok(Term::FALSE)
        }
        _ => Err(BADARG),
    }
}

pub fn register() {
    use super::reg;
    reg("erlang", "spawn", 1, spawn);
    reg("erlang", "spawn", 3, spawn);
    // prim_file's on_load starts its janitor with it; system processes are ordinary
    // processes here (init:restart/0, which spares them in the reference, is not).
    reg("erlang", "spawn_link", 1, spawn_link);
    reg("erlang", "spawn_link", 3, spawn_link);
    reg("erlang", "spawn_monitor", 1, spawn_monitor);
    reg("erlang", "spawn_monitor", 3, spawn_monitor);
    reg("erlang", "spawn_opt", 2, spawn_opt2);
    reg("erlang", "spawn_opt", 4, spawn_opt4);
    reg("erlang", "monitor", 2, monitor2);
    reg("erlang", "monitor", 3, monitor3);
    reg("erlang", "demonitor", 1, demonitor1);
    reg("erlang", "demonitor", 2, demonitor2);
    reg("erlang", "alias", 0, alias0);
    reg("erlang", "alias", 1, alias1);
    reg("erlang", "unalias", 1, unalias);
    reg("erlang", "process_flag", 2, process_flag);
}

/// `erts_internal:suspend_process/2` (behind `erlang:suspend_process/1,2`): `true`,
/// `false` (already suspended by the caller, with `unless_suspending`), or the atoms
/// `badarg`/`badopt` that the Erlang wrapper turns into errors.
fn suspend_process(p: &mut Process, a: &[Term]) -> BifResult {
    let badarg = Ok(Term::atom(am::BADARG));
    let mut unless_suspending = false;
    let mut asynchronous = false;
    let mut tag = None;
    let Some(opts) = list_to_vec(a[1]) else {
        return Ok(Term::atom(Atom::from_str("badopt")));
    };
    for o in opts {
        if is_atom(o, "unless_suspending") {
            unless_suspending = true;
        } else if is_atom(o, "asynchronous") {
            asynchronous = true;
        } else if is_tuple(o) && tuple_arity(o) == 2 && is_atom(tuple_get(o, 0), "asynchronous") {
            asynchronous = true;
            tag = Some(tuple_get(o, 1));
        } else {
            return Ok(Term::atom(Atom::from_str("badopt")));
        }
    }
    let target = a[0];
    if !target.is_local_pid() || target == p.pid {
        return badarg;
    }
    let id = target.pid_value();
    let reply = |p: &mut Process, what: &str| -> Result<(), Fault> {
        if let Some(t) = tag {
            let msg = make_tuple(&mut p.heap, &[t, Term::atom(Atom::from_str(what))]);
            sched::send(p, p.pid, msg)?;
        }
        Ok(())
    };
    if sched::slot(id).is_none() {
        if asynchronous {
            reply(p, "badarg")?;
            return Ok(Term::TRUE);
        }
        return badarg;
    }
    if unless_suspending && p.suspending.contains(id) {
        reply(p, "suspended")?;
        return Ok(Term::FALSE);
    }
    if !sched::suspend(id) {
        return badarg;
    }
    p.suspending.add(id);
    reply(p, "suspended")?;
    Ok(Term::TRUE)
}

fn resume_process(p: &mut Process, a: &[Term]) -> BifResult {
    let target = a[0];
    if !target.is_local_pid() || target == p.pid {
        return Err(BADARG);
    }
    let id = target.pid_value();
    if !p.suspending.remove_one(id) {
        return Err(BADARG);
    }
    sched::resume(id);
    Ok(Term::TRUE)
}

/// `erlang:hibernate(M, F, Args)`.
fn hibernate(_p: &mut Process, a: &[Term]) -> BifResult {
    if !a[0].is_atom() || !a[1].is_atom() || list_to_vec(a[2]).is_none() {
        return Err(BADARG);
    }
    Err(Fault::Trap(Trap::Hibernate {
        module: a[0],
        function: a[1],
        args: a[2],
    }))
}

pub fn register_suspend() {
    use super::reg;
    reg("erlang", "hibernate", 3, hibernate);
    reg("erts_internal", "suspend_process", 2, suspend_process);
    reg("erlang", "resume_process", 1, resume_process);
}

/// The spawn options another node's `SPAWN_REQUEST` carries: `link` and `monitor`
/// (by the requester) and the usual `spawn_opt` settings. None: a bad option.
pub struct RemoteSpawnOptions {
    pub link: bool,
    pub monitor: bool,
    pub settings: sched::ProcessSettings,
}

pub fn remote_spawn_options(opts: Term) -> Option<RemoteSpawnOptions> {
    let r = spawn_options(opts).ok()?;
    Some(RemoteSpawnOptions {
        link: r.link,
        monitor: r.monitor.is_some(),
        settings: r.settings,
    })
}

/// The value of `spawn_request`'s `{reply, Reply}` option: whether a success and an
/// error are replied to. None for a bad value.
pub(super) fn reply_option(v: Term) -> Option<(bool, bool)> {
    match v.as_atom().map(|x| x.name()) {
        Some("yes") => Some((true, true)),
        Some("no") => Some((false, false)),
        Some("error_only") => Some((false, true)),
        Some("success_only") => Some((true, false)),
        _ => None,
    }
}

/// `erts_internal:dist_spawn_request(Node, {M, F, Args}, Opts, spawn_request |
/// spawn_opt)`: sends the request to `Node`; the reply comes as a message. Returns the
/// request reference (for `spawn_opt`, with whether a monitor was asked for), or
/// `badarg`.
fn dist_spawn_request(p: &mut Process, a: &[Term]) -> BifResult {
    let bad = || Ok(Term::atom(am::BADARG));
    let Some(node) = a[0].as_atom() else {
        return bad();
    };
    let mfa = a[1];
    if !is_tuple(mfa) || tuple_arity(mfa) != 3 {
        return bad();
    }
    let (Some(m), Some(f), args) = (
        tuple_get(mfa, 0).as_atom(),
        tuple_get(mfa, 1).as_atom(),
        tuple_get(mfa, 2),
    ) else {
        return bad();
    };
    let (Some(_), Some(opts)) = (list_length(args), list_to_vec(a[2])) else {
        return bad();
    };
    let is_spawn_request = is_atom(a[3], "spawn_request");
    let mut tag = Term::atom(Atom::from_str("spawn_reply"));
    let (mut on_ok, mut on_error) = (true, true);
    let mut monitor: Option<MonitorOptions> = None;
    // What the serving node acts on (`link` among them) goes along.
    let mut pass = Vec::new();
    for o in opts {
        let pair = is_tuple(o) && tuple_arity(o) == 2;
        if is_atom(o, "monitor") {
            monitor.get_or_insert_with(MonitorOptions::default);
        } else if pair && is_atom(tuple_get(o, 0), "monitor") {
            match monitor_options(tuple_get(o, 1)) {
                Ok(mo) => monitor = Some(mo),
                Err(_) => return bad(),
            }
            continue;
        } else if pair && is_spawn_request && is_atom(tuple_get(o, 0), "reply_tag") {
            tag = tuple_get(o, 1);
            continue;
        } else if pair && is_spawn_request && is_atom(tuple_get(o, 0), "reply") {
            match reply_option(tuple_get(o, 1)) {
                Some(r) => (on_ok, on_error) = r,
                None => return bad(),
            }
            continue;
        }
        pass.push(o);
    }
    let r = new_ref(p);
    let id = ref_id(r);
    let mut sent_opts = pass;
    if monitor.is_some() {
        sent_opts.retain(|&o| !is_atom(o, "monitor"));
        sent_opts.push(Term::atom(Atom::from_str("monitor")));
    }
    let sent_opts = list_from_iter(&mut p.heap, &sent_opts, Term::NIL);
    let pending = crate::dist::spawn::Pending {
        requester: p.id,
        node,
        conn: 0,
        tag: sched::copy_to_fragment(tag),
        on_ok,
        on_error,
        monitor: monitor
            .as_ref()
            .map(|mo| mo.tag.map(sched::copy_to_fragment)),
    };
    let sent = crate::dist::alive()
        && crate::dist::spawn::send_request(
            p.pid,
            p.group_leader,
            node,
            id,
            (m, f, args),
            sent_opts,
            pending,
        );
    if sent {
        if let Some(mo) = &monitor {
            if let Some(mode) = mo.alias {
                monitors::activate_alias(p, id, mode);
            }
            let watched = monitors::Watched {
                ref_id: id,
                target: crate::dist::DIST_LINK,
                name: None,
            };
            p.monitoring.insert(id, watched);
        }
    } else if on_error {
        let reason = Term::atom(Atom::from_str("noconnection"));
        let msg = make_tuple(
            &mut p.heap,
            &[tag, r, Term::atom(Atom::from_str("error")), reason],
        );
        let m = sched::copy_to_fragment(msg);
        sched::enqueue(p, m);
    }
    if is_spawn_request {
        Ok(r)
    } else {
        Ok(make_tuple(
            &mut p.heap,
            &[r, Term::boolean(monitor.is_some())],
        ))
    }
}

pub fn register_dist() {
    super::reg("erts_internal", "dist_spawn_request", 4, dist_spawn_request);
}
