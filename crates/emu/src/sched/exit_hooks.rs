//! Cleanup that runtime subsystems (ETS tables, zlib streams, ...) do when a process that
//! used them exits. A process sets its subsystem's bit in `Process::exit_hooks` when it
//! first acquires something to clean up, so exits of processes that never touched a
//! subsystem cost one test of a zero mask.

use oxbeam_term::Term;
use std::sync::OnceLock;

/// A cleanup function: gets the exiting process's pid and table id.
pub type ExitHook = fn(pid: Term, id: u64);

/// Bits of `Process::exit_hooks`, one per subsystem.
pub const ETS: u8 = 1 << 0;
pub const ZLIB: u8 = 1 << 1;
pub const PRIM_FILE: u8 = 1 << 2;
pub const PRIM_BUFFER: u8 = 1 << 3;
/// The system monitor or profiler (`trace::sysmon`).
pub const SYSMON: u8 = 1 << 4;

static HOOKS: [OnceLock<ExitHook>; 8] = [const { OnceLock::new() }; 8];

/// Installs the cleanup of the subsystem with bit `bit` (once; later calls are ignored).
pub fn register(bit: u8, hook: ExitHook) {
    let _ = HOOKS[bit.trailing_zeros() as usize & 7].set(hook);
}

/// Runs the cleanups whose bits are set in `mask`, lowest bit first.
pub fn run(mask: u8, pid: Term, id: u64) {
    let mut m = mask;
    while m != 0 {
        let i = m.trailing_zeros() as usize;
        m &= m - 1;
        if let Some(hook) = HOOKS[i].get() {
            hook(pid, id);
        }
    }
}
