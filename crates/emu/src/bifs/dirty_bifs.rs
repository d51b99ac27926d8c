//! The BIFs that run on dirty schedulers: `erts_debug:dirty_cpu/2`, `dirty_io/2` and
//! `dirty/3` (the reference's own probes of its dirty schedulers), and
//! `erts_internal:is_process_executing_dirty/1`.

use super::reg;
use crate::bif::{BifResult, BADARG};
use crate::process::Process;
use crate::sched::dirty::{self, DirtyKind};
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};

/// The probe itself: `(scheduler, type)` names the kind of scheduler running it,
/// `(wait, Ms)` holds that scheduler for `Ms` milliseconds.
fn probe(_p: &mut Process, a: &[Term]) -> BifResult {
    let what = a[0].as_atom().ok_or(BADARG)?;
    match what.name() {
        "scheduler" if a[1].as_atom().is_some_and(|t| t.name() == "type") => {
            Ok(Term::atom(Atom::from_str(match dirty::current() {
                None => "normal",
                Some(DirtyKind::Cpu) => "dirty_cpu",
                Some(DirtyKind::Io) => "dirty_io",
            })))
        }
        "wait" => {
            // A negative time is no wait, as in the reference.
            let ms = a[1].as_small().ok_or(BADARG)?.max(0);
            std::thread::sleep(std::time::Duration::from_millis(ms as u64));
            Ok(Term::atom(am::OK))
        }
        _ => Err(BADARG),
    }
}

fn dirty_cpu2(p: &mut Process, a: &[Term]) -> BifResult {
    dirty::call(p, a, DirtyKind::Cpu, probe)
}

fn dirty_io2(p: &mut Process, a: &[Term]) -> BifResult {
    dirty::call(p, a, DirtyKind::Io, probe)
}

fn dirty3(p: &mut Process, a: &[Term]) -> BifResult {
    let kind = a[0].as_atom().ok_or(BADARG)?;
    match kind.name() {
        "normal" => probe(p, &a[1..]),
        "dirty_cpu" => dirty::call(p, &a[1..], DirtyKind::Cpu, probe),
        "dirty_io" => dirty::call(p, &a[1..], DirtyKind::Io, probe),
        _ => Err(BADARG),
    }
}

fn is_process_executing_dirty(p: &mut Process, a: &[Term]) -> BifResult {
    if !a[0].is_local_pid() {
        return Err(BADARG);
    }
    if a[0].pid_value() == p.id {
        return Ok(Term::boolean(dirty::current().is_some()));
    }
    Ok(Term::boolean(crate::sched::is_executing_dirty(
        a[0].pid_value(),
    )))
}

pub fn register() {
    reg("erts_debug", "dirty_cpu", 2, dirty_cpu2);
    reg("erts_debug", "dirty_io", 2, dirty_io2);
    reg("erts_debug", "dirty", 3, dirty3);
    reg(
        "erts_internal",
        "is_process_executing_dirty",
        1,
        is_process_executing_dirty,
    );
}
