//! The natives of the `os` module: the environment, the OS process id, the performance
//! counter and signal settings (os:system_time/timestamp live with the other clocks in
//! `system.rs`; os:getenv/0,2, os:type/0 and os:perf_counter/1 are Erlang over these).
//!
//! Like the reference, the VM keeps its own copy of the environment, taken at start, and
//! os:putenv/unsetenv change only that copy: the C library's environment (what
//! localtime reads TZ from, say) stays as it was. This also keeps the libc environment
//! free of writes while other threads read it. Ports started later are to get this copy.
//!
//! Names and values are lists of characters (possibly nested), stored UTF-8 encoded (the
//! native file name encoding); bytes that are not UTF-8 read back one character each.

use super::reg;
use crate::bif::{BifFn, BifResult, BADARG};
use crate::object::*;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::Term;
use parking_lot::RwLock;
use std::collections::BTreeMap;
use std::os::unix::ffi::OsStringExt;
use std::sync::OnceLock;

type Env = BTreeMap<Vec<u8>, Vec<u8>>;

fn env() -> &'static RwLock<Env> {
    static E: OnceLock<RwLock<Env>> = OnceLock::new();
    E.get_or_init(|| {
        RwLock::new(
            std::env::vars_os()
                .map(|(k, v)| (k.into_vec(), v.into_vec()))
                .collect(),
        )
    })
}

/// The VM's environment now, as (name, value) byte strings (for starting OS processes).
pub fn environment() -> Vec<(Vec<u8>, Vec<u8>)> {
    env()
        .read()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The value of environment variable `name` in the VM's environment.
pub fn var(name: &str) -> Option<Vec<u8>> {
    env().read().get(name.as_bytes()).cloned()
}

/// The variables the `erl` launcher sets for the emulator (EMU, ROOTDIR, BINDIR,
/// PROGNAME, and its bin directories in front of PATH), so that programs see the same
/// environment as under erl. `bindir` is the erts bin directory of the installation.
/// `progname` None leaves PROGNAME as the environment has it (erlexec run directly).
pub fn set_launcher_env(root: &std::path::Path, bindir: &std::path::Path, progname: Option<&str>) {
    let mut e = env().write();
    let s = |p: &std::path::Path| p.as_os_str().to_owned().into_vec();
    e.insert(b"EMU".to_vec(), b"beam".to_vec());
    e.insert(b"ROOTDIR".to_vec(), s(root));
    e.insert(b"BINDIR".to_vec(), s(bindir));
    if let Some(progname) = progname {
        e.insert(b"PROGNAME".to_vec(), progname.as_bytes().to_vec());
    }
    let mut path = s(bindir);
    path.push(b':');
    path.extend(s(&root.join("bin")));
    if let Some(old) = e.get(b"PATH".as_slice()) {
        path.push(b':');
        path.extend_from_slice(old);
    }
    e.insert(b"PATH".to_vec(), path);
}

/// A name or value argument: a possibly nested list of characters, UTF-8 encoded.
/// None for anything else (binaries included) and for NUL characters.
fn chars_arg(t: Term) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut stack = vec![t];
    while let Some(mut l) = stack.pop() {
        while l.is_list() {
            let h = head(l);
            if h.is_list() || h.is_nil() {
                stack.push(tail(l));
                l = h;
                continue;
            }
            let c = h.as_small().and_then(|c| u32::try_from(c).ok());
            let c = c.and_then(char::from_u32).filter(|&c| c != '\0')?;
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            l = tail(l);
        }
        if !l.is_nil() {
            return None;
        }
    }
    Some(out)
}

fn name_arg(t: Term) -> Option<Vec<u8>> {
    chars_arg(t).filter(|n| !n.contains(&b'='))
}

/// Bytes from the environment as a character list (one character per byte when they
/// are not UTF-8).
fn to_list(p: &mut Process, bytes: &[u8]) -> Term {
    match std::str::from_utf8(bytes) {
        Ok(s) => string_to_list(&mut p.heap, s),
        Err(_) => bytes_to_list(&mut p.heap, bytes, Term::NIL),
    }
}

fn env0(p: &mut Process, _a: &[Term]) -> BifResult {
    let vars = environment();
    let mut items = Vec::with_capacity(vars.len());
    for (k, v) in &vars {
        let (k, v) = (to_list(p, k), to_list(p, v));
        items.push(make_tuple(&mut p.heap, &[k, v]));
    }
    Ok(list_from_iter(&mut p.heap, &items, Term::NIL))
}

fn getenv1(p: &mut Process, a: &[Term]) -> BifResult {
    let name = name_arg(a[0]).ok_or(BADARG)?;
    let v = env().read().get(&name).cloned();
    Ok(match v {
        Some(v) => to_list(p, &v),
        None => Term::FALSE,
    })
}

fn putenv2(_p: &mut Process, a: &[Term]) -> BifResult {
    let name = name_arg(a[0]).ok_or(BADARG)?;
    let value = chars_arg(a[1]).ok_or(BADARG)?;
    env().write().insert(name, value);
    Ok(Term::TRUE)
}

fn unsetenv1(_p: &mut Process, a: &[Term]) -> BifResult {
    let name = name_arg(a[0]).ok_or(BADARG)?;
    env().write().remove(&name);
    Ok(Term::TRUE)
}

fn getpid0(p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(string_to_list(&mut p.heap, &std::process::id().to_string()))
}

/// The performance counter, in the `perf_counter` unit (nanoseconds here).
fn perf_counter0(p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(make_i64(&mut p.heap, crate::time::monotonic_ns() as i64))
}

/// os:set_signal/2: what an OS signal does (crate::os_signals): `handle` sends it to
/// `erl_signal_server` as `{notify, Name}`, `default` and `ignore` as named.
fn set_signal2(_p: &mut Process, a: &[Term]) -> BifResult {
    use crate::os_signals::{number, set, Disposition};
    let sig = a[0]
        .as_atom()
        .and_then(|s| number(s.name()))
        .ok_or(BADARG)?;
    let d = match a[1].as_atom().map(|o| o.name()) {
        Some("default") => Disposition::Default,
        Some("handle") => Disposition::Handle,
        Some("ignore") => Disposition::Ignore,
        // A known signal with a bad option: the reference's error_info cause.
        _ => {
            return Err(crate::bif::Fault::ErrorCause(
                Term::atom(am::BADARG),
                Term::atom(oxbeam_term::Atom::from_str("badopt")),
            ))
        }
    };
    set(sig, d);
    Ok(Term::atom(am::OK))
}

pub fn register() {
    let list: &[(&str, u32, BifFn)] = &[
        ("env", 0, env0),
        ("getenv", 1, getenv1),
        ("putenv", 2, putenv2),
        ("unsetenv", 1, unsetenv1),
        ("getpid", 0, getpid0),
        ("perf_counter", 0, perf_counter0),
        ("set_signal", 2, set_signal2),
    ];
    for &(f, n, fun) in list {
        reg("os", f, n, fun);
    }
}
