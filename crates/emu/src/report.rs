//! What the VM itself prints: crash reports of processes nobody watches, and the
//! standard output buffer.

use crate::heap::Fragment;
use crate::object::*;
use crate::process::{Message, Process};
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use parking_lot::Mutex;
use std::io::Write;

static STDOUT: Mutex<Option<std::io::BufWriter<std::io::Stdout>>> = Mutex::new(None);

/// Writes bytes to standard output (buffered; flushed at halt and when it fills).
pub fn write_stdout(bytes: &[u8]) {
    let mut g = STDOUT.lock();
    let w = g.get_or_insert_with(|| std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()));
    let _ = w.write_all(bytes);
}

pub fn flush_stdout() {
    if let Some(w) = STDOUT.lock().as_mut() {
        let _ = w.flush();
    }
}

pub fn write_stderr(bytes: &[u8]) {
    flush_stdout();
    let _ = std::io::stderr().write_all(bytes);
}

/// The process the runtime's own log events go to (`system_flag(system_logger, _)`):
/// OTP's `logger` once it runs. `Err(())` when they are to be dropped (`undefined`),
/// `Ok(None)` when no logger runs (oxbeam's built-in start-up, or early in the boot).
fn system_logger() -> Result<Option<u64>, ()> {
    let t = crate::bifs::system::system_logger();
    if t.is_local_pid() {
        return Ok(crate::sched::slot(t.pid_value()).map(|_| t.pid_value()));
    }
    match t.as_atom() {
        Some(a) if a == am::UNDEFINED => Err(()),
        Some(a) => Ok(crate::sched::whereis(a)),
        None => Ok(None),
    }
}

/// Sends the logger `{log, error, Format, Args, Meta}` as erl's runtime does.
fn log_error(logger: u64, p: &Process, format: &str, args: &[Term]) {
    let size = 64
        + 2 * format.len()
        + args.iter().map(|&a| size_of_term(a)).sum::<usize>()
        + size_of_term(p.group_leader);
    let mut f = Fragment::new(size);
    // Another node's process as group leader lives on the (exiting) process's heap.
    let gl = copy_term(&mut f, p.group_leader);
    let args: Vec<Term> = args.iter().map(|&a| copy_term(&mut f, a)).collect();
    let args = list_from_iter(&mut f, &args, Term::NIL);
    let format = string_to_list(&mut f, format);
    let atom = |s: &str| Term::atom(Atom::from_str(s));
    let tag = crate::map::from_pairs(
        &mut f,
        &[
            (atom("emulator"), Term::atom(am::TRUE)),
            (atom("tag"), atom("error")),
        ],
    );
    let time = make_i64(&mut f, crate::time::system_ns() / 1000);
    let meta = crate::map::from_pairs(
        &mut f,
        &[
            (atom("error_logger"), tag),
            (atom("gl"), gl),
            (atom("pid"), p.pid),
            (atom("time"), time),
        ],
    );
    let msg = make_tuple(&mut f, &[atom("log"), atom("error"), format, args, meta]);
    crate::sched::deliver(
        logger,
        Message {
            term: msg,
            frag: Some(f),
        },
    );
}

/// The error report of a process that crashed: to the system logger as erl's runtime
/// sends it, or to stderr when no logger runs.
pub fn process_crashed(p: &Process, reason: Term) {
    match system_logger() {
        Err(()) => return,
        Ok(Some(logger)) => {
            return log_error(
                logger,
                p,
                "Error in process ~p with exit value:~n~p~n",
                &[p.pid, reason],
            )
        }
        Ok(None) => {}
    }
    let text = crate::print::format_term(reason, crate::print::Style::Print);
    let pid = crate::print::format_term(p.pid, crate::print::Style::Write);
    write_stderr(
        format!("=ERROR REPORT====\nError in process {pid} with exit value:\n{text}\n\n")
            .as_bytes(),
    );
}

/// A runtime error message in process `p`'s name (a module that cannot be loaded or
/// deleted): to the system logger as `{log, error, "~s~n", [Text], Meta}` the way erl's
/// runtime sends such text, or to stderr when no logger runs.
pub fn runtime_error(p: &Process, text: &str) {
    match system_logger() {
        Err(()) => {}
        Ok(Some(logger)) => {
            let mut f = Fragment::new(2 * text.len() + 8);
            let t = string_to_list(&mut f, text);
            log_error(logger, p, "~s~n", &[t]);
        }
        Ok(None) => write_stderr(format!("=ERROR REPORT====\n{text}\n").as_bytes()),
    }
}

/// The report of a process whose heap outgrew its `max_heap_size` (to stderr, in the
/// shape of the reference's report).
pub fn max_heap_size_reached(p: &Process, total_words: usize, limit_words: usize) {
    let pid = crate::print::format_term(p.pid, crate::print::Style::Write);
    let limit = p.max_heap_size;
    write_stderr(
        format!(
            "=ERROR REPORT====\n     Process:            {pid}\n     Context:            maximum heap size reached\n     Max Heap Size:      {limit_words}\n     Total Heap Size:    {total_words}\n     Kill:               {}\n     Error Logger:       {}\n     Message Queue Len:  {}\n\n",
            limit.kill,
            limit.error_logger,
            p.mailbox.len()
        )
        .as_bytes(),
    );
}
