//! Memory for native code. Code is written once and never freed (like loaded code),
//! so it is carved out of large chunks. Each chunk is a memory file mapped twice: a
//! writable view the compiler copies code into, and an executable view that runs it.
//! No page is ever writable and executable at once, and placing a module's code
//! needs no `mprotect` (which would make the kernel flush the TLBs of every thread
//! of the VM, each time).

use parking_lot::Mutex;

const CHUNK_BYTES: usize = 64 << 20;

struct Chunk {
    rw: usize,
    rx: usize,
    used: usize,
}

static CURRENT: Mutex<Option<Chunk>> = Mutex::new(None);

fn new_chunk() -> Option<Chunk> {
    if super::perfmap::enabled() {
        return profiling_chunk();
    }
    // SAFETY: plain system calls; every result is checked before use, and the
    // descriptor is closed once both views exist (the mappings keep the file).
    unsafe {
        let fd = libc::memfd_create(c"oxbeam-jit".as_ptr(), libc::MFD_CLOEXEC);
        if fd < 0 {
            return None;
        }
        let mapped = (|| {
            if libc::ftruncate(fd, CHUNK_BYTES as libc::off_t) != 0 {
                return None;
            }
            let map = |prot| {
                let p = libc::mmap(
                    std::ptr::null_mut(),
                    CHUNK_BYTES,
                    prot,
                    libc::MAP_SHARED,
                    fd,
                    0,
                );
                (p != libc::MAP_FAILED).then_some(p as usize)
            };
            let rw = map(libc::PROT_READ | libc::PROT_WRITE)?;
            match map(libc::PROT_READ | libc::PROT_EXEC) {
                Some(rx) => Some(Chunk { rw, rx, used: 0 }),
                None => {
                    libc::munmap(rw as *mut libc::c_void, CHUNK_BYTES);
                    None
                }
            }
        })();
        libc::close(fd);
        mapped
    }
}

/// A chunk for profiling: one anonymous mapping, writable and executable, because
/// perf looks up the names of code in anonymous memory only (see `perfmap`).
fn profiling_chunk() -> Option<Chunk> {
    // SAFETY: a plain system call; the result is checked before use.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            CHUNK_BYTES,
            libc::PROT_READ | libc::PROT_WRITE | libc::PROT_EXEC,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    (p != libc::MAP_FAILED).then_some(Chunk {
        rw: p as usize,
        rx: p as usize,
        used: 0,
    })
}

/// Copies `code` into executable memory; returns its executable address.
pub(super) fn place(code: &[u8]) -> Option<usize> {
    let size = code.len().next_multiple_of(64);
    if size > CHUNK_BYTES {
        return None;
    }
    let mut cur = CURRENT.lock();
    if cur.as_ref().is_none_or(|c| c.used + size > CHUNK_BYTES) {
        *cur = Some(new_chunk()?);
    }
    let c = cur.as_mut()?;
    let at = c.used;
    c.used += size;
    // SAFETY: `[at, at + code.len())` lies inside the chunk's writable view and was
    // handed out to no one else (`used` moved past it under the lock).
    unsafe {
        std::ptr::copy_nonoverlapping(code.as_ptr(), (c.rw + at) as *mut u8, code.len());
    }
    Some(c.rx + at)
}
