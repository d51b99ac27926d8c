//! Code loading and purging: `erlang:prepare_loading/2` (its BIF part,
//! `erts_internal:prepare_loading/2`), `finish_loading/1`, `has_prepared_code_on_load/1`,
//! `delete_module/1`, `check_old_code/1`, `loaded/0`, `pre_loaded/0`,
//! `call_on_load_function/1`, `finish_after_on_load/2`, and for the code purger
//! (`erts_code_purger.erl`, which runs as a registered system process as in the
//! reference) `erts_internal:purge_module/2`, `check_process_code/1` and
//! `request_system_task/3,4`. `erlang:load_module/2`, `purge_module/1` and
//! `check_process_code/2,3` are the reference's Erlang code on top of these.
//!
//! The versions themselves (current, old, waiting for on_load) are in `code.rs`.

use super::reg;
use crate::bif::{BifResult, Class, Fault, Trap, BADARG};
use crate::code::{self, Module};
use crate::magic::{self, Magic, PreparedCode};
use crate::object::*;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use parking_lot::Mutex;
use std::sync::Arc;

fn atom(s: &str) -> Term {
    Term::atom(Atom::from_str(s))
}

/// The reference's preloaded modules, in the order `erlang:pre_loaded/0` gives them.
/// Here they load from `erts-*/ebin` on first use; asking whether they are loaded loads
/// them (they are always there in the reference).
const PRE_LOADED: &[&str] = &[
    "persistent_term",
    "counters",
    "atomics",
    "erts_dirty_process_signal_handler",
    "erts_literal_area_collector",
    "erl_tracer",
    "erts_internal",
    "erlang",
    "erl_prim_loader",
    "prim_zip",
    "prim_net",
    "prim_socket",
    "socket_registry",
    "zlib",
    "prim_file",
    "prim_inet",
    "prim_eval",
    "prim_buffer",
    "init",
    "erl_init",
    "erts_code_purger",
];

pub(crate) fn is_pre_loaded(m: Atom) -> bool {
    PRE_LOADED.contains(&m.name())
}

/// An error report from the VM itself (the reference sends these to the logger).
/// The prepared code a magic reference names.
fn prepared_of(t: Term) -> Option<&'static PreparedCode> {
    match magic::magic_of(t)? {
        Magic::Prepared(pc) => Some(pc),
        _ => None,
    }
}

// ---------------------------------------------------------------- loading

/// `erts_internal:prepare_loading(Module, Code)`: a reference naming the prepared code,
/// or `{error, badfile}`.
fn prepare_loading(p: &mut Process, a: &[Term]) -> BifResult {
    let module = a[0].as_atom().ok_or(BADARG)?;
    let bytes = binary_bytes(a[1]).ok_or(BADARG)?;
    let built = crate::loading::prepare(module.name(), &bytes).and_then(|m| {
        if m.name == module {
            Ok(m)
        } else {
            Err(crate::loading::LoadFailure::BadFile(format!(
                "module name in object code is {}",
                m.name
            )))
        }
    });
    match built {
        Ok(m) => {
            let pc = PreparedCode {
                module,
                has_on_load: m.on_load.is_some(),
                code: Mutex::new(Some(Arc::new(m))),
            };
            let (id, m) = magic::register(Magic::Prepared(pc));
            Ok(magic::make_magic_ref(&mut p.heap, id, m))
        }
        Err(e) => {
            let text = format!("Error loading module {}:\n  {e}\n", module.name());
            crate::report::runtime_error(p, &text);
            Ok(make_tuple(
                &mut p.heap,
                &[Term::atom(am::ERROR), atom("badfile")],
            ))
        }
    }
}

fn has_prepared_code_on_load(_p: &mut Process, a: &[Term]) -> BifResult {
    let pc = prepared_of(a[0]).ok_or(BADARG)?;
    Ok(Term::boolean(pc.has_on_load))
}

/// Serialises `finish_loading/1` calls, so that a prepared module loads once.
static FINISHING: Mutex<()> = Mutex::new(());

/// An error of `erlang:finish_loading/1` reported with the argument as the reference
/// reports it (the part of the list not looked at yet).
fn finish_loading_error(p: &mut Process, reason: Term, rest: Term) -> Fault {
    let args = list_from_iter(&mut p.heap, &[rest], Term::NIL);
    let ip = p.ip;
    let trace = crate::stacktrace::build(
        p,
        ip,
        crate::stacktrace::Top::Bif {
            module: am::ERLANG,
            function: Atom::from_str("finish_loading"),
            args,
            cause: None,
        },
    );
    Fault::Reraise(Class::Error, reason, trace)
}

fn finish_loading(p: &mut Process, a: &[Term]) -> BifResult {
    let items = list_to_vec(a[0]).ok_or(BADARG)?;
    let _g = FINISHING.lock();
    let mut prepared = Vec::with_capacity(items.len());
    let mut rest = a[0];
    for &item in &items {
        let pc = prepared_of(item).ok_or_else(|| finish_loading_error(p, am_badarg(), rest))?;
        let m = pc
            .code
            .lock()
            .clone()
            .ok_or_else(|| finish_loading_error(p, am_badarg(), rest))?;
        prepared.push((pc, m));
        rest = tail(rest);
    }
    // Modules with an on_load function load one at a time.
    if prepared.len() > 1 && prepared.iter().any(|(pc, _)| pc.has_on_load) {
        return Err(finish_loading_error(p, Term::atom(am::SYSTEM_LIMIT), rest));
    }
    let mods: Vec<Arc<Module>> = prepared.iter().map(|(_, m)| m.clone()).collect();
    let tagged = |p: &mut Process, tag: &str, names: Vec<Atom>| {
        let l: Vec<Term> = names.into_iter().map(Term::atom).collect();
        let l = list_from_iter(&mut p.heap, &l, Term::NIL);
        make_tuple(&mut p.heap, &[atom(tag), l])
    };
    match code::finish_loading(mods) {
        Ok(on_load) => {
            for (pc, _) in &prepared {
                pc.code.lock().take();
            }
            if on_load.is_empty() {
                Ok(Term::atom(am::OK))
            } else {
                Ok(tagged(p, "on_load", on_load))
            }
        }
        Err(code::FinishError::Duplicated(names)) => Ok(tagged(p, "duplicated", names)),
        Err(code::FinishError::NotPurged(names)) => Ok(tagged(p, "not_purged", names)),
    }
}

fn am_badarg() -> Term {
    Term::atom(am::BADARG)
}

fn delete_module(p: &mut Process, a: &[Term]) -> BifResult {
    let m = a[0].as_atom().ok_or(BADARG)?;
    match code::delete_module(m) {
        code::Deleted::Undefined => Ok(Term::atom(am::UNDEFINED)),
        code::Deleted::NotPurged => {
            let text = format!("Module {} must be purged before deleting\n", m.name());
            crate::report::runtime_error(p, &text);
            Err(BADARG)
        }
        code::Deleted::Done => Ok(Term::TRUE),
    }
}

fn check_old_code(_p: &mut Process, a: &[Term]) -> BifResult {
    let m = a[0].as_atom().ok_or(BADARG)?;
    Ok(Term::boolean(code::has_old_code(m)))
}

/// Whether `m` has current code; a preloaded module is loaded first if need be.
pub fn module_is_loaded(m: Atom) -> bool {
    if is_pre_loaded(m) {
        let _ = crate::loading::ensure_loaded(m);
    }
    code::get_module(m).is_some()
}

fn loaded(p: &mut Process, _a: &[Term]) -> BifResult {
    for name in PRE_LOADED {
        let _ = crate::loading::ensure_loaded(Atom::from_str(name));
    }
    let mut mods = code::loaded_modules();
    mods.sort_by(|x, y| x.name().cmp(y.name()));
    let l: Vec<Term> = mods.into_iter().map(Term::atom).collect();
    Ok(list_from_iter(&mut p.heap, &l, Term::NIL))
}

fn pre_loaded(p: &mut Process, _a: &[Term]) -> BifResult {
    let l: Vec<Term> = PRE_LOADED.iter().map(|n| atom(n)).collect();
    Ok(list_from_iter(&mut p.heap, &l, Term::NIL))
}

// ---------------------------------------------------------------- on_load

/// `erlang:call_on_load_function(Module)`: runs the on_load function of the module's code
/// that waits for it, in place of this call.
fn call_on_load_function(_p: &mut Process, a: &[Term]) -> BifResult {
    let m = a[0].as_atom().ok_or(BADARG)?;
    let entry = code::on_load_function(m).ok_or(BADARG)?;
    Err(Fault::Trap(Trap::CallCode(entry as usize)))
}

fn finish_after_on_load(_p: &mut Process, a: &[Term]) -> BifResult {
    let keep = match a[1] {
        Term::TRUE => true,
        Term::FALSE => false,
        _ => return Err(BADARG),
    };
    let m = a[0].as_atom().ok_or(BADARG)?;
    code::finish_after_on_load(m, keep).map_err(|_| BADARG)?;
    Ok(Term::TRUE)
}

/// `oxbeam_code:on_load_runner(Module)`, for a caller of a module loaded on demand whose
/// on_load function has not succeeded yet (see `oxbeam_code.erl`): `loaded` when the
/// module has current code, `not_loaded` when it has neither that nor code waiting,
/// `self` when the caller is the process running the on_load function, else the pid of
/// that process (started now if nobody runs it).
fn on_load_runner(p: &mut Process, a: &[Term]) -> BifResult {
    let m = a[0].as_atom().ok_or(BADARG)?;
    match code::on_load_runner(m) {
        None if code::get_module(m).is_some() => Ok(atom("loaded")),
        None => Ok(atom("not_loaded")),
        Some(id) if id == p.id => Ok(atom("self")),
        Some(id) if id != 0 && crate::sched::slot(id).is_some() => Ok(Term::pid(id)),
        Some(_) => {
            let pid = crate::sched::try_spawn(
                Some(p),
                Atom::from_str("oxbeam_code"),
                Atom::from_str("run_on_load"),
                &[Term::atom(m)],
                0,
                crate::sched::SpawnLinks::default(),
            )
            .ok_or(Fault::Error(Term::atom(am::SYSTEM_LIMIT)))?;
            code::set_on_load_runner(m, pid.pid_value());
            Ok(pid)
        }
    }
}

// ---------------------------------------------------------------- purging

/// Whether the caller is the registered code purger (only it may purge).
fn is_code_purger(p: &Process) -> bool {
    crate::sched::whereis(Atom::from_str("erts_code_purger")) == Some(p.id)
}

/// `erts_internal:purge_module(Module, prepare | prepare_on_load | abort | complete)`.
fn purge_module(p: &mut Process, a: &[Term]) -> BifResult {
    if !is_code_purger(p) {
        return Err(Fault::Error(atom("notsup")));
    }
    let m = a[0].as_atom().ok_or(BADARG)?;
    let op = a[1].as_atom().ok_or(BADARG)?;
    let r = match op.name() {
        "prepare" => code::purge_prepare(m, false),
        "prepare_on_load" => code::purge_prepare(m, true),
        "abort" => code::purge_abort(m).map(|_| false),
        "complete" => code::purge_complete(m),
        _ => return Err(BADARG),
    };
    r.map(Term::boolean).map_err(|_| BADARG)
}

/// `erts_code_purger:pending_purge_lambda(Module, Fun, Args)`: where a call of a fun of
/// code being purged waits until the purge is done (or called off), then calls it.
fn pending_purge_lambda(_p: &mut Process, a: &[Term]) -> BifResult {
    if a[0].as_atom().is_some() && code::purge_in_progress() == a[0].as_atom() {
        return Err(Fault::Trap(Trap::Retry));
    }
    Err(Fault::Trap(Trap::ApplyFun {
        fun: a[1],
        args: a[2],
    }))
}

/// `erts_internal:check_process_code(Module)` for the calling process.
fn check_process_code(p: &mut Process, a: &[Term]) -> BifResult {
    let m = a[0].as_atom().ok_or(BADARG)?;
    Ok(Term::boolean(code::uses_old_code(p, m, true)))
}

/// What a system task request asks.
enum Task {
    CheckProcessCode(Atom),
    GarbageCollect,
}

fn parse_task(prio: Term, req: Term) -> Result<(Task, Term, Term), Fault> {
    match prio.as_atom().map(|a| a.name()) {
        Some("max" | "high" | "normal" | "low" | "inherit") => {}
        _ => return Err(BADARG),
    }
    if !is_tuple(req) || tuple_arity(req) != 3 {
        return Err(BADARG);
    }
    let (kind, id, arg) = (tuple_get(req, 0), tuple_get(req, 1), tuple_get(req, 2));
    let task = match kind.as_atom().map(|a| a.name()) {
        Some("check_process_code") => Task::CheckProcessCode(arg.as_atom().ok_or(BADARG)?),
        Some("garbage_collect")
            if matches!(arg.as_atom().map(|a| a.name()), Some("major" | "minor")) =>
        {
            Task::GarbageCollect
        }
        _ => return Err(BADARG),
    };
    Ok((task, kind, id))
}

/// Performs a system task on process `target` and sends `{Kind, ReqId, Result}` to
/// `requester`, as the reference's target does when it handles the request. A target
/// that runs on another scheduler is looked at after a yield (the call is retried).
fn system_task(p: &mut Process, requester: Term, target: Term, prio: Term, req: Term) -> BifResult {
    if !target.is_local_pid() || !requester.is_local_pid() {
        return Err(BADARG);
    }
    let (task, kind, id) = parse_task(prio, req)?;
    let result = super::process_info::with_process(p, target, |me, other| match &task {
        Task::CheckProcessCode(m) => match other {
            Some(o) => code::uses_old_code(o, *m, false),
            None => code::uses_old_code(me, *m, true),
        },
        Task::GarbageCollect => true,
    })?;
    let value = Term::boolean(result.unwrap_or(false));
    let msg = make_tuple(&mut p.heap, &[kind, id, value]);
    crate::sched::send(p, requester, msg)?;
    Ok(Term::atom(am::OK))
}

fn request_system_task3(p: &mut Process, a: &[Term]) -> BifResult {
    let me = p.pid;
    system_task(p, me, a[0], a[1], a[2])
}

fn request_system_task4(p: &mut Process, a: &[Term]) -> BifResult {
    system_task(p, a[0], a[1], a[2], a[3])
}

// ---------------------------------------------------------------- BEAM files

/// The data of chunk `id` of an IFF (BEAM) file, as `(offset, size)`; None when the file
/// is not one or has no such chunk (or it is empty).
fn find_chunk(bytes: &[u8], id: &[u8; 4]) -> Option<(usize, usize)> {
    let u32_at = |at: usize| -> Option<usize> {
        let b = bytes.get(at..at + 4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    if bytes.get(0..4)? != b"FOR1" {
        return None;
    }
    let form_end = 8usize.checked_add(u32_at(4)?)?;
    if form_end > bytes.len() || bytes.get(8..12)? != b"BEAM" {
        return None;
    }
    let mut at = 12;
    while at + 8 <= form_end {
        let cid = &bytes[at..at + 4];
        let size = u32_at(at + 4)?;
        let data = at + 8;
        if data.checked_add(size)? > form_end {
            return None;
        }
        if cid == id {
            return (size > 0).then_some((data, size));
        }
        at = data + size.div_ceil(4) * 4;
    }
    None
}

/// `erts_internal:beamfile_chunk(Binary, ChunkId)`: the chunk's data (a sub-binary) or
/// `undefined`.
fn beamfile_chunk(p: &mut Process, a: &[Term]) -> BifResult {
    let ids = list_to_vec(a[1]).ok_or(BADARG)?;
    if ids.len() != 4 {
        return Err(BADARG);
    }
    let mut id = [0u8; 4];
    for (slot, t) in id.iter_mut().zip(&ids) {
        *slot = t
            .as_small()
            .filter(|b| (0..=255).contains(b))
            .ok_or(BADARG)? as u8;
    }
    let bytes = binary_bytes(a[0]).ok_or(BADARG)?;
    match find_chunk(&bytes, &id) {
        Some((off, size)) => Ok(make_sub_binary(&mut p.heap, a[0], off * 8, size * 8)),
        None => Ok(Term::atom(am::UNDEFINED)),
    }
}

/// `erts_internal:beamfile_module_md5(Binary)`: the MD5 `module_info(md5)` reports for
/// the module in it, or `undefined` if it is not a valid BEAM file.
fn beamfile_module_md5(p: &mut Process, a: &[Term]) -> BifResult {
    let bytes = binary_bytes(a[0]).ok_or(BADARG)?;
    match oxbeam_loader::parse_beam("", &bytes) {
        Ok(beam) => {
            let md5 = crate::loading::module_md5(&beam);
            Ok(make_binary(&mut p.heap, &md5))
        }
        Err(_) => Ok(Term::atom(am::UNDEFINED)),
    }
}

pub fn register() {
    reg("erts_internal", "prepare_loading", 2, prepare_loading);
    reg(
        "erlang",
        "has_prepared_code_on_load",
        1,
        has_prepared_code_on_load,
    );
    reg("erlang", "finish_loading", 1, finish_loading);
    reg("erlang", "delete_module", 1, delete_module);
    reg("erlang", "check_old_code", 1, check_old_code);
    reg("erlang", "loaded", 0, loaded);
    reg("erlang", "pre_loaded", 0, pre_loaded);
    reg("erlang", "call_on_load_function", 1, call_on_load_function);
    reg("erlang", "finish_after_on_load", 2, finish_after_on_load);
    reg("oxbeam_code", "on_load_runner", 1, on_load_runner);
    reg("erts_internal", "purge_module", 2, purge_module);
    reg(
        "erts_code_purger",
        "pending_purge_lambda",
        3,
        pending_purge_lambda,
    );
    reg("erts_internal", "check_process_code", 1, check_process_code);
    reg(
        "erts_internal",
        "request_system_task",
        3,
        request_system_task3,
    );
    reg(
        "erts_internal",
        "request_system_task",
        4,
        request_system_task4,
    );
    reg("erts_internal", "beamfile_chunk", 2, beamfile_chunk);
    reg(
        "erts_internal",
        "beamfile_module_md5",
        1,
        beamfile_module_md5,
    );
}
