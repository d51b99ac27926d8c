//! The one way into native code: a trampoline that saves the callee-saved registers,
//! loads the registers native code keeps its context in, and jumps to an instruction's
//! native code; every exit of native code restores them (`emit::Emitter::epilogue`)
//! and returns here with the exit word in `rax` and its value in `rdx`.

use super::CacheEntry;
use crate::interp::Regs;
use crate::process::Process;
use dynasmrt::{dynasm, DynasmApi};
use std::sync::OnceLock;

/// Where the process's stack pointer sits (native code keeps it in `rbp`).
const STOP: i32 = std::mem::offset_of!(Process, heap.stop) as i32;

/// Where the process's heap top sits (native code keeps it in `r13`).
const HTOP: i32 = std::mem::offset_of!(Process, heap.htop) as i32;

/// The words between the bottom of the native call stack (`r15`) and the saved
/// registers (see the trampoline).
pub(super) const BASE_PADDING: i32 = 24;

/// What native code returns: `(kind, value)` in `rax:rdx` (the System V ABI's return
/// of a two-word struct).
#[repr(C)]
struct Exit {
    kind: u64,
    value: u64,
}

type EnterFn = unsafe extern "sysv64" fn(
    p: *mut Process,
    regs: *mut Regs,
    cache: *const CacheEntry,
    native: usize,
) -> Exit;

/// Whether native code can be entered (the trampoline was placed in memory).
pub(super) fn ready() -> bool {
    trampoline().is_some()
}

fn trampoline() -> Option<EnterFn> {
    static T: OnceLock<Option<usize>> = OnceLock::new();
    let f = T.get_or_init(|| {
        let mut a = dynasmrt::VecAssembler::<dynasmrt::x64::X64Relocation>::new(0);
        // Six pushes and three words of padding: with the return address, rsp is
        // 16-byte aligned in native code, as calls to Rust helpers need. `r15` keeps
        // that bottom of the machine stack of native calls (see `emit::native_call`);
        // the zero word above it is where a native frame would hold its return
        // address, and no return address is zero, so a return with no native frame
        // left takes the slow way.
        dynasm!(a
            ; .arch x64
            ; push rbx
            ; push rbp
            ; push r12
            ; push r13
            ; push r14
            ; push r15
            ; push 0
            ; push 0
            ; sub rsp, 8
            ; mov r15, rsp
            ; mov r12, rdi
            ; mov rbp, QWORD [rdi + STOP]
            ; mov r14, rsi
            ; mov r13, QWORD [rdi + HTOP]
            ; mov rbx, rdx
            ; jmp rcx
        );
        super::arena::place(&a.finalize().ok()?)
    });
    // SAFETY: the address is of the code assembled above, which follows `EnterFn`'s
    // signature and calling convention, and stays for the rest of the run.
    f.map(|f| unsafe { std::mem::transmute::<usize, EnterFn>(f) })
}

/// Runs native code at `native` for `p` until it exits; returns the exit's kind and
/// value.
pub(super) fn enter(p: &mut Process, regs: &mut Regs, native: usize) -> (u64, u64) {
    let f = trampoline().expect("native code is entered only when the JIT is ready");
    // SAFETY: `native` is the entry of an instruction in a module's native code (from
    // the cache, filled by `resolve`), compiled for the same instruction the process is
    // at. Native code reads and writes only what the interpreter would at that point:
    // the process (`p`), the registers (`regs`) and the cache, all exclusively ours for the
    // duration of the call.
    let cache = regs.jit.cache.as_ptr();
    let e = unsafe { f(p, regs, cache, native) };
    (e.kind, e.value)
}
