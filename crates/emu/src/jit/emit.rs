//! Translation of a module's instructions into x86-64 code (see `jit/mod.rs`).
//!
//! Registers in native code: `r12` the process, `r14` the scheduler's `Regs` (the X
//! and float registers), `rbx` the scheduler's address cache, `rbp` and `r13` the
//! process's stack and heap tops (`stop`, `htop`: written back whenever Rust code
//! runs), `r15` the bottom of the machine stack of native calls (`rsp` its top, see
//! `Emitter::native_call`); `rax`, `rcx`, `rdx`, `rsi`, `rdi`, `r8`, `r9` and `r11`
//! are scratch within one instruction. No term stays in a machine register from one
//! instruction to the next, so a collection (only ever in the interpreter) finds
//! every root where the interpreter keeps it.
//!
//! Each instruction's code falls through to the next one's. Where its outcome is not
//! certain on the fast path, it jumps to a stub (emitted after all instructions) that
//! leaves native code with "interpret this instruction": the interpreter then does the
//! instruction in full, so a fast path must decide before it changes anything.

// dynasm's `Rq(expr)` expands to `expr.into()`, which is useless for a `u8`.
#![allow(clippy::useless_conversion)]

use super::helpers;
use super::{EXIT_CALL_SLOW, EXIT_GOTO, EXIT_INTERPRET};
use crate::code::Export;
use crate::heap::STACK_RESERVE;
use crate::ops::*;
use crate::process::Process;
use dynasmrt::{dynasm, DynamicLabel, DynasmApi, DynasmLabelApi};
use oxbeam_term::header::*;
use oxbeam_term::Term;
use std::collections::HashMap;
use std::mem::offset_of;
use std::sync::atomic::AtomicUsize;

const STOP: i32 = offset_of!(Process, heap.stop) as i32;
const HTOP: i32 = offset_of!(Process, heap.htop) as i32;
/// The X registers, from `r14` (the scheduler's `Regs`).
const X_REGS: i32 = offset_of!(crate::interp::Regs, x) as i32;
const WANT_GC: i32 = offset_of!(Process, heap.want_gc) as i32;
const REDS: i32 = offset_of!(Process, reds_left) as i32;
const CATCHES: i32 = offset_of!(Process, catches) as i32;
/// The float registers, from `r14` (the scheduler's `Regs`).
const FREGS: i32 = offset_of!(crate::interp::Regs, f) as i32;
const NIL: i32 = Term::NIL.0 as i32;
/// How deep the machine stack of native calls may grow (see `native_call`).
const NATIVE_STACK_BYTES: i32 = 512 << 10;

const RAX: u8 = 0;
const RCX: u8 = 1;
const RDX: u8 = 2;
const RSI: u8 = 6;
const RDI: u8 = 7;

/// Out-of-line code, emitted after the instructions.
enum Stub {
    /// Leave to interpret instruction `index`.
    Interpret { label: DynamicLabel, index: usize },
    /// Out of reductions at a call to a known instruction.
    CallSlow {
        label: DynamicLabel,
        target: usize,
        arity: u32,
    },
    /// Out of reductions at a call whose target is in `rdx`.
    CallSlowRdx { label: DynamicLabel, arity: u32 },
    /// Out of reductions at a fun call: the target in `r8`, the arity in `r9`.
    CallSlowFun { label: DynamicLabel },
    /// A jump to instruction `target` of another function.
    Far { label: DynamicLabel, target: usize },
}

/// The comparisons of `jit_compare`.
#[derive(Clone, Copy)]
enum Cmp {
    Lt = 0,
    Ge = 1,
    Eq = 2,
    Ne = 3,
    EqExact = 4,
    NeExact = 5,
}

type Assembler = dynasmrt::VecAssembler<dynasmrt::x64::X64Relocation>;

struct Emitter<'a> {
    a: Assembler,
    /// The whole module's code (labels are relative to it) ...
    code: &'a [Op],
    /// ... of which `lo..hi` (one function) is being compiled.
    lo: usize,
    hi: usize,
    /// The module's table of native entries, for jumps out of `lo..hi`.
    table: &'a [AtomicUsize],
    labels: Vec<DynamicLabel>,
    interpret_stub: Vec<Option<DynamicLabel>>,
    far_stub: HashMap<usize, DynamicLabel>,
    stubs: Vec<Stub>,
    /// A label pointed outside the module: the function is not compiled.
    broken: bool,
    /// The label of the function's shared `goto_rdx`, once a native call needs it.
    goto_rdx_shared: Option<DynamicLabel>,
}

/// Compiles instructions `lo..hi` of `code` (a function) into position-independent
/// machine code and the offset of each instruction's entry in it; `None` if it
/// cannot (the function then runs in the interpreter). Jumps out of the range go
/// through `table` (the module's native entries, filled as functions are compiled).
pub(super) fn compile(
    code: &[Op],
    lo: usize,
    hi: usize,
    table: &[AtomicUsize],
) -> Option<(Vec<u8>, Vec<u32>)> {
    let mut a = Assembler::new(0);
    let labels = (lo..hi).map(|_| a.new_dynamic_label()).collect();
    let mut e = Emitter {
        a,
        code,
        lo,
        hi,
        table,
        labels,
        interpret_stub: vec![None; hi - lo],
        far_stub: HashMap::new(),
        stubs: Vec::new(),
        broken: false,
        goto_rdx_shared: None,
    };
    let mut entries = Vec::with_capacity(hi - lo);
    for i in lo..hi {
        let l = e.labels[i - lo];
        dynasm!(e.a ; .arch x64 ; =>l);
        entries.push(u32::try_from(e.a.offset().0).ok()?);
        e.op(i);
    }
    e.stubs_and_exits();
    if e.broken {
        return None;
    }
    let bytes = e.a.finalize().ok()?;
    Some((bytes, entries))
}

fn small(i: i64) -> u64 {
    Term::small(i).0
}

impl Emitter<'_> {
    fn ip(&self, i: usize) -> i64 {
        self.code.as_ptr().wrapping_add(i) as i64
    }

    /// The label of the instruction `l` refers to from instruction `i`: its own
    /// label in this function, or a stub jumping to another function's native code.
    fn target(&mut self, i: usize, l: Label) -> DynamicLabel {
        let t = i as i64 + l.0 as i64;
        if l.is_none() || t < 0 || t as usize >= self.code.len() {
            self.broken = true;
            return self.labels[i - self.lo];
        }
        let t = t as usize;
        if (self.lo..self.hi).contains(&t) {
            return self.labels[t - self.lo];
        }
        if let Some(&l) = self.far_stub.get(&t) {
            return l;
        }
        let label = self.a.new_dynamic_label();
        self.far_stub.insert(t, label);
        self.stubs.push(Stub::Far { label, target: t });
        label
    }

    /// Where a failed test of instruction `i` goes: its label, or (no label: the
    /// instruction raises) the interpreter.
    fn fail(&mut self, i: usize, l: Label) -> DynamicLabel {
        if l.is_none() {
            self.interpret(i)
        } else {
            self.target(i, l)
        }
    }

    /// A stub that leaves native code to interpret instruction `i`.
    fn interpret(&mut self, i: usize) -> DynamicLabel {
        if let Some(l) = self.interpret_stub[i - self.lo] {
            return l;
        }
        let label = self.a.new_dynamic_label();
        self.interpret_stub[i - self.lo] = Some(label);
        self.stubs.push(Stub::Interpret { label, index: i });
        label
    }

    fn load(&mut self, r: u8, s: Src) {
        if !s.is_reg() {
            dynasm!(self.a ; .arch x64 ; mov Rq(r), QWORD s.0 as i64);
        } else if s.is_y() {
            let off = (s.reg_index() * 8) as i32;
            dynasm!(self.a ; .arch x64 ; mov Rq(r), QWORD [rbp + off]);
        } else {
            let off = (s.reg_index() * 8) as i32;
            dynasm!(self.a ; .arch x64 ; mov Rq(r), QWORD [r14 + X_REGS + off]);
        }
    }

    /// Stores register `r` into `d`.
    fn store(&mut self, d: Dst, r: u8) {
        let off = (d.index() * 8) as i32;
        if d.is_y() {
            dynasm!(self.a ; .arch x64 ; mov QWORD [rbp + off], Rq(r));
        } else {
            dynasm!(self.a ; .arch x64 ; mov QWORD [r14 + X_REGS + off], Rq(r));
        }
    }

    fn mov(&mut self, s: Src, d: Dst) {
        self.load(RAX, s);
        self.store(d, RAX);
    }

    /// Jumps to `fail` unless `rax` holds a tuple (clobbers `rcx`).
    fn test_tuple(&mut self, fail: DynamicLabel) {
        self.test_tag(3, 2, fail);
        dynasm!(self.a ; .arch x64
            ; mov rcx, QWORD [rax - 2]
            ; test cl, 0x3f
            ; jnz =>fail);
    }

    /// Jumps to `fail` unless `rax` and `rcx` both hold small integers (clobbers
    /// `rdx`).
    fn test_both_small(&mut self, fail: DynamicLabel) {
        dynasm!(self.a ; .arch x64
            ; mov edx, eax
            ; and edx, ecx
            ; and edx, 15
            ; cmp edx, 15
            ; jne =>fail);
    }

    /// Jumps to `fail` unless `rax` is boxed with one of `subtags` (clobbers `rcx`).
    fn test_boxed_subtags(&mut self, subtags: &[u64], fail: DynamicLabel) {
        self.test_tag(3, 2, fail);
        let ok = self.a.new_dynamic_label();
        dynasm!(self.a ; .arch x64
            ; mov rcx, QWORD [rax - 2]
            ; and ecx, 0x3c);
        for (k, &t) in subtags.iter().enumerate() {
            let want = (t << 2) as i32;
            if k + 1 == subtags.len() {
                dynasm!(self.a ; .arch x64 ; cmp ecx, want ; jne =>fail);
            } else {
                dynasm!(self.a ; .arch x64 ; cmp ecx, want ; je =>ok);
            }
        }
        dynasm!(self.a ; .arch x64 ; =>ok);
    }

    /// Jumps to `fail` unless `rax` holds a small integer (clobbers `rcx`).
    fn test_small(&mut self, fail: DynamicLabel) {
        self.test_tag(15, 15, fail);
    }

    /// Jumps to `fail` unless the low bits of `rax` under `mask` are `tag` (clobbers
    /// `rcx`).
    fn test_tag(&mut self, mask: i32, tag: i32, fail: DynamicLabel) {
        dynasm!(self.a ; .arch x64
            ; mov ecx, eax
            ; and ecx, mask
            ; cmp ecx, tag
            ; jne =>fail);
    }

    /// Jumps to `fail` unless `rax` holds a cons cell (clobbers `rcx`).
    fn test_cons(&mut self, fail: DynamicLabel) {
        self.test_tag(3, 1, fail);
    }

    /// Leaves to the interpreter for instruction `i` unless `words` heap words (and
    /// the stack reserve) are free and no collection is wanted.
    fn heap_check(&mut self, i: usize, words: usize) {
        let stub = self.interpret(i);
        let Ok(bytes) = i32::try_from((words + STACK_RESERVE) * 8) else {
            dynasm!(self.a ; .arch x64 ; jmp =>stub);
            return;
        };
        dynasm!(self.a ; .arch x64
            ; mov rax, rbp
            ; sub rax, r13
            ; cmp rax, bytes
            ; jb =>stub
            ; cmp BYTE [r12 + WANT_GC], 0
            ; jne =>stub);
    }

    /// A cons of `hd` and `tl` into `dst` (the heap was checked).
    fn cons(&mut self, hd: Src, tl: Src, dst: Dst) {
        self.load(RCX, hd);
        self.load(RDX, tl);
        dynasm!(self.a ; .arch x64
            ; mov QWORD [r13], rcx
            ; mov QWORD [r13 + 8], rdx
            ; lea rcx, [r13 + 1]
            ; add r13, 16);
        self.store(dst, RCX);
    }

    /// A tuple of `elems` into `dst` (the heap was checked).
    fn tuple(&mut self, elems: &[Src], dst: Dst) {
        let h = make_header(SUBTAG_TUPLE, elems.len()).0 as i64;
        dynasm!(self.a ; .arch x64
            ; mov rcx, QWORD h
            ; mov QWORD [r13], rcx);
        for (k, s) in elems.iter().enumerate() {
            self.load(RCX, *s);
            let off = ((k + 1) * 8) as i32;
            dynasm!(self.a ; .arch x64 ; mov QWORD [r13 + off], rcx);
        }
        let size = ((elems.len() + 1) * 8) as i32;
        dynasm!(self.a ; .arch x64
            ; lea rcx, [r13 + 2]
            ; add r13, size);
        self.store(dst, RCX);
    }

    /// Jumps to the native code of the instruction address in `rdx` through the
    /// cache, or leaves to continue there (`EXIT_GOTO`).
    fn goto_rdx(&mut self) {
        let mask = (super::CACHE_ENTRIES - 1) as i32;
        dynasm!(self.a ; .arch x64
            ; mov rax, rdx
            ; shr rax, 3
            ; and eax, mask
            ; shl eax, 4
            ; cmp QWORD [rbx + rax], rdx
            ; jne ->goto_miss
            ; mov rax, QWORD [rbx + rax + 8]
            ; test rax, rax
            ; jz ->goto_miss
            ; jmp rax);
    }

    /// Drops `n` frame words and returns to the address under them: with `ret` when
    /// the machine stack's top frame was pushed for that very return address (see
    /// `native_call`), else through the cache.
    fn ret(&mut self, n: u32) {
        let cp = (n as i32) * 8;
        dynasm!(self.a ; .arch x64
            ; mov rdx, QWORD [rbp + cp]
            ; lea rbp, [rbp + cp + 8]
            ; cmp rdx, QWORD [rsp + 8]
            ; jne ->return_slow
            ; ret);
    }

    /// Pushes the return address: the instruction after `i`.
    fn push_cp(&mut self, i: usize) {
        let cp = self.ip(i + 1);
        dynasm!(self.a ; .arch x64
            ; sub rbp, 8
            ; mov rcx, QWORD cp
            ; mov QWORD [rbp], rcx);
    }

    /// The machine half of a body call whose return address (the instruction after
    /// `i`) is already on the process stack: pushes that address and `call`s `target`,
    /// so that the callee's return is a `ret` the processor predicts. Each such frame
    /// is two words (the address, then the machine return address), which keeps `rsp`
    /// aligned for calls to Rust. The machine stack is only a cache of the process
    /// stack's top return addresses: `r15` holds its bottom, every exit from native
    /// code drops it, and when it would grow past `NATIVE_STACK_BYTES` it is dropped
    /// here (the returns then take the cache).
    fn native_call(&mut self, i: usize, target: DynamicLabel) {
        let cp = self.ip(i + 1);
        dynasm!(self.a ; .arch x64
            ; lea rax, [r15 - NATIVE_STACK_BYTES]
            ; cmp rsp, rax
            ; ja >room
            ; mov rsp, r15
            ; room:
            ; mov rcx, QWORD cp
            ; push rcx
            ; call =>target
            ; add rsp, 8);
    }

    fn pop_frame(&mut self, n: u32) {
        if n > 0 {
            let bytes = (n as i32) * 8;
            dynasm!(self.a ; .arch x64 ; add rbp, bytes);
        }
    }

    /// Spends a reduction and goes to the function at `target` of instruction `i`: a
    /// jump for a tail call, else (`body`, the return address pushed) a native call.
    fn call_local(&mut self, i: usize, target: Label, arity: u32, body: bool) {
        let t = self.target(i, target);
        let index = (i as i64 + target.0 as i64).max(0) as usize;
        let label = self.a.new_dynamic_label();
        self.stubs.push(Stub::CallSlow {
            label,
            target: index,
            arity,
        });
        dynasm!(self.a ; .arch x64
            ; sub QWORD [r12 + REDS], 1
            ; jle =>label);
        if body {
            self.native_call(i, t);
        } else {
            dynasm!(self.a ; .arch x64 ; jmp =>t);
        }
    }

    /// Spends a reduction and goes to the current code of `export` (see `call_local`).
    fn call_export(&mut self, i: usize, export: &'static Export, arity: u32, body: bool) {
        let label = self.a.new_dynamic_label();
        self.stubs.push(Stub::CallSlowRdx { label, arity });
        let e = export as *const Export as i64;
        let code = crate::code::EXPORT_CODE_OFFSET as i32;
        dynasm!(self.a ; .arch x64
            ; mov rdx, QWORD e
            ; mov rdx, QWORD [rdx + code]
            ; sub QWORD [r12 + REDS], 1
            ; jle =>label);
        self.goto_rdx_maybe_call(i, body);
    }

    /// To the instruction address in `rdx`: a jump, or for a body call (`i`'s return
    /// address pushed) a native call of the shared jump.
    fn goto_rdx_maybe_call(&mut self, i: usize, body: bool) {
        if body {
            let goto = self.goto_rdx_label();
            self.native_call(i, goto);
        } else {
            self.goto_rdx();
        }
    }

    /// The function's shared copy of `goto_rdx`, for native calls to a computed target.
    fn goto_rdx_label(&mut self) -> DynamicLabel {
        if let Some(l) = self.goto_rdx_shared {
            return l;
        }
        let l = self.a.new_dynamic_label();
        self.goto_rdx_shared = Some(l);
        l
    }

    /// `rax` against sorted `items` (raw words): jumps to the matching label or `fail`.
    fn tree(&mut self, items: &[(u64, DynamicLabel)], fail: DynamicLabel) {
        if items.len() <= 4 {
            for &(v, l) in items {
                dynasm!(self.a ; .arch x64
                    ; mov rcx, QWORD v as i64
                    ; cmp rax, rcx
                    ; je =>l);
            }
            dynasm!(self.a ; .arch x64 ; jmp =>fail);
            return;
        }
        let mid = items.len() / 2;
        let right = self.a.new_dynamic_label();
        let (v, l) = items[mid];
        dynasm!(self.a ; .arch x64
            ; mov rcx, QWORD v as i64
            ; cmp rax, rcx
            ; je =>l
            ; ja =>right);
        self.tree(&items[..mid], fail);
        dynasm!(self.a ; .arch x64 ; =>right);
        self.tree(&items[mid + 1..], fail);
    }

    /// The table's entries as (raw word, label), sorted; `None` if a value is not an
    /// immediate (equal only to itself as a word).
    fn table(&mut self, i: usize, t: &SelectTable) -> Option<Vec<(u64, DynamicLabel)>> {
        if t.values.iter().any(|v| !v.is_immed()) {
            return None;
        }
        let mut items: Vec<(u64, DynamicLabel)> = t
            .values
            .iter()
            .zip(t.labels.iter())
            .map(|(v, l)| (v.0, self.target(i, *l)))
            .collect();
        items.sort_by_key(|x| x.0);
        Some(items)
    }

    /// `rax` := `rax`'s tuple arity as a small integer.
    fn arity_as_small(&mut self) {
        dynasm!(self.a ; .arch x64
            ; mov rax, QWORD [rax - 2]
            ; shr rax, 6
            ; shl rax, 4
            ; or rax, 15);
    }

    fn compare(&mut self, i: usize, fail: Label, a: Src, b: Src, cmp: Cmp) {
        let f = self.fail(i, fail);
        self.load(RAX, a);
        self.load(RCX, b);
        let done = self.a.new_dynamic_label();
        let slow = self.a.new_dynamic_label();
        match cmp {
            Cmp::EqExact | Cmp::NeExact => {
                // Equal words are exactly equal; different words of which one is an
                // immediate are not; two pointers need the general comparison.
                let (on_same, on_imm) = match cmp {
                    Cmp::EqExact => (done, f),
                    _ => (f, done),
                };
                dynasm!(self.a ; .arch x64
                    ; cmp rax, rcx
                    ; je =>on_same
                    ; mov edx, eax
                    ; and edx, 3
                    ; cmp edx, 3
                    ; je =>on_imm
                    ; mov edx, ecx
                    ; and edx, 3
                    ; cmp edx, 3
                    ; je =>on_imm
                    ; jmp =>slow);
            }
            _ => {
                self.test_both_small(slow);
                dynasm!(self.a ; .arch x64
                    ; cmp rax, rcx);
                match cmp {
                    Cmp::Lt => dynasm!(self.a ; .arch x64 ; jge =>f ; jmp =>done),
                    Cmp::Ge => dynasm!(self.a ; .arch x64 ; jl =>f ; jmp =>done),
                    Cmp::Eq => dynasm!(self.a ; .arch x64 ; jne =>f ; jmp =>done),
                    _ => dynasm!(self.a ; .arch x64 ; je =>f ; jmp =>done),
                }
            }
        }
        let helper = helpers::compare as *const () as i64;
        dynasm!(self.a ; .arch x64
            ; =>slow
            ; mov rdi, rax
            ; mov rsi, rcx
            ; mov edx, cmp as i32
            ; mov rax, QWORD helper
            ; call rax
            ; test al, al
            ; jz =>f
            ; =>done);
    }

    fn op(&mut self, i: usize) {
        let code = self.code;
        match &code[i] {
            Op::MoveXX { src, dst } => self.mov(Src::x(*src), Dst::x(*dst)),
            Op::MoveXY { src, dst } => self.mov(Src::x(*src), Dst::y(*dst)),
            Op::MoveYX { src, dst } => self.mov(Src::y(*src), Dst::x(*dst)),
            Op::MoveCX { value, dst } => self.mov(Src::term(*value), Dst::x(*dst)),
            Op::Move { src, dst } => self.mov(*src, *dst),
            Op::Move2 { s1, s2, d1, d2 } => {
                self.mov(*s1, *d1);
                self.mov(*s2, *d2);
            }
            Op::Move3 { s, d } => {
                for k in 0..3 {
                    self.mov(s[k], d[k]);
                }
            }
            Op::Swap { a, b } => {
                self.load(RAX, a.as_src());
                self.load(RCX, b.as_src());
                self.store(*a, RCX);
                self.store(*b, RAX);
            }
            Op::Init { dst } => {
                dynasm!(self.a ; .arch x64 ; mov eax, NIL);
                self.store(*dst, RAX);
            }
            Op::InitYregs { regs } => {
                dynasm!(self.a ; .arch x64 ; mov eax, NIL);
                for &y in regs.iter() {
                    let off = (y * 8) as i32;
                    dynasm!(self.a ; .arch x64 ; mov QWORD [rbp + off], rax);
                }
            }
            Op::Jump { target } => {
                let t = self.target(i, *target);
                dynasm!(self.a ; .arch x64 ; jmp =>t);
            }
            // --- stack and heap
            Op::Allocate {
                stack, heap, live, ..
            } => {
                let _ = live;
                let n = *stack as usize;
                self.heap_check(i, n + *heap as usize);
                let bytes = (n * 8) as i32;
                dynasm!(self.a ; .arch x64
                    ; sub rbp, bytes
                    ; mov rax, rbp
                    ; mov ecx, NIL);
                if n <= 16 {
                    for k in 0..n {
                        let off = (k * 8) as i32;
                        dynasm!(self.a ; .arch x64 ; mov QWORD [rax + off], rcx);
                    }
                } else {
                    dynasm!(self.a ; .arch x64
                        ; mov rdi, rax
                        ; mov rax, rcx
                        ; mov ecx, n as i32
                        ; rep stosq);
                }
            }
            Op::TestHeap { need, .. } => self.heap_check(i, *need as usize),
            Op::Deallocate { n } | Op::Trim { n } => self.pop_frame(*n),
            Op::Return => self.ret(0),
            Op::DeallocateReturn { n } => self.ret(*n),
            Op::MoveCXReturn {
                value,
                dst,
                dealloc,
            } => {
                self.mov(Src::term(*value), Dst::x(*dst));
                self.ret(*dealloc);
            }
            Op::PutList { hd, tl, dst } => {
                self.heap_check(i, 2);
                self.cons(*hd, *tl, *dst);
            }
            Op::TestHeapPutList {
                need, hd, tl, dst, ..
            } => {
                self.heap_check(i, (*need as usize).max(2));
                self.cons(*hd, *tl, *dst);
            }
            Op::PutListReturn {
                hd,
                tl,
                dst,
                dealloc,
            } => {
                self.heap_check(i, 2);
                self.cons(*hd, *tl, *dst);
                self.ret(*dealloc);
            }
            Op::PutTuple2 { dst, elems } => {
                self.heap_check(i, elems.len() + 1);
                self.tuple(elems, *dst);
            }
            Op::TestHeapPutTuple2 {
                need, dst, elems, ..
            } => {
                self.heap_check(i, (*need as usize).max(elems.len() + 1));
                self.tuple(elems, *dst);
            }
            Op::PutTuple2Return {
                dst,
                dealloc,
                elems,
            } => {
                self.heap_check(i, elems.len() + 1);
                self.tuple(elems, *dst);
                self.ret(*dealloc);
            }
            // --- calls
            Op::Call { arity, target } => {
                self.push_cp(i);
                self.call_local(i, *target, *arity, true);
            }
            Op::MoveCall {
                src,
                dst,
                arity,
                target,
            } => {
                self.mov(*src, *dst);
                self.push_cp(i);
                self.call_local(i, *target, *arity, true);
            }
            Op::Move2Call {
                s1,
                s2,
                d1,
                d2,
                arity,
                target,
            } => {
                self.mov(*s1, *d1);
                self.mov(*s2, *d2);
                self.push_cp(i);
                self.call_local(i, *target, *arity, true);
            }
            Op::CallLast {
                arity,
                target,
                dealloc,
            } => {
                self.pop_frame(*dealloc);
                self.call_local(i, *target, *arity, false);
            }
            Op::CallOnly { arity, target } => self.call_local(i, *target, *arity, false),
            Op::CallExt { arity, export } => {
                self.push_cp(i);
                self.call_export(i, export, *arity, true);
            }
            Op::CallExtLast {
                arity,
                export,
                dealloc,
            } => {
                self.pop_frame(*dealloc);
                self.call_export(i, export, *arity, false);
            }
            Op::CallExtOnly { arity, export } => self.call_export(i, export, *arity, false),
            // --- data
            Op::GetList { src, hd, tl } => {
                self.load(RCX, *src);
                self.get_list(*hd, *tl);
            }
            Op::IsNonemptyListGet { fail, src, hd, tl } => {
                let f = self.fail(i, *fail);
                self.load(RAX, *src);
                self.test_cons(f);
                dynasm!(self.a ; .arch x64 ; mov rcx, rax);
                self.get_list(*hd, *tl);
            }
            Op::GetHd { src, dst } => {
                self.load(RAX, *src);
                dynasm!(self.a ; .arch x64 ; mov rax, QWORD [rax - 1]);
                self.store(*dst, RAX);
            }
            Op::GetTl { src, dst } => {
                self.load(RAX, *src);
                dynasm!(self.a ; .arch x64 ; mov rax, QWORD [rax + 7]);
                self.store(*dst, RAX);
            }
            Op::GetTupleElement { src, index, dst } => {
                self.load(RCX, *src);
                self.element(*index, *dst);
            }
            Op::GetTupleElement2 {
                src,
                i1,
                d1,
                i2,
                d2,
            } => {
                self.load(RCX, *src);
                self.element(*i1, *d1);
                self.element(*i2, *d2);
            }
            Op::GetTupleElement3 { src, i: idx, d } => {
                self.load(RCX, *src);
                for k in 0..3 {
                    self.element(idx[k], d[k]);
                }
            }
            // --- tests
            Op::IsNil { fail, src } => {
                let f = self.fail(i, *fail);
                self.load(RAX, *src);
                dynasm!(self.a ; .arch x64 ; cmp rax, NIL ; jne =>f);
            }
            Op::IsNonemptyList { fail, src } => {
                let f = self.fail(i, *fail);
                self.load(RAX, *src);
                self.test_cons(f);
            }
            Op::IsTuple { fail, src } => {
                let f = self.fail(i, *fail);
                self.load(RAX, *src);
                self.test_tuple(f);
            }
            Op::IsAtom { fail, src } => {
                let f = self.fail(i, *fail);
                self.load(RAX, *src);
                self.test_atom(f);
            }
            Op::Test { test, fail, src } => {
                let f = self.fail(i, *fail);
                self.load(RAX, *src);
                self.type_test(test, f);
            }
            Op::TestArity { fail, src, arity } => {
                let f = self.fail(i, *fail);
                self.load(RAX, *src);
                dynasm!(self.a ; .arch x64
                    ; mov rax, QWORD [rax - 2]
                    ; shr rax, 6
                    ; mov rcx, QWORD *arity as i64
                    ; cmp rax, rcx
                    ; jne =>f);
            }
            Op::IsTupleArity { fail, src, arity } => {
                let f = self.fail(i, *fail);
                self.load(RAX, *src);
                self.test_tuple(f);
                self.test_header(*arity, f);
            }
            Op::IsTaggedTuple {
                fail,
                src,
                arity,
                tag,
            } => {
                let f = self.fail(i, *fail);
                if *arity == 0 {
                    dynasm!(self.a ; .arch x64 ; jmp =>f);
                    return;
                }
                self.load(RAX, *src);
                self.test_tuple(f);
                self.test_header(*arity, f);
                dynasm!(self.a ; .arch x64
                    ; mov rcx, QWORD tag.0 as i64
                    ; cmp QWORD [rax + 6], rcx
                    ; jne =>f);
            }
            Op::IsEqExactImm { fail, a, imm } | Op::IsNeExactImm { fail, a, imm } => {
                let f = self.fail(i, *fail);
                self.load(RAX, *a);
                dynasm!(self.a ; .arch x64 ; mov rcx, QWORD imm.0 as i64 ; cmp rax, rcx);
                if matches!(code[i], Op::IsEqExactImm { .. }) {
                    dynasm!(self.a ; .arch x64 ; jne =>f);
                } else {
                    dynasm!(self.a ; .arch x64 ; je =>f);
                }
            }
            Op::IsLt { fail, a, b } => self.compare(i, *fail, *a, *b, Cmp::Lt),
            Op::IsGe { fail, a, b } => self.compare(i, *fail, *a, *b, Cmp::Ge),
            Op::IsEq { fail, a, b } => self.compare(i, *fail, *a, *b, Cmp::Eq),
            Op::IsNe { fail, a, b } => self.compare(i, *fail, *a, *b, Cmp::Ne),
            Op::IsEqExact { fail, a, b } => self.compare(i, *fail, *a, *b, Cmp::EqExact),
            Op::IsNeExact { fail, a, b } => self.compare(i, *fail, *a, *b, Cmp::NeExact),
            // --- branches
            Op::SelectVal2 {
                src,
                fail,
                v1,
                v2,
                l1,
                l2,
            } => {
                let (f, t1, t2) = (
                    self.fail(i, *fail),
                    self.target(i, *l1),
                    self.target(i, *l2),
                );
                self.load(RAX, *src);
                dynasm!(self.a ; .arch x64
                    ; mov rcx, QWORD v1.0 as i64
                    ; cmp rax, rcx
                    ; je =>t1
                    ; mov rcx, QWORD v2.0 as i64
                    ; cmp rax, rcx
                    ; je =>t2
                    ; jmp =>f);
            }
            Op::SelectImm { src, fail, table } | Op::SelectVal { src, fail, table } => {
                match self.table(i, table) {
                    Some(items) => {
                        let f = self.fail(i, *fail);
                        self.load(RAX, *src);
                        self.tree(&items, f);
                    }
                    None => self.leave(i),
                }
            }
            Op::SelectTupleArity { src, fail, table } => match self.table(i, table) {
                Some(items) => {
                    let f = self.fail(i, *fail);
                    self.load(RAX, *src);
                    self.arity_as_small();
                    self.tree(&items, f);
                }
                None => self.leave(i),
            },
            Op::IsTupleSelectArity {
                src,
                not_tuple,
                fail,
                table,
            } => match self.table(i, table) {
                Some(items) => {
                    let (nt, f) = (self.fail(i, *not_tuple), self.fail(i, *fail));
                    self.load(RAX, *src);
                    self.test_tuple(nt);
                    self.arity_as_small();
                    self.tree(&items, f);
                }
                None => self.leave(i),
            },
            Op::JumpOnVal {
                src,
                fail,
                base,
                targets,
            } => {
                let f = self.fail(i, *fail);
                let mut items: Vec<(u64, DynamicLabel)> = Vec::with_capacity(targets.len());
                for (k, l) in targets.iter().enumerate() {
                    items.push((small(*base as i64 + k as i64), self.target(i, *l)));
                }
                items.sort_by_key(|x| x.0);
                self.load(RAX, *src);
                self.tree(&items, f);
            }
            // --- arithmetic on small integers
            Op::AddImm { a, imm, dst, .. } | Op::SubImm { a, imm, dst, .. } => {
                let stub = self.interpret(i);
                let k = (*imm as i64) << 4;
                let k = if matches!(code[i], Op::AddImm { .. }) {
                    k
                } else {
                    -k
                };
                self.load(RAX, *a);
                self.test_small(stub);
                dynasm!(self.a ; .arch x64
                    ; mov rcx, QWORD k
                    ; add rax, rcx
                    ; jo =>stub);
                self.store(*dst, RAX);
            }
            Op::Add {
                bif,
                fail,
                a,
                b,
                dst,
            }
            | Op::Sub {
                bif,
                fail,
                a,
                b,
                dst,
            }
            | Op::Mul {
                bif,
                fail,
                a,
                b,
                dst,
            } => {
                // Small integers inline; anything else (floats, bignums, overflow,
                // errors) through the BIF itself, as a guard BIF.
                let slow = self.a.new_dynamic_label();
                let done = self.a.new_dynamic_label();
                self.load(RAX, *a);
                self.load(RCX, *b);
                self.test_both_small(slow);
                match code[i] {
                    Op::Add { .. } => dynasm!(self.a ; .arch x64
                        ; sub rcx, 15
                        ; add rax, rcx
                        ; jo =>slow),
                    Op::Sub { .. } => dynasm!(self.a ; .arch x64
                        ; sub rcx, 15
                        ; sub rax, rcx
                        ; jo =>slow),
                    // (a >> 4) * (b - 15) is the product shifted left by four, which
                    // overflows exactly when the product is not small.
                    _ => dynasm!(self.a ; .arch x64
                        ; sar rax, 4
                        ; sub rcx, 15
                        ; imul rax, rcx
                        ; jo =>slow
                        ; or rax, 15),
                }
                self.store(*dst, RAX);
                dynasm!(self.a ; .arch x64 ; jmp =>done ; =>slow);
                self.guard_bif(i, *bif, *fail, &[*a, *b], *dst);
                dynasm!(self.a ; .arch x64 ; =>done);
            }
            // --- BIFs, funs, exceptions, maps (through helpers)
            Op::CallBif { arity, bif, .. } => self.call_bif(i, *bif, *arity, None),
            Op::CallBifLast {
                arity,
                bif,
                dealloc,
                ..
            } => self.call_bif(i, *bif, *arity, Some(*dealloc)),
            Op::CallBifOnly { arity, bif, .. } => self.call_bif(i, *bif, *arity, Some(0)),
            Op::Bif1 { bif, fail, a, dst }
            | Op::GcBif1 {
                bif, fail, a, dst, ..
            } => self.guard_bif(i, *bif, *fail, &[*a], *dst),
            Op::Bif2 {
                bif,
                fail,
                a,
                b,
                dst,
            }
            | Op::GcBif2 {
                bif,
                fail,
                a,
                b,
                dst,
                ..
            } => self.guard_bif(i, *bif, *fail, &[*a, *b], *dst),
            Op::CallFun { arity } => self.call_fun(i, Src::x(*arity), *arity, None),
            Op::CallFun2 { func, arity } => self.call_fun(i, *func, *arity, None),
            Op::CallFunLast { arity, dealloc } => {
                self.call_fun(i, Src::x(*arity), *arity, Some(*dealloc))
            }
            Op::CallFun2Last {
                func,
                arity,
                dealloc,
            } => self.call_fun(i, *func, *arity, Some(*dealloc)),
            Op::MakeFun { entry, dst, env } => {
                self.heap_check(i, 2 + env.len());
                let h = make_header(SUBTAG_FUN, 1 + env.len()).0 as i64;
                let e = *entry as *const crate::code::FunEntry as i64;
                dynasm!(self.a ; .arch x64
                    ; mov rcx, QWORD h
                    ; mov QWORD [r13], rcx
                    ; mov rcx, QWORD e
                    ; mov QWORD [r13 + 8], rcx);
                for (k, s) in env.iter().enumerate() {
                    self.load(RCX, *s);
                    let off = ((k + 2) * 8) as i32;
                    dynasm!(self.a ; .arch x64 ; mov QWORD [r13 + off], rcx);
                }
                let size = ((env.len() + 2) * 8) as i32;
                dynasm!(self.a ; .arch x64
                    ; lea rcx, [r13 + 2]
                    ; add r13, size);
                self.store(*dst, RCX);
            }
            Op::IsFunction2 { fail, src, arity } => {
                let f = self.fail(i, *fail);
                self.load(RDI, *src);
                self.load(RSI, *arity);
                self.call_helper(helpers::is_function2 as *const ());
                dynasm!(self.a ; .arch x64 ; test al, al ; jz =>f);
            }
            Op::GetMapElements { fail, .. } => {
                let f = self.fail(i, *fail);
                self.op_helper(i, helpers::get_map_elements as *const (), f);
            }
            Op::HasMapFields { fail, .. } => {
                let f = self.fail(i, *fail);
                self.op_helper(i, helpers::has_map_fields as *const (), f);
            }
            Op::SetTupleElement {
                value,
                tuple,
                index,
            } => {
                // The compiler only emits it on a tuple it just built (with room).
                self.load(RCX, *value);
                self.load(RAX, *tuple);
                let off = (*index as i32 + 1) * 8 - 2;
                dynasm!(self.a ; .arch x64 ; mov QWORD [rax + off], rcx);
            }
            Op::PutMapAssoc(_) | Op::PutMapExact(_) => {
                let stub = self.interpret(i);
                self.op_helper(i, helpers::put_map as *const (), stub);
            }
            // --- floats
            Op::Fclearerror | Op::Fcheckerror { .. } => {}
            Op::FmoveToF { src, fr } | Op::Fconv { src, fr } => {
                // Small integers and floats here; anything else (a bignum, an error)
                // in the interpreter.
                let stub = self.interpret(i);
                let (not_small, store) = (self.a.new_dynamic_label(), self.a.new_dynamic_label());
                let h = make_header(SUBTAG_FLOAT, 1).0 as i64;
                self.load(RAX, *src);
                self.test_small(not_small);
                dynasm!(self.a ; .arch x64
                    ; sar rax, 4
                    ; cvtsi2sd xmm0, rax
                    ; jmp =>store
                    ; =>not_small);
                self.test_tag(3, 2, stub);
                dynasm!(self.a ; .arch x64
                    ; mov rcx, QWORD h
                    ; cmp QWORD [rax - 2], rcx
                    ; jne =>stub
                    ; movsd xmm0, QWORD [rax + 6]
                    ; =>store);
                self.store_freg(*fr);
            }
            Op::FmoveFromF { fr, dst } => {
                self.heap_check(i, 2);
                let h = make_header(SUBTAG_FLOAT, 1).0 as i64;
                let off = FREGS + (*fr as i32) * 8;
                dynasm!(self.a ; .arch x64
                    ; mov rcx, QWORD h
                    ; mov QWORD [r13], rcx
                    ; mov rcx, QWORD [r14 + off]
                    ; mov QWORD [r13 + 8], rcx
                    ; lea rcx, [r13 + 2]
                    ; add r13, 16);
                self.store(*dst, RCX);
            }
            Op::FmoveFF { from, to } => {
                let (a, b) = (FREGS + (*from as i32) * 8, FREGS + (*to as i32) * 8);
                dynasm!(self.a ; .arch x64
                    ; mov rax, QWORD [r14 + a]
                    ; mov QWORD [r14 + b], rax);
            }
            Op::Fadd { a, b, dst }
            | Op::Fsub { a, b, dst }
            | Op::Fmul { a, b, dst }
            | Op::Fdiv { a, b, dst } => {
                let stub = self.interpret(i);
                let (x, y) = (FREGS + (*a as i32) * 8, FREGS + (*b as i32) * 8);
                dynasm!(self.a ; .arch x64 ; movsd xmm0, QWORD [r14 + x]);
                match &code[i] {
                    Op::Fadd { .. } => dynasm!(self.a ; .arch x64 ; addsd xmm0, QWORD [r14 + y]),
                    Op::Fsub { .. } => dynasm!(self.a ; .arch x64 ; subsd xmm0, QWORD [r14 + y]),
                    Op::Fmul { .. } => dynasm!(self.a ; .arch x64 ; mulsd xmm0, QWORD [r14 + y]),
                    _ => dynasm!(self.a ; .arch x64 ; divsd xmm0, QWORD [r14 + y]),
                }
                // A result that is not finite is `badarith`, raised by the interpreter.
                dynasm!(self.a ; .arch x64
                    ; movq rax, xmm0
                    ; shr rax, 52
                    ; and eax, 0x7ff
                    ; cmp eax, 0x7ff
                    ; je =>stub);
                self.store_freg(*dst);
            }
            Op::Fnegate { a, dst } => {
                let x = FREGS + (*a as i32) * 8;
                dynasm!(self.a ; .arch x64
                    ; xorps xmm0, xmm0
                    ; subsd xmm0, QWORD [r14 + x]);
                self.store_freg(*dst);
            }
            Op::Try { y, .. } | Op::Catch { y, .. } => {
                let marker = Term::catch_marker(self.ip(i) as usize).0 as i64;
                dynasm!(self.a ; .arch x64 ; mov rax, QWORD marker);
                self.store(Dst::y(*y), RAX);
                dynasm!(self.a ; .arch x64 ; add DWORD [r12 + CATCHES], 1);
            }
            Op::TryEnd { y } => {
                dynasm!(self.a ; .arch x64 ; mov eax, NIL);
                self.store(Dst::y(*y), RAX);
                dynasm!(self.a ; .arch x64 ; sub DWORD [r12 + CATCHES], 1);
            }
            _ => self.leave(i),
        }
    }

    /// Calls `helper(p, regs, op)` for instruction `i`; jumps to `on_false` if it
    /// returns false.
    fn op_helper(&mut self, i: usize, helper: *const (), on_false: DynamicLabel) {
        let op = &self.code[i] as *const Op as i64;
        dynasm!(self.a ; .arch x64
            ; mov rdi, r12
            ; mov rsi, r14
            ; mov rdx, QWORD op);
        self.call_helper(helper);
        dynasm!(self.a ; .arch x64 ; test al, al ; jz =>on_false);
    }

    /// Float register `fr` := `xmm0`.
    fn store_freg(&mut self, fr: u32) {
        let off = FREGS + (fr as i32) * 8;
        dynasm!(self.a ; .arch x64 ; movsd QWORD [r14 + off], xmm0);
    }

    /// Calls a helper that may read or move the process's stack and heap: `stop`
    /// and `htop` are written back for it and read again after.
    fn call_helper(&mut self, f: *const ()) {
        dynasm!(self.a ; .arch x64
            ; mov QWORD [r12 + STOP], rbp
            ; mov QWORD [r12 + HTOP], r13
            ; mov rax, QWORD f as i64
            ; call rax
            ; mov rbp, QWORD [r12 + STOP]
            ; mov r13, QWORD [r12 + HTOP]);
    }

    /// `call_bif` (then a return after dropping `dealloc` words, if given).
    fn call_bif(&mut self, i: usize, bif: crate::bif::BifFn, arity: u32, dealloc: Option<u32>) {
        let stub = self.interpret(i);
        let ip = self.ip(i);
        dynasm!(self.a ; .arch x64
            ; mov rdi, r12
            ; mov rsi, r14
            ; mov rdx, QWORD bif as *const () as i64
            ; mov ecx, arity as i32
            ; mov r8, QWORD ip);
        self.call_helper(helpers::call_bif as *const ());
        dynasm!(self.a ; .arch x64
            ; test rax, rax
            ; jz =>stub
            ; mov QWORD [r14 + X_REGS], rax);
        if let Some(n) = dealloc {
            self.ret(n);
        }
    }

    /// A guard BIF: the value into `dst`, or on failure the fail label (or, without
    /// one, the interpreter, to raise).
    fn guard_bif(&mut self, i: usize, bif: crate::bif::BifFn, fail: Label, args: &[Src], dst: Dst) {
        let f = self.fail(i, fail);
        self.load(RDX, args[0]);
        match args.get(1) {
            Some(b) => self.load(RCX, *b),
            None => dynasm!(self.a ; .arch x64 ; xor ecx, ecx),
        }
        dynasm!(self.a ; .arch x64
            ; mov rdi, r12
            ; mov rsi, QWORD bif as *const () as i64
            ; mov r8d, args.len() as i32);
        self.call_helper(helpers::guard_bif as *const ());
        dynasm!(self.a ; .arch x64 ; test rax, rax ; jz =>f);
        self.store(dst, RAX);
    }

    /// A fun call (a tail call dropping `dealloc` words, if given).
    fn call_fun(&mut self, i: usize, fun: Src, arity: u32, dealloc: Option<u32>) {
        let stub = self.interpret(i);
        self.load(RSI, fun);
        dynasm!(self.a ; .arch x64
            ; mov rdi, r14
            ; mov edx, arity as i32);
        self.call_helper(helpers::prepare_fun as *const ());
        dynasm!(self.a ; .arch x64
            ; test rax, rax
            ; jz =>stub
            ; mov r8, rax
            ; mov r9, rdx);
        match dealloc {
            None => self.push_cp(i),
            Some(n) => self.pop_frame(n),
        }
        let slow = self.a.new_dynamic_label();
        self.stubs.push(Stub::CallSlowFun { label: slow });
        dynasm!(self.a ; .arch x64
            ; sub QWORD [r12 + REDS], 1
            ; jle =>slow
            ; mov rdx, r8);
        self.goto_rdx_maybe_call(i, dealloc.is_none());
    }

    /// Leaves native code to interpret instruction `i` (no native translation).
    fn leave(&mut self, i: usize) {
        let ip = self.ip(i);
        dynasm!(self.a ; .arch x64
            ; mov rdx, QWORD ip
            ; mov eax, EXIT_INTERPRET as i32
            ; jmp ->exit);
    }

    /// The head and tail of the cons in `rcx` into `hd` and `tl`.
    fn get_list(&mut self, hd: Dst, tl: Dst) {
        dynasm!(self.a ; .arch x64
            ; mov rax, QWORD [rcx - 1]
            ; mov rdx, QWORD [rcx + 7]);
        self.store(hd, RAX);
        self.store(tl, RDX);
    }

    /// Element `index` (0-based) of the tuple in `rcx` into `dst`.
    fn element(&mut self, index: u32, dst: Dst) {
        let off = (index as i32 + 1) * 8 - 2;
        dynasm!(self.a ; .arch x64 ; mov rax, QWORD [rcx + off]);
        self.store(dst, RAX);
    }

    /// Jumps to `fail` unless the tuple in `rax` has `arity` elements.
    fn test_header(&mut self, arity: u32, fail: DynamicLabel) {
        let h = make_header(SUBTAG_TUPLE, arity as usize).0 as i64;
        dynasm!(self.a ; .arch x64
            ; mov rcx, QWORD h
            ; cmp QWORD [rax - 2], rcx
            ; jne =>fail);
    }

    fn test_atom(&mut self, fail: DynamicLabel) {
        self.test_tag(0x3f, 0x0b, fail);
    }

    /// Jumps to `fail` unless `rax` passes `test`.
    fn type_test(&mut self, test: &TypeTest, fail: DynamicLabel) {
        match test {
            TypeTest::NonemptyList => self.test_cons(fail),
            TypeTest::Tuple => self.test_tuple(fail),
            TypeTest::Atom => self.test_atom(fail),
            TypeTest::Nil => dynasm!(self.a ; .arch x64 ; cmp rax, NIL ; jne =>fail),
            TypeTest::Boolean => {
                let ok = self.a.new_dynamic_label();
                dynasm!(self.a ; .arch x64
                    ; cmp rax, Term::TRUE.0 as i32
                    ; je =>ok
                    ; cmp rax, Term::FALSE.0 as i32
                    ; jne =>fail
                    ; =>ok);
            }
            TypeTest::Integer | TypeTest::Number => {
                let ok = self.a.new_dynamic_label();
                dynasm!(self.a ; .arch x64
                    ; mov ecx, eax
                    ; and ecx, 15
                    ; cmp ecx, 15
                    ; je =>ok);
                let subtags: &[u64] = match test {
                    TypeTest::Integer => &[SUBTAG_POS_BIG, SUBTAG_NEG_BIG],
                    _ => &[SUBTAG_POS_BIG, SUBTAG_NEG_BIG, SUBTAG_FLOAT],
                };
                self.test_boxed_subtags(subtags, fail);
                dynasm!(self.a ; .arch x64 ; =>ok);
            }
            TypeTest::Float => self.test_boxed_subtags(&[SUBTAG_FLOAT], fail),
            TypeTest::Function => self.test_boxed_subtags(&[SUBTAG_FUN, SUBTAG_EXPORT], fail),
            TypeTest::Map => self.test_boxed_subtags(&[SUBTAG_MAP, SUBTAG_HASHMAP], fail),
            TypeTest::List => {
                let ok = self.a.new_dynamic_label();
                dynasm!(self.a ; .arch x64
                    ; cmp rax, NIL
                    ; je =>ok);
                self.test_cons(fail);
                dynasm!(self.a ; .arch x64 ; =>ok);
            }
            _ => {
                let helper = helpers::type_test as *const () as i64;
                dynasm!(self.a ; .arch x64
                    ; mov rdi, QWORD test as *const TypeTest as i64
                    ; mov rsi, rax
                    ; mov rax, QWORD helper
                    ; call rax
                    ; test al, al
                    ; jz =>fail);
            }
        }
    }

    /// The out-of-line stubs and the shared exits, after the last instruction.
    fn stubs_and_exits(&mut self) {
        for s in std::mem::take(&mut self.stubs) {
            match s {
                Stub::Interpret { label, index } => {
                    let ip = self.ip(index);
                    dynasm!(self.a ; .arch x64
                        ; =>label
                        ; mov rdx, QWORD ip
                        ; mov eax, EXIT_INTERPRET as i32
                        ; jmp ->exit);
                }
                Stub::CallSlow {
                    label,
                    target,
                    arity,
                } => {
                    let ip = self.ip(target);
                    let kind = (EXIT_CALL_SLOW | (arity as u64) << 8) as i32;
                    dynasm!(self.a ; .arch x64
                        ; =>label
                        ; mov rdx, QWORD ip
                        ; mov eax, kind
                        ; jmp ->exit);
                }
                Stub::Far { label, target } => {
                    // The entry is 0 until that function is compiled (1 if it cannot
                    // be): then leave, to continue at it.
                    let ip = self.ip(target);
                    let entry = &self.table[target] as *const AtomicUsize as i64;
                    dynasm!(self.a ; .arch x64
                        ; =>label
                        ; mov rdx, QWORD ip
                        ; mov rax, QWORD entry
                        ; mov rax, QWORD [rax]
                        ; cmp rax, 1
                        ; jbe ->goto_miss
                        ; jmp rax);
                }
                Stub::CallSlowFun { label } => {
                    dynasm!(self.a ; .arch x64
                        ; =>label
                        ; mov rdx, r8
                        ; mov rax, r9
                        ; shl rax, 8
                        ; or rax, EXIT_CALL_SLOW as i32
                        ; jmp ->exit);
                }
                Stub::CallSlowRdx { label, arity } => {
                    let kind = (EXIT_CALL_SLOW | (arity as u64) << 8) as i32;
                    dynasm!(self.a ; .arch x64
                        ; =>label
                        ; mov eax, kind
                        ; jmp ->exit);
                }
            }
        }
        if let Some(l) = self.goto_rdx_shared {
            dynasm!(self.a ; .arch x64 ; =>l);
            self.goto_rdx();
        }
        // A return whose address is not the machine stack's top frame: the machine
        // stack is out of step with the process stack (or empty), so it is dropped.
        dynasm!(self.a ; .arch x64
            ; ->return_slow:
            ; mov rsp, r15);
        self.goto_rdx();
        // The inverse of `enter`'s trampoline.
        dynasm!(self.a ; .arch x64
            ; ->goto_miss:
            ; mov eax, EXIT_GOTO as i32
            ; ->exit:
            ; mov QWORD [r12 + STOP], rbp
            ; mov QWORD [r12 + HTOP], r13
            ; lea rsp, [r15 + super::enter::BASE_PADDING]
            ; pop r15
            ; pop r14
            ; pop r13
            ; pop r12
            ; pop rbp
            ; pop rbx
            ; ret);
    }
}
