//! BIFs over the match specification engine (`crate::match_spec`):
//! `erlang:match_spec_test/3`, `ets:match_spec_compile/1`, `ets:is_compiled_ms/1` and
//! `ets:match_spec_run_r/3` (`ets:match_spec_run/2` is Erlang on top of it).
//!
//! `ets:match_spec_compile/1` returns a reference standing for the compiled
//! specification (the reference returns a "magic" reference); compiled specifications
//! are kept for the life of the VM (see [`crate::match_spec::register_compiled`]).

use super::reg;
use crate::bif::{BifResult, BADARG};
use crate::match_spec::{self, Flavor, MatchSpec, Outcome, Scratch, TraceHooks};
use crate::object::*;
use crate::process::Process;
use crate::sched;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use std::sync::Arc;

/// What the trace-only functions see in `erlang:match_spec_test/3`: the calling
/// process, no caller, no sequential trace token; flag changes are checked only.
struct TestHooks {
    pid: Term,
}

impl TraceHooks for TestHooks {
    fn display(&mut self, t: Term) {
        let s = crate::print::format_term(t, crate::print::Style::Display);
        // As erlang:display/1, the reference ends the line with CR LF.
        crate::report::write_stdout(format!("{s}\r\n").as_bytes());
    }
    fn process_dump(&mut self) -> Vec<u8> {
        let pid = crate::print::format_term(self.pid, crate::print::Style::Write);
        format!("=proc:{pid}\nState: Running\n").into_bytes()
    }
    fn process_exists(&mut self, tracee: Term) -> bool {
        if tracee.is_local_pid() {
            tracee == self.pid || sched::slot(tracee.pid_value()).is_some()
        } else if let Some(name) = tracee.as_atom() {
            sched::whereis(name).is_some()
        } else {
            false
        }
    }
}

fn error_list(p: &mut Process, errors: &[Vec<u8>]) -> Term {
    let err = Term::atom(am::ERROR);
    let items: Vec<Term> = errors
        .iter()
        .map(|m| {
            let s = bytes_to_list(&mut p.heap, m, Term::NIL);
            make_tuple(&mut p.heap, &[err, s])
        })
        .collect();
    list_from_iter(&mut p.heap, &items, Term::NIL)
}

/// `erlang:match_spec_test(MatchAgainst, MatchSpec, Type)`.
fn match_spec_test(p: &mut Process, a: &[Term]) -> BifResult {
    let flavor = match a[2].as_atom().map(|x| x.name()) {
        Some("table") => Flavor::Table,
        Some("trace") => Flavor::Trace,
        _ => return Err(BADARG),
    };
    if flavor == Flavor::Trace && !(a[0].is_list() || a[0].is_nil()) {
        return Err(BADARG);
    }
    let spec = match MatchSpec::compile_for_test(a[1], flavor) {
        Ok(s) => s,
        Err(e) => {
            let l = error_list(p, &e.errors);
            return Ok(make_tuple(&mut p.heap, &[Term::atom(am::ERROR), l]));
        }
    };
    let mut scratch = Scratch::default();
    let self_pid = p.pid;
    let (result, flags) = match flavor {
        Flavor::Table => match spec.run(a[0], self_pid, &mut scratch, &mut p.heap) {
            Outcome::Matched(t) => (t, Vec::new()),
            Outcome::NoMatch => (Term::FALSE, Vec::new()),
        },
        Flavor::Trace => {
            let mut hooks = TestHooks { pid: self_pid };
            let o = spec.run_trace(a[0], self_pid, &mut scratch, &mut p.heap, &mut hooks);
            let mut flags = Vec::new();
            if o.return_trace {
                flags.push(Term::atom(Atom::from_str("return_trace")));
            }
            if o.exception_trace {
                flags.push(Term::atom(Atom::from_str("exception_trace")));
            }
            (o.result.unwrap_or(Term::FALSE), flags)
        }
    };
    let fl = list_from_iter(&mut p.heap, &flags, Term::NIL);
    Ok(make_tuple(
        &mut p.heap,
        &[Term::atom(am::OK), result, fl, Term::NIL],
    ))
}

/// `ets:match_spec_compile(MatchSpec)`.
fn match_spec_compile(p: &mut Process, a: &[Term]) -> BifResult {
    let spec = MatchSpec::compile(a[0], Flavor::Table).map_err(|e| e.fault())?;
    let r = super::erlang::new_ref(p);
    match_spec::register_compiled(r, Arc::new(spec));
    Ok(r)
}

/// `ets:is_compiled_ms(Term)`.
fn is_compiled_ms(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(Term::boolean(match_spec::compiled(a[0]).is_some()))
}

/// `ets:match_spec_run_r(List, CompiledMatchSpec, Acc)`: the results of the objects
/// that match, consed onto `Acc` (last match first).
fn match_spec_run_r(p: &mut Process, a: &[Term]) -> BifResult {
    let spec = match_spec::compiled(a[1]).ok_or(BADARG)?;
    let mut scratch = Scratch::default();
    let self_pid = p.pid;
    let mut acc = a[2];
    let mut l = a[0];
    while l.is_list() {
        if let Outcome::Matched(t) = spec.run(head(l), self_pid, &mut scratch, &mut p.heap) {
            acc = cons(&mut p.heap, t, acc);
        }
        l = tail(l);
    }
    if !l.is_nil() {
        return Err(BADARG);
    }
    Ok(acc)
}

pub fn register() {
    reg("erlang", "match_spec_test", 3, match_spec_test);
    reg("ets", "match_spec_compile", 1, match_spec_compile);
    reg("ets", "is_compiled_ms", 1, is_compiled_ms);
    reg("ets", "match_spec_run_r", 3, match_spec_run_r);
}
