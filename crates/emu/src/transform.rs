//! Generic BEAM instructions (from the loader crate) to the interpreter's specific
//! instructions: operands resolved to registers, literal terms, label offsets, export
//! entries and BIF function pointers. The result is an installed [`Module`].

use crate::code::{self, Export, FunctionInfo, LineLoc, Module};
use crate::literal::LiteralHeap;
use crate::ops::*;
use oxbeam_loader::compact::{Instr, Operand};
use oxbeam_loader::opcodes::Opcode;
use oxbeam_loader::BeamFile;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use std::collections::HashMap;

/// Why a module could not be turned into code.
#[derive(Debug, Clone)]
pub struct TransformError {
    pub module: String,
    pub message: String,
}

impl std::fmt::Display for TransformError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.module, self.message)
    }
}

type R<T> = Result<T, String>;

/// Stands in for a BIF that is not implemented yet.
fn missing_bif(_p: &mut crate::process::Process, _a: &[Term]) -> crate::bif::BifResult {
    Err(crate::bif::Fault::Error(Term::atom(am::UNDEF)))
}

/// Whether a remote call of `m:f/arity` becomes an interpreter instruction of its own
/// rather than a call of a registered BIF or of loaded code (`bif-coverage` counts these
/// as implemented).
pub fn handled_by_interpreter(m: Atom, f: Atom, arity: u32) -> bool {
    m == am::ERLANG && f == am::APPLY && (arity == 2 || arity == 3)
}

struct Builder<'a> {
    beam: &'a BeamFile,
    atoms: Vec<Atom>,
    literals: Vec<Term>,
    imports: Vec<&'static Export>,
    ops: Vec<Op>,
    labels: HashMap<u32, usize>,
    functions: Vec<FunctionInfo>,
    lines: Vec<(u32, LineLoc)>,
    pending_func: Option<FunctionInfo>,
    on_load_at: Option<usize>,
    fun_table: Vec<&'static code::FunEntry>,
    /// The largest frame (`allocate` size) of the function being translated.
    frame_limit: u32,
    /// Where the last label points (no fusion across it).
    label_at: Option<usize>,
}

impl Builder<'_> {
    fn atom(&self, i: u32) -> R<Atom> {
        self.atoms
            .get(i as usize - 1)
            .copied()
            .ok_or_else(|| format!("atom index {i} out of range"))
    }

    fn src(&self, o: &Operand) -> R<Src> {
        Ok(match o {
            Operand::X(i) if *i as usize >= crate::interp::X_REGS => {
                return Err(format!("x register {i} out of range"))
            }
            Operand::X(i) => Src::x(*i),
            Operand::Y(i) => Src::y(self.check_y(*i)?),
            Operand::TypedReg { reg, .. } => return self.src(reg),
            Operand::Atom(i) => Src::term(Term::atom(self.atom(*i)?)),
            Operand::Nil => Src::term(Term::NIL),
            Operand::Int(i) => Src::term(if Term::fits_small(*i) {
                Term::small(*i)
            } else {
                crate::literal_build::bigint_literal(&(*i).into())
            }),
            Operand::BigInt(b) => Src::term(crate::literal_build::bigint_literal(b)),
            Operand::Unsigned(u) => Src::term(crate::object::make_u64(&mut LiteralHeap, *u)),
            Operand::Literal(i) => Src::term(
                *self
                    .literals
                    .get(*i as usize)
                    .ok_or_else(|| format!("literal {i} out of range"))?,
            ),
            Operand::Char(c) => Src::term(Term::small(*c as i64)),
            other => return Err(format!("operand {other:?} is not a source")),
        })
    }

    fn dst(&self, o: &Operand) -> R<Dst> {
        match o {
            Operand::X(i) if *i as usize >= crate::interp::X_REGS => {
                Err(format!("x register {i} out of range"))
            }
            Operand::X(i) => Ok(Dst::x(*i)),
            Operand::Y(i) => Ok(Dst::y(self.check_y(*i)?)),
            Operand::TypedReg { reg, .. } => self.dst(reg),
            other => Err(format!("operand {other:?} is not a register")),
        }
    }

    fn label(&self, o: &Operand) -> R<Label> {
        match o {
            Operand::Label(0) => Ok(Label::NONE),
            Operand::Label(l) => Ok(Label(*l as i32)),
            // bs_start_match4 uses atoms `no_fail` / `resume` instead of a label.
            Operand::Atom(_) | Operand::Nil => Ok(Label::NONE),
            other => Err(format!("operand {other:?} is not a label")),
        }
    }

    /// A label the instruction jumps to unconditionally when taken: `{f,0}` ("raise
    /// instead") is meaningless there, and a malformed module must not get a wild jump.
    fn target(&self, o: &Operand) -> R<Label> {
        let l = self.label(o)?;
        if l.is_none() {
            return Err(format!("operand {o:?} is not a jump target"));
        }
        Ok(l)
    }

    fn uint(&self, o: &Operand) -> R<u32> {
        match o {
            Operand::Unsigned(u) => Ok(*u as u32),
            Operand::Int(i) if *i >= 0 => Ok(*i as u32),
            Operand::Char(c) => Ok(*c),
            other => Err(format!("operand {other:?} is not an unsigned number")),
        }
    }

    /// A Y register must lie inside the largest frame its function allocates, so that a
    /// malformed module cannot address memory outside the process's stack.
    fn check_y(&self, i: u32) -> R<u32> {
        if i < self.frame_limit {
            Ok(i)
        } else {
            Err(format!(
                "y register {i} outside every frame of its function"
            ))
        }
    }

    fn yreg(&self, o: &Operand) -> R<u32> {
        match o {
            Operand::Y(i) => self.check_y(*i),
            Operand::TypedReg { reg, .. } => self.yreg(reg),
            other => Err(format!("operand {other:?} is not a y register")),
        }
    }

    fn freg(&self, o: &Operand) -> R<u32> {
        match o {
            Operand::FloatReg(i) if (*i as usize) < crate::interp::F_REGS => Ok(*i),
            other => Err(format!(
                "operand {other:?} is not a float register (or out of range)"
            )),
        }
    }

    fn list<'o>(&self, o: &'o Operand) -> R<&'o [Operand]> {
        match o {
            Operand::List(v) => Ok(v),
            other => Err(format!("operand {other:?} is not a list")),
        }
    }

    fn import(&self, o: &Operand) -> R<&'static Export> {
        let i = self.uint(o)? as usize;
        self.imports
            .get(i)
            .copied()
            .ok_or_else(|| format!("import {i} out of range"))
    }

    fn bif(&self, o: &Operand) -> R<crate::bif::BifFn> {
        let e = self.import(o)?;
        // A guard BIF oxbeam does not implement yet still loads; calling it raises
        // `undef` (bif-coverage lists these).
        Ok(e.bif.get().copied().unwrap_or(missing_bif))
    }

    /// Heap words from a number or an allocation list.
    fn heap_need(&self, o: &Operand) -> R<u32> {
        match o {
            Operand::AllocList(items) => {
                let mut n = 0u32;
                for &(kind, count) in items {
                    n += match kind {
                        0 => count,
                        1 => count * 2,
                        _ => count * 4,
                    };
                }
                Ok(n)
            }
            _ => self.uint(o),
        }
    }

    /// Flags of the old binary instructions (an integer bit set) or of bs_create_bin.
    fn bs_flags(&self, o: &Operand) -> R<u32> {
        match o {
            Operand::Unsigned(u) => Ok(*u as u32),
            Operand::Int(i) => Ok(*i as u32),
            Operand::Nil => Ok(0),
            Operand::Literal(i) => {
                let t = self.literals[*i as usize];
                let mut flags = 0;
                if let Some(items) = crate::object::list_to_vec(t) {
                    for it in items {
                        match it.as_atom().map(|a| a.name()) {
                            Some("little") => flags |= BS_FLAG_LITTLE,
                            Some("signed") => flags |= BS_FLAG_SIGNED,
                            Some("native") => flags |= BS_FLAG_NATIVE,
                            _ => {}
                        }
                    }
                }
                Ok(flags)
            }
            Operand::List(items) => {
                let mut flags = 0;
                for it in items {
                    if let Operand::Atom(a) = it {
                        match self.atom(*a)?.name() {
                            "little" => flags |= BS_FLAG_LITTLE,
                            "signed" => flags |= BS_FLAG_SIGNED,
                            "native" => flags |= BS_FLAG_NATIVE,
                            _ => {}
                        }
                    }
                }
                Ok(flags)
            }
            other => Err(format!("bad binary flags {other:?}")),
        }
    }

    /// Appends `op`, merged into the previous instruction where `fuse` allows and no
    /// label points between them.
    fn push(&mut self, mut op: Op) {
        // A fused instruction may fuse again with the one before it (`call_fun`, then
        // `deallocate` + `return` fused, makes a tail call).
        loop {
            let at = self.ops.len();
            if self.label_at == Some(at) {
                break;
            }
            let Some(fused) = self
                .ops
                .last()
                .and_then(|prev| crate::fuse::fuse(prev, &op))
            else {
                break;
            };
            self.ops.pop();
            // A `line` recorded for the absorbed instruction now belongs to the fused
            // one (its first half cannot fail, so the location stays right).
            if let Some(last) = self.lines.last_mut() {
                if last.0 as usize == at {
                    last.0 -= 1;
                }
            }
            op = fused;
        }
        self.ops.push(op);
    }

    fn bs_get(&self, a: &[Operand]) -> R<Box<BsGet>> {
        // Fail Ctx Live Size Unit Flags Dst
        Ok(Box::new(BsGet {
            fail: self.label(&a[0])?,
            ctx: self.src(&a[1])?,
            live: self.uint(&a[2])?,
            size: self.src(&a[3])?,
            unit: self.uint(&a[4])?,
            flags: self.bs_flags(&a[5])?,
            dst: self.dst(&a[6])?,
        }))
    }

    fn bs_put(&self, a: &[Operand]) -> R<Box<BsPut>> {
        // Fail Size Unit Flags Src
        Ok(Box::new(BsPut {
            fail: self.label(&a[0])?,
            size: self.src(&a[1])?,
            unit: self.uint(&a[2])?,
            flags: self.bs_flags(&a[3])?,
            src: self.src(&a[4])?,
        }))
    }

    fn map_put(&self, a: &[Operand]) -> R<Box<MapPut>> {
        let items = self.list(&a[4])?;
        let mut pairs = Vec::new();
        for kv in items.chunks(2) {
            if kv.len() != 2 {
                return Err("odd map pair list".into());
            }
            pairs.push((self.src(&kv[0])?, self.src(&kv[1])?));
        }
        Ok(Box::new(MapPut {
            fail: self.label(&a[0])?,
            map: self.src(&a[1])?,
            dst: self.dst(&a[2])?,
            live: self.uint(&a[3])?,
            pairs: pairs.into_boxed_slice(),
        }))
    }

    fn select_table(&self, o: &Operand, arity_values: bool) -> R<Box<SelectTable>> {
        let items = self.list(o)?;
        let mut pairs = Vec::new();
        for vl in items.chunks(2) {
            if vl.len() != 2 {
                return Err("odd select list".into());
            }
            let v = if arity_values {
                Term::small(self.uint(&vl[0])? as i64)
            } else {
                self.src(&vl[0])?
                    .as_term()
                    .ok_or("select value is a register")?
            };
            pairs.push((v, self.target(&vl[1])?));
        }
        pairs.sort_by(|a, b| crate::compare::compare(a.0, b.0, true));
        Ok(Box::new(SelectTable {
            values: pairs.iter().map(|p| p.0).collect(),
            labels: pairs.iter().map(|p| p.1).collect(),
        }))
    }

    fn utf_width(op: Opcode) -> u8 {
        match op {
            Opcode::BsGetUtf8 | Opcode::BsSkipUtf8 | Opcode::BsUtf8Size | Opcode::BsPutUtf8 => 8,
            Opcode::BsGetUtf16 | Opcode::BsSkipUtf16 | Opcode::BsUtf16Size | Opcode::BsPutUtf16 => {
                16
            }
            _ => 32,
        }
    }

    fn call_ext(&mut self, arity: u32, e: &'static Export, last: Option<u32>) {
        if handled_by_interpreter(e.module, e.function, arity) {
            if arity == 3 {
                self.push(Op::ApplyMfa { last });
            } else {
                self.push(Op::ApplyFun { last });
            }
            return;
        }
        if let Some(&bif) = e.bif.get() {
            match last {
                None => self.push(Op::CallBif {
                    arity,
                    bif,
                    export: e,
                }),
                Some(dealloc) if dealloc == u32::MAX => self.push(Op::CallBifOnly {
                    arity,
                    bif,
                    export: e,
                }),
                Some(dealloc) => self.push(Op::CallBifLast {
                    arity,
                    bif,
                    export: e,
                    dealloc,
                }),
            }
            return;
        }
        match last {
            None => self.push(Op::CallExt { arity, export: e }),
            Some(dealloc) if dealloc == u32::MAX => self.push(Op::CallExtOnly { arity, export: e }),
            Some(dealloc) => self.push(Op::CallExtLast {
                arity,
                export: e,
                dealloc,
            }),
        }
    }

    fn instr(&mut self, ins: &Instr) -> R<()> {
        use Opcode as G;
        let a = &ins.args[..];
        match ins.op {
            G::Label => {
                let l = self.uint(&a[0])?;
                self.labels.insert(l, self.ops.len());
                self.label_at = Some(self.ops.len());
                if let Some(f) = self.pending_func.as_mut() {
                    if f.entry == usize::MAX && self.ops.len() > f.start {
                        f.entry = self.ops.len();
                        let f = self.pending_func.take().unwrap();
                        self.functions.push(f);
                    }
                }
            }
            G::FuncInfo => {
                let module = self
                    .src(&a[0])?
                    .as_term()
                    .and_then(|t| t.as_atom())
                    .unwrap_or(am::UNDEFINED);
                let function = self
                    .src(&a[1])?
                    .as_term()
                    .and_then(|t| t.as_atom())
                    .unwrap_or(am::UNDEFINED);
                let arity = self.uint(&a[2])?;
                self.pending_func = Some(FunctionInfo {
                    name: function,
                    arity,
                    start: self.ops.len(),
                    entry: usize::MAX,
                });
                self.push(Op::FuncInfo {
                    module,
                    function,
                    arity,
                });
            }
            G::IntCodeEnd => self.push(Op::CodeEnd),
            G::Call => self.push(Op::Call {
                arity: self.uint(&a[0])?,
                target: self.target(&a[1])?,
            }),
            G::CallLast => self.push(Op::CallLast {
                arity: self.uint(&a[0])?,
                target: self.target(&a[1])?,
                dealloc: self.uint(&a[2])?,
            }),
            G::CallOnly => self.push(Op::CallOnly {
                arity: self.uint(&a[0])?,
                target: self.target(&a[1])?,
            }),
            G::CallExt => {
                let e = self.import(&a[1])?;
                self.call_ext(self.uint(&a[0])?, e, None)
            }
            G::CallExtLast => {
                let e = self.import(&a[1])?;
                self.call_ext(self.uint(&a[0])?, e, Some(self.uint(&a[2])?))
            }
            G::CallExtOnly => {
                let e = self.import(&a[1])?;
                self.call_ext(self.uint(&a[0])?, e, Some(u32::MAX))
            }
            G::Bif0 => self.push(Op::Bif0 {
                bif: self.bif(&a[0])?,
                dst: self.dst(&a[1])?,
            }),
            G::Bif1 => self.push(Op::Bif1 {
                fail: self.label(&a[0])?,
                bif: self.bif(&a[1])?,
                a: self.src(&a[2])?,
                dst: self.dst(&a[3])?,
            }),
            G::Bif2 => self.push(Op::Bif2 {
                fail: self.label(&a[0])?,
                bif: self.bif(&a[1])?,
                a: self.src(&a[2])?,
                b: self.src(&a[3])?,
                dst: self.dst(&a[4])?,
            }),
            G::GcBif1 => self.push(Op::GcBif1 {
                fail: self.label(&a[0])?,
                live: self.uint(&a[1])?,
                bif: self.bif(&a[2])?,
                a: self.src(&a[3])?,
                dst: self.dst(&a[4])?,
            }),
            G::GcBif2 => {
                let e = self.import(&a[2])?;
                let bif = self.bif(&a[2])?;
                let (fail, x, y, dst) = (
                    self.label(&a[0])?,
                    self.src(&a[3])?,
                    self.src(&a[4])?,
                    self.dst(&a[5])?,
                );
                let name = if e.module == am::ERLANG {
                    e.function.name()
                } else {
                    ""
                };
                // A small immediate operand with a register gets the one-test form (the
                // reference's increment; two literals, as in `a + 1`, keep the BIF and
                // its `erlang:'+'` frame in errors).
                let imm = |s: Src| {
                    s.as_term()
                        .and_then(|t| t.as_small())
                        .and_then(|i| i32::try_from(i).ok())
                };
                match (name, imm(x), imm(y)) {
                    ("+", _, Some(k)) if x.is_reg() => self.push(Op::AddImm {
                        bif,
                        fail,
                        a: x,
                        imm: k,
                        dst,
                    }),
                    ("+", Some(k), None) if y.is_reg() => self.push(Op::AddImm {
                        bif,
                        fail,
                        a: y,
                        imm: k,
                        dst,
                    }),
                    ("-", _, Some(k)) if x.is_reg() => self.push(Op::SubImm {
                        bif,
                        fail,
                        a: x,
                        imm: k,
                        dst,
                    }),
                    _ => match name {
                        "+" => self.push(Op::Add {
                            bif,
                            fail,
                            a: x,
                            b: y,
                            dst,
                        }),
                        "-" => self.push(Op::Sub {
                            bif,
                            fail,
                            a: x,
                            b: y,
                            dst,
                        }),
                        "*" => self.push(Op::Mul {
                            bif,
                            fail,
                            a: x,
                            b: y,
                            dst,
                        }),
                        _ => self.push(Op::GcBif2 {
                            fail,
                            live: self.uint(&a[1])?,
                            bif,
                            a: x,
                            b: y,
                            dst,
                        }),
                    },
                }
            }
            G::GcBif3 => self.push(Op::GcBif3 {
                fail: self.label(&a[0])?,
                live: self.uint(&a[1])?,
                bif: self.bif(&a[2])?,
                args: Box::new([self.src(&a[3])?, self.src(&a[4])?, self.src(&a[5])?]),
                dst: self.dst(&a[6])?,
            }),
            G::Allocate | G::AllocateZero => self.push(Op::Allocate {
                stack: self.uint(&a[0])?,
                heap: 0,
                live: self.uint(&a[1])?,
                zero: true,
            }),
            G::AllocateHeap | G::AllocateHeapZero => self.push(Op::Allocate {
                stack: self.uint(&a[0])?,
                heap: self.heap_need(&a[1])?,
                live: self.uint(&a[2])?,
                zero: true,
            }),
            G::TestHeap => self.push(Op::TestHeap {
                need: self.heap_need(&a[0])?,
                live: self.uint(&a[1])?,
            }),
            G::Init => self.push(Op::Init {
                dst: self.dst(&a[0])?,
            }),
            G::InitYregs => {
                let regs = self
                    .list(&a[0])?
                    .iter()
                    .map(|o| self.yreg(o))
                    .collect::<R<Vec<u32>>>()?;
                self.push(Op::InitYregs {
                    regs: regs.into_boxed_slice(),
                })
            }
            G::Deallocate => self.push(Op::Deallocate {
                n: self.uint(&a[0])?,
            }),
            G::Return => self.push(Op::Return),
            G::Send => self.push(Op::Send),
            G::RemoveMessage => self.push(Op::RemoveMessage),
            G::Timeout => self.push(Op::Timeout),
            G::LoopRec => self.push(Op::LoopRec {
                fail: self.target(&a[0])?,
                dst: self.dst(&a[1])?,
            }),
            G::LoopRecEnd => self.push(Op::LoopRecEnd {
                next: self.target(&a[0])?,
            }),
            G::Wait => self.push(Op::Wait {
                target: self.target(&a[0])?,
            }),
            G::WaitTimeout => self.push(Op::WaitTimeout {
                target: self.target(&a[0])?,
                time: self.src(&a[1])?,
            }),
            G::IsLt | G::IsGe | G::IsEq | G::IsNe | G::IsEqExact | G::IsNeExact => {
                let (fail, x, y) = (self.target(&a[0])?, self.src(&a[1])?, self.src(&a[2])?);
                // Exact comparison with an immediate is a word comparison.
                let imm = |s: Src| s.as_term().filter(|t| t.is_immed());
                self.push(match (ins.op, imm(x), imm(y)) {
                    (G::IsEqExact, _, Some(t)) => Op::IsEqExactImm { fail, a: x, imm: t },
                    (G::IsEqExact, Some(t), _) => Op::IsEqExactImm { fail, a: y, imm: t },
                    (G::IsNeExact, _, Some(t)) => Op::IsNeExactImm { fail, a: x, imm: t },
                    (G::IsNeExact, Some(t), _) => Op::IsNeExactImm { fail, a: y, imm: t },
                    (G::IsLt, ..) => Op::IsLt { fail, a: x, b: y },
                    (G::IsGe, ..) => Op::IsGe { fail, a: x, b: y },
                    (G::IsEq, ..) => Op::IsEq { fail, a: x, b: y },
                    (G::IsNe, ..) => Op::IsNe { fail, a: x, b: y },
                    (G::IsEqExact, ..) => Op::IsEqExact { fail, a: x, b: y },
                    _ => Op::IsNeExact { fail, a: x, b: y },
                })
            }
            G::IsInteger
            | G::IsFloat
            | G::IsNumber
            | G::IsAtom
            | G::IsPid
            | G::IsReference
            | G::IsPort
            | G::IsNil
            | G::IsBinary
            | G::IsList
            | G::IsNonemptyList
            | G::IsTuple
            | G::IsBoolean
            | G::IsFunction
            | G::IsBitstr
            | G::IsMap => {
                let test = match ins.op {
                    G::IsInteger => TypeTest::Integer,
                    G::IsFloat => TypeTest::Float,
                    G::IsNumber => TypeTest::Number,
                    G::IsAtom => TypeTest::Atom,
                    G::IsPid => TypeTest::Pid,
                    G::IsReference => TypeTest::Reference,
                    G::IsPort => TypeTest::Port,
                    G::IsNil => TypeTest::Nil,
                    G::IsBinary => TypeTest::Binary,
                    G::IsList => TypeTest::List,
                    G::IsNonemptyList => TypeTest::NonemptyList,
                    G::IsTuple => TypeTest::Tuple,
                    G::IsBoolean => TypeTest::Boolean,
                    G::IsFunction => TypeTest::Function,
                    G::IsBitstr => TypeTest::Bitstr,
                    _ => TypeTest::Map,
                };
                let (fail, src) = (self.target(&a[0])?, self.src(&a[1])?);
                self.push(match test {
                    TypeTest::Nil => Op::IsNil { fail, src },
                    TypeTest::NonemptyList => Op::IsNonemptyList { fail, src },
                    TypeTest::Tuple => Op::IsTuple { fail, src },
                    TypeTest::Atom => Op::IsAtom { fail, src },
                    _ => Op::Test { test, fail, src },
                })
            }
            G::IsFunction2 => self.push(Op::IsFunction2 {
                fail: self.target(&a[0])?,
                src: self.src(&a[1])?,
                arity: self.src(&a[2])?,
            }),
            G::TestArity => self.push(Op::TestArity {
                fail: self.target(&a[0])?,
                src: self.src(&a[1])?,
                arity: self.uint(&a[2])?,
            }),
            G::IsTaggedTuple => {
                let tag = self.src(&a[3])?.as_term().ok_or("tag is a register")?;
                self.push(Op::IsTaggedTuple {
                    fail: self.target(&a[0])?,
                    src: self.src(&a[1])?,
                    arity: self.uint(&a[2])?,
                    tag,
                })
            }
            G::SelectVal => self.push(crate::fuse::select_op(
                self.src(&a[0])?,
                self.target(&a[1])?,
                self.select_table(&a[2], false)?,
            )),
            G::SelectTupleArity => self.push(Op::SelectTupleArity {
                src: self.src(&a[0])?,
                fail: self.target(&a[1])?,
                table: self.select_table(&a[2], true)?,
            }),
            G::Jump => self.push(Op::Jump {
                target: self.target(&a[0])?,
            }),
            G::Catch => self.push(Op::Catch {
                y: self.yreg(&a[0])?,
                handler: self.target(&a[1])?,
            }),
            G::CatchEnd => self.push(Op::CatchEnd {
                y: self.yreg(&a[0])?,
            }),
            G::Move => {
                // Both indices were range-checked by src()/dst().
                let op = crate::fuse::move_op(self.src(&a[0])?, self.dst(&a[1])?);
                self.push(op)
            }
            G::GetList => self.push(Op::GetList {
                src: self.src(&a[0])?,
                hd: self.dst(&a[1])?,
                tl: self.dst(&a[2])?,
            }),
            G::GetHd => self.push(Op::GetHd {
                src: self.src(&a[0])?,
                dst: self.dst(&a[1])?,
            }),
            G::GetTl => self.push(Op::GetTl {
                src: self.src(&a[0])?,
                dst: self.dst(&a[1])?,
            }),
            G::GetTupleElement => self.push(Op::GetTupleElement {
                src: self.src(&a[0])?,
                index: self.uint(&a[1])?,
                dst: self.dst(&a[2])?,
            }),
            G::SetTupleElement => self.push(Op::SetTupleElement {
                value: self.src(&a[0])?,
                tuple: self.src(&a[1])?,
                index: self.uint(&a[2])?,
            }),
            G::PutList => self.push(Op::PutList {
                hd: self.src(&a[0])?,
                tl: self.src(&a[1])?,
                dst: self.dst(&a[2])?,
            }),
            G::PutTuple2 => {
                let elems = self
                    .list(&a[1])?
                    .iter()
                    .map(|o| self.src(o))
                    .collect::<R<Vec<Src>>>()?;
                self.push(Op::PutTuple2 {
                    dst: self.dst(&a[0])?,
                    elems: elems.into_boxed_slice(),
                })
            }
            G::Swap => self.push(Op::Swap {
                a: self.dst(&a[0])?,
                b: self.dst(&a[1])?,
            }),
            G::Badmatch => self.push(Op::Badmatch {
                src: self.src(&a[0])?,
            }),
            G::IfEnd => self.push(Op::IfEnd),
            G::CaseEnd => self.push(Op::CaseEnd {
                src: self.src(&a[0])?,
            }),
            G::Badrecord => self.push(Op::Badrecord {
                src: self.src(&a[0])?,
            }),
            G::TryCaseEnd => self.push(Op::TryCaseEnd {
                src: self.src(&a[0])?,
            }),
            G::CallFun => self.push(Op::CallFun {
                arity: self.uint(&a[0])?,
            }),
            G::CallFun2 => self.push(Op::CallFun2 {
                arity: self.uint(&a[1])?,
                func: self.src(&a[2])?,
            }),
            G::MakeFun2 => {
                let idx = self.uint(&a[0])? as usize;
                let entry = *self
                    .fun_entries()
                    .get(idx)
                    .ok_or("fun index out of range")?;
                let env: Vec<Src> = (0..entry.num_free).map(Src::x).collect();
                self.push(Op::MakeFun {
                    entry,
                    dst: Dst::x(0),
                    env: env.into_boxed_slice(),
                })
            }
            G::MakeFun3 => {
                let idx = self.uint(&a[0])? as usize;
                let entry = *self
                    .fun_entries()
                    .get(idx)
                    .ok_or("fun index out of range")?;
                let env = self
                    .list(&a[2])?
                    .iter()
                    .map(|o| self.src(o))
                    .collect::<R<Vec<Src>>>()?;
                self.push(Op::MakeFun {
                    entry,
                    dst: self.dst(&a[1])?,
                    env: env.into_boxed_slice(),
                })
            }
            G::Try => self.push(Op::Try {
                y: self.yreg(&a[0])?,
                handler: self.target(&a[1])?,
            }),
            G::TryEnd => self.push(Op::TryEnd {
                y: self.yreg(&a[0])?,
            }),
            G::TryCase => self.push(Op::TryCase {
                y: self.yreg(&a[0])?,
            }),
            G::Raise => self.push(Op::Raise {
                stacktrace: self.src(&a[0])?,
                reason: self.src(&a[1])?,
            }),
            G::BuildStacktrace => self.push(Op::BuildStacktrace),
            G::RawRaise => self.push(Op::RawRaise),
            G::Apply => self.push(Op::Apply {
                arity: self.uint(&a[0])?,
            }),
            G::ApplyLast => self.push(Op::ApplyLast {
                arity: self.uint(&a[0])?,
                dealloc: self.uint(&a[1])?,
            }),
            G::Fclearerror => self.push(Op::Fclearerror),
            G::Fcheckerror => self.push(Op::Fcheckerror {
                fail: self.label(&a[0])?,
            }),
            G::Fmove => match (&a[0], &a[1]) {
                (f @ Operand::FloatReg(_), t @ Operand::FloatReg(_)) => self.push(Op::FmoveFF {
                    from: self.freg(f)?,
                    to: self.freg(t)?,
                }),
                (f @ Operand::FloatReg(_), d) => self.push(Op::FmoveFromF {
                    fr: self.freg(f)?,
                    dst: self.dst(d)?,
                }),
                (s, t @ Operand::FloatReg(_)) => self.push(Op::FmoveToF {
                    src: self.src(s)?,
                    fr: self.freg(t)?,
                }),
                _ => return Err("fmove without a float register".into()),
            },
            G::Fconv => self.push(Op::Fconv {
                src: self.src(&a[0])?,
                fr: self.freg(&a[1])?,
            }),
            G::Fadd | G::Fsub | G::Fmul | G::Fdiv => {
                let (a, b, dst) = (self.freg(&a[1])?, self.freg(&a[2])?, self.freg(&a[3])?);
                self.push(match ins.op {
                    G::Fadd => Op::Fadd { a, b, dst },
                    G::Fsub => Op::Fsub { a, b, dst },
                    G::Fmul => Op::Fmul { a, b, dst },
                    _ => Op::Fdiv { a, b, dst },
                })
            }
            G::Fnegate => self.push(Op::Fnegate {
                a: self.freg(&a[1])?,
                dst: self.freg(&a[2])?,
            }),
            G::GetMapElements => {
                let items = self.list(&a[2])?;
                let mut pairs = Vec::new();
                for kd in items.chunks(2) {
                    if kd.len() != 2 {
                        return Err("odd get_map_elements list".into());
                    }
                    pairs.push((self.src(&kd[0])?, self.dst(&kd[1])?));
                }
                self.push(Op::GetMapElements {
                    fail: self.target(&a[0])?,
                    map: self.src(&a[1])?,
                    pairs: pairs.into_boxed_slice(),
                })
            }
            G::HasMapFields => {
                let keys = self
                    .list(&a[2])?
                    .iter()
                    .map(|o| self.src(o))
                    .collect::<R<Vec<Src>>>()?;
                self.push(Op::HasMapFields {
                    fail: self.target(&a[0])?,
                    map: self.src(&a[1])?,
                    keys: keys.into_boxed_slice(),
                })
            }
            G::PutMapAssoc => {
                let m = self.map_put(a)?;
                self.push(Op::PutMapAssoc(m))
            }
            G::PutMapExact => {
                let m = self.map_put(a)?;
                self.push(Op::PutMapExact(m))
            }
            G::BsStartMatch3 => self.push(Op::BsStartMatch {
                fail: self.label(&a[0])?,
                src: self.src(&a[1])?,
                live: self.uint(&a[2])?,
                dst: self.dst(&a[3])?,
            }),
            G::BsStartMatch4 => self.push(Op::BsStartMatch {
                fail: self.label(&a[0])?,
                live: self.uint(&a[1])?,
                src: self.src(&a[2])?,
                dst: self.dst(&a[3])?,
            }),
            G::BsGetPosition => self.push(Op::BsGetPosition {
                ctx: self.src(&a[0])?,
                dst: self.dst(&a[1])?,
            }),
            G::BsSetPosition => self.push(Op::BsSetPosition {
                ctx: self.src(&a[0])?,
                pos: self.src(&a[1])?,
            }),
            G::BsGetTail => self.push(Op::BsGetTail {
                ctx: self.src(&a[0])?,
                dst: self.dst(&a[1])?,
            }),
            G::BsTestTail2 => self.push(Op::BsTestTail {
                fail: self.label(&a[0])?,
                ctx: self.src(&a[1])?,
                bits: self.uint(&a[2])?,
            }),
            G::BsTestUnit => self.push(Op::BsTestUnit {
                fail: self.label(&a[0])?,
                ctx: self.src(&a[1])?,
                unit: self.uint(&a[2])?,
            }),
            G::BsMatchString => self.push(Op::BsMatchString {
                fail: self.label(&a[0])?,
                ctx: self.src(&a[1])?,
                bits: self.uint(&a[2])?,
                offset: self.uint(&a[3])?,
            }),
            G::BsGetInteger2 => {
                let g = self.bs_get(a)?;
                self.push(Op::BsGetInteger(g))
            }
            G::BsGetFloat2 => {
                let g = self.bs_get(a)?;
                self.push(Op::BsGetFloat(g))
            }
            G::BsGetBinary2 => {
                let g = self.bs_get(a)?;
                self.push(Op::BsGetBinary(g))
            }
            G::BsSkipBits2 => self.push(Op::BsSkipBits {
                fail: self.label(&a[0])?,
                ctx: self.src(&a[1])?,
                size: self.src(&a[2])?,
                unit: self.uint(&a[3])?,
            }),
            G::BsGetUtf8 | G::BsGetUtf16 | G::BsGetUtf32 => {
                let width = Self::utf_width(ins.op);
                self.push(Op::BsGetUtf {
                    fail: self.label(&a[0])?,
                    ctx: self.src(&a[1])?,
                    width,
                    flags: self.bs_flags(&a[3])?,
                    dst: self.dst(&a[4])?,
                })
            }
            G::BsSkipUtf8 | G::BsSkipUtf16 | G::BsSkipUtf32 => {
                let width = Self::utf_width(ins.op);
                self.push(Op::BsSkipUtf {
                    fail: self.label(&a[0])?,
                    ctx: self.src(&a[1])?,
                    width,
                    flags: self.bs_flags(&a[3])?,
                })
            }
            G::BsCreateBin => {
                // Fail Alloc Live Unit Dst {list, [Type, Seg, Unit, Flags, Src, Size]*}
                let items = self.list(&a[5])?;
                let mut segs = Vec::new();
                for s in items.chunks(6) {
                    if s.len() != 6 {
                        return Err("bad bs_create_bin segment list".into());
                    }
                    let ty = match &s[0] {
                        Operand::Atom(i) => self.atom(*i)?,
                        other => return Err(format!("bad segment type {other:?}")),
                    };
                    let kind = match ty.name() {
                        "integer" => SegKind::Integer,
                        "float" => SegKind::Float,
                        "binary" => SegKind::Binary,
                        "utf8" => SegKind::Utf8,
                        "utf16" => SegKind::Utf16,
                        "utf32" => SegKind::Utf32,
                        "string" => SegKind::String,
                        "append" => SegKind::Append,
                        "private_append" => SegKind::PrivateAppend,
                        other => return Err(format!("unknown segment type {other}")),
                    };
                    let size = match &s[5] {
                        Operand::Atom(i) if self.atom(*i)? == am::ALL => {
                            Src::term(Term::atom(am::ALL))
                        }
                        // Absent size (utf segments): kept as the atom, since NON_VALUE would
                        // encode as register x0.
                        Operand::Atom(i) if self.atom(*i)? == am::UNDEFINED => {
                            Src::term(Term::atom(am::UNDEFINED))
                        }
                        other => self.src(other)?,
                    };
                    segs.push(Segment {
                        kind,
                        unit: self.uint(&s[2])?,
                        flags: self.bs_flags(&s[3])?,
                        value: self.src(&s[4])?,
                        size,
                    });
                }
                self.push(Op::BsCreateBin {
                    fail: self.label(&a[0])?,
                    live: self.uint(&a[2])?,
                    unit: self.uint(&a[3])?,
                    dst: self.dst(&a[4])?,
                    segments: segs.into_boxed_slice(),
                })
            }
            G::BsInit2 | G::BsInitBits => {
                let init = Box::new(BsInit {
                    fail: self.label(&a[0])?,
                    size: self.src(&a[1])?,
                    extra: self.heap_need(&a[2])?,
                    live: self.uint(&a[3])?,
                    dst: self.dst(&a[5])?,
                    bits: ins.op == G::BsInitBits,
                });
                self.push(Op::BsInit(init))
            }
            G::BsPutInteger => {
                let p = self.bs_put(a)?;
                self.push(Op::BsPutInteger(p))
            }
            G::BsPutBinary => {
                let p = self.bs_put(a)?;
                self.push(Op::BsPutBinary(p))
            }
            G::BsPutFloat => {
                let p = self.bs_put(a)?;
                self.push(Op::BsPutFloat(p))
            }
            G::BsPutString => self.push(Op::BsPutString {
                len: self.uint(&a[0])?,
                offset: self.uint(&a[1])?,
            }),
            G::BsAdd => self.push(Op::BsAdd {
                fail: self.label(&a[0])?,
                a: self.src(&a[1])?,
                b: self.src(&a[2])?,
                unit: self.uint(&a[3])?,
                dst: self.dst(&a[4])?,
            }),
            G::BsAppend => {
                let ap = Box::new(BsAppend {
                    fail: self.label(&a[0])?,
                    size: self.src(&a[1])?,
                    extra: self.heap_need(&a[2])?,
                    live: self.uint(&a[3])?,
                    unit: self.uint(&a[4])?,
                    bin: self.src(&a[5])?,
                    dst: self.dst(&a[7])?,
                    private: false,
                });
                self.push(Op::BsAppend(ap))
            }
            G::BsPrivateAppend => {
                let ap = Box::new(BsAppend {
                    fail: self.label(&a[0])?,
                    size: self.src(&a[1])?,
                    extra: 0,
                    live: 0,
                    unit: self.uint(&a[2])?,
                    bin: self.src(&a[3])?,
                    dst: self.dst(&a[5])?,
                    private: true,
                });
                self.push(Op::BsAppend(ap))
            }
            G::BsInitWritable => self.push(Op::BsInitWritable),
            G::BsUtf8Size | G::BsUtf16Size => {
                let width = Self::utf_width(ins.op);
                self.push(Op::BsUtfSize {
                    fail: self.label(&a[0])?,
                    width,
                    src: self.src(&a[1])?,
                    dst: self.dst(&a[2])?,
                })
            }
            G::BsPutUtf8 | G::BsPutUtf16 | G::BsPutUtf32 => {
                let width = Self::utf_width(ins.op);
                self.push(Op::BsPutUtf {
                    fail: self.label(&a[0])?,
                    width,
                    flags: self.bs_flags(&a[1])?,
                    src: self.src(&a[2])?,
                })
            }
            G::Line => {
                let idx = self.uint(&a[0])? as usize;
                if let Some(lt) = &self.beam.lines {
                    if let Some(item) = lt.items.get(idx) {
                        self.lines.push((
                            self.ops.len() as u32,
                            LineLoc {
                                file: item.file,
                                line: item.line,
                            },
                        ));
                    }
                }
            }
            G::Trim => self.push(Op::Trim {
                n: self.uint(&a[0])?,
            }),
            G::RecvMarkerReserve => self.push(Op::RecvMarkerReserve {
                dst: self.dst(&a[0])?,
            }),
            G::RecvMarkerBind => self.push(Op::RecvMarkerBind {
                marker: self.src(&a[0])?,
                reference: self.src(&a[1])?,
            }),
            G::RecvMarkerClear => self.push(Op::RecvMarkerClear {
                reference: self.src(&a[0])?,
            }),
            G::RecvMarkerUse => self.push(Op::RecvMarkerUse {
                reference: self.src(&a[0])?,
            }),
            G::RecvMark | G::RecvSet => {}
            // Right after the entry label of the on_load function.
            G::OnLoad => self.on_load_at = Some(self.ops.len()),
            G::NifStart => {
                // The function's body is a NIF stub: a native implementation registered
                // for it replaces it (the reference's `erlang:load_nif`).
                if let Some(f) = self.functions.last() {
                    let module = self.atom(1)?;
                    if let Some(e) = code::find_export(module, f.name, f.arity) {
                        if let Some(&nif) = e.nif.get() {
                            self.push(Op::CallBifOnly {
                                arity: f.arity,
                                bif: nif,
                                export: e,
                            });
                        }
                    }
                }
            }
            other => self.push(Op::Unsupported {
                opcode: other as u8,
            }),
        }
        Ok(())
    }

    fn fun_entries(&self) -> &[&'static code::FunEntry] {
        &self.fun_table
    }
}

/// For each instruction, the largest stack frame its function allocates. A function's
/// region runs from its `func_info` to the next one (Y registers only occur after it).
fn frame_limits(code: &[Instr]) -> Vec<u32> {
    let mut limits = vec![0u32; code.len()];
    let starts: Vec<usize> = code
        .iter()
        .enumerate()
        .filter(|(_, ins)| ins.op == Opcode::FuncInfo)
        .map(|(i, _)| i)
        .collect();
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(code.len());
        let max = code[start..end]
            .iter()
            .filter(|ins| {
                matches!(
                    ins.op,
                    Opcode::Allocate
                        | Opcode::AllocateZero
                        | Opcode::AllocateHeap
                        | Opcode::AllocateHeapZero
                )
            })
            .filter_map(|ins| match ins.args.first() {
                Some(Operand::Unsigned(n)) => Some(*n as u32),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        for l in &mut limits[start..end] {
            *l = max;
        }
    }
    limits
}

/// Calls `f` on every label field of `op`.
fn for_each_label(op: &mut Op, f: &mut dyn FnMut(&mut Label)) {
    match op {
        Op::Call { target, .. }
        | Op::MoveCall { target, .. }
        | Op::Move2Call { target, .. }
        | Op::CallLast { target, .. }
        | Op::CallOnly { target, .. }
        | Op::Jump { target }
        | Op::Wait { target }
        | Op::WaitTimeout { target, .. } => f(target),
        Op::Bif1 { fail, .. }
        | Op::Bif2 { fail, .. }
        | Op::GcBif1 { fail, .. }
        | Op::GcBif2 { fail, .. }
        | Op::GcBif3 { fail, .. }
        | Op::Add { fail, .. }
        | Op::AddImm { fail, .. }
        | Op::SubImm { fail, .. }
        | Op::Sub { fail, .. }
        | Op::Mul { fail, .. } => f(fail),
        Op::Test { fail, .. }
        | Op::IsNil { fail, .. }
        | Op::IsNonemptyList { fail, .. }
        | Op::IsTuple { fail, .. }
        | Op::IsAtom { fail, .. }
        | Op::IsFunction2 { fail, .. }
        | Op::TestArity { fail, .. }
        | Op::IsTaggedTuple { fail, .. }
        | Op::IsTupleArity { fail, .. }
        | Op::IsNonemptyListGet { fail, .. } => f(fail),
        Op::IsTupleSelectArity {
            not_tuple,
            fail,
            table,
            ..
        } => {
            f(not_tuple);
            f(fail);
            for l in table.labels.iter_mut() {
                f(l);
            }
        }
        Op::IsLt { fail, .. }
        | Op::IsGe { fail, .. }
        | Op::IsEq { fail, .. }
        | Op::IsNe { fail, .. }
        | Op::IsEqExact { fail, .. }
        | Op::IsNeExact { fail, .. }
        | Op::IsEqExactImm { fail, .. }
        | Op::IsNeExactImm { fail, .. } => f(fail),
        Op::SelectVal2 { fail, l1, l2, .. } => {
            f(fail);
            f(l1);
            f(l2);
        }
        Op::JumpOnVal { fail, targets, .. } => {
            f(fail);
            for l in targets.iter_mut() {
                f(l);
            }
        }
        Op::SelectVal { fail, table, .. }
        | Op::SelectImm { fail, table, .. }
        | Op::SelectTupleArity { fail, table, .. } => {
            f(fail);
            for l in table.labels.iter_mut() {
                f(l);
            }
        }
        Op::Catch { handler, .. } | Op::Try { handler, .. } => f(handler),
        Op::LoopRec { fail, .. } | Op::Fcheckerror { fail } => f(fail),
        Op::LoopRecEnd { next } => f(next),
        Op::GetMapElements { fail, .. } | Op::HasMapFields { fail, .. } => f(fail),
        Op::PutMapAssoc(m) | Op::PutMapExact(m) => f(&mut m.fail),
        Op::BsStartMatch { fail, .. }
        | Op::BsTestTail { fail, .. }
        | Op::BsTestUnit { fail, .. }
        | Op::BsMatchString { fail, .. }
        | Op::BsSkipBits { fail, .. } => f(fail),
        Op::BsGetInteger(g) | Op::BsGetFloat(g) | Op::BsGetBinary(g) => f(&mut g.fail),
        Op::BsGetUtf { fail, .. }
        | Op::BsSkipUtf { fail, .. }
        | Op::BsCreateBin { fail, .. }
        | Op::BsPutUtf { fail, .. }
        | Op::BsAdd { fail, .. }
        | Op::BsUtfSize { fail, .. } => f(fail),
        Op::BsInit(i) => f(&mut i.fail),
        Op::BsPutInteger(p) | Op::BsPutFloat(p) | Op::BsPutBinary(p) => f(&mut p.fail),
        Op::BsAppend(a) => f(&mut a.fail),
        _ => {}
    }
}

/// Builds executable code for a parsed `.beam` file. Does not install it.
pub fn build_module(beam: &BeamFile) -> Result<Module, TransformError> {
    let err = |message: String| TransformError {
        module: beam.module.clone(),
        message,
    };
    let mut atoms = Vec::with_capacity(beam.atoms.len());
    for a in &beam.atoms {
        atoms.push(Atom::intern(a).map_err(|_| err(format!("bad atom {a:?}")))?);
    }
    let name = atoms
        .first()
        .copied()
        .ok_or_else(|| err("no atoms".into()))?;
    let literals: Vec<Term> = beam
        .literals
        .iter()
        .map(|l| crate::literal_build::build(&mut LiteralHeap, l))
        .collect();
    let mut imports = Vec::with_capacity(beam.imports.len());
    for imp in &beam.imports {
        let get = |i: u32| {
            atoms
                .get((i as usize).wrapping_sub(1))
                .copied()
                .ok_or_else(|| err(format!("import atom {i} out of range")))
        };
        imports.push(code::export(
            get(imp.module)?,
            get(imp.function)?,
            imp.arity,
        ));
    }
    let md5 = crate::loading::module_md5(beam);
    let mut fun_table = Vec::with_capacity(beam.funs.len());
    for f in &beam.funs {
        let fname = atoms
            .get((f.function as usize).wrapping_sub(1))
            .copied()
            .ok_or_else(|| err("fun name out of range".into()))?;
        // A fun's new_uniq is its module's MD5, as in the reference.
        fun_table.push(code::fun_entry(
            name, fname, f.arity, f.num_free, f.index, f.old_uniq, md5,
        ));
    }
    let mut b = Builder {
        beam,
        atoms,
        literals,
        imports,
        ops: Vec::with_capacity(beam.code.len()),
        labels: HashMap::new(),
        functions: Vec::new(),
        lines: Vec::new(),
        pending_func: None,
        on_load_at: None,
        fun_table,
        frame_limit: 0,
        label_at: None,
    };
    let limits = frame_limits(&beam.code);
    for (i, ins) in beam.code.iter().enumerate() {
        b.frame_limit = limits[i];
        b.instr(ins)
            .map_err(|m| err(format!("instruction {i} ({}): {m}", ins.op.name())))?;
    }
    b.ops.push(Op::CodeEnd);
    // Labels: BEAM label numbers to offsets relative to the holding instruction.
    let labels = std::mem::take(&mut b.labels);
    let mut bad = None;
    for (i, op) in b.ops.iter_mut().enumerate() {
        for_each_label(op, &mut |l: &mut Label| {
            if l.is_none() {
                return;
            }
            match labels.get(&(l.0 as u32)) {
                Some(&at) => l.0 = at as i32 - i as i32,
                None => bad = Some(l.0),
            }
        });
    }
    if let Some(l) = bad {
        return Err(err(format!("undefined label {l}")));
    }
    let mut exports = Vec::new();
    for e in &beam.exports {
        let f = b
            .atoms
            .get((e.function as usize).wrapping_sub(1))
            .copied()
            .ok_or_else(|| err("export name out of range".into()))?;
        let at = *labels
            .get(&e.label)
            .ok_or_else(|| err(format!("export label {} undefined", e.label)))?;
        exports.push((f, e.arity, at));
    }
    let code: Box<[Op]> = b.ops.into_boxed_slice();
    // The entries get this code when the module is loaded (`code::finish_loading`).
    let mut fun_code = Vec::with_capacity(beam.funs.len());
    for f in &beam.funs {
        let at = *labels
            .get(&f.label)
            .ok_or_else(|| err(format!("fun label {} undefined", f.label)))?;
        fun_code.push(at);
    }
    let files = match &beam.lines {
        Some(lt) => lt.files.clone(),
        None => Vec::new(),
    };
    let attributes = beam
        .attributes
        .as_ref()
        .map(|t| crate::literal_build::build(&mut LiteralHeap, t))
        .unwrap_or(Term::NIL);
    let compile_info = beam
        .compile_info
        .as_ref()
        .map(|t| crate::literal_build::build(&mut LiteralHeap, t))
        .unwrap_or(Term::NIL);
    Ok(Module {
        name,
        code,
        functions: b.functions,
        lines: b.lines,
        files,
        exports,
        funs: b.fun_table,
        fun_code,
        strings: beam.strings.clone().into_boxed_slice(),
        attributes,
        compile_info,
        md5,
        on_load: b.on_load_at,
        literals: b.literals,
        bif_stubs: crate::builtin::bif_stubs(beam)
            .into_iter()
            .map(|(f, a)| (Atom::from_str(&f), a))
            .collect(),
        native: Default::default(),
    })
}
