//! `erlang:process_info/1,2`.
//!
//! The target is read under its slot's process lock while it is not running; one that
//! is running on another scheduler is asked again after a yield (`Trap::Retry`), and
//! exit signals the caller sent it earlier are handled first, as the reference orders
//! them. Signals still in its inbox are handled before it is looked at, so queued
//! messages count.

use crate::bif::{BifResult, Fault, Trap, BADARG};
use crate::dist::{remote, DIST_LINK};
use crate::object::*;
use crate::process::{Process, Status};
use crate::sched;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use std::sync::atomic::Ordering;

/// The items `process_info/1` gives, in the reference's order (`registered_name`
/// first when the process has a name).
const DEFAULT_ITEMS: &[&str] = &[
    "current_function",
    "initial_call",
    "status",
    "message_queue_len",
    "links",
    "dictionary",
    "trap_exit",
    "error_handler",
    "priority",
    "group_leader",
    "total_heap_size",
    "heap_size",
    "stack_size",
    "reductions",
    "garbage_collection",
    "suspending",
];

/// The items `process_info/2` accepts besides `DEFAULT_ITEMS`.
const MORE_ITEMS: &[&str] = &[
    "current_location",
    "current_stacktrace",
    "messages",
    "monitors",
    "monitored_by",
    "registered_name",
    "memory",
    "catchlevel",
    "last_calls",
    "trace",
    "sequential_trace_token",
    "min_heap_size",
    "min_bin_vheap_size",
    "fullsweep_after",
    "max_heap_size",
    "message_queue_data",
    "parent",
    "binary",
    "garbage_collection_info",
    "backtrace",
];

fn atom(s: &str) -> Term {
    Term::atom(Atom::from_str(s))
}

fn item_name(t: Term) -> Result<&'static str, Fault> {
    let a = t.as_atom().ok_or(BADARG)?;
    DEFAULT_ITEMS
        .iter()
        .chain(MORE_ITEMS)
        .find(|&&k| k == a.name())
        .copied()
        .ok_or(BADARG)
}

/// Runs `f` on the target process (`None` for the caller itself); `Ok(None)` if it is
/// not alive.
pub(crate) fn with_process<R>(
    p: &mut Process,
    pid: Term,
    f: impl FnOnce(&mut Process, Option<&mut Process>) -> R,
) -> Result<Option<R>, Fault> {
    if pid == p.pid {
        return Ok(Some(f(p, None)));
    }
    if sched::exit_signal_pending(p.pid, pid.pid_value()) {
        return Err(Fault::Trap(Trap::Retry));
    }
    let Some(slot) = sched::slot(pid.pid_value()) else {
        return Ok(None);
    };
    let mut guard = slot.process.lock();
    match guard.as_mut() {
        Some(other) => {
            let me = p.id + 1;
            let _ = slot
                .observer
                .compare_exchange(me, 0, Ordering::AcqRel, Ordering::Relaxed);
            if let Some(reason) = sched::fetch_inbox(other) {
                // One of its signals ended it.
                if let Some(gone) = guard.take() {
                    drop(guard);
                    sched::finish(gone, reason);
                }
                return Ok(None);
            }
            Ok(Some(f(p, Some(other))))
        }
        None => {
            // Running on another scheduler: it stays out of the run queues once this
            // slice ends, until we had our look.
            let _ =
                slot.observer
                    .compare_exchange(0, p.id + 1, Ordering::AcqRel, Ordering::Relaxed);
            Err(Fault::Trap(Trap::Retry))
        }
    }
}

/// Bytes the process uses: its structures, heap blocks, queued messages and dictionary.
fn memory_of(t: &Process) -> usize {
    fixed_process_bytes()
        + (t.heap.young_size() + t.heap.old_size() + t.heap.frag_words()) * 8
        + t.mailbox.len() * std::mem::size_of::<crate::process::Message>()
        + t.dict.footprint()
        + t.saved_x.capacity() * 8
}

/// What every process holds besides its heap: the process structure, its table slot
/// and its signal queue (each `Arc` adds two counters).
pub fn fixed_process_bytes() -> usize {
    use std::mem::size_of;
    size_of::<Process>()
        + size_of::<sched::Slot>()
        + 16
        + size_of::<parking_lot::Mutex<std::collections::VecDeque<crate::process::Signal>>>()
        + 16
}

/// The value of one item for `t`, built on `p`'s heap.
fn item_value(p: &mut Process, target: Option<&mut Process>, name: &str) -> Term {
    let is_self = target.is_none();
    let mut target = target;
    // Values computed from the target before anything is built on the caller's heap.
    macro_rules! t {
        () => {
            match target.as_deref() {
                Some(o) => o,
                None => &*p,
            }
        };
    }
    match name {
        "heap_size" => Term::small(t!().heap.young_size() as i64),
        "total_heap_size" => {
            let t = t!();
            Term::small((t.heap.young_size() + t.heap.old_size() + t.heap.frag_words()) as i64)
        }
        "stack_size" => Term::small(t!().heap.stack_used() as i64),
        "memory" => Term::small(memory_of(t!()) as i64),
        "reductions" => {
            let t = t!();
            let running = if is_self {
                (crate::process::CONTEXT_REDS - t.reds_remaining()).max(0)
            } else {
                0
            };
            Term::small(t.reductions as i64 + running)
        }
        "message_queue_len" => Term::small(t!().mailbox.len() as i64),
        "messages" => {
            let msgs: Vec<Term> = t!().mailbox.iter().map(|m| m.term).collect();
            let copied: Vec<Term> = msgs.iter().map(|&m| copy_term(&mut p.heap, m)).collect();
            list_from_iter(&mut p.heap, &copied, Term::NIL)
        }
        "dictionary" => {
            let dict = t!().dict.pairs().to_vec();
            let mut v = Vec::with_capacity(dict.len());
            for kv in dict {
                let k = copy_term(&mut p.heap, kv[0]);
                let val = copy_term(&mut p.heap, kv[1]);
                v.push(make_tuple(&mut p.heap, &[k, val]));
            }
            list_from_iter(&mut p.heap, &v, Term::NIL)
        }
        "registered_name" => match sched::registered_name_of(t!().id) {
            Some(n) => Term::atom(n),
            None => Term::NIL,
        },
        "status" => {
            let id = t!().id;
            if sched::is_suspended(id) {
                atom("suspended")
            } else if is_self {
                atom("running")
            } else {
                let st = sched::slot(id).map(|s| *s.status.lock());
                atom(match st {
                    Some(Status::Runnable) => "runnable",
                    Some(Status::Running) => "running",
                    Some(Status::Suspended) => "suspended",
                    _ => "waiting",
                })
            }
        }
        "trap_exit" => Term::boolean(t!().trap_exit),
        "group_leader" => {
            // Another node's process as leader is a term on the target's heap.
            let gl = t!().group_leader;
            copy_term(&mut p.heap, gl)
        }
        "priority" => atom(t!().priority.name()),
        "error_handler" => Term::atom(t!().error_handler),
        "initial_call" => {
            let (m, f, a) = t!().initial_call;
            make_tuple(
                &mut p.heap,
                &[Term::atom(m), Term::atom(f), Term::small(a as i64)],
            )
        }
        "current_function" if t!().hibernating => make_tuple(
            &mut p.heap,
            &[Term::atom(am::ERLANG), atom("hibernate"), Term::small(3)],
        ),
        "current_function" => {
            let mut cur = t!().ip;
            if crate::code::module_of_addr(cur).is_none() {
                // In a BIF's export stub (called through a fun or apply): the caller,
                // as in the reference.
                if let Some(&cp) = crate::stacktrace::stack_cps(t!(), 1, cur).first() {
                    cur = cp.wrapping_sub(1);
                }
            }
            let mfa = crate::code::module_of_addr(cur).and_then(|m| {
                let idx = m.index_of(cur);
                m.function_at(idx).map(|f| (m.name, f.name, f.arity))
            });
            match mfa {
                Some((m, f, a)) => make_tuple(
                    &mut p.heap,
                    &[Term::atom(m), Term::atom(f), Term::small(a as i64)],
                ),
                None => Term::atom(am::UNDEFINED),
            }
        }
        "current_stacktrace" if t!().hibernating => Term::NIL,
        "current_stacktrace" | "current_location" => {
            let trace = match target.as_deref_mut() {
                Some(o) => {
                    let ip = crate::stacktrace::parked_ip(o.ip);
                    let t = crate::stacktrace::current(o, ip);
                    copy_term(&mut p.heap, t)
                }
                None => {
                    let ip = p.ip;
                    crate::stacktrace::current(p, ip)
                }
            };
            if name == "current_stacktrace" {
                trace
            } else if trace.is_list() {
                head(trace)
            } else {
                Term::atom(am::UNDEFINED)
            }
        }
        "backtrace" => {
            let text = match target.as_deref() {
                Some(o) => crate::backtrace::dump(o, None),
                None => crate::backtrace::dump(p, Some("erlang:process_info/2")),
            };
            make_binary(&mut p.heap, text.as_bytes())
        }
        "links" => {
            let links: Vec<u64> = sched::slot(t!().id)
                .map(|s| s.links.lock().clone())
                .unwrap_or_default();
            let mut v = Vec::with_capacity(links.len());
            for l in links {
                if l & DIST_LINK != 0 && l & crate::port::PORT_LINK == 0 {
                    if let Some(r) = remote::link_target(l & !DIST_LINK) {
                        v.push(r.term(&mut p.heap));
                    }
                } else {
                    v.push(crate::port::link_term(l));
                }
            }
            list_from_iter(&mut p.heap, &v, Term::NIL)
        }
        "monitors" => {
            let watched: Vec<sched::monitors::Watched> =
                t!().monitoring.iter().map(|e| *e.1).collect();
            let mut v = Vec::with_capacity(watched.len());
            for w in watched {
                if w.target == DIST_LINK {
                    let Some(m) = remote::out_monitor(w.ref_id) else {
                        continue;
                    };
                    let obj = match m.target {
                        remote::Target::Pid(r) => r.term(&mut p.heap),
                        remote::Target::Name(n) => {
                            make_tuple(&mut p.heap, &[Term::atom(n), Term::atom(m.node)])
                        }
                    };
                    v.push(make_tuple(&mut p.heap, &[Term::atom(am::PROCESS), obj]));
                    continue;
                }
                let obj = match w.name {
                    Some(n) => make_tuple(
                        &mut p.heap,
                        &[Term::atom(n), Term::atom(crate::node::name())],
                    ),
                    None => crate::port::link_term(w.target),
                };
                let kind = match w.target & crate::port::PORT_LINK {
                    0 => Term::atom(am::PROCESS),
                    _ => Term::atom(oxbeam_term::Atom::from_str("port")),
                };
                v.push(make_tuple(&mut p.heap, &[kind, obj]));
            }
            list_from_iter(&mut p.heap, &v, Term::NIL)
        }
        "monitored_by" => {
            let by: Vec<u64> = sched::slot(t!().id)
                .map(|s| s.monitors.lock().iter().map(|(_, w)| w.watcher).collect())
                .unwrap_or_default();
            let mut v = Vec::with_capacity(by.len());
            for w in by {
                if w & DIST_LINK != 0 {
                    if let Some(r) = remote::in_monitor_watcher(w & !DIST_LINK) {
                        v.push(r.term(&mut p.heap));
                    }
                } else {
                    v.push(Term::pid(w));
                }
            }
            list_from_iter(&mut p.heap, &v, Term::NIL)
        }
        "suspending" => {
            let list = t!().suspending.as_slice().to_vec();
            let mut v = Vec::with_capacity(list.len());
            // Processes that exited since are no longer suspended by it.
            for (target, n) in list.into_iter().filter(|&(t, _)| sched::slot(t).is_some()) {
                v.push(make_tuple(
                    &mut p.heap,
                    &[Term::pid(target), Term::small(n as i64), Term::small(0)],
                ));
            }
            list_from_iter(&mut p.heap, &v, Term::NIL)
        }
        "garbage_collection" => {
            let t = t!();
            let (mhs, vheap, min, fsa, minor) = (
                t.max_heap_size,
                t.min_bin_vheap_size,
                t.heap.min_heap_size,
                t.heap.fullsweep_after,
                t.heap.minor_gcs,
            );
            let mhs = max_heap_map(p, mhs);
            let pairs = [
                ("max_heap_size", mhs),
                ("min_bin_vheap_size", Term::small(vheap as i64)),
                ("min_heap_size", Term::small(min as i64)),
                ("fullsweep_after", Term::small(fsa as i64)),
                ("minor_gcs", Term::small(minor as i64)),
            ];
            let v: Vec<Term> = pairs
                .iter()
                .map(|&(k, val)| make_tuple(&mut p.heap, &[atom(k), val]))
                .collect();
            list_from_iter(&mut p.heap, &v, Term::NIL)
        }
        "binary" => {
            let bins = crate::heap::off_heap_binaries(&t!().heap);
            let mut v = Vec::with_capacity(bins.len());
            for (addr, size, refs, _) in bins {
                let a = make_integer(&mut p.heap, &num_bigint::BigInt::from(addr));
                v.push(make_tuple(
                    &mut p.heap,
                    &[a, Term::small(size as i64), Term::small(refs as i64)],
                ));
            }
            list_from_iter(&mut p.heap, &v, Term::NIL)
        }
        "garbage_collection_info" => {
            let t = t!();
            let h = &t.heap;
            let bins = crate::heap::off_heap_binaries(h);
            let vheap = |old: bool| -> usize {
                bins.iter()
                    .filter(|b| b.3 == old)
                    .map(|b| b.1)
                    .sum::<usize>()
                    / 8
            };
            let vblock = t.min_bin_vheap_size.max(46422) as i64;
            // What survived the last collection: the data below the high-water mark.
            let recent = (h.hwm as usize - h.start as usize) / 8;
            let pairs = [
                ("old_heap_block_size", h.old_size() as i64),
                ("heap_block_size", h.young_size() as i64),
                ("mbuf_size", h.frag_words() as i64),
                ("recent_size", recent as i64),
                ("stack_size", h.stack_used() as i64),
                ("old_heap_size", h.old_top as i64),
                ("heap_size", h.heap_used() as i64),
                ("bin_vheap_size", vheap(false) as i64),
                ("bin_vheap_block_size", vblock),
                ("bin_old_vheap_size", vheap(true) as i64),
                ("bin_old_vheap_block_size", vblock),
            ];
            let v: Vec<Term> = pairs
                .iter()
                .map(|&(k, val)| make_tuple(&mut p.heap, &[atom(k), Term::small(val)]))
                .collect();
            list_from_iter(&mut p.heap, &v, Term::NIL)
        }
        "min_heap_size" => Term::small(t!().heap.min_heap_size as i64),
        "min_bin_vheap_size" => Term::small(t!().min_bin_vheap_size as i64),
        "fullsweep_after" => Term::small(t!().heap.fullsweep_after as i64),
        "max_heap_size" => {
            let m = t!().max_heap_size;
            max_heap_map(p, m)
        }
        "message_queue_data" => atom(if t!().off_heap_messages {
            "off_heap"
        } else {
            "on_heap"
        }),
        "parent" => t!().parent,
        "catchlevel" => Term::small(t!().catches as i64),
        "last_calls" => Term::FALSE,
        "trace" => Term::small(crate::trace::internal_flags_word(t!().trace_flags) as i64),
        "sequential_trace_token" => {
            let tok = t!().seq_token;
            copy_term(&mut p.heap, tok)
        }
        _ => Term::atom(am::UNDEFINED),
    }
}

/// The `max_heap_size` setting as the map the reference shows.
pub fn max_heap_map(p: &mut Process, m: crate::process::MaxHeapSize) -> Term {
    let pairs = [
        (atom("error_logger"), Term::boolean(m.error_logger)),
        (atom("kill"), Term::boolean(m.kill)),
        (atom("size"), Term::small(m.size as i64)),
    ];
    crate::map::from_pairs(&mut p.heap, &pairs)
}

fn process_info2(p: &mut Process, a: &[Term]) -> BifResult {
    if !a[0].is_local_pid() {
        return Err(BADARG);
    }
    let single = a[1].is_atom();
    let items: Vec<&'static str> = if single {
        vec![item_name(a[1])?]
    } else {
        let list = list_to_vec(a[1]).ok_or(BADARG)?;
        list.into_iter().map(item_name).collect::<Result<_, _>>()?
    };
    let r = with_process(p, a[0], |me, mut other| {
        let mut out = Vec::with_capacity(items.len());
        for &name in &items {
            let v = item_value(me, other.as_deref_mut(), name);
            // registered_name alone, for a process without a name, is [].
            if single && name == "registered_name" && v == Term::NIL {
                return Term::NIL;
            }
            out.push(make_tuple(&mut me.heap, &[atom(name), v]));
        }
        if single {
            out[0]
        } else {
            list_from_iter(&mut me.heap, &out, Term::NIL)
        }
    })?;
    Ok(r.unwrap_or(Term::atom(am::UNDEFINED)))
}

fn process_info1(p: &mut Process, a: &[Term]) -> BifResult {
    if !a[0].is_local_pid() {
        return Err(BADARG);
    }
    let r = with_process(p, a[0], |me, mut other| {
        let id = other.as_deref().map_or(me.id, |o| o.id);
        let mut names: Vec<&str> = Vec::with_capacity(DEFAULT_ITEMS.len() + 1);
        if sched::registered_name_of(id).is_some() {
            names.push("registered_name");
        }
        names.extend_from_slice(DEFAULT_ITEMS);
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let v = item_value(me, other.as_deref_mut(), name);
            out.push(make_tuple(&mut me.heap, &[atom(name), v]));
        }
        list_from_iter(&mut me.heap, &out, Term::NIL)
    })?;
    Ok(r.unwrap_or(Term::atom(am::UNDEFINED)))
}

pub fn register() {
    use super::reg;
    reg("erlang", "process_info", 1, process_info1);
    reg("erlang", "process_info", 2, process_info2);
}
