//! Starting and reaping a port's child process.
//!
//! Children are started with `posix_spawn` (a vfork-style start): forking the whole VM
//! would copy its page tables, which grows with its heaps, for every `os:cmd/1` (the
//! reference starts its children from a small helper process for the same reason).
//! The child inherits the VM's signal dispositions, so SIGPIPE stays ignored in it, as
//! in the reference's children.

use std::ffi::CString;
use std::os::fd::RawFd;

/// A child process, reaped by `wait`.
pub(crate) struct Child {
    pub pid: libc::pid_t,
}

impl Child {
    /// Waits for the child to end; the status as the reference reports it (the exit
    /// code, or 128 plus the signal that ended it).
    pub fn wait(&self) -> Option<i64> {
        let mut status = 0;
        loop {
            // SAFETY: waitpid on our own child, `status` is a valid int to fill.
            let r = unsafe { libc::waitpid(self.pid, &mut status, 0) };
            if r == self.pid {
                break;
            }
            if r < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
                return None;
            }
        }
        if libc::WIFEXITED(status) {
            Some(libc::WEXITSTATUS(status) as i64)
        } else if libc::WIFSIGNALED(status) {
            Some(128 + libc::WTERMSIG(status) as i64)
        } else {
            Some(0)
        }
    }
}

/// What to start.
pub(crate) struct Spec<'a> {
    /// The program's path (not searched for in PATH).
    pub program: &'a [u8],
    pub argv: Vec<Vec<u8>>,
    pub env: Vec<(Vec<u8>, Vec<u8>)>,
    pub cd: Option<&'a [u8]>,
    /// Descriptors to place in the child: (ours, the child's number). Ours must not be
    /// any of the child's numbers (the caller keeps them high).
    pub fds: Vec<(RawFd, RawFd)>,
}

fn cstring(b: &[u8]) -> Result<CString, i32> {
    CString::new(b).map_err(|_| libc::EINVAL)
}

/// Starts the child; the errno if it could not start (its program or directory).
pub(crate) fn spawn(spec: &Spec) -> Result<Child, i32> {
    let program = cstring(spec.program)?;
    let argv = spec
        .argv
        .iter()
        .map(|a| cstring(a))
        .collect::<Result<Vec<_>, _>>()?;
    let env = spec
        .env
        .iter()
        .map(|(k, v)| {
            let mut kv = k.clone();
            kv.push(b'=');
            kv.extend_from_slice(v);
            cstring(&kv)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let cd = spec.cd.map(cstring).transpose()?;
    let mut argv_p: Vec<*mut libc::c_char> = argv.iter().map(|a| a.as_ptr() as *mut _).collect();
    argv_p.push(std::ptr::null_mut());
    let mut env_p: Vec<*mut libc::c_char> = env.iter().map(|e| e.as_ptr() as *mut _).collect();
    env_p.push(std::ptr::null_mut());
    let mut pid: libc::pid_t = 0;
    // SAFETY: the file actions and attributes are initialised before use and destroyed
    // after; every pointer passed points at a NUL-terminated string or a
    // null-terminated array of them that outlives the call.
    let r = unsafe {
        let mut actions: libc::posix_spawn_file_actions_t = std::mem::zeroed();
        let mut attr: libc::posix_spawnattr_t = std::mem::zeroed();
        libc::posix_spawn_file_actions_init(&mut actions);
        libc::posix_spawnattr_init(&mut attr);
        for &(ours, theirs) in &spec.fds {
            libc::posix_spawn_file_actions_adddup2(&mut actions, ours, theirs);
        }
        if let Some(d) = &cd {
            libc::posix_spawn_file_actions_addchdir_np(&mut actions, d.as_ptr());
        }
        // No signal blocked in the child, whatever the spawning thread blocks.
        let mut none: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut none);
        libc::posix_spawnattr_setsigmask(&mut attr, &none);
        libc::posix_spawnattr_setflags(&mut attr, libc::POSIX_SPAWN_SETSIGMASK as libc::c_short);
        let r = libc::posix_spawn(
            &mut pid,
            program.as_ptr(),
            &actions,
            &attr,
            argv_p.as_ptr(),
            env_p.as_ptr(),
        );
        libc::posix_spawn_file_actions_destroy(&mut actions);
        libc::posix_spawnattr_destroy(&mut attr);
        r
    };
    if r == 0 {
        Ok(Child { pid })
    } else {
        Err(r)
    }
}
