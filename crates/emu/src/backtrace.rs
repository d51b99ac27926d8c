//! `process_info(P, backtrace)`: the text dump of a process's stack in the reference's
//! layout: the program counter, then each frame's y registers, each frame headed by its
//! return address. Addresses are oxbeam's own (instruction addresses and stack slots),
//! offsets are bytes from the start of the function, as the reference counts them.

use crate::code;
use crate::interp::PROCESS_EXIT;
use crate::ops::Op;
use crate::print::{format_term, Style};
use crate::process::Process;
use oxbeam_term::Term;
use std::fmt::Write;

/// `(module:function/arity + offset)` for a code address.
fn describe(addr: *const Op) -> String {
    if std::ptr::eq(addr, &PROCESS_EXIT) {
        return "<terminate process normally>".into();
    }
    if std::ptr::eq(addr, crate::trace::bp::return_trace_addr()) {
        return "<return trace>".into();
    }
    let Some(m) = code::module_of_addr(addr) else {
        return "unknown function".into();
    };
    let index = m.index_of(addr);
    match m.function_at(index) {
        Some(f) => {
            let offset = (index - f.start) * std::mem::size_of::<Op>();
            format!(
                "{}:{}/{} + {offset}",
                crate::print::format_atom(m.name.name()),
                crate::print::format_atom(f.name.name()),
                f.arity
            )
        }
        None => "unknown function".into(),
    }
}

fn y_line(out: &mut String, y: usize, w: Term) {
    let label = format!("y({y})");
    let value = if w.is_catch() {
        let catch_op = w.catch_addr() as *const Op;
        // SAFETY: catch markers hold the address of their `catch`/`try` instruction.
        let handler = match unsafe { &*catch_op } {
            Op::Catch { handler, .. } | Op::Try { handler, .. } => {
                crate::interp::jump(catch_op, *handler)
            }
            _ => catch_op,
        };
        format!("Catch 0x{:016x} ({})", handler as usize, describe(handler))
    } else {
        format_term(w, Style::Display)
    };
    let _ = writeln!(out, "{label:<9}{value}");
}

/// The dump of `t`'s stack. `in_bif` names the BIF the process is inside when it asks
/// about itself: the reference shows the BIF as the program counter and the caller as
/// the first return address.
pub fn dump(t: &Process, in_bif: Option<&str>) -> String {
    let mut out = String::new();
    let mut y = 0;
    match in_bif {
        Some(bif) => {
            let _ = writeln!(out, "Program counter: 0x{:016x} ({bif} + 0)", 0);
            let _ = write!(
                out,
                "\n0x{:016x} Return addr 0x{:016x} ({})\n",
                t.heap.stop as usize - std::mem::size_of::<Term>(),
                t.ip as usize,
                describe(t.ip)
            );
        }
        None => {
            // A hibernating process waits in the wake-up code, in no Erlang function.
            let function = if t.hibernating {
                "unknown function".into()
            } else {
                describe(t.ip)
            };
            let _ = writeln!(
                out,
                "Program counter: 0x{:016x} ({function})",
                t.ip as usize
            );
        }
    }
    let mut at = t.heap.stop as *const Term;
    while at < t.heap.end as *const Term {
        // SAFETY: the words between the stack top and the end of the block are the stack.
        let w = unsafe { *at };
        if w.is_header() && w.0 != 0 {
            let cp = w.0 as *const Op;
            let _ = write!(
                out,
                "\n0x{:016x} Return addr 0x{:016x} ({})\n",
                at as usize,
                cp as usize,
                describe(cp)
            );
            y = 0;
        } else {
            y_line(&mut out, y, w);
            y += 1;
        }
        // SAFETY: still inside the stack (checked by the loop condition).
        at = unsafe { at.add(1) };
    }
    out
}
