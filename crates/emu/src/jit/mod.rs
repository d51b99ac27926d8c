//! A baseline JIT: each module's instructions are translated, once, into x86-64 code
//! that does what the interpreter does, with the operands built into the code. It
//! removes the interpreter's dispatch and operand decoding; the Erlang state stays
//! where the interpreter keeps it (X registers in `Regs`, Y registers and return
//! addresses on the process stack, `htop`/`stop`/`reds_left` in the process), so
//! native code and the interpreter hand control to each other at any instruction.
//!
//! * Return addresses on the stack are still instruction addresses (`*const Op`):
//!   stack traces, exceptions, the collector and code purging see no difference. A
//!   return (or a call through an export) finds the native code of an instruction
//!   address through a per-scheduler direct-mapped cache ([`Ctx`]), filled on a miss
//!   from the module's table.
//! * Instructions without a native translation, and the slow paths of those with one
//!   (a collection, a bignum, an exception, ...), leave native code and run one
//!   instruction in the interpreter (see [`run`]); the interpreter's result is the
//!   truth, so native code only ever runs fast paths whose outcome is certain.
//! * A call that runs out of reductions leaves native code too, and takes the
//!   interpreter's path (yield, or call tracing through `trace::bp::call_slow`).
//!
//! Code is compiled lazily: a module on its first entry. Loaded code is never freed
//! (see `code::Versions`), and neither is native code, so cached addresses stay valid.
//! `OXBEAM_JIT=0` in the environment turns the JIT off (the interpreter runs alone).

mod arena;
mod emit;
mod enter;
mod helpers;
mod perfmap;

use crate::interp::{self, Outcome, Regs};
use crate::ops::Op;
use crate::process::Process;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Why native code returned to [`run`] (the low byte of the exit word).
const EXIT_INTERPRET: u64 = 0;
/// Continue at the instruction address given, natively if it has native code.
const EXIT_GOTO: u64 = 1;
/// A call ran out of reductions: the target, and the arity in bits 8 and up.
const EXIT_CALL_SLOW: u64 = 2;

/// Entries in each scheduler's instruction-address → native-address cache.
const CACHE_ENTRIES: usize = 8192;

#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct CacheEntry {
    key: usize,
    /// 0: the instruction has no native code (a stub, or the JIT failed).
    native: usize,
}

/// A scheduler's JIT state: the address cache native code reads through `rbx`.
pub struct Ctx {
    cache: Box<[CacheEntry]>,
}

impl Default for Ctx {
    fn default() -> Self {
        Ctx {
            cache: vec![CacheEntry::default(); CACHE_ENTRIES].into_boxed_slice(),
        }
    }
}

#[inline(always)]
fn slot(ip: usize) -> usize {
    (ip >> 3) & (CACHE_ENTRIES - 1)
}

impl Ctx {
    /// The native code of the instruction at `ip`, compiling its module if needed.
    #[inline]
    fn lookup(&mut self, ip: *const Op) -> Option<usize> {
        let e = &mut self.cache[slot(ip as usize)];
        if e.key == ip as usize {
            return (e.native != 0).then_some(e.native);
        }
        let native = resolve(ip);
        *e = CacheEntry {
            key: ip as usize,
            native: native.unwrap_or(0),
        };
        native
    }
}

/// A module's native code: the native entry of each instruction, filled a function
/// at a time, when the function is first run.
pub struct Native {
    /// 0: not compiled yet; `FAILED`: cannot be; else the native address.
    table: Box<[AtomicUsize]>,
    /// Held while compiling one of the module's functions.
    compiling: Mutex<()>,
}

/// The entry of an instruction whose function could not be compiled.
const FAILED: usize = 1;

/// Whether the JIT runs at all (`OXBEAM_JIT=0` turns it off).
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| {
        cfg!(target_arch = "x86_64")
            && !cfg!(feature = "opstats")
            && std::env::var("OXBEAM_JIT").map_or(true, |v| v != "0")
            && enter::ready()
    })
}

/// A module's (empty) native table (called once per module, from `Module::native`).
pub fn for_module(code: &[Op]) -> Option<Native> {
    if !enabled() {
        return None;
    }
    Some(Native {
        table: (0..code.len()).map(|_| AtomicUsize::new(0)).collect(),
        compiling: Mutex::new(()),
    })
}

fn resolve(ip: *const Op) -> Option<usize> {
    let m = crate::code::module_of_addr(ip)?;
    let n = m.native()?;
    let i = m.index_of(ip);
    let a = match n.table[i].load(Ordering::Acquire) {
        0 => compile_function(&m, n, i),
        a => a,
    };
    (a != FAILED).then_some(a)
}

/// Compiles the function holding instruction `i` of `m`; returns `i`'s entry.
#[cold]
fn compile_function(m: &crate::code::Module, n: &Native, i: usize) -> usize {
    let _lock = n.compiling.lock();
    let done = n.table[i].load(Ordering::Acquire);
    if done != 0 {
        return done;
    }
    let k = m.functions.partition_point(|f| f.start <= i);
    let lo = if k == 0 { 0 } else { m.functions[k - 1].start };
    let hi = m.functions.get(k).map_or(m.code.len(), |f| f.start);
    let placed = emit::compile(&m.code, lo, hi, &n.table)
        .and_then(|(bytes, entries)| Some((arena::place(&bytes)?, entries, bytes.len())));
    if let (Some((base, _, len)), true) = (&placed, perfmap::enabled()) {
        let f = &m.functions[k.saturating_sub(1)];
        perfmap::record(
            *base,
            *len,
            format_args!("{}:{}/{}", m.name, f.name, f.arity),
        );
    }
    for (k, slot) in n.table[lo..hi].iter().enumerate() {
        let entry = match &placed {
            Some((base, entries, _)) => base + entries[k] as usize,
            None => FAILED,
        };
        slot.store(entry, Ordering::Release);
    }
    n.table[i].load(Ordering::Acquire)
}

/// Whether `p` may run native code now: processes that are traced run in the
/// interpreter, which holds all of tracing's hooks.
pub fn usable(p: &Process) -> bool {
    enabled() && p.trace_flags == 0 && !p.trace_calls && !crate::trace::bp::all_mode()
}

/// Runs `p` from `ip` until it yields, waits or exits: natively where there is native
/// code, one instruction at a time in the interpreter where there is not.
pub fn run(p: &mut Process, regs: &mut Regs, mut ip: *const Op) -> Outcome {
    loop {
        if let Some(native) = regs.jit.lookup(ip) {
            let (kind, value) = enter::enter(p, regs, native);
            match kind & 0xff {
                EXIT_INTERPRET => ip = value as *const Op,
                EXIT_GOTO => {
                    ip = value as *const Op;
                    continue;
                }
                _ => {
                    debug_assert_eq!(kind & 0xff, EXIT_CALL_SLOW);
                    let target = value as *const Op;
                    let arity = (kind >> 8) as usize;
                    let to = crate::trace::bp::call_slow(p, regs, target, arity);
                    if to.is_null() {
                        p.ip = target;
                        p.saved_x.extend_from_slice(&regs.x[..arity]);
                        return Outcome::Yield;
                    }
                    ip = to;
                    continue;
                }
            }
        }
        let mut next = std::ptr::null();
        let outcome = interp::run_loop::<true>(p, regs, ip, &mut next);
        if next.is_null() {
            return outcome;
        }
        ip = next;
    }
}
