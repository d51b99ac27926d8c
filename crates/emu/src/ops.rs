//! The specific instruction set the interpreter runs. The loader (`transform.rs`) turns
//! generic BEAM instructions into these, with every operand pre-decoded:
//!
//! * [`Src`]: a source operand in one word — either an X/Y register reference or the
//!   literal term itself (an immediate, or a pointer into the literal arena).
//! * [`Dst`]: an X or Y register.
//! * [`Label`]: a jump target as an offset (in instructions) from the instruction that
//!   holds it, so code needs no relocation and a jump is one pointer add.
//!
//! Rare or bulky operands are boxed to keep `Op` small (see the size test below).

use crate::bif::BifFn;
use crate::code::{Export, FunEntry};
use oxbeam_term::{Atom, Term};

/// A source operand: a register reference (low two bits 00) or a term.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(transparent)]
pub struct Src(pub u64);

impl Src {
    pub const fn x(i: u32) -> Src {
        Src((i as u64) << 3)
    }
    pub const fn y(i: u32) -> Src {
        Src(((i as u64) << 3) | 0b100)
    }
    pub const fn term(t: Term) -> Src {
        Src(t.0)
    }
    #[inline(always)]
    pub const fn is_reg(self) -> bool {
        self.0 & 0b11 == 0
    }
    #[inline(always)]
    pub const fn is_y(self) -> bool {
        self.0 & 0b111 == 0b100
    }
    #[inline(always)]
    pub const fn reg_index(self) -> usize {
        (self.0 >> 3) as usize
    }
    /// The operand as a constant term, if it is one.
    pub const fn as_term(self) -> Option<Term> {
        if self.is_reg() {
            None
        } else {
            Some(Term(self.0))
        }
    }
}

/// A destination register: index << 1 | is_y.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(transparent)]
pub struct Dst(pub u32);

impl Dst {
    pub const fn x(i: u32) -> Dst {
        Dst(i << 1)
    }
    pub const fn y(i: u32) -> Dst {
        Dst((i << 1) | 1)
    }
    #[inline(always)]
    pub const fn is_y(self) -> bool {
        self.0 & 1 == 1
    }
    #[inline(always)]
    pub const fn index(self) -> usize {
        (self.0 >> 1) as usize
    }
    pub const fn as_src(self) -> Src {
        if self.is_y() {
            Src::y(self.0 >> 1)
        } else {
            Src::x(self.0 >> 1)
        }
    }
}

/// A jump target relative to the instruction holding it. While a module is being
/// built it holds the BEAM label number; `transform` rewrites it to the offset.
/// `NONE` means "no label" (raise instead of jumping); offset 0 is a real target (a
/// function that tail-calls itself jumps to its own first instruction).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(transparent)]
pub struct Label(pub i32);

impl Label {
    pub const NONE: Label = Label(i32::MIN);
    #[inline(always)]
    pub const fn is_none(self) -> bool {
        self.0 == i32::MIN
    }
}

/// Type tests with a fail label.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TypeTest {
    Integer,
    Float,
    Number,
    Atom,
    Pid,
    Reference,
    Port,
    Nil,
    Binary,
    Bitstr,
    List,
    NonemptyList,
    Tuple,
    Boolean,
    Function,
    Map,
}

/// A `select_val` / `select_tuple_arity` table: sorted values and their targets.
#[derive(Clone, Debug)]
pub struct SelectTable {
    pub values: Box<[Term]>,
    pub labels: Box<[Label]>,
}

/// Segment kinds of `bs_create_bin`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum SegKind {
    Integer,
    Float,
    Binary,
    Utf8,
    Utf16,
    Utf32,
    String,
    Append,
    PrivateAppend,
}

/// One segment of `bs_create_bin`.
#[derive(Clone, Debug)]
pub struct Segment {
    pub kind: SegKind,
    pub unit: u32,
    /// Flags: bit 0 little-endian, bit 1 signed, bit 2 native.
    pub flags: u32,
    pub value: Src,
    /// `Src::term(atom all)` for "all", else an integer source; the atom `undefined`
    /// when absent.
    pub size: Src,
}

pub const BS_FLAG_LITTLE: u32 = 2;
pub const BS_FLAG_SIGNED: u32 = 4;
pub const BS_FLAG_NATIVE: u32 = 16;

/// Operands of the binary-matching get instructions.
#[derive(Clone, Debug)]
pub struct BsGet {
    pub ctx: Src,
    pub fail: Label,
    pub live: u32,
    pub size: Src,
    pub unit: u32,
    pub flags: u32,
    pub dst: Dst,
}

/// The old construction instructions (`bs_init2` and friends).
#[derive(Clone, Debug)]
pub struct BsInit {
    pub fail: Label,
    pub size: Src,
    pub extra: u32,
    pub live: u32,
    pub dst: Dst,
    pub bits: bool,
}

#[derive(Clone, Debug)]
pub struct BsPut {
    pub fail: Label,
    pub size: Src,
    pub unit: u32,
    pub flags: u32,
    pub src: Src,
}

#[derive(Clone, Debug)]
pub struct BsAppend {
    pub fail: Label,
    pub size: Src,
    pub extra: u32,
    pub live: u32,
    pub unit: u32,
    pub bin: Src,
    pub dst: Dst,
    pub private: bool,
}

#[derive(Clone, Debug)]
pub struct MapPut {
    pub fail: Label,
    pub map: Src,
    pub dst: Dst,
    pub live: u32,
    pub pairs: Box<[(Src, Src)]>,
}

/// The instructions. Each arm of the interpreter's `match` handles one.
#[derive(Debug)]
pub enum Op {
    // --- functions and calls
    FuncInfo {
        module: Atom,
        function: Atom,
        arity: u32,
    },
    Call {
        arity: u32,
        target: Label,
    },
    CallLast {
        arity: u32,
        target: Label,
        dealloc: u32,
    },
    CallOnly {
        arity: u32,
        target: Label,
    },
    CallExt {
        arity: u32,
        export: &'static Export,
    },
    CallExtLast {
        arity: u32,
        export: &'static Export,
        dealloc: u32,
    },
    CallExtOnly {
        arity: u32,
        export: &'static Export,
    },
    CallBif {
        arity: u32,
        bif: BifFn,
        export: &'static Export,
    },
    CallBifLast {
        arity: u32,
        bif: BifFn,
        export: &'static Export,
        dealloc: u32,
    },
    CallBifOnly {
        arity: u32,
        bif: BifFn,
        export: &'static Export,
    },
    Apply {
        arity: u32,
    },
    ApplyLast {
        arity: u32,
        dealloc: u32,
    },
    ApplyMfa {
        last: Option<u32>,
    },
    ApplyFun {
        last: Option<u32>,
    },
    CallFun {
        arity: u32,
    },
    CallFun2 {
        func: Src,
        arity: u32,
    },
    /// `call_fun` in tail position (fused with the `deallocate`/`return` after it): the
    /// frame goes before the call, so loops through funs run in constant stack.
    CallFunLast {
        arity: u32,
        dealloc: u32,
    },
    CallFun2Last {
        func: Src,
        arity: u32,
        dealloc: u32,
    },
    MakeFun {
        entry: &'static FunEntry,
        dst: Dst,
        env: Box<[Src]>,
    },
    Return,
    // --- stack and heap
    Allocate {
        stack: u32,
        heap: u32,
        live: u32,
        zero: bool,
    },
    TestHeap {
        need: u32,
        live: u32,
    },
    Deallocate {
        n: u32,
    },
    /// `deallocate N` followed by `return`.
    DeallocateReturn {
        n: u32,
    },
    Trim {
        n: u32,
    },
    Init {
        dst: Dst,
    },
    InitYregs {
        regs: Box<[u32]>,
    },
    // --- guard BIFs
    Bif0 {
        bif: BifFn,
        dst: Dst,
    },
    Bif1 {
        bif: BifFn,
        fail: Label,
        a: Src,
        dst: Dst,
    },
    Bif2 {
        bif: BifFn,
        fail: Label,
        a: Src,
        b: Src,
        dst: Dst,
    },
    GcBif1 {
        bif: BifFn,
        fail: Label,
        live: u32,
        a: Src,
        dst: Dst,
    },
    GcBif2 {
        bif: BifFn,
        fail: Label,
        live: u32,
        a: Src,
        b: Src,
        dst: Dst,
    },
    GcBif3 {
        bif: BifFn,
        fail: Label,
        live: u32,
        args: Box<[Src; 3]>,
        dst: Dst,
    },
    /// `+`, `-`, `*` with an inline small-integer path; the BIF handles the rest.
    /// `X + Imm` / `X - Imm` with a small-integer immediate: one tag test on the hot path.
    AddImm {
        bif: BifFn,
        fail: Label,
        a: Src,
        imm: i32,
        dst: Dst,
    },
    SubImm {
        bif: BifFn,
        fail: Label,
        a: Src,
        imm: i32,
        dst: Dst,
    },
    Add {
        bif: BifFn,
        fail: Label,
        a: Src,
        b: Src,
        dst: Dst,
    },
    Sub {
        bif: BifFn,
        fail: Label,
        a: Src,
        b: Src,
        dst: Dst,
    },
    Mul {
        bif: BifFn,
        fail: Label,
        a: Src,
        b: Src,
        dst: Dst,
    },
    // --- data movement
    Move {
        src: Src,
        dst: Dst,
    },
    MoveXX {
        src: u32,
        dst: u32,
    },
    MoveXY {
        src: u32,
        dst: u32,
    },
    MoveYX {
        src: u32,
        dst: u32,
    },
    /// A constant into an X register.
    MoveCX {
        value: Term,
        dst: u32,
    },
    /// `move` then `call` (see `fuse.rs`).
    MoveCall {
        src: Src,
        dst: Dst,
        arity: u32,
        target: Label,
    },
    /// Two moves then `call`.
    Move2Call {
        s1: Src,
        s2: Src,
        d1: Dst,
        d2: Dst,
        arity: u32,
        target: Label,
    },
    /// Two consecutive moves, done in order (see `fuse.rs`).
    Move2 {
        s1: Src,
        s2: Src,
        d1: Dst,
        d2: Dst,
    },
    Swap {
        a: Dst,
        b: Dst,
    },
    GetList {
        src: Src,
        hd: Dst,
        tl: Dst,
    },
    GetHd {
        src: Src,
        dst: Dst,
    },
    GetTl {
        src: Src,
        dst: Dst,
    },
    GetTupleElement {
        src: Src,
        index: u32,
        dst: Dst,
    },
    SetTupleElement {
        value: Src,
        tuple: Src,
        index: u32,
    },
    PutList {
        hd: Src,
        tl: Src,
        dst: Dst,
    },
    PutTuple2 {
        dst: Dst,
        elems: Box<[Src]>,
    },
    // --- tests and branches
    Test {
        test: TypeTest,
        fail: Label,
        src: Src,
    },
    // The commonest type tests have their own instructions, saving the second
    // dispatch on `TypeTest` (list and tuple walks test at every step).
    IsNil {
        fail: Label,
        src: Src,
    },
    IsNonemptyList {
        fail: Label,
        src: Src,
    },
    IsTuple {
        fail: Label,
        src: Src,
    },
    IsAtom {
        fail: Label,
        src: Src,
    },
    IsFunction2 {
        fail: Label,
        src: Src,
        arity: Src,
    },
    TestArity {
        fail: Label,
        src: Src,
        arity: u32,
    },
    IsTaggedTuple {
        fail: Label,
        src: Src,
        arity: u32,
        tag: Term,
    },
    IsLt {
        fail: Label,
        a: Src,
        b: Src,
    },
    IsGe {
        fail: Label,
        a: Src,
        b: Src,
    },
    IsEq {
        fail: Label,
        a: Src,
        b: Src,
    },
    IsNe {
        fail: Label,
        a: Src,
        b: Src,
    },
    IsEqExact {
        fail: Label,
        a: Src,
        b: Src,
    },
    IsNeExact {
        fail: Label,
        a: Src,
        b: Src,
    },
    /// `=:=` / `=/=` against an immediate: equal exactly when the words are equal.
    IsEqExactImm {
        fail: Label,
        a: Src,
        imm: Term,
    },
    IsNeExactImm {
        fail: Label,
        a: Src,
        imm: Term,
    },
    SelectVal {
        src: Src,
        fail: Label,
        table: Box<SelectTable>,
    },
    SelectTupleArity {
        src: Src,
        fail: Label,
        table: Box<SelectTable>,
    },
    /// `select_val` over immediates only (atoms, small integers, ...): the table is
    /// sorted by raw word, so a match is a word compare.
    SelectImm {
        src: Src,
        fail: Label,
        table: Box<SelectTable>,
    },
    /// `select_val` with two immediate values: two compares, so that the branch
    /// predictor sees conditional branches instead of a computed jump.
    SelectVal2 {
        src: Src,
        fail: Label,
        v1: Term,
        v2: Term,
        l1: Label,
        l2: Label,
    },
    /// `select_val` over a dense range of small integers: `targets[value - base]`.
    JumpOnVal {
        src: Src,
        fail: Label,
        base: i32,
        targets: Box<[Label]>,
    },
    Jump {
        target: Label,
    },
    // --- errors and exceptions
    Badmatch {
        src: Src,
    },
    CaseEnd {
        src: Src,
    },
    IfEnd,
    TryCaseEnd {
        src: Src,
    },
    Badrecord {
        src: Src,
    },
    Catch {
        y: u32,
        handler: Label,
    },
    CatchEnd {
        y: u32,
    },
    Try {
        y: u32,
        handler: Label,
    },
    TryEnd {
        y: u32,
    },
    TryCase {
        y: u32,
    },
    Raise {
        stacktrace: Src,
        reason: Src,
    },
    BuildStacktrace,
    RawRaise,
    // --- messages
    Send,
    LoopRec {
        fail: Label,
        dst: Dst,
    },
    LoopRecEnd {
        next: Label,
    },
    RemoveMessage,
    Wait {
        target: Label,
    },
    WaitTimeout {
        target: Label,
        time: Src,
    },
    Timeout,
    RecvMarkerReserve {
        dst: Dst,
    },
    RecvMarkerBind {
        marker: Src,
        reference: Src,
    },
    RecvMarkerClear {
        reference: Src,
    },
    RecvMarkerUse {
        reference: Src,
    },
    // --- floats
    Fclearerror,
    Fcheckerror {
        fail: Label,
    },
    FmoveToF {
        src: Src,
        fr: u32,
    },
    FmoveFromF {
        fr: u32,
        dst: Dst,
    },
    FmoveFF {
        from: u32,
        to: u32,
    },
    Fconv {
        src: Src,
        fr: u32,
    },
    Fadd {
        a: u32,
        b: u32,
        dst: u32,
    },
    Fsub {
        a: u32,
        b: u32,
        dst: u32,
    },
    Fmul {
        a: u32,
        b: u32,
        dst: u32,
    },
    Fdiv {
        a: u32,
        b: u32,
        dst: u32,
    },
    Fnegate {
        a: u32,
        dst: u32,
    },
    // --- maps
    GetMapElements {
        fail: Label,
        map: Src,
        pairs: Box<[(Src, Dst)]>,
    },
    HasMapFields {
        fail: Label,
        map: Src,
        keys: Box<[Src]>,
    },
    PutMapAssoc(Box<MapPut>),
    PutMapExact(Box<MapPut>),
    // --- binary matching
    BsStartMatch {
        fail: Label,
        live: u32,
        src: Src,
        dst: Dst,
    },
    BsGetPosition {
        ctx: Src,
        dst: Dst,
    },
    BsSetPosition {
        ctx: Src,
        pos: Src,
    },
    BsGetTail {
        ctx: Src,
        dst: Dst,
    },
    BsTestTail {
        fail: Label,
        ctx: Src,
        bits: u32,
    },
    BsTestUnit {
        fail: Label,
        ctx: Src,
        unit: u32,
    },
    BsMatchString {
        fail: Label,
        ctx: Src,
        bits: u32,
        offset: u32,
    },
    BsGetInteger(Box<BsGet>),
    BsGetFloat(Box<BsGet>),
    BsGetBinary(Box<BsGet>),
    BsSkipBits {
        fail: Label,
        ctx: Src,
        size: Src,
        unit: u32,
    },
    BsGetUtf {
        fail: Label,
        ctx: Src,
        width: u8,
        flags: u32,
        dst: Dst,
    },
    BsSkipUtf {
        fail: Label,
        ctx: Src,
        width: u8,
        flags: u32,
    },
    // --- binary construction
    BsCreateBin {
        fail: Label,
        live: u32,
        unit: u32,
        dst: Dst,
        segments: Box<[Segment]>,
    },
    BsInit(Box<BsInit>),
    BsPutInteger(Box<BsPut>),
    BsPutFloat(Box<BsPut>),
    BsPutBinary(Box<BsPut>),
    BsPutString {
        len: u32,
        offset: u32,
    },
    BsPutUtf {
        fail: Label,
        width: u8,
        flags: u32,
        src: Src,
    },
    BsAdd {
        fail: Label,
        a: Src,
        b: Src,
        unit: u32,
        dst: Dst,
    },
    BsUtfSize {
        fail: Label,
        width: u8,
        src: Src,
        dst: Dst,
    },
    BsAppend(Box<BsAppend>),
    BsInitWritable,
    // --- misc
    OnLoad,
    /// The stub of an export whose module is not loaded: loads it from the code path,
    /// or raises `undef`.
    CallUndefined {
        export: &'static Export,
    },
    /// The return address of a process's outermost frame: returning here exits normally.
    ProcessExit,
    /// What the export entry of a function with a global trace pattern points at:
    /// traces the call, then continues at the function (`crate::trace::bp`).
    TraceGlobal {
        export: &'static Export,
    },
    /// The return address of a return trace frame: reports the return of the traced
    /// function, drops the frame and returns (`crate::trace::bp`).
    ReturnTrace,
    /// Marks the end of the module's code; reaching it is a loader bug.
    CodeEnd,
    // --- fused pairs the compiler emits back to back (see fuse.rs)
    /// `is_tuple` + `test_arity` on the same register with the same fail label.
    IsTupleArity {
        fail: Label,
        src: Src,
        arity: u32,
    },
    /// `is_tuple` + `select_tuple_arity` on the same register: `not_tuple` is the
    /// `is_tuple`'s fail label, `fail` the select's.
    IsTupleSelectArity {
        src: Src,
        not_tuple: Label,
        fail: Label,
        table: Box<SelectTable>,
    },
    /// `is_nonempty_list` + `get_list` of the same register.
    IsNonemptyListGet {
        fail: Label,
        src: Src,
        hd: Dst,
        tl: Dst,
    },
    /// Two `get_tuple_element`s from the same tuple (the first does not overwrite it).
    GetTupleElement2 {
        src: Src,
        i1: u32,
        d1: Dst,
        i2: u32,
        d2: Dst,
    },
    /// Three `get_tuple_element`s from the same tuple.
    GetTupleElement3 {
        src: Src,
        i: [u32; 3],
        d: [Dst; 3],
    },
    /// Three consecutive moves, done in order.
    Move3 {
        s: [Src; 3],
        d: [Dst; 3],
    },
    /// `test_heap` + `put_list`.
    TestHeapPutList {
        need: u32,
        live: u32,
        hd: Src,
        tl: Src,
        dst: Dst,
    },
    /// `test_heap` + `put_tuple2`.
    TestHeapPutTuple2 {
        need: u32,
        live: u32,
        dst: Dst,
        elems: Box<[Src]>,
    },
    /// `put_list` + `return` (`dealloc` 0) or `deallocate` + `return`.
    PutListReturn {
        hd: Src,
        tl: Src,
        dst: Dst,
        dealloc: u32,
    },
    /// `put_tuple2` + `return` or `deallocate` + `return`.
    PutTuple2Return {
        dst: Dst,
        dealloc: u32,
        elems: Box<[Src]>,
    },
    /// A constant into an X register + `return` or `deallocate` + `return`.
    MoveCXReturn {
        value: Term,
        dst: u32,
        dealloc: u32,
    },
    /// Placeholder for a not-yet-supported generic instruction: raises an error naming it.
    Unsupported {
        opcode: u8,
    },
}

#[cfg(test)]
mod tests {
    #[test]
    fn op_stays_small() {
        assert!(
            std::mem::size_of::<super::Op>() <= 40,
            "Op is {} bytes",
            std::mem::size_of::<super::Op>()
        );
    }
}
