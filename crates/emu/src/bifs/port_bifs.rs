//! The port BIFs: `erts_internal:open_port/2`, `port_command/3`, `port_close/1`,
//! `port_connect/2`, `port_control/3`, `port_call/3`, `port_info/1,2` (which
//! `erlang:open_port/2` and friends in OTP's `erlang.erl` call and turn into errors),
//! `erlang:port_get_data/1`, `port_set_data/2` and `ports/0`. Ports themselves are in
//! `crate::port`.
//!
//! Like the reference's, the `erts_internal` functions report failures as values
//! (`badarg`, `badopt`, `badtype`, `notsup`, an errno name), which the Erlang
//! wrappers raise with the matching `error_info`. Every operation here acts at once
//! (a port's signals are not queued), so none returns a reference to wait for.

use super::reg;
use crate::bif::{BifResult, Fault, Trap, BADARG};
use crate::object::*;
use crate::port::{self, Driver, Port};
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use std::sync::atomic::Ordering;
use std::sync::Arc;

fn atom(name: &str) -> Term {
    Term::atom(Atom::from_str(name))
}

fn badarg_value() -> BifResult {
    Ok(Term::atom(am::BADARG))
}

/// Returns `result` after the caller handled the signals already queued to it (an
/// exit signal from the port just closed, say), as the reference's port BIFs do.
fn handling_signals(result: BifResult) -> BifResult {
    match result {
        Ok(v) => Err(Fault::Trap(Trap::HandleSignals(v))),
        e => e,
    }
}

fn open_port(p: &mut Process, a: &[Term]) -> BifResult {
    Ok(match port::open::open_port(p, a[0], a[1]) {
        Ok(port) => port,
        Err(e) => e.atom(),
    })
}

fn port_command_inner(p: &mut Process, a: &[Term]) -> BifResult {
    let (mut force, mut nosuspend) = (false, false);
    let mut l = a[2];
    while l.is_list() {
        match head(l).as_atom().map(|x| x.name()) {
            Some("force") => force = true,
            Some("nosuspend") => nosuspend = true,
            _ => return Ok(atom("badopt")),
        }
        l = tail(l);
    }
    if !l.is_nil() {
        return Ok(atom("badopt"));
    }
    let Some(port) = port::lookup(a[0]) else {
        return badarg_value();
    };
    // The spawn and fd drivers cannot take output while busy; the inet driver can (the
    // reference's ERL_DRV_FLAG_SOFT_BUSY): dist_util ticks through it with `force`.
    if force && port.inet.is_none() {
        return Ok(atom("notsup"));
    }
    let Some(bytes) = port::iodata(a[1]) else {
        port::bad_output_report(&port);
        return badarg_value();
    };
    // A busy port would suspend the caller in the reference; here the data is queued
    // anyway (only `nosuspend` sees the busy state, and drops the data).
    if nosuspend && port.is_busy() {
        return Ok(Term::FALSE);
    }
    match &port.inet {
        Some(sock) => sock.command(p.id, &bytes),
        None => port.command(bytes, Some(a[1])),
    }
    Ok(Term::TRUE)
}

fn port_close_inner(_p: &mut Process, a: &[Term]) -> BifResult {
    match port::lookup(a[0]) {
        Some(port) if port.close(Term::atom(am::NORMAL)) => Ok(Term::TRUE),
        _ => badarg_value(),
    }
}

fn port_connect_inner(_p: &mut Process, a: &[Term]) -> BifResult {
    let Some(port) = port::lookup(a[0]) else {
        return badarg_value();
    };
    let pid = a[1];
    if !pid.is_local_pid() || crate::sched::slot(pid.pid_value()).is_none() {
        return badarg_value();
    }
    if port::connect(&port, pid.pid_value()) {
        Ok(Term::TRUE)
    } else {
        badarg_value()
    }
}

/// An operation number: a non-negative integer that fits 32 bits.
fn operation(t: Term) -> Option<u32> {
    t.as_small().and_then(|n| u32::try_from(n).ok())
}

/// The fd driver's control operation for the terminal size (`user` and
/// `standard_error` ask it): 100 plus the tty driver's magic number.
const CTRL_OP_GET_WINSIZE: u32 = 100 + 0x018b_0900;

fn port_control_inner(p: &mut Process, a: &[Term]) -> BifResult {
    let Some(port) = port::lookup(a[0]) else {
        return badarg_value();
    };
    let Some(op) = operation(a[1]) else {
        return badarg_value();
    };
    if super::iodata_bytes(a[2]).is_none() {
        return badarg_value();
    }
    if let Some(sock) = &port.inet {
        let data = super::iodata_bytes(a[2]).unwrap_or_default();
        let reply = match op.checked_sub(port::inet::CONTROL_MAGIC) {
            Some(req) => sock.control(p.id, req, &data),
            None => port::inet::invalid_request(),
        };
        return Ok(bytes_to_list(&mut p.heap, &reply, Term::NIL));
    }
    if port.driver == Driver::TtySl {
        let data = super::iodata_bytes(a[2]).unwrap_or_default();
        let answer = port::tty::control(op, &data);
        return Ok(if port.mode.binary {
            make_binary(&mut p.heap, &answer)
        } else {
            bytes_to_list(&mut p.heap, &answer, Term::NIL)
        });
    }
    match (port.driver, port.fds) {
        (Driver::Fd, Some((_, out))) if op == CTRL_OP_GET_WINSIZE => match window_size(out) {
            Some((w, h)) => {
                let mut bytes = w.to_ne_bytes().to_vec();
                bytes.extend_from_slice(&h.to_ne_bytes());
                Ok(bytes_to_list(&mut p.heap, &bytes, Term::NIL))
            }
            None => badarg_value(),
        },
        _ => badarg_value(),
    }
}

/// The size of the terminal on `fd`, if it is one.
fn window_size(fd: i32) -> Option<(u32, u32)> {
    let mut ws = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ fills the winsize structure passed.
    let r = unsafe { libc::ioctl(fd, libc::TIOCGWINSZ, &mut ws) };
    (r == 0 && ws.ws_col > 0).then_some((ws.ws_col as u32, ws.ws_row as u32))
}

/// No driver here answers `port_call`.
fn port_call_inner(_p: &mut Process, a: &[Term]) -> BifResult {
    let _ = port::lookup(a[0]);
    badarg_value()
}

/// The items of `port_info/1`, in the reference's order (after `registered_name`).
const INFO1: [&str; 7] = [
    "name",
    "links",
    "id",
    "connected",
    "input",
    "output",
    "os_pid",
];

/// `{Item, Value}` for port `port`; None for an unknown item.
fn info_item(p: &mut Process, port: &Arc<Port>, item: &str) -> Option<Term> {
    let h = &mut p.heap;
    let pids = |h: &mut crate::heap::Heap, ids: Vec<u64>| {
        let v: Vec<Term> = ids.into_iter().map(Term::pid).collect();
        list_from_iter(h, &v, Term::NIL)
    };
    let value = match item {
        "registered_name" => match port.registered_name() {
            Some(n) => Term::atom(n),
            None => return Some(Term::NIL),
        },
        "id" => make_u64(h, port.id << 3),
        "name" => bytes_to_list(h, &port.name, Term::NIL),
        "connected" => Term::pid(port.connected()?),
        "links" => pids(h, port.info_links()),
        "monitors" => Term::NIL,
        "monitored_by" => pids(h, port.info_monitored_by()),
        "input" => make_u64(h, port.input.load(Ordering::Relaxed)),
        "output" => make_u64(h, port.output.load(Ordering::Relaxed)),
        "os_pid" => match port.os_pid {
            Some(pid) => Term::small(pid as i64),
            None => Term::atom(am::UNDEFINED),
        },
        "queue_size" => make_u64(h, port.queued.load(Ordering::Relaxed)),
        "memory" => make_u64(h, port.memory()),
        "parallelism" => Term::boolean(port.parallelism),
        "locking" => atom("port_level"),
        _ => return None,
    };
    Some(make_tuple(&mut p.heap, &[atom(item), value]))
}

fn port_info1_inner(p: &mut Process, a: &[Term]) -> BifResult {
    if !a[0].is_local_port() && !a[0].is_atom() {
        return badarg_value();
    }
    let Some(port) = port::lookup(a[0]) else {
        return Ok(Term::atom(am::UNDEFINED));
    };
    let mut items = Vec::with_capacity(8);
    if let Some(n) = port.registered_name() {
        items.push(make_tuple(
            &mut p.heap,
            &[atom("registered_name"), Term::atom(n)],
        ));
    }
    for item in INFO1 {
        match info_item(p, &port, item) {
            Some(t) => items.push(t),
            // Closed while being looked at.
            None => return Ok(Term::atom(am::UNDEFINED)),
        }
    }
    Ok(list_from_iter(&mut p.heap, &items, Term::NIL))
}

fn port_info2_inner(p: &mut Process, a: &[Term]) -> BifResult {
    if !a[0].is_local_port() && !a[0].is_atom() {
        return Ok(atom("badtype"));
    }
    let Some(port) = port::lookup(a[0]) else {
        return Ok(Term::atom(am::UNDEFINED));
    };
    let Some(item) = a[1].as_atom() else {
        return badarg_value();
    };
    match item.name() {
        "connected" if port.is_closed() => Ok(Term::atom(am::UNDEFINED)),
        name => match info_item(p, &port, name) {
            Some(t) => Ok(t),
            None if port.is_closed() => Ok(Term::atom(am::UNDEFINED)),
            None => badarg_value(),
        },
    }
}

fn port_get_data(p: &mut Process, a: &[Term]) -> BifResult {
    let port = port::lookup(a[0]).ok_or(BADARG)?;
    port.get_data(&mut p.heap).ok_or(BADARG)
}

fn port_set_data(_p: &mut Process, a: &[Term]) -> BifResult {
    let port = port::lookup(a[0]).ok_or(BADARG)?;
    if port.set_data(a[1]) {
        Ok(Term::TRUE)
    } else {
        Err(BADARG)
    }
}

fn ports(p: &mut Process, _a: &[Term]) -> BifResult {
    let v: Vec<Term> = port::all_ids().into_iter().map(Term::port).collect();
    Ok(list_from_iter(&mut p.heap, &v, Term::NIL))
}

fn port_command(p: &mut Process, a: &[Term]) -> BifResult {
    handling_signals(port_command_inner(p, a))
}

fn port_close(p: &mut Process, a: &[Term]) -> BifResult {
    handling_signals(port_close_inner(p, a))
}

fn port_connect(p: &mut Process, a: &[Term]) -> BifResult {
    handling_signals(port_connect_inner(p, a))
}

fn port_control(p: &mut Process, a: &[Term]) -> BifResult {
    handling_signals(port_control_inner(p, a))
}

fn port_call(p: &mut Process, a: &[Term]) -> BifResult {
    handling_signals(port_call_inner(p, a))
}

fn port_info1(p: &mut Process, a: &[Term]) -> BifResult {
    handling_signals(port_info1_inner(p, a))
}

fn port_info2(p: &mut Process, a: &[Term]) -> BifResult {
    handling_signals(port_info2_inner(p, a))
}

pub fn register() {
    reg("erts_internal", "open_port", 2, open_port);
    reg("erts_internal", "port_command", 3, port_command);
    reg("erts_internal", "port_close", 1, port_close);
    reg("erts_internal", "port_connect", 2, port_connect);
    reg("erts_internal", "port_control", 3, port_control);
    reg("erts_internal", "port_call", 3, port_call);
    reg("erts_internal", "port_info", 1, port_info1);
    reg("erts_internal", "port_info", 2, port_info2);
    reg("erlang", "port_get_data", 1, port_get_data);
    reg("erlang", "port_set_data", 2, port_set_data);
    reg("erlang", "ports", 0, ports);
}
