//! `open_port/2`: its arguments checked as the reference checks them (an error in the
//! settings list is `badopt`, one in the port name or a combination `badarg`, an
//! executable that cannot run its `errno` name), then the OS side started.
//!
//! `{spawn, Command}` runs `/bin/sh -c "exec Command"` as the reference does (so a
//! shell builtin as the first word fails with status 127). The reference first looks
//! the command's first word up as a linked-in driver (`tcp_inet`, `tty_sl` and the
//! like); of those oxbeam has `tty_sl` (tty.rs, which fails with `badarg` without a
//! terminal, as the reference's does, making `user_drv` fall back to the line-mode
//! `user`), `tcp_inet` and `udp_inet` (inet/); the others are `badarg`, every other command runs
//! through the shell. `{spawn_driver, _}` opens only those drivers. `open_port(Atom | String, _)` (the
//! reference's "vanilla" driver) gives a port that closes at once, as it does there.

use super::child;
use super::io::{self, PortFd};
use super::{Driver, Mode, NewPort, Output};
use crate::object::*;
use crate::process::Process;
use oxbeam_term::{Atom, Term};
use std::ffi::CString;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// Why `open_port` failed, as `erts_internal:open_port/2` reports it.
#[derive(Debug, PartialEq, Eq)]
pub enum OpenError {
    Badopt,
    Badarg,
    SystemLimit,
    Errno(i32),
}

impl OpenError {
    pub fn atom(&self) -> Term {
        let name = match self {
            OpenError::Badopt => "badopt",
            OpenError::Badarg => "badarg",
            OpenError::SystemLimit => "system_limit",
            OpenError::Errno(e) => super::errno_name(*e),
        };
        Term::atom(Atom::from_str(name))
    }
}

enum Name {
    Spawn(Vec<u8>),
    Executable(Vec<u8>),
    SpawnDriver(Vec<u8>),
    Fd(i64, i64),
    Vanilla(Vec<u8>),
}

/// Changes to the environment: a name and its value, or None to unset it.
type EnvChanges = Vec<(Vec<u8>, Option<Vec<u8>>)>;

struct Settings {
    mode: Mode,
    use_stdio: bool,
    stderr_to_stdout: bool,
    parallelism: bool,
    /// Changes to the VM's environment: a value, or None to unset.
    env: Option<EnvChanges>,
    args: Option<Vec<Vec<u8>>>,
    arg0: Option<Vec<u8>>,
    cd: Option<Term>,
    busy_limits: Option<(u64, u64)>,
}

fn is_atom(t: Term, name: &str) -> bool {
    t.as_atom().is_some_and(|a| a.name() == name)
}

/// Appends the UTF-8 encoding of the characters of a possibly deep list; false for
/// anything else, or a NUL.
fn chars_utf8(t: Term, out: &mut Vec<u8>) -> bool {
    let mut stack = vec![t];
    while let Some(mut l) = stack.pop() {
        while l.is_list() {
            let h = head(l);
            l = tail(l);
            if h.is_list() || h.is_nil() {
                stack.push(l);
                l = h;
                continue;
            }
            match h
                .as_small()
                .and_then(|c| u32::try_from(c).ok())
                .and_then(char::from_u32)
            {
                Some(c) if c != '\0' => {
                    let mut b = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
                }
                _ => return false,
            }
        }
        if !l.is_nil() {
            return false;
        }
    }
    true
}

/// A file name as the VM passes it to the OS: an atom, a binary, or a possibly deep
/// list of characters (UTF-8, the native name encoding); never a NUL. An empty list is
/// refused when `allow_empty` is false.
fn filename(t: Term, allow_empty: bool) -> Option<Vec<u8>> {
    let bytes = if let Some(a) = t.as_atom() {
        a.name().as_bytes().to_vec()
    } else if is_bitstring(t) {
        binary_bytes(t)?.into_owned()
    } else if t.is_list() || t.is_nil() {
        let mut out = Vec::new();
        if !chars_utf8(t, &mut out) || (out.is_empty() && !allow_empty) {
            return None;
        }
        out
    } else {
        return None;
    };
    (!bytes.contains(&0)).then_some(bytes)
}

/// `{busy_limits_port | busy_limits_msgq, {Low, High} | disabled}`.
fn busy_limits(v: Term) -> Result<Option<(u64, u64)>, OpenError> {
    if is_atom(v, "disabled") {
        return Ok(None);
    }
    if !is_tuple(v) || tuple_arity(v) != 2 {
        return Err(OpenError::Badopt);
    }
    let limit = |t: Term| match t.as_small() {
        Some(n) if n >= 1 => Ok(n as u64),
        _ => Err(OpenError::Badopt),
    };
    let (low, high) = (limit(tuple_get(v, 0))?, limit(tuple_get(v, 1))?);
    Ok(Some((low.min(high), high)))
}

/// `{env, Env}`: a proper list of `{Name, Value}`, names non-binary character lists
/// without `=`, values character lists or `false` (`[]` unsets too).
fn env_changes(v: Term) -> Result<EnvChanges, OpenError> {
    let items = list_to_vec(v).ok_or(OpenError::Badopt)?;
    let mut out = Vec::with_capacity(items.len());
    for it in items {
        if !is_tuple(it) || tuple_arity(it) != 2 {
            return Err(OpenError::Badopt);
        }
        let (k, val) = (tuple_get(it, 0), tuple_get(it, 1));
        let mut name = Vec::new();
        if !(k.is_list() || k.is_nil()) || !chars_utf8(k, &mut name) || name.contains(&b'=') {
            return Err(OpenError::Badopt);
        }
        if val.is_nil() || val == Term::FALSE {
            out.push((name, None));
            continue;
        }
        let mut value = Vec::new();
        if !val.is_list() || !chars_utf8(val, &mut value) {
            return Err(OpenError::Badopt);
        }
        out.push((name, Some(value)));
    }
    Ok(out)
}

fn settings(list: Term) -> Result<Settings, OpenError> {
    let mut s = Settings {
        mode: Mode::default(),
        use_stdio: true,
        stderr_to_stdout: false,
        parallelism: false,
        env: None,
        args: None,
        arg0: None,
        cd: None,
        busy_limits: Some((4096, 8192)),
    };
    let items = list_to_vec(list).ok_or(OpenError::Badopt)?;
    for o in items {
        if is_tuple(o) && tuple_arity(o) == 2 {
            let (k, v) = (tuple_get(o, 0), tuple_get(o, 1));
            let Some(k) = k.as_atom() else {
                return Err(OpenError::Badopt);
            };
            match k.name() {
                "packet" => match v.as_small() {
                    Some(n @ (1 | 2 | 4)) => s.mode.packet = n as u8,
                    _ => return Err(OpenError::Badopt),
                },
                "line" => match v.as_small() {
                    Some(n) if n > 0 => s.mode.line = n as usize,
                    _ => return Err(OpenError::Badopt),
                },
                "env" => s.env = Some(env_changes(v)?),
                "args" => {
                    let items = list_to_vec(v).ok_or(OpenError::Badopt)?;
                    let mut args = Vec::with_capacity(items.len());
                    for a in items {
                        args.push(filename(a, true).ok_or(OpenError::Badopt)?);
                    }
                    s.args = Some(args);
                }
                "arg0" => s.arg0 = Some(filename(v, true).ok_or(OpenError::Badopt)?),
                "cd" => s.cd = Some(v),
                "parallelism" => {
                    if !v.is_boolean() {
                        return Err(OpenError::Badopt);
                    }
                    s.parallelism = v == Term::TRUE;
                }
                "busy_limits_port" => s.busy_limits = busy_limits(v)?,
                // The port's message queue never holds anything here (signals to a
                // port act at once), so its limits are checked and have no effect.
                "busy_limits_msgq" => {
                    busy_limits(v)?;
                }
                _ => return Err(OpenError::Badopt),
            }
            continue;
        }
        let Some(a) = o.as_atom() else {
            return Err(OpenError::Badopt);
        };
        match a.name() {
            "stream" => s.mode.packet = 0,
            "use_stdio" => s.use_stdio = true,
            "nouse_stdio" => s.use_stdio = false,
            "stderr_to_stdout" => s.stderr_to_stdout = true,
            "line" => s.mode.line = 512,
            "binary" => s.mode.binary = true,
            "in" => s.mode.read = true,
            "out" => s.mode.write = true,
            "eof" => s.mode.soft_eof = true,
            "hide" | "overlapped_io" => {}
            "exit_status" => s.mode.exit_status = true,
            _ => return Err(OpenError::Badopt),
        }
    }
    if !s.mode.read && !s.mode.write {
        s.mode.read = true;
        s.mode.write = true;
    }
    if (s.mode.line > 0 && s.mode.packet > 0) || (s.stderr_to_stdout && !s.use_stdio) {
        return Err(OpenError::Badopt);
    }
    Ok(s)
}

/// A flat list of bytes (the reference's `is_string`), at least one.
fn byte_string(t: Term) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut l = t;
    while l.is_list() {
        let c = head(l).as_small().filter(|c| (0..=255).contains(c))?;
        out.push(c as u8);
        l = tail(l);
    }
    (l.is_nil() && !out.is_empty()).then_some(out)
}

fn port_name(t: Term) -> Result<Name, OpenError> {
    if let Some(a) = t.as_atom() {
        return Ok(Name::Vanilla(a.name().as_bytes().to_vec()));
    }
    if let Some(s) = byte_string(t) {
        return Ok(Name::Vanilla(s));
    }
    if !is_tuple(t) || tuple_arity(t) == 0 {
        return Err(OpenError::Badarg);
    }
    let kind = tuple_get(t, 0);
    let arity = tuple_arity(t);
    for (tag, is_exec) in [
        ("spawn", false),
        ("spawn_driver", false),
        ("spawn_executable", true),
    ] {
        if is_atom(kind, tag) {
            if arity != 2 {
                return Err(OpenError::Badarg);
            }
            let name = filename(tuple_get(t, 1), false).ok_or(OpenError::Badarg)?;
            return Ok(match (tag, is_exec) {
                ("spawn_driver", _) => Name::SpawnDriver(name),
                (_, true) => Name::Executable(name),
                _ => Name::Spawn(name),
            });
        }
    }
    if is_atom(kind, "fd") {
        if arity != 3 {
            return Err(OpenError::Badarg);
        }
        let (i, o) = (tuple_get(t, 1).as_small(), tuple_get(t, 2).as_small());
        return match (i, o) {
            (Some(i), Some(o)) => Ok(Name::Fd(i, o)),
            _ => Err(OpenError::Badarg),
        };
    }
    Err(OpenError::Badarg)
}

fn last_errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// A pipe (read end, write end), both close-on-exec.
fn pipe() -> Result<(OwnedFd, OwnedFd), OpenError> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(OpenError::Errno(last_errno()));
    }
    // SAFETY: pipe2 just created these two descriptors; nothing else owns them.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// The most file descriptors a process may have open (`max_files`).
fn max_files() -> i64 {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `r` is a valid rlimit to fill.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) } == 0 {
        r.rlim_cur.min(i64::MAX as u64) as i64
    } else {
        1024
    }
}

/// `erts_internal:open_port(Name, Settings)` for process `p`.
pub fn open_port(p: &Process, name: Term, settings_list: Term) -> Result<Term, OpenError> {
    let s = settings(settings_list)?;
    let name = port_name(name)?;
    let is_exec = matches!(name, Name::Executable(_));
    if (s.args.is_some() || s.arg0.is_some()) && !is_exec {
        return Err(OpenError::Badarg);
    }
    // An empty directory is no directory.
    let cd = match s.cd {
        Some(t) => Some(filename(t, true).ok_or(OpenError::Badarg)?).filter(|d| !d.is_empty()),
        None => None,
    };
    let spawn_kind = matches!(
        name,
        Name::Spawn(_) | Name::Executable(_) | Name::SpawnDriver(_)
    );
    if s.mode.exit_status && !spawn_kind {
        return Err(OpenError::Badarg);
    }
    match name {
        Name::SpawnDriver(cmd) | Name::Spawn(cmd)
            if matches!(first_word(&cmd), b"tcp_inet" | b"udp_inet") =>
        {
            super::inet::open_port(p.id, s.mode, first_word(&cmd) == b"udp_inet")
                .map(|port| port.term())
                .ok_or(OpenError::SystemLimit)
        }
        Name::SpawnDriver(_) => Err(OpenError::Badarg),
        Name::Vanilla(n) => {
            let port = super::create(
                p,
                NewPort {
                    name: n,
                    driver: Driver::Vanilla,
                    mode: s.mode,
                    parallelism: s.parallelism,
                    os_pid: None,
                    fds: None,
                    busy_limits: s.busy_limits,
                    output: Output::None,
                    cancel: None,
                },
            )
            .ok_or(OpenError::SystemLimit)?;
            port.close(Term::atom(oxbeam_term::atom::am::NORMAL));
            Ok(port.term())
        }
        Name::Fd(i, o) => {
            let max = max_files();
            if i < 0 || o < 0 || i >= max || o >= max {
                return Err(OpenError::Errno(libc::EINVAL));
            }
            open_fd(p, i as RawFd, o as RawFd, s)
        }
        Name::Executable(path) => {
            let c = CString::new(path.clone()).map_err(|_| OpenError::Badarg)?;
            // SAFETY: `c` is a NUL-terminated path.
            if unsafe { libc::access(c.as_ptr(), libc::X_OK) } != 0 {
                return Err(OpenError::Errno(last_errno()));
            }
            spawn(p, path.clone(), path, true, s, cd)
        }
        Name::Spawn(cmd) if first_word(&cmd) == b"tty_sl" => {
            super::tty::open(p, &cmd, s.mode).ok_or(OpenError::Badarg)
        }
        Name::Spawn(cmd) if is_linked_in_driver(&cmd) => Err(OpenError::Badarg),
        Name::Spawn(cmd) => {
            let mut line = b"exec ".to_vec();
            line.extend_from_slice(&cmd);
            spawn(p, cmd, line, false, s, cd)
        }
    }
}

/// The first word of a `{spawn, Command}`: where the reference looks for a driver name.
fn first_word(cmd: &[u8]) -> &[u8] {
    cmd.split(|&b| b == b' ').next().unwrap_or_default()
}

/// Whether a `{spawn, Command}` names one of the reference's other linked-in drivers
/// (`tty_sl` is handled before), which oxbeam does not have.
fn is_linked_in_driver(cmd: &[u8]) -> bool {
    const DRIVERS: &[&[u8]] = &[b"tcp_inet", b"udp_inet", b"sctp_inet", b"ram_file_drv"];
    DRIVERS.contains(&first_word(cmd))
}

fn open_fd(p: &Process, i: RawFd, o: RawFd, s: Settings) -> Result<Term, OpenError> {
    let (cancel_r, cancel_w) = if s.mode.read {
        let (r, w) = pipe()?;
        (Some(r), Some(w))
    } else {
        (None, None)
    };
    let mut writer = None;
    let output = if !s.mode.write {
        Output::None
    } else if o == 1 {
        Output::Stdout
    } else if o == 2 {
        Output::Stderr
    } else {
        let (tx, rx) = std::sync::mpsc::channel();
        writer = Some(rx);
        // The VM's own descriptors stay blocking (others share them): the writer
        // thread writes them.
        Output::Thread(tx, None)
    };
    let port = super::create(
        p,
        NewPort {
            name: format!("{i}/{o}").into_bytes(),
            driver: Driver::Fd,
            mode: s.mode,
            parallelism: s.parallelism,
            os_pid: None,
            fds: Some((i, o)),
            busy_limits: s.busy_limits,
            output,
            cancel: cancel_w,
        },
    )
    .ok_or(OpenError::SystemLimit)?;
    if let Some(rx) = writer {
        if !io::spawn_writer(port.clone(), PortFd::Borrowed(o), rx) {
            port.close(super::errno_atom(libc::EAGAIN));
        }
    }
    if let Some(cancel) = cancel_r {
        if !io::spawn_reader(port.clone(), PortFd::Borrowed(i), cancel, None) {
            port.close(super::errno_atom(libc::EAGAIN));
        }
    }
    Ok(port.term())
}

/// The VM's environment with `changes` applied.
fn child_env(changes: &[(Vec<u8>, Option<Vec<u8>>)]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut env: std::collections::BTreeMap<Vec<u8>, Vec<u8>> =
        crate::bifs::os_bifs::environment().into_iter().collect();
    for (k, v) in changes {
        match v {
            Some(v) => {
                env.insert(k.clone(), v.clone());
            }
            None => {
                env.remove(k);
            }
        }
    }
    env.into_iter().collect()
}

/// A copy of `fd` numbered 10 or above (close-on-exec), so that placing the child's
/// descriptors (0-4) never overwrites one still to be placed.
fn high(fd: OwnedFd) -> Result<OwnedFd, OpenError> {
    // SAFETY: fcntl duplicates our open descriptor.
    let n = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 10) };
    if n < 0 {
        return Err(OpenError::Errno(last_errno()));
    }
    // SAFETY: fcntl just made this descriptor; nothing else owns it.
    Ok(unsafe { OwnedFd::from_raw_fd(n) })
}

/// Why a directory cannot be entered (checked before starting, so that the message
/// and status are the reference's: its child prints this and exits with the errno).
fn cd_error(dir: &[u8]) -> Option<i32> {
    let c = CString::new(dir).ok()?;
    // SAFETY: `st` is a valid stat buffer and `c` a NUL-terminated path.
    unsafe {
        let mut st: libc::stat = std::mem::zeroed();
        if libc::stat(c.as_ptr(), &mut st) != 0 {
            return Some(last_errno());
        }
        if st.st_mode & libc::S_IFMT != libc::S_IFDIR {
            return Some(libc::ENOTDIR);
        }
        if libc::access(c.as_ptr(), libc::X_OK) != 0 {
            return Some(last_errno());
        }
    }
    None
}

/// Starts a child process: `program` run directly (`exec`) or `/bin/sh -c program`.
fn spawn(
    p: &Process,
    name: Vec<u8>,
    program: Vec<u8>,
    exec: bool,
    s: Settings,
    cd: Option<Vec<u8>>,
) -> Result<Term, OpenError> {
    let (path, argv) = if exec {
        let mut argv = vec![s.arg0.clone().unwrap_or_else(|| program.clone())];
        argv.extend(s.args.iter().flatten().cloned());
        (program, argv)
    } else {
        let argv = vec![b"sh".to_vec(), b"-c".to_vec(), program];
        (b"/bin/sh".to_vec(), argv)
    };
    let env = child_env(s.env.as_deref().unwrap_or(&[]));
    let mode = s.mode;
    let (child_in, our_write) = match mode.write {
        true => {
            let (r, w) = pipe()?;
            (Some(high(r)?), Some(w))
        }
        false => (None, None),
    };
    let (our_read, child_out) = match mode.read {
        true => {
            let (r, w) = pipe()?;
            (Some(r), Some(high(w)?))
        }
        false => (None, None),
    };
    // Where the child's ends go: standard input and output (and error, for
    // stderr_to_stdout), or descriptors 3 and 4 with `nouse_stdio`. Whatever is not
    // set is the VM's own.
    let (in_no, out_no) = if s.use_stdio { (0, 1) } else { (3, 4) };
    let mut fds = Vec::new();
    if let Some(f) = &child_in {
        fds.push((f.as_raw_fd(), in_no));
    }
    if let Some(f) = &child_out {
        fds.push((f.as_raw_fd(), out_no));
        if s.stderr_to_stdout {
            fds.push((f.as_raw_fd(), 2));
        }
    }
    let inherits_stdout = !s.use_stdio || child_out.is_none();
    if inherits_stdout {
        crate::report::flush_stdout();
    }
    let started = match cd.as_deref().and_then(cd_error) {
        Some(e) => {
            let mut msg = b"spawn: Could not cd to ".to_vec();
            msg.extend_from_slice(cd.as_deref().unwrap_or_default());
            msg.push(b'\n');
            crate::report::write_stderr(&msg);
            Err(e)
        }
        None => child::spawn(&child::Spec {
            program: &path,
            argv,
            env,
            cd: cd.as_deref(),
            fds,
        }),
    };
    drop(child_in);
    drop(child_out);
    let (cancel_r, cancel_w) = match &our_read {
        Some(_) => {
            let (r, w) = pipe()?;
            (Some(r), Some(w))
        }
        None => (None, None),
    };
    let mut writer = None;
    let output = match &our_write {
        Some(fd) => {
            let (tx, rx) = std::sync::mpsc::channel();
            writer = Some(rx);
            let raw = fd.as_raw_fd();
            // SAFETY: `raw` is our open pipe end; only its status flags change.
            let nonblocking = unsafe {
                let flags = libc::fcntl(raw, libc::F_GETFL);
                flags >= 0 && libc::fcntl(raw, libc::F_SETFL, flags | libc::O_NONBLOCK) == 0
            };
            Output::Thread(tx, nonblocking.then_some(raw))
        }
        None => Output::None,
    };
    let (child, failed) = match started {
        Ok(c) => (Some(c), None),
        Err(e) => (None, Some(e)),
    };
    let port = super::create(
        p,
        NewPort {
            name,
            driver: Driver::Spawn,
            mode,
            parallelism: s.parallelism,
            os_pid: child.as_ref().map(|c| c.pid as u32),
            fds: None,
            busy_limits: s.busy_limits,
            output,
            cancel: cancel_w,
        },
    )
    .ok_or(OpenError::SystemLimit)?;
    if let Some(e) = failed {
        // The child could not start (its directory or program): it "exits" with the
        // errno as status, as the reference's child does.
        if mode.read {
            close_soon(port.clone(), mode.exit_status.then_some(e));
        }
        return Ok(port.term());
    }
    if let (Some(rx), Some(fd)) = (writer, our_write) {
        if !io::spawn_writer(port.clone(), PortFd::Owned(fd), rx) {
            port.close(super::errno_atom(libc::EAGAIN));
        }
    }
    match (our_read, cancel_r) {
        (Some(fd), Some(cancel)) => {
            if !io::spawn_reader(port.clone(), PortFd::Owned(fd), cancel, child) {
                port.close(super::errno_atom(libc::EAGAIN));
            }
        }
        _ => {
            if let Some(c) = child {
                io::spawn_waiter(c);
            }
        }
    }
    Ok(port.term())
}

/// Closes `port` (`normal`) from another thread, after `{exit_status, Status}` if
/// given: a port whose OS side failed to start ends a moment after `open_port`
/// returned it, as in the reference (where a child that cannot start exits).
fn close_soon(port: std::sync::Arc<super::Port>, status: Option<i32>) {
    fn end(port: &super::Port, status: Option<i32>) {
        if let Some(e) = status {
            super::deliver_simple(port, |f| {
                make_tuple(f, &[super::atom("exit_status"), Term::small(e as i64)])
            });
        }
        port.close(Term::atom(oxbeam_term::atom::am::NORMAL));
    }
    let other = port.clone();
    if !io::spawn_thread("port-close", move || end(&other, status)) {
        end(&port, status);
    }
}
