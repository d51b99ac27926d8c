//! Loaded code: modules, the global export table and fun entries, and the code index
//! that maps an instruction address back to its module, function and source line (for
//! stack traces and `process_info(current_function)`).
//!
//! Export entries live for the whole run and are never moved, so `call_ext` can hold a
//! `&'static Export` and read its current target: loading a new version of a module
//! redirects every fully-qualified call at once by swapping the target pointer.

use crate::bif::BifFn;
use crate::ops::Op;
use oxbeam_term::{Atom, Term};
use parking_lot::RwLock;
use std::collections::HashMap;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Arc, OnceLock};

/// A `Module:Function/Arity` entry point.
pub struct Export {
    pub module: Atom,
    pub function: Atom,
    pub arity: u32,
    /// The current code for this MFA: a function's entry in the newest module version,
    /// or `stub` when there is none.
    code: AtomicPtr<Op>,
    /// Executed when the function is not loaded (or is a BIF): see `Op` docs in the
    /// interpreter for `CallBifOnly` and `Unsupported`.
    stub: OnceLock<Box<Op>>,
    pub bif: OnceLock<BifFn>,
    /// A native implementation of a NIF stub of the module (a function starting with
    /// `nif_start`, listed in its `-nifs` attribute): the loader makes that function's
    /// body call it, as `erlang:load_nif` does in the reference. Calls from other modules
    /// still go through `code` (the function stays unexported unless the module exports
    /// it), and errors it raises get NIF-style stack frames (no `error_info`).
    pub nif: OnceLock<BifFn>,
}

impl std::fmt::Debug for Export {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}/{}", self.module, self.function, self.arity)
    }
}

// SAFETY: the code pointer is an AtomicPtr and the op it points to is immutable code.
unsafe impl Sync for Export {}
unsafe impl Send for Export {}

impl Export {
    /// The code to run for a call to this export.
    #[inline(always)]
    pub fn code(&self) -> *const Op {
        self.code.load(Ordering::Acquire)
    }
    /// Whether real Erlang code (not the stub) is installed.
    pub fn is_loaded(&self) -> bool {
        let c = self.code();
        !c.is_null() && !std::ptr::eq(c, self.stub_ptr())
    }
    fn stub_ptr(&self) -> *const Op {
        match self.stub.get() {
            Some(b) => &**b as *const Op,
            None => std::ptr::null(),
        }
    }
    pub fn set_code(&self, p: *const Op) {
        self.code.store(p as *mut Op, Ordering::Release);
    }
    /// Points the export back at its stub (module deleted / not loaded).
    pub fn reset_to_stub(&self) {
        self.code
            .store(self.stub_ptr() as *mut Op, Ordering::Release);
    }
}

/// A fun's static description (one per `FunT` entry).
#[derive(Debug)]
pub struct FunEntry {
    pub module: Atom,
    /// The lambda's generated function name, e.g. `-main/0-fun-0-`.
    pub function: Atom,
    /// Arity of the underlying function: the fun's own arity plus `num_free`.
    pub total_arity: u32,
    pub num_free: u32,
    pub index: u32,
    pub old_uniq: u32,
    pub uniq: [u8; 16],
    code: AtomicPtr<Op>,
}

// SAFETY: as for Export.
unsafe impl Sync for FunEntry {}
unsafe impl Send for FunEntry {}

impl FunEntry {
    pub fn arity(&self) -> u32 {
        self.total_arity - self.num_free
    }
    #[inline(always)]
    pub fn code(&self) -> *const Op {
        self.code.load(Ordering::Acquire)
    }
    pub fn set_code(&self, p: *const Op) {
        self.code.store(p as *mut Op, Ordering::Release);
    }
}

/// Creates a fun entry that lives for the rest of the run.
#[allow(clippy::too_many_arguments)]
pub fn new_fun_entry(
    module: Atom,
    function: Atom,
    total_arity: u32,
    num_free: u32,
    index: u32,
    old_uniq: u32,
    uniq: [u8; 16],
) -> &'static FunEntry {
    Box::leak(Box::new(FunEntry {
        module,
        function,
        total_arity,
        num_free,
        index,
        old_uniq,
        uniq,
        code: AtomicPtr::new(std::ptr::null_mut()),
    }))
}

/// `{Module, Function, Arity}` to its export entry.
type ExportTable = RwLock<HashMap<(Atom, Atom, u32), &'static Export>>;

fn export_table() -> &'static ExportTable {
    static T: OnceLock<ExportTable> = OnceLock::new();
    T.get_or_init(|| RwLock::new(HashMap::with_capacity(1 << 14)))
}

/// The export entry for `m:f/a`, created (pointing at its stub) if new.
pub fn export(m: Atom, f: Atom, a: u32) -> &'static Export {
    if let Some(e) = export_table().read().get(&(m, f, a)) {
        return e;
    }
    let mut t = export_table().write();
    if let Some(e) = t.get(&(m, f, a)) {
        return e;
    }
    let e: &'static Export = Box::leak(Box::new(Export {
        module: m,
        function: f,
        arity: a,
        code: AtomicPtr::new(std::ptr::null_mut()),
        stub: OnceLock::new(),
        bif: OnceLock::new(),
        nif: OnceLock::new(),
    }));
    let _ = e.stub.set(Box::new(Op::CallUndefined { export: e }));
    e.reset_to_stub();
    t.insert((m, f, a), e);
    e
}

/// The export entry for `m:f/a` if one exists.
pub fn find_export(m: Atom, f: Atom, a: u32) -> Option<&'static Export> {
    export_table().read().get(&(m, f, a)).copied()
}

/// Whether some function of module `m` is a BIF (such modules are always there in the
/// reference, preloaded or loaded at boot).
pub fn module_has_bifs(m: Atom) -> bool {
    export_table()
        .read()
        .values()
        .any(|e| e.module == m && e.bif.get().is_some())
}

/// Registers a BIF: calls to `m:f/a` run `bif`.
pub fn register_bif(m: Atom, f: Atom, a: u32, bif: BifFn) {
    let e = export(m, f, a);
    let _ = e.bif.set(bif);
    let stub: &'static Op = Box::leak(Box::new(Op::CallBifOnly {
        arity: a,
        bif,
        export: e,
    }));
    e.set_code(stub);
}

/// Registers a native implementation of the NIF stub `m:f/a` (see `Export::nif`).
pub fn register_nif(m: Atom, f: Atom, a: u32, nif: BifFn) {
    let _ = export(m, f, a).nif.set(nif);
}

/// One function of a module.
#[derive(Debug, Clone)]
pub struct FunctionInfo {
    pub name: Atom,
    pub arity: u32,
    /// Index of the function's `func_info` instruction.
    pub start: usize,
    /// Index of its first real instruction (the call target).
    pub entry: usize,
}

/// Where a source line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineLoc {
    /// Index into `Module::files`.
    pub file: u32,
    pub line: u32,
}

/// An immutable loaded module.
pub struct Module {
    pub name: Atom,
    pub code: Box<[Op]>,
    /// Sorted by `start`.
    pub functions: Vec<FunctionInfo>,
    /// `(instruction index, location)` sorted by index: the location that applies from
    /// that instruction on.
    pub lines: Vec<(u32, LineLoc)>,
    pub files: Vec<String>,
    pub exports: Vec<(Atom, u32, usize)>,
    pub funs: Vec<&'static FunEntry>,
    pub strings: Box<[u8]>,
    pub attributes: Term,
    pub compile_info: Term,
    pub md5: [u8; 16],
    pub on_load: Option<usize>,
    /// Literal terms (for module_info and debugging).
    pub literals: Vec<Term>,
    /// Its functions that are stubs of the reference's BIFs (only for a module of the
    /// OTP installation; see `crate::builtin`).
    pub bif_stubs: std::collections::HashSet<(Atom, u32)>,
}

// SAFETY: a Module is immutable after loading; the raw terms point into the literal
// arena, which is never freed.
unsafe impl Sync for Module {}
unsafe impl Send for Module {}

impl Module {
    pub fn code_range(&self) -> (usize, usize) {
        let s = self.code.as_ptr() as usize;
        (s, s + self.code.len() * std::mem::size_of::<Op>())
    }
    /// The index of the instruction at `addr` inside this module.
    pub fn index_of(&self, addr: *const Op) -> usize {
        (addr as usize - self.code.as_ptr() as usize) / std::mem::size_of::<Op>()
    }
    pub fn addr_of(&self, index: usize) -> *const Op {
        &self.code[index] as *const Op
    }
    /// The function containing instruction `index`.
    pub fn function_at(&self, index: usize) -> Option<&FunctionInfo> {
        let i = self.functions.partition_point(|f| f.start <= index);
        if i == 0 {
            None
        } else {
            Some(&self.functions[i - 1])
        }
    }
    /// The source location of instruction `index`.
    pub fn line_at(&self, index: usize) -> Option<LineLoc> {
        let i = self.lines.partition_point(|&(at, _)| at as usize <= index);
        if i == 0 {
            None
        } else {
            Some(self.lines[i - 1].1)
        }
    }
    pub fn find_function(&self, name: Atom, arity: u32) -> Option<&FunctionInfo> {
        self.functions
            .iter()
            .find(|f| f.name == name && f.arity == arity)
    }
}

struct CodeIndex {
    /// (start address, end address, module), sorted by start.
    ranges: Vec<(usize, usize, Arc<Module>)>,
}

fn code_index() -> &'static RwLock<CodeIndex> {
    static T: OnceLock<RwLock<CodeIndex>> = OnceLock::new();
    T.get_or_init(|| RwLock::new(CodeIndex { ranges: Vec::new() }))
}

fn module_table() -> &'static RwLock<HashMap<Atom, Arc<Module>>> {
    static T: OnceLock<RwLock<HashMap<Atom, Arc<Module>>>> = OnceLock::new();
    T.get_or_init(|| RwLock::new(HashMap::new()))
}

/// The module containing the instruction at `addr`.
pub fn module_of_addr(addr: *const Op) -> Option<Arc<Module>> {
    let a = addr as usize;
    let idx = code_index().read();
    let i = idx.ranges.partition_point(|r| r.0 <= a);
    if i == 0 {
        return None;
    }
    let r = &idx.ranges[i - 1];
    if a < r.1 {
        Some(r.2.clone())
    } else {
        None
    }
}

/// The current version of a module.
pub fn get_module(name: Atom) -> Option<Arc<Module>> {
    module_table().read().get(&name).cloned()
}

pub fn loaded_modules() -> Vec<Atom> {
    module_table().read().keys().copied().collect()
}

/// Makes `m` the current version of its module: exports and fun entries point into it.
pub fn install_module(m: Module) -> Arc<Module> {
    let m = Arc::new(m);
    let (s, e) = m.code_range();
    {
        let mut idx = code_index().write();
        let pos = idx.ranges.partition_point(|r| r.0 < s);
        idx.ranges.insert(pos, (s, e, m.clone()));
    }
    for &(f, a, entry) in &m.exports {
        let ex = export(m.name, f, a);
        if ex.bif.get().is_none() {
            ex.set_code(m.addr_of(entry));
        }
    }
    let previous = module_table().write().insert(m.name, m.clone());
    crate::trace::bp::module_loaded(m.name);
    if let Some(prev) = previous {
        // Exports the new version no longer has go back to their stubs.
        for &(f, a, _) in &prev.exports {
            if !m.exports.iter().any(|&(f2, a2, _)| f2 == f && a2 == a) {
                if let Some(ex) = find_export(m.name, f, a) {
                    if ex.bif.get().is_none() {
                        ex.reset_to_stub();
                    }
                }
            }
        }
    }
    m
}
