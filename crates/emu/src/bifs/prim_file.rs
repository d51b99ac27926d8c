//! The `prim_file` module: the NIFs under OTP's `prim_file.erl` (file handles, reads and
//! writes, file information, directories, links, the working directory) implemented
//! natively on the C library's system calls, as the reference's statically linked NIF
//! does, so that `prim_file.erl` (and `file` with the `raw` option, `raw_file_io`,
//! `file_io_server`, `erl_prim_loader` ...) runs unchanged on top of them; plus the
//! BIFs that encode file names for them (`internal_name2native/1` ...).
//!
//! Results follow the reference: errors are `{error, Posix}` with the errno's name
//! (`enoent`, `eacces` ...; the same adjustments: `rename/2` and `del_dir/1` report
//! `eexist` for a non-empty directory, `delete/1` `eperm` for a directory); a file name
//! is the binary `internal_name2native/1` made (the native bytes and a trailing NUL), and
//! anything else gives `einval`; argument errors are `badarg` where the reference's NIF
//! raises it. Blocking operations run on the dirty I/O schedulers, as in the reference.
//!
//! A file handle is a magic reference to a [`Recycled`] object holding the descriptor and
//! its owner, the process that opened it. The handle is closed by `close/1` or when the
//! owner exits (`sched::exit_hooks::PRIM_FILE`; the reference has its janitor process
//! close it, here the exit does); after that it gives `{error, einval}`, as a closed
//! handle does in the reference. `prim_file.erl` itself refuses calls from other
//! processes (`not_on_controlling_process`).

use super::reg;
use super::reg_nif;
use crate::bif::{BifFn, BifResult, Fault, Trap, BADARG};
use crate::magic::{self, Magic, Pool, Recycled};
use crate::object::*;
use crate::process::Process;
use crate::sched::dirty::{self, DirtyKind};
use crate::sched::exit_hooks;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use parking_lot::{MappedMutexGuard, Mutex};
use std::collections::HashMap;
use std::ffi::CString;
use std::sync::OnceLock;

/// The `#file_info{}` time range the reference reports (1902-01-01 .. 9999-12-31).
const MIN_FILETIME: i64 = -2145916800;
const MAX_FILETIME: i64 = 253402300799;

// Open modes, as the reference's NIF reads them from the mode list.
const MODE_READ: u32 = 1 << 0;
const MODE_WRITE: u32 = 1 << 1;
const MODE_APPEND: u32 = 1 << 2;
const MODE_EXCLUSIVE: u32 = 1 << 3;
const MODE_SYNC: u32 = 1 << 4;
const MODE_SKIP_TYPE_CHECK: u32 = 1 << 5;
const MODE_DIRECTORY: u32 = 1 << 7;

// ------------------------------------------------------------------ errors

/// The reference's name for errno `e` (`erl_errno_id`): the macro's name in lower case,
/// one name per value, "unknown" for values it does not know.
fn errno_name(e: i32) -> &'static str {
    use libc::*;
    match e {
        E2BIG => "e2big",
        EACCES => "eacces",
        EADDRINUSE => "eaddrinuse",
        EADDRNOTAVAIL => "eaddrnotavail",
        EADV => "eadv",
        EAFNOSUPPORT => "eafnosupport",
        EAGAIN => "eagain",
        EALREADY => "ealready",
        EBADE => "ebade",
        EBADF => "ebadf",
        EBADFD => "ebadfd",
        EBADMSG => "ebadmsg",
        EBADR => "ebadr",
        EBADRQC => "ebadrqc",
        EBADSLT => "ebadslt",
        EBFONT => "ebfont",
        EBUSY => "ebusy",
        ECHILD => "echild",
        ECHRNG => "echrng",
        ECOMM => "ecomm",
        ECONNABORTED => "econnaborted",
        ECONNREFUSED => "econnrefused",
        ECONNRESET => "econnreset",
        EDEADLK => "edeadlk",
        EDESTADDRREQ => "edestaddrreq",
        EDOM => "edom",
        EDOTDOT => "edotdot",
        EDQUOT => "edquot",
        EEXIST => "eexist",
        EFAULT => "efault",
        EFBIG => "efbig",
        EHOSTDOWN => "ehostdown",
        EHOSTUNREACH => "ehostunreach",
        EIDRM => "eidrm",
        EILSEQ => "eilseq",
        EINPROGRESS => "einprogress",
        EINTR => "eintr",
        EINVAL => "einval",
        EIO => "eio",
        EISCONN => "eisconn",
        EISDIR => "eisdir",
        EL2HLT => "el2hlt",
        EL2NSYNC => "el2nsync",
        EL3HLT => "el3hlt",
        EL3RST => "el3rst",
        ELIBACC => "elibacc",
        ELIBBAD => "elibbad",
        ELIBEXEC => "elibexec",
        ELIBMAX => "elibmax",
        ELIBSCN => "elibscn",
        ELNRNG => "elnrng",
        ELOOP => "eloop",
        EMFILE => "emfile",
        EMLINK => "emlink",
        EMSGSIZE => "emsgsize",
        EMULTIHOP => "emultihop",
        ENAMETOOLONG => "enametoolong",
        ENAVAIL => "enavail",
        ENETDOWN => "enetdown",
        ENETRESET => "enetreset",
        ENETUNREACH => "enetunreach",
        ENFILE => "enfile",
        ENOANO => "enoano",
        ENOBUFS => "enobufs",
        ENOCSI => "enocsi",
        ENODATA => "enodata",
        ENODEV => "enodev",
        ENOENT => "enoent",
        ENOEXEC => "enoexec",
        ENOLCK => "enolck",
        ENOLINK => "enolink",
        ENOMEM => "enomem",
        ENOMSG => "enomsg",
        ENONET => "enonet",
        ENOPKG => "enopkg",
        ENOPROTOOPT => "enoprotoopt",
        ENOSPC => "enospc",
        ENOSR => "enosr",
        ENOSTR => "enostr",
        ENOSYS => "enosys",
        ENOTBLK => "enotblk",
        ENOTCONN => "enotconn",
        ENOTDIR => "enotdir",
        ENOTEMPTY => "enotempty",
        ENOTNAM => "enotnam",
        ENOTSOCK => "enotsock",
        ENOTSUP => "enotsup",
        ENOTTY => "enotty",
        ENOTUNIQ => "enotuniq",
        ENXIO => "enxio",
        EOVERFLOW => "eoverflow",
        EPERM => "eperm",
        EPFNOSUPPORT => "epfnosupport",
        EPIPE => "epipe",
        EPROTO => "eproto",
        EPROTONOSUPPORT => "eprotonosupport",
        EPROTOTYPE => "eprototype",
        ERANGE => "erange",
        EREMCHG => "eremchg",
        EREMOTE => "eremote",
        EREMOTEIO => "eremoteio",
        EROFS => "erofs",
        ESHUTDOWN => "eshutdown",
        ESOCKTNOSUPPORT => "esocktnosupport",
        ESPIPE => "espipe",
        ESRCH => "esrch",
        ESRMNT => "esrmnt",
        ESTALE => "estale",
        ETIME => "etime",
        ETIMEDOUT => "etimedout",
        ETOOMANYREFS => "etoomanyrefs",
        ETXTBSY => "etxtbsy",
        EUCLEAN => "euclean",
        EUNATCH => "eunatch",
        EUSERS => "eusers",
        EXDEV => "exdev",
        EXFULL => "exfull",
        _ => "unknown",
    }
}

/// The `Posix` atom of errno `e`.
pub fn errno_atom(e: i32) -> Term {
    Term::atom(Atom::from_str(errno_name(e)))
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// `{error, Posix}`.
fn posix_error(p: &mut Process, e: i32) -> BifResult {
    let reason = errno_atom(e);
    Ok(make_tuple(&mut p.heap, &[Term::atom(am::ERROR), reason]))
}

fn ok_tuple(p: &mut Process, v: Term) -> BifResult {
    Ok(make_tuple(&mut p.heap, &[Term::atom(am::OK), v]))
}

fn ok() -> BifResult {
    Ok(Term::atom(am::OK))
}

/// `ok`, or `{error, Posix}` for `Err(errno)`.
fn status(p: &mut Process, r: Result<(), i32>) -> BifResult {
    match r {
        Ok(()) => ok(),
        Err(e) => posix_error(p, e),
    }
}

/// `Ok` if a libc call returned 0 or more, else the errno.
fn check(r: libc::c_int) -> Result<(), i32> {
    if r < 0 {
        Err(errno())
    } else {
        Ok(())
    }
}

// ------------------------------------------------------------------ arguments

/// A file name as the NIFs take it (`internal_name2native/1`'s encoding): a binary
/// whose first NUL is followed by NULs only up to its last byte (a quirk of the
/// reference's check lets the last byte be anything after a run of NULs); the name is
/// the bytes before the first NUL. Anything else is `einval`.
fn path_arg(t: Term) -> Result<CString, i32> {
    let bytes = binary_bytes(t).ok_or(libc::EINVAL)?;
    let nul = bytes.iter().position(|&b| b == 0).ok_or(libc::EINVAL)?;
    let last = bytes.len() - 1;
    let mut at = nul;
    while at < last && bytes[at] == 0 {
        at += 1;
    }
    if at != last {
        return Err(libc::EINVAL);
    }
    CString::new(&bytes[..nul]).map_err(|_| libc::EINVAL)
}

/// `enif_get_int64`: an integer that fits in 64 bits.
fn int64(t: Term) -> Option<i64> {
    if is_integer(t) {
        term_to_i64(t)
    } else {
        None
    }
}

/// `enif_get_int`.
fn int32(t: Term) -> Option<i32> {
    t.as_small().and_then(|i| i32::try_from(i).ok())
}

/// `enif_get_uint`.
fn uint32(t: Term) -> Option<u32> {
    t.as_small().and_then(|i| u32::try_from(i).ok())
}

// ------------------------------------------------------------------ file handles

/// An open file: its descriptor, its owner, and the read buffer prim_file.erl made for
/// it (freed with it).
pub struct FileState {
    fd: libc::c_int,
    owner: Term,
    buffer: Option<(u64, &'static Magic)>,
}

impl FileState {
    /// Closes the descriptor (once: the state was retired) and frees the buffer.
    fn close(self) -> Result<(), i32> {
        if let Some((id, m)) = self.buffer {
            super::prim_buffer::release(self.owner, id, m);
        }
        // SAFETY: the descriptor was ours and is closed once. As in the reference,
        // close(2) is not retried on EINTR.
        check(unsafe { libc::close(self.fd) })
    }
}

fn pool() -> &'static Pool {
    static P: Pool = Pool::new();
    &P
}

const SHARDS: usize = 16;

type Owned = Mutex<HashMap<u64, Vec<(u64, &'static Magic)>>>;

/// The open files of each owner (keyed by the pid's word): closed when it exits.
fn owners() -> &'static [Owned; SHARDS] {
    static O: OnceLock<[Owned; SHARDS]> = OnceLock::new();
    O.get_or_init(|| {
        exit_hooks::register(exit_hooks::PRIM_FILE, owner_exited);
        std::array::from_fn(|_| Mutex::new(HashMap::new()))
    })
}

fn owned_by(pid: Term) -> &'static Owned {
    &owners()[pid.pid_value() as usize % SHARDS]
}

type JustOpened = Mutex<HashMap<u64, (u64, &'static Magic)>>;

/// The file each process opened last, until prim_file.erl makes its read buffer.
fn just_opened(pid: Term) -> &'static JustOpened {
    static J: OnceLock<[JustOpened; SHARDS]> = OnceLock::new();
    &J.get_or_init(|| std::array::from_fn(|_| Mutex::new(HashMap::new())))
        [pid.pid_value() as usize % SHARDS]
}

/// Makes buffer `id` the read buffer of the file process `pid` opened last, if it has
/// none yet: `prim_file:open/2` makes it (`prim_buffer:new/0`) right after the file is
/// opened, and nothing else does between the two.
pub(crate) fn attach_buffer(pid: Term, id: u64, m: &'static Magic) {
    let Some((fid, fm)) = just_opened(pid).lock().remove(&pid.0) else {
        return;
    };
    if let Magic::File(r) = fm {
        if let Some(mut f) = r.lock(fid) {
            if f.owner == pid && f.buffer.is_none() {
                f.buffer = Some((id, m));
            }
        }
    }
}

fn owner_exited(pid: Term, _id: u64) {
    just_opened(pid).lock().remove(&pid.0);
    let Some(files) = owned_by(pid).lock().remove(&pid.0) else {
        return;
    };
    for (id, m) in files {
        if let Magic::File(r) = m {
            if let Some(f) = r.retire(id) {
                let _ = f.close();
                pool().give_back(m);
            }
        }
    }
}

/// `{ok, Handle}` for the new open file `fd`, owned by the caller.
fn new_handle(p: &mut Process, fd: libc::c_int) -> BifResult {
    let (id, m) = pool().take(|| Magic::File(Recycled::new()));
    if let Magic::File(r) = m {
        r.install(
            id,
            FileState {
                fd,
                owner: p.pid,
                buffer: None,
            },
        );
    }
    owned_by(p.pid)
        .lock()
        .entry(p.pid.0)
        .or_default()
        .push((id, m));
    just_opened(p.pid).lock().insert(p.pid.0, (id, m));
    p.exit_hooks |= exit_hooks::PRIM_FILE;
    let h = magic::make_magic_ref(&mut p.heap, id, m);
    ok_tuple(p, h)
}

/// The file object and id of handle `t` (`badarg` if `t` is not a file handle).
fn handle(t: Term) -> Result<(&'static Magic, &'static Recycled<FileState>, u64), Fault> {
    match magic::magic_of(t) {
        Some(m @ Magic::File(r)) => Ok((m, r, ref_id(t))),
        _ => Err(BADARG),
    }
}

type FileGuard = MappedMutexGuard<'static, FileState>;

/// Runs `f` on the open file of handle `a[0]` with the other arguments; a closed
/// handle gives `{error, einval}` (checked before the arguments, as in the reference).
fn with_file(
    p: &mut Process,
    a: &[Term],
    f: impl FnOnce(&mut Process, FileGuard, &[Term]) -> BifResult,
) -> BifResult {
    let (_, r, id) = handle(a[0])?;
    match r.lock(id) {
        Some(g) => f(p, g, &a[1..]),
        None => posix_error(p, libc::EINVAL),
    }
}

/// Closes the file of handle `t`: the result of close(2), or `EINVAL` if it was closed
/// already.
fn close_handle(t: Term) -> Result<Result<(), i32>, Fault> {
    let (m, r, id) = handle(t)?;
    let Some(f) = r.retire(id) else {
        return Ok(Err(libc::EINVAL));
    };
    {
        let mut owned = owned_by(f.owner).lock();
        if let Some(v) = owned.get_mut(&f.owner.0) {
            v.retain(|&(i, _)| i != id);
            if v.is_empty() {
                owned.remove(&f.owner.0);
            }
        }
    }
    pool().give_back(m);
    Ok(f.close())
}

// ------------------------------------------------------------------ I/O helpers

/// Reads up to `size` bytes (until EOF or the buffer is full), at `offset` if given;
/// retries on EINTR. `Err(errno)` on failure (even after some bytes were read).
fn read_full(fd: libc::c_int, size: usize, offset: Option<i64>) -> Result<Vec<u8>, i32> {
    let mut buf: Vec<u8> = Vec::new();
    buf.try_reserve_exact(size).map_err(|_| libc::ENOMEM)?;
    let mut got = 0usize;
    while got < size {
        let want = size - got;
        // SAFETY: the buffer has capacity for `size` bytes; the call writes at most
        // `want` of them after the `got` already read.
        let r = unsafe {
            let dst = buf.as_mut_ptr().add(got) as *mut libc::c_void;
            match offset {
                Some(off) => libc::pread(fd, dst, want, off + got as i64),
                None => libc::read(fd, dst, want),
            }
        };
        if r > 0 {
            got += r as usize;
            // SAFETY: the call initialised these bytes.
            unsafe { buf.set_len(got) };
            continue;
        }
        if r == 0 {
            break;
        }
        let e = errno();
        if e != libc::EINTR {
            return Err(e);
        }
    }
    Ok(buf)
}

/// Writes all of `segs` (at `offset` if given), retrying on EINTR and after partial
/// writes. Returns the bytes written, or the errno.
fn write_all(fd: libc::c_int, segs: &[&[u8]], offset: Option<i64>) -> Result<u64, i32> {
    let mut iov: Vec<libc::iovec> = segs
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| libc::iovec {
            iov_base: s.as_ptr() as *mut libc::c_void,
            iov_len: s.len(),
        })
        .collect();
    let mut first = 0usize;
    let mut written = 0u64;
    while first < iov.len() {
        let n = (iov.len() - first).min(libc::UIO_MAXIOV as usize);
        // SAFETY: the iovecs describe live slices of `segs`.
        let r = unsafe {
            let v = iov.as_ptr().add(first);
            match offset {
                Some(off) => libc::pwritev(fd, v, n as libc::c_int, off + written as i64),
                None => libc::writev(fd, v, n as libc::c_int),
            }
        };
        if r < 0 {
            let e = errno();
            if e == libc::EINTR {
                continue;
            }
            return Err(e);
        }
        if r == 0 {
            break;
        }
        let mut left = r as usize;
        written += left as u64;
        while left > 0 && first < iov.len() {
            let v = &mut iov[first];
            if left < v.iov_len {
                // SAFETY: `left` bytes lie in this segment.
                v.iov_base = unsafe { (v.iov_base as *mut u8).add(left) } as *mut libc::c_void;
                v.iov_len -= left;
                left = 0;
            } else {
                left -= v.iov_len;
                first += 1;
            }
        }
    }
    Ok(written)
}

/// A result binary: on the heap when small.
fn binary_of(p: &mut Process, bytes: Vec<u8>) -> Term {
    if bytes.len() <= oxbeam_term::header::HEAP_BIN_LIMIT {
        make_binary(&mut p.heap, &bytes)
    } else {
        make_refc_binary(&mut p.heap, bytes.into_boxed_slice())
    }
}

/// `{ok, Data}`, or `eof` if nothing was read.
fn data_or_eof(p: &mut Process, r: Result<Vec<u8>, i32>) -> BifResult {
    match r {
        Ok(b) if b.is_empty() => Ok(Term::atom(Atom::from_str("eof"))),
        Ok(b) => {
            let b = binary_of(p, b);
            ok_tuple(p, b)
        }
        Err(e) => posix_error(p, e),
    }
}

fn stat_of(path: &CString, follow: bool) -> Result<libc::stat, i32> {
    // SAFETY: an all-zero stat is a valid value to overwrite.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `path` is NUL-terminated; `st` is a valid out-pointer.
    let r = unsafe {
        if follow {
            libc::stat(path.as_ptr(), &mut st)
        } else {
            libc::lstat(path.as_ptr(), &mut st)
        }
    };
    check(r).map(|_| st)
}

fn fstat_of(fd: libc::c_int) -> Result<libc::stat, i32> {
    // SAFETY: an all-zero stat is a valid value to overwrite.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: `st` is a valid out-pointer.
    check(unsafe { libc::fstat(fd, &mut st) }).map(|_| st)
}

fn is_dir(st: &libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFDIR
}

/// The `#file_info{}` tuple of `st` (times as POSIX seconds: `prim_file.erl` converts
/// them); the numbers are 32-bit in the reference's record, as here.
// The stat fields' types vary by target (nlink_t is 32-bit on some).
#[allow(clippy::useless_conversion)]
fn file_info(p: &mut Process, st: &libc::stat, access: u32) -> Term {
    let kind = match st.st_mode & libc::S_IFMT {
        libc::S_IFCHR | libc::S_IFBLK => "device",
        libc::S_IFDIR => "directory",
        libc::S_IFREG => "regular",
        libc::S_IFLNK => "symlink",
        _ => "other",
    };
    let access = match access {
        1 => "read",
        2 => "write",
        3 => "read_write",
        _ => "none",
    };
    let time = |t: i64| Term::small(t.clamp(MIN_FILETIME, MAX_FILETIME));
    let num = |v: u64| Term::small((v as u32) as i64);
    let size = make_u64(&mut p.heap, st.st_size as u64);
    make_tuple(
        &mut p.heap,
        &[
            Term::atom(Atom::from_str("file_info")),
            size,
            Term::atom(Atom::from_str(kind)),
            Term::atom(Atom::from_str(access)),
            time(st.st_atime),
            time(st.st_mtime),
            time(st.st_ctime),
            num(u64::from(st.st_mode)),
            num(u64::from(st.st_nlink)),
            num(st.st_dev),
            num(st.st_rdev),
            num(st.st_ino),
            num(u64::from(st.st_uid)),
            num(u64::from(st.st_gid)),
        ],
    )
}

/// The access the effective user has to a file by its mode bits (the reference's
/// check for open handles; names use access(2)).
fn handle_access(st: &libc::stat) -> u32 {
    // SAFETY: plain getters.
    let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
    let bits = |r: libc::mode_t, w: libc::mode_t| {
        u32::from(st.st_mode & r != 0) | (u32::from(st.st_mode & w != 0) << 1)
    };
    if st.st_uid == uid {
        bits(libc::S_IRUSR, libc::S_IWUSR)
    } else if st.st_gid == gid {
        bits(libc::S_IRGRP, libc::S_IWGRP)
    } else {
        bits(libc::S_IROTH, libc::S_IWOTH)
    }
}

/// open(2) with the reference's flags for `modes`; refuses directories unless asked.
fn open_path(path: &CString, modes: u32) -> Result<libc::c_int, i32> {
    let mut flags = if modes & MODE_READ != 0 && modes & MODE_WRITE == 0 {
        libc::O_RDONLY
    } else if modes & MODE_WRITE != 0 && modes & MODE_READ == 0 {
        libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC
    } else if modes & (MODE_READ | MODE_WRITE) != 0 {
        libc::O_RDWR | libc::O_CREAT
    } else {
        return Err(libc::EINVAL);
    };
    if modes & MODE_APPEND != 0 {
        flags &= !libc::O_TRUNC;
        flags |= libc::O_APPEND;
    }
    if modes & MODE_EXCLUSIVE != 0 {
        flags |= libc::O_EXCL;
    }
    if modes & MODE_SYNC != 0 {
        flags |= libc::O_SYNC;
    }
    let mode: libc::c_uint = if modes & MODE_DIRECTORY != 0 {
        flags |= libc::O_DIRECTORY;
        0o777
    } else {
        0o666
    };
    // Not inherited by programs oxbeam starts (invisible to Erlang code).
    flags |= libc::O_CLOEXEC;
    let fd = loop {
        // SAFETY: `path` is NUL-terminated.
        let fd = unsafe { libc::open(path.as_ptr(), flags, mode) };
        if fd >= 0 {
            break fd;
        }
        let e = errno();
        if e != libc::EINTR {
            return Err(e);
        }
    };
    if modes & (MODE_SKIP_TYPE_CHECK | MODE_DIRECTORY) == 0
        && fstat_of(fd).is_ok_and(|st| is_dir(&st))
    {
        // SAFETY: our own descriptor, closed once.
        unsafe { libc::close(fd) };
        return Err(libc::EISDIR);
    }
    Ok(fd)
}

/// Reads a whole file: its size's worth when known (it may have changed since), else
/// in growing blocks until EOF.
fn read_whole(fd: libc::c_int) -> Result<Vec<u8>, i32> {
    let known = fstat_of(fd).map_or(0, |st| st.st_size.max(0) as usize);
    if known > 0 {
        return read_full(fd, known, None);
    }
    let mut out = Vec::new();
    let mut block = 16 << 10;
    loop {
        let b = read_full(fd, block, None)?;
        let full = b.len() == block;
        out.extend_from_slice(&b);
        if !full {
            return Ok(out);
        }
        block = out.len();
    }
}

// ------------------------------------------------------------------ handle NIFs

/// Declares NIF `$name`, which runs `$imp` on a dirty I/O scheduler.
macro_rules! dirty_io {
    ($($name:ident => $imp:ident),* $(,)?) => {
        $(fn $name(p: &mut Process, a: &[Term]) -> BifResult {
            dirty::call(p, a, DirtyKind::Io, $imp)
        })*
    };
}

dirty_io! {
    open_nif => open_impl,
    file_desc_to_ref_nif => file_desc_to_ref_impl,
    close_nif => close_impl,
    delayed_close_nif => delayed_close_impl,
    read_nif => read_impl,
    pread_nif => pread_impl,
    write_nif => write_impl,
    pwrite_nif => pwrite_impl,
    seek_nif => seek_impl,
    sync_nif => sync_impl,
    truncate_nif => truncate_impl,
    allocate_nif => allocate_impl,
    advise_nif => advise_impl,
    read_handle_info_nif => read_handle_info_impl,
    ipread_s32bu_p32bu_nif => ipread_impl,
    read_info_nif => read_info_impl,
    set_permissions_nif => set_permissions_impl,
    set_owner_nif => set_owner_impl,
    set_time_nif => set_time_impl,
    read_link_nif => read_link_impl,
    list_dir_nif => list_dir_impl,
    rename_nif => rename_impl,
    make_hard_link_nif => make_hard_link_impl,
    make_soft_link_nif => make_soft_link_impl,
    make_dir_nif => make_dir_impl,
    del_file_nif => del_file_impl,
    del_dir_nif => del_dir_impl,
    get_device_cwd_nif => get_device_cwd_impl,
    get_cwd_nif => get_cwd_impl,
    set_cwd_nif => set_cwd_impl,
    read_file_nif => read_file_impl,
    altname_nif => altname_impl,
}

fn open_impl(p: &mut Process, a: &[Term]) -> BifResult {
    if !a[1].is_list() && !a[1].is_nil() {
        return Err(BADARG);
    }
    let mut modes = 0u32;
    let mut l = a[1];
    while l.is_list() {
        // Other modes (raw, binary, read_ahead ...) are prim_file.erl's business.
        modes |= match head(l).as_atom().map(|m| m.name()) {
            Some("read") => MODE_READ,
            Some("write") => MODE_WRITE,
            Some("exclusive") => MODE_EXCLUSIVE,
            Some("append") => MODE_APPEND,
            Some("sync") => MODE_SYNC,
            Some("skip_type_check") => MODE_SKIP_TYPE_CHECK,
            Some("directory") => MODE_DIRECTORY,
            _ => 0,
        };
        l = tail(l);
    }
    if modes & (MODE_APPEND | MODE_EXCLUSIVE) != 0 {
        modes |= MODE_WRITE;
    } else if modes & (MODE_READ | MODE_WRITE) == 0 {
        modes |= MODE_READ;
    }
    let r = path_arg(a[0]).and_then(|path| open_path(&path, modes));
    match r {
        Ok(fd) => new_handle(p, fd),
        Err(e) => posix_error(p, e),
    }
}

fn file_desc_to_ref_impl(p: &mut Process, a: &[Term]) -> BifResult {
    let fd = int32(a[0]).ok_or(BADARG)?;
    // SAFETY: F_GETFL only queries the descriptor.
    if unsafe { libc::fcntl(fd, libc::F_GETFL) } == -1 {
        let e = errno();
        if e == libc::EBADF {
            return posix_error(p, e);
        }
    }
    new_handle(p, fd)
}

fn close_impl(p: &mut Process, a: &[Term]) -> BifResult {
    let r = close_handle(a[0])?;
    status(p, r)
}

/// The janitor's close of an orphaned file (here the owner's exit closes those).
fn delayed_close_impl(_p: &mut Process, a: &[Term]) -> BifResult {
    let _ = close_handle(a[0])?;
    ok()
}

fn read_impl(p: &mut Process, a: &[Term]) -> BifResult {
    with_file(p, a, |p, f, a| {
        if !is_number(a[0]) {
            return Err(BADARG);
        }
        let Some(size) = int64(a[0]).filter(|&n| n >= 0) else {
            return posix_error(p, libc::EINVAL);
        };
        let r = usize::try_from(size)
            .map_err(|_| libc::ENOMEM)
            .and_then(|n| read_full(f.fd, n, None));
        drop(f);
        data_or_eof(p, r)
    })
}

fn pread_impl(p: &mut Process, a: &[Term]) -> BifResult {
    with_file(p, a, |p, f, a| {
        if !is_number(a[0]) || !is_number(a[1]) {
            return Err(BADARG);
        }
        let (Some(off), Some(size)) = (int64(a[0]), int64(a[1])) else {
            return posix_error(p, libc::EINVAL);
        };
        if off < 0 || size < 0 {
            return posix_error(p, libc::EINVAL);
        }
        let r = usize::try_from(size)
            .map_err(|_| libc::ENOMEM)
            .and_then(|n| read_full(f.fd, n, Some(off)));
        drop(f);
        data_or_eof(p, r)
    })
}

fn write_impl(p: &mut Process, a: &[Term]) -> BifResult {
    with_file(p, a, |p, f, a| {
        let (segs, rest) = super::prim_buffer::iovec_batch(a[0]).ok_or(BADARG)?;
        let slices: Vec<&[u8]> = segs.iter().map(|s| s.bytes()).collect();
        let r = write_all(f.fd, &slices, None);
        drop(f);
        match r {
            Err(e) => posix_error(p, e),
            Ok(_) if rest.is_nil() => ok(),
            Ok(_) => Ok(make_tuple(
                &mut p.heap,
                &[Term::atom(Atom::from_str("continue")), rest],
            )),
        }
    })
}

fn pwrite_impl(p: &mut Process, a: &[Term]) -> BifResult {
    with_file(p, a, |p, f, a| {
        if !is_number(a[0]) {
            return Err(BADARG);
        }
        let (segs, rest) = super::prim_buffer::iovec_batch(a[1]).ok_or(BADARG)?;
        let Some(off) = int64(a[0]).filter(|&o| o >= 0) else {
            return posix_error(p, libc::EINVAL);
        };
        let slices: Vec<&[u8]> = segs.iter().map(|s| s.bytes()).collect();
        let r = write_all(f.fd, &slices, Some(off));
        drop(f);
        match r {
            Err(e) => posix_error(p, e),
            Ok(_) if rest.is_nil() => ok(),
            Ok(n) => {
                let n = make_u64(&mut p.heap, n);
                Ok(make_tuple(
                    &mut p.heap,
                    &[Term::atom(Atom::from_str("continue")), n, rest],
                ))
            }
        }
    })
}

fn seek_impl(p: &mut Process, a: &[Term]) -> BifResult {
    with_file(p, a, |p, f, a| {
        let off = int64(a[1]).ok_or(BADARG)?;
        let whence = match a[0].as_atom().map(|m| m.name()) {
            Some("bof") => libc::SEEK_SET,
            Some("cur") => libc::SEEK_CUR,
            Some("eof") => libc::SEEK_END,
            _ => return Err(BADARG),
        };
        // SAFETY: lseek on our descriptor.
        let r = unsafe { libc::lseek(f.fd, off, whence) };
        drop(f);
        if r < 0 {
            let e = errno();
            return posix_error(p, if e == 0 { libc::EINVAL } else { e });
        }
        let pos = make_u64(&mut p.heap, r as u64);
        ok_tuple(p, pos)
    })
}

fn sync_impl(p: &mut Process, a: &[Term]) -> BifResult {
    with_file(p, a, |p, f, a| {
        let data_only = int32(a[0]).ok_or(BADARG)?;
        // SAFETY: (f)datasync on our descriptor.
        let r = check(unsafe {
            if data_only != 0 {
                libc::fdatasync(f.fd)
            } else {
                libc::fsync(f.fd)
            }
        });
        drop(f);
        status(p, r)
    })
}

fn truncate_impl(p: &mut Process, a: &[Term]) -> BifResult {
    with_file(p, a, |p, f, _a| {
        // SAFETY: lseek/ftruncate on our descriptor.
        let r = unsafe {
            let at = libc::lseek(f.fd, 0, libc::SEEK_CUR);
            if at < 0 {
                Err(errno())
            } else {
                check(libc::ftruncate(f.fd, at))
            }
        };
        drop(f);
        status(p, r)
    })
}

/// The offset and length arguments of allocate/advise: numbers (else `badarg`) that
/// are non-negative 64-bit integers (else `einval`).
fn range_args(a: &[Term]) -> Result<Result<(i64, i64), i32>, Fault> {
    if !is_number(a[0]) || !is_number(a[1]) {
        return Err(BADARG);
    }
    Ok(match (int64(a[0]), int64(a[1])) {
        (Some(off), Some(len)) if off >= 0 && len >= 0 => Ok((off, len)),
        _ => Err(libc::EINVAL),
    })
}

fn allocate_impl(p: &mut Process, a: &[Term]) -> BifResult {
    with_file(p, a, |p, f, a| {
        let (off, len) = match range_args(a)? {
            Ok(r) => r,
            Err(e) => return posix_error(p, e),
        };
        // fallocate(2), then posix_fallocate(3) if that fails, as the reference does.
        let mut r = loop {
            // SAFETY: fallocate on our descriptor.
            if unsafe { libc::fallocate(f.fd, 0, off, len) } == 0 {
                break Ok(());
            }
            let e = errno();
            if e != libc::EINTR {
                break Err(e);
            }
        };
        if r.is_err() {
            r = loop {
                // SAFETY: posix_fallocate on our descriptor.
                let e = unsafe { libc::posix_fallocate(f.fd, off, len) };
                if e != libc::EINTR {
                    break if e == 0 { Ok(()) } else { Err(e) };
                }
            };
        }
        drop(f);
        status(p, r)
    })
}

fn advise_impl(p: &mut Process, a: &[Term]) -> BifResult {
    with_file(p, a, |p, f, a| {
        let (off, len) = match range_args(a)? {
            Ok(r) => r,
            Err(e) => return posix_error(p, e),
        };
        let advice = match a[2].as_atom().map(|m| m.name()) {
            Some("normal") => libc::POSIX_FADV_NORMAL,
            Some("random") => libc::POSIX_FADV_RANDOM,
            Some("sequential") => libc::POSIX_FADV_SEQUENTIAL,
            Some("will_need") => libc::POSIX_FADV_WILLNEED,
            Some("dont_need") => libc::POSIX_FADV_DONTNEED,
            Some("no_reuse") => libc::POSIX_FADV_NOREUSE,
            _ => return posix_error(p, libc::EINVAL),
        };
        // Only a hint: the reference ignores what posix_fadvise(3) returns (an error
        // number, never the negative value it checks for).
        // SAFETY: posix_fadvise on our descriptor.
        unsafe { libc::posix_fadvise(f.fd, off, len, advice) };
        ok()
    })
}

fn read_handle_info_impl(p: &mut Process, a: &[Term]) -> BifResult {
    with_file(p, a, |p, f, _a| {
        let r = fstat_of(f.fd);
        drop(f);
        match r {
            Ok(st) => Ok(file_info(p, &st, handle_access(&st))),
            Err(e) => posix_error(p, e),
        }
    })
}

/// The descriptor as a native-endian 32-bit binary (a plain NIF in the reference).
fn get_handle_nif(p: &mut Process, a: &[Term]) -> BifResult {
    with_file(p, a, |p, f, _a| {
        let bytes = f.fd.to_ne_bytes();
        drop(f);
        Ok(make_binary(&mut p.heap, &bytes))
    })
}

/// Reads the 8-byte pointer `<<Size:32, Offset:32>>` at an offset, then the `Size`
/// bytes at `Offset` (DETS's indirect read).
fn ipread_impl(p: &mut Process, a: &[Term]) -> BifResult {
    with_file(p, a, |p, f, a| {
        if !is_number(a[0]) || !is_number(a[1]) {
            return Err(BADARG);
        }
        let (ptr_off, max) = match (int64(a[0]), int64(a[1])) {
            (Some(o), Some(m)) if o >= 0 && m < 1 << 31 => (o, m),
            _ => return posix_error(p, libc::EINVAL),
        };
        let eof = Term::atom(Atom::from_str("eof"));
        let ptr = match read_full(f.fd, 8, Some(ptr_off)) {
            Ok(b) => b,
            Err(e) => return posix_error(p, e),
        };
        if ptr.len() < 8 {
            return Ok(eof);
        }
        let size = u32::from_be_bytes([ptr[0], ptr[1], ptr[2], ptr[3]]);
        let off = u32::from_be_bytes([ptr[4], ptr[5], ptr[6], ptr[7]]);
        if i64::from(size) > max {
            return Ok(eof);
        }
        let data = match read_full(f.fd, size as usize, Some(i64::from(off))) {
            Ok(b) => b,
            Err(e) => return posix_error(p, e),
        };
        drop(f);
        let data = if data.is_empty() {
            eof
        } else {
            binary_of(p, data)
        };
        let t = make_tuple(
            &mut p.heap,
            &[
                Term::small(i64::from(size)),
                Term::small(i64::from(off)),
                data,
            ],
        );
        ok_tuple(p, t)
    })
}

// ------------------------------------------------------------------ file system NIFs

/// Runs `f` on the file name in `t`; a bad name gives `{error, einval}`.
fn with_path(p: &mut Process, t: Term, f: impl FnOnce(&CString) -> Result<(), i32>) -> BifResult {
    let r = path_arg(t).and_then(|path| f(&path));
    status(p, r)
}

/// The same for operations on two names.
fn with_paths(
    p: &mut Process,
    a: &[Term],
    f: impl FnOnce(&CString, &CString) -> Result<(), i32>,
) -> BifResult {
    let r = path_arg(a[0]).and_then(|from| path_arg(a[1]).and_then(|to| f(&from, &to)));
    status(p, r)
}

fn read_info_impl(p: &mut Process, a: &[Term]) -> BifResult {
    let follow = int32(a[1]).ok_or(BADARG)?;
    let r = path_arg(a[0]).and_then(|path| {
        let st = stat_of(&path, follow != 0)?;
        // SAFETY: `path` is NUL-terminated.
        let (r, w) = unsafe {
            (
                libc::access(path.as_ptr(), libc::R_OK) == 0,
                libc::access(path.as_ptr(), libc::W_OK) == 0,
            )
        };
        Ok((st, u32::from(r) | (u32::from(w) << 1)))
    });
    match r {
        Ok((st, access)) => Ok(file_info(p, &st, access)),
        Err(e) => posix_error(p, e),
    }
}

fn set_permissions_impl(p: &mut Process, a: &[Term]) -> BifResult {
    let perms = uint32(a[1]).ok_or(BADARG)?;
    with_path(p, a[0], |path| {
        let setid = libc::S_ISUID | libc::S_ISGID;
        let mode = perms & (setid | libc::S_IRWXU | libc::S_IRWXG | libc::S_IRWXO);
        // SAFETY: `path` is NUL-terminated.
        check(unsafe { libc::chmod(path.as_ptr(), mode) }).or_else(|_| {
            // Again without the set-id bits, which only some users may set.
            // SAFETY: as above.
            check(unsafe { libc::chmod(path.as_ptr(), mode & !setid) })
        })
    })
}

fn set_owner_impl(p: &mut Process, a: &[Term]) -> BifResult {
    let (Some(uid), Some(gid)) = (int32(a[1]), int32(a[2])) else {
        return Err(BADARG);
    };
    with_path(p, a[0], |path| {
        // SAFETY: `path` is NUL-terminated; -1 (all ones) leaves an id as it is.
        check(unsafe { libc::chown(path.as_ptr(), uid as libc::uid_t, gid as libc::gid_t) })
    })
}

fn set_time_impl(p: &mut Process, a: &[Term]) -> BifResult {
    let (Some(atime), Some(mtime), Some(_ctime)) = (int64(a[1]), int64(a[2]), int64(a[3])) else {
        return Err(BADARG);
    };
    with_path(p, a[0], |path| {
        let times = libc::utimbuf {
            actime: atime as libc::time_t,
            modtime: mtime as libc::time_t,
        };
        // SAFETY: `path` is NUL-terminated; `times` is a valid utimbuf.
        check(unsafe { libc::utime(path.as_ptr(), &times) })
    })
}

fn read_link_impl(p: &mut Process, a: &[Term]) -> BifResult {
    let r = path_arg(a[0]).and_then(|path| {
        let mut buf = vec![0u8; 256];
        loop {
            // SAFETY: `path` is NUL-terminated; `buf` has room for buf.len() bytes.
            let n = unsafe {
                libc::readlink(
                    path.as_ptr(),
                    buf.as_mut_ptr() as *mut libc::c_char,
                    buf.len(),
                )
            };
            if n <= 0 {
                return Err(errno());
            }
            if (n as usize) < buf.len() {
                buf.truncate(n as usize);
                return Ok(buf);
            }
            // It may not have fitted: again with more room.
            let bigger = buf.len() * 2;
            buf.resize(bigger, 0);
        }
    });
    match r {
        Ok(b) => {
            let b = binary_of(p, b);
            ok_tuple(p, b)
        }
        Err(e) => posix_error(p, e),
    }
}

/// The names in a directory but `.` and `..`, in the order readdir(3) gives them.
fn dir_names(path: &CString) -> Result<Vec<Vec<u8>>, i32> {
    // SAFETY: `path` is NUL-terminated.
    let dir = unsafe { libc::opendir(path.as_ptr()) };
    if dir.is_null() {
        return Err(errno());
    }
    let mut names = Vec::new();
    loop {
        // SAFETY: `dir` is an open directory stream, used by this thread only.
        let ent = unsafe { libc::readdir(dir) };
        if ent.is_null() {
            break;
        }
        // SAFETY: d_name is a NUL-terminated name inside the entry.
        let name = unsafe { std::ffi::CStr::from_ptr((*ent).d_name.as_ptr()) }.to_bytes();
        if name != b"." && name != b".." {
            names.push(name.to_vec());
        }
    }
    // SAFETY: closes the stream opened above, once.
    unsafe { libc::closedir(dir) };
    Ok(names)
}

fn list_dir_impl(p: &mut Process, a: &[Term]) -> BifResult {
    match path_arg(a[0]).and_then(|path| dir_names(&path)) {
        Ok(names) => {
            // The reference builds the list by prepending: the last name read is first.
            let mut l = Term::NIL;
            for n in &names {
                let b = make_binary(&mut p.heap, n);
                l = cons(&mut p.heap, b, l);
            }
            ok_tuple(p, l)
        }
        Err(e) => posix_error(p, e),
    }
}

fn rename_impl(p: &mut Process, a: &[Term]) -> BifResult {
    with_paths(p, a, |from, to| {
        // SAFETY: both names are NUL-terminated.
        check(unsafe { libc::rename(from.as_ptr(), to.as_ptr()) }).map_err(|e| {
            if e == libc::ENOTEMPTY {
                libc::EEXIST
            } else if from.as_bytes() == b"/" {
                libc::EINVAL
            } else {
                e
            }
        })
    })
}

fn make_hard_link_impl(p: &mut Process, a: &[Term]) -> BifResult {
    // SAFETY: both names are NUL-terminated.
    with_paths(p, a, |from, to| {
        check(unsafe { libc::link(from.as_ptr(), to.as_ptr()) })
    })
}

fn make_soft_link_impl(p: &mut Process, a: &[Term]) -> BifResult {
    with_paths(p, a, |from, to| {
        // SAFETY: both names are NUL-terminated.
        check(unsafe { libc::symlink(from.as_ptr(), to.as_ptr()) })
    })
}

fn make_dir_impl(p: &mut Process, a: &[Term]) -> BifResult {
    // SAFETY: the name is NUL-terminated.
    with_path(p, a[0], |path| {
        check(unsafe { libc::mkdir(path.as_ptr(), 0o777) })
    })
}

fn del_file_impl(p: &mut Process, a: &[Term]) -> BifResult {
    with_path(p, a[0], |path| {
        // SAFETY: `path` is NUL-terminated.
        check(unsafe { libc::unlink(path.as_ptr()) }).map_err(|e| {
            // Linux says EISDIR for a directory; the reference reports POSIX's EPERM.
            if e == libc::EISDIR {
                libc::EPERM
            } else {
                e
            }
        })
    })
}

fn del_dir_impl(p: &mut Process, a: &[Term]) -> BifResult {
    with_path(p, a[0], |path| {
        // SAFETY: `path` is NUL-terminated.
        check(unsafe { libc::rmdir(path.as_ptr()) }).map_err(|e| {
            let e = if e == libc::ENOTEMPTY {
                libc::EEXIST
            } else {
                e
            };
            if e == libc::EEXIST {
                // The current directory: EINVAL, as the reference reports it.
                if let (Ok(a), Ok(b)) = (stat_of(path, true), stat_of(&CString::from(c"."), true)) {
                    if a.st_ino == b.st_ino && a.st_dev == b.st_dev {
                        return libc::EINVAL;
                    }
                }
            }
            e
        })
    })
}

fn get_device_cwd_impl(p: &mut Process, a: &[Term]) -> BifResult {
    int32(a[0]).ok_or(BADARG)?;
    // Drive letters are Windows only.
    posix_error(p, libc::ENOTSUP)
}

fn get_cwd_impl(p: &mut Process, _a: &[Term]) -> BifResult {
    match std::env::current_dir() {
        Ok(d) => {
            let b = binary_of(p, d.into_os_string().into_encoded_bytes());
            ok_tuple(p, b)
        }
        Err(e) => posix_error(p, e.raw_os_error().unwrap_or(libc::EINVAL)),
    }
}

fn set_cwd_impl(p: &mut Process, a: &[Term]) -> BifResult {
    // SAFETY: the name is NUL-terminated.
    with_path(p, a[0], |path| check(unsafe { libc::chdir(path.as_ptr()) }))
}

fn read_file_impl(p: &mut Process, a: &[Term]) -> BifResult {
    let r = path_arg(a[0]).and_then(|path| {
        let fd = open_path(&path, MODE_READ)?;
        let r = read_whole(fd);
        // SAFETY: our own descriptor, closed once.
        unsafe { libc::close(fd) };
        r
    });
    match r {
        Ok(b) => {
            let b = binary_of(p, b);
            ok_tuple(p, b)
        }
        Err(e) => posix_error(p, e),
    }
}

fn altname_impl(p: &mut Process, a: &[Term]) -> BifResult {
    // Short (8.3) names are Windows only.
    with_path(p, a[0], |_path| Err(libc::ENOTSUP))
}

// ------------------------------------------------------------------ file names

/// Appends the UTF-8 encoding of the characters of the (possibly deep) list `t`, or
/// returns `false` if it is not one (as the reference's `erts_native_filename_need`).
pub(crate) fn encode_chars(t: Term, out: &mut Vec<u8>) -> bool {
    let mut stack = vec![t];
    while let Some(mut l) = stack.pop() {
        while l.is_list() {
            let h = head(l);
            if let Some(c) = h.as_small() {
                let Some(ch) = u32::try_from(c).ok().and_then(char::from_u32) else {
                    return false;
                };
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            } else if h.is_list() {
                stack.push(tail(l));
                l = h;
                continue;
            } else if !h.is_nil() {
                return false;
            }
            l = tail(l);
        }
        if !l.is_nil() {
            return false;
        }
    }
    true
}

/// `prim_file:internal_name2native/1`: a file name (a possibly deep string, or a
/// binary taken as it is) as the native bytes the NIFs take, NUL-terminated; `badarg`
/// if it contains a NUL.
fn internal_name2native(p: &mut Process, a: &[Term]) -> BifResult {
    let t = a[0];
    let mut out = Vec::new();
    if is_bitstring(t) {
        let v = bit_view(t).ok_or(BADARG)?;
        out = BitView {
            bit_size: v.bit_size / 8 * 8,
            ..v
        }
        .to_vec();
    } else if !((t.is_list() || t.is_nil()) && encode_chars(t, &mut out)) {
        return Err(BADARG);
    }
    // A NUL would end the name early.
    if out.contains(&0) {
        return Err(BADARG);
    }
    out.push(0);
    Ok(make_binary(&mut p.heap, &out))
}

/// `prim_file:internal_native2name/1`: native bytes as a file name (a list of
/// characters), or `{error, warning}` if they are not UTF-8 (erl's default `+fnuw`).
fn internal_native2name(p: &mut Process, a: &[Term]) -> BifResult {
    let bytes = binary_bytes(a[0]).ok_or(BADARG)?;
    match std::str::from_utf8(&bytes) {
        Ok(s) => {
            let chars: Vec<Term> = s.chars().map(|c| Term::small(c as i64)).collect();
            Ok(list_from_iter(&mut p.heap, &chars, Term::NIL))
        }
        Err(_) => Ok(make_tuple(
            &mut p.heap,
            &[Term::atom(am::ERROR), Term::atom(Atom::from_str("warning"))],
        )),
    }
}

/// `prim_file:internal_normalize_utf8/1`: a UTF-8 binary as a list of characters in
/// normalization form C (continued in `unicode:characters_to_nfc_list/1`).
fn internal_normalize_utf8(p: &mut Process, a: &[Term]) -> BifResult {
    let bytes = binary_bytes(a[0]).ok_or(BADARG)?;
    if std::str::from_utf8(&bytes).is_err() {
        return Err(BADARG);
    }
    let args = cons(&mut p.heap, a[0], Term::NIL);
    Err(Fault::Trap(Trap::Apply {
        module: Term::atom(Atom::from_str("unicode")),
        function: Term::atom(Atom::from_str("characters_to_nfc_list")),
        args,
    }))
}

/// `prim_file:is_translatable/1`: whether a binary name is valid UTF-8.
fn is_translatable(_p: &mut Process, a: &[Term]) -> BifResult {
    let bytes = binary_bytes(a[0]).ok_or(BADARG)?;
    Ok(Term::boolean(std::str::from_utf8(&bytes).is_ok()))
}

pub fn register() {
    let list: &[(&str, u32, BifFn)] = &[
        ("open_nif", 2, open_nif),
        ("close_nif", 1, close_nif),
        ("read_nif", 2, read_nif),
        ("write_nif", 2, write_nif),
        ("pread_nif", 3, pread_nif),
        ("pwrite_nif", 3, pwrite_nif),
        ("seek_nif", 3, seek_nif),
        ("sync_nif", 2, sync_nif),
        ("truncate_nif", 1, truncate_nif),
        ("allocate_nif", 3, allocate_nif),
        ("advise_nif", 4, advise_nif),
        ("read_handle_info_nif", 1, read_handle_info_nif),
        ("make_hard_link_nif", 2, make_hard_link_nif),
        ("make_soft_link_nif", 2, make_soft_link_nif),
        ("rename_nif", 2, rename_nif),
        ("read_info_nif", 2, read_info_nif),
        ("set_permissions_nif", 2, set_permissions_nif),
        ("set_owner_nif", 3, set_owner_nif),
        ("set_time_nif", 4, set_time_nif),
        ("read_link_nif", 1, read_link_nif),
        ("list_dir_nif", 1, list_dir_nif),
        ("make_dir_nif", 1, make_dir_nif),
        ("del_file_nif", 1, del_file_nif),
        ("del_dir_nif", 1, del_dir_nif),
        ("get_device_cwd_nif", 1, get_device_cwd_nif),
        ("set_cwd_nif", 1, set_cwd_nif),
        ("get_cwd_nif", 0, get_cwd_nif),
        ("ipread_s32bu_p32bu_nif", 3, ipread_s32bu_p32bu_nif),
        ("read_file_nif", 1, read_file_nif),
        ("get_handle_nif", 1, get_handle_nif),
        ("delayed_close_nif", 1, delayed_close_nif),
        ("altname_nif", 1, altname_nif),
        ("file_desc_to_ref_nif", 1, file_desc_to_ref_nif),
    ];
    for &(f, arity, fun) in list {
        reg_nif("prim_file", f, arity, fun);
    }
    reg("prim_file", "internal_name2native", 1, internal_name2native);
    reg("prim_file", "internal_native2name", 1, internal_native2name);
    reg(
        "prim_file",
        "internal_normalize_utf8",
        1,
        internal_normalize_utf8,
    );
    reg("prim_file", "is_translatable", 1, is_translatable);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(bytes: &[u8]) -> Result<Vec<u8>, i32> {
        let mut h = crate::heap::Heap::new(256);
        let t = make_binary(&mut h, bytes);
        path_arg(t).map(|c| c.into_bytes())
    }

    #[test]
    fn file_names_follow_the_references_nul_check() {
        assert_eq!(name(b"abc\0"), Ok(b"abc".to_vec()));
        assert_eq!(name(b"abc\0\0\0"), Ok(b"abc".to_vec()));
        assert_eq!(name(b"abc"), Err(libc::EINVAL));
        assert_eq!(name(b""), Err(libc::EINVAL));
        assert_eq!(name(b"a\0bc\0"), Err(libc::EINVAL));
        // The reference's loop stops at the last byte: "a\0b" passes, as "a".
        assert_eq!(name(b"a\0b"), Ok(b"a".to_vec()));
        assert_eq!(name(b"\0"), Ok(Vec::new()));
    }

    #[test]
    fn errno_names() {
        assert_eq!(errno_name(libc::ENOENT), "enoent");
        assert_eq!(errno_name(libc::EOPNOTSUPP), "enotsup");
        assert_eq!(errno_name(libc::EWOULDBLOCK), "eagain");
        assert_eq!(errno_name(libc::EDEADLOCK), "edeadlk");
        assert_eq!(errno_name(100_000), "unknown");
    }

    #[test]
    fn writes_and_reads_through_descriptors() {
        let dir = std::env::temp_dir().join(format!("oxbeam-prim-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let c = |p: &std::path::Path| CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
        let f = c(&dir.join("x"));
        let fd = open_path(&f, MODE_READ | MODE_WRITE).unwrap();
        assert_eq!(write_all(fd, &[b"hello ", b"", b"world"], None), Ok(11));
        assert_eq!(write_all(fd, &[b"W"], Some(6)), Ok(1));
        assert_eq!(read_full(fd, 10, Some(0)).unwrap(), b"hello Worl");
        assert_eq!(read_full(fd, 100, Some(8)).unwrap(), b"rld");
        assert_eq!(read_full(fd, 5, None).unwrap(), b"");
        assert_eq!(read_full(fd, 0, Some(0)).unwrap(), b"");
        // SAFETY: our descriptor.
        unsafe { libc::close(fd) };
        assert_eq!(open_path(&c(&dir), MODE_READ), Err(libc::EISDIR));
        assert_eq!(dir_names(&c(&dir)), Ok(vec![b"x".to_vec()]));
        let fd = open_path(&f, MODE_READ).unwrap();
        assert_eq!(read_whole(fd).unwrap(), b"hello World");
        // SAFETY: our descriptor.
        unsafe { libc::close(fd) };
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
