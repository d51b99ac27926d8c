//! Erlang Term Storage: tables of tuples shared between processes.
//!
//! Objects are copied into the table (`stored.rs`) and copied out to the reader's heap,
//! as in the reference. `hash_store.rs` and `ordered_store.rs` hold the objects,
//! `table.rs` a table's options and locks, `registry.rs` the tables by tid and name;
//! the BIFs are in `crate::bifs::ets_bifs`.

pub mod hash_store;
pub mod ordered_store;
pub mod registry;
pub mod stored;
pub mod table;

use crate::bif::Fault;
use crate::heap::Fragment;
use crate::object::*;
use crate::process::{Message, Process};
use crate::sched::{self, exit_hooks};
use oxbeam_term::{Atom, Term};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use table::{Protection, Table};

/// What a caller wants to do with a table.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
    /// Only needs the table to exist (`info`, `whereis`).
    Any,
}

/// The table `tab` (a tid or a name) if it exists and `p` may access it so. The
/// `badarg` names its cause as the reference's `error_info` does: `type` (not a tid or
/// an atom), `id` (no such table) or `access`.
pub fn resolve(p: &Process, tab: Term, access: Access) -> Result<Arc<Table>, Fault> {
    let cause = |c: &str| Fault::badarg_cause(Term::atom(oxbeam_term::Atom::from_str(c)));
    if !(tab.is_atom() || is_ref(tab)) {
        return Err(cause("type"));
    }
    let t = lookup(tab).ok_or_else(|| cause("id"))?;
    let allowed = match (t.protection(), access) {
        (_, Access::Any) | (Protection::Public, _) => true,
        (Protection::Protected, Access::Read) => true,
        _ => t.owner() == p.pid,
    };
    if allowed {
        Ok(t)
    } else {
        Err(cause("access"))
    }
}

/// The live table `tab` names, without access checks.
pub fn lookup(tab: Term) -> Option<Arc<Table>> {
    if let Some(a) = tab.as_atom() {
        registry::find(true, registry::name_key(a))
    } else if is_ref(tab) {
        registry::find(false, ref_id(tab))
    } else {
        None
    }
}

/// The term ets:new returned for the table: its name if named, else its tid.
pub fn table_term<A: Alloc + ?Sized>(a: &mut A, t: &Table) -> Term {
    if t.named {
        Term::atom(t.name())
    } else {
        make_ref(a, t.id)
    }
}

/// Whether `pid` is a live local process.
pub fn is_alive(pid: Term) -> bool {
    pid.is_local_pid()
        && sched::slot(pid.pid_value()).is_some_and(|s| !s.dead.load(Ordering::Acquire))
}

/// Marks `p` as needing ETS cleanup when it exits.
pub fn note_user(p: &mut Process) {
    if p.exit_hooks & exit_hooks::ETS == 0 {
        p.exit_hooks |= exit_hooks::ETS;
        exit_hooks::register(exit_hooks::ETS, process_exited);
    }
}

/// Deletes a table: it leaves the registry and its objects are freed.
pub fn delete_table(t: &Table) {
    registry::remove(t);
    t.drop_contents();
}

/// Sends `{'ETS-TRANSFER', Tab, From, Data}` to `to`, built from the table's own copy of
/// `data` (no process heap needed: this runs at owner exit too).
pub fn send_transfer(t: &Table, to: Term, from: Term, data: Term) {
    let mut f = Fragment::new(5 + 2 + size_of_term(data));
    let tab = table_term(&mut f, t);
    let data = copy_term(&mut f, data);
    let msg = make_tuple(
        &mut f,
        &[Term::atom(Atom::from_str("ETS-TRANSFER")), tab, from, data],
    );
    sched::deliver(
        to.pid_value(),
        Message {
            term: msg,
            frag: Some(f),
        },
    );
}

/// At a process's exit: its fixations go, its tables go to their heirs or are deleted.
fn process_exited(pid: Term, _id: u64) {
    for t in registry::fixed_tables() {
        t.unfix(pid, true);
    }
    for t in registry::owned_by(pid) {
        // The heir stays set after inheriting, as in the reference.
        let heir = t.heir.lock();
        match heir.as_ref() {
            Some(h) if h.pid != pid && is_alive(h.pid) => {
                registry::change_owner(&t, h.pid);
                send_transfer(&t, h.pid, pid, h.data.term());
            }
            _ => {
                drop(heir);
                delete_table(&t);
            }
        }
    }
}
