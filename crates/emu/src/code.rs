//! Loaded code: modules, the global export table and fun entries, and the code index
//! that maps an instruction address back to its module, function and source line (for
//! stack traces and `process_info(current_function)`).
//!
//! Export entries live for the whole run and are never moved, so `call_ext` can hold a
//! `&'static Export` and read its current target: loading a new version of a module
//! redirects every fully-qualified call at once by swapping the target pointer. A
//! module has up to two versions, as in the reference (see `Versions`): processes in
//! the old one keep running it (local calls stay in it) until they make a fully
//! qualified call; purging removes it.

use crate::bif::BifFn;
use crate::ops::Op;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use parking_lot::{Mutex, RwLock};
use std::cell::Cell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Arc, OnceLock};

/// A `Module:Function/Arity` entry point.
/// Where an export's current code pointer sits (native code reads it at calls).
pub(crate) const EXPORT_CODE_OFFSET: usize = std::mem::offset_of!(Export, code);

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
    /// A `call_ext_only` of this export (see `enter_op`).
    enter: OnceLock<Box<Op>>,
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
    /// An instruction that calls this export: where a process resumes that must run the
    /// code current when it resumes (a hibernating process wakes up through it, as in
    /// the reference).
    pub fn enter_op(&'static self) -> *const Op {
        let op = self.enter.get_or_init(|| {
            Box::new(Op::CallExtOnly {
                arity: self.arity,
                export: self,
            })
        });
        &**op as *const Op
    }
    /// Points the export back at its stub (module deleted / not loaded).
    pub fn reset_to_stub(&self) {
        self.code
            .store(self.stub_ptr() as *mut Op, Ordering::Release);
    }
}

/// A fun's static description, shared by every loaded instance of the code that defines
/// it: as in the reference, entries are keyed by module, old uniq and index, so loading
/// the same code again (an unchanged module reloaded) reuses them and funs made by the
/// earlier instance run the newest one; changed code has a different old uniq (the
/// compiler derives it from the module's MD5) and gets entries of its own, whose funs
/// keep running their own instance while it exists.
#[derive(Debug)]
pub struct FunEntry {
    pub module: Atom,
    /// The lambda's generated function name, e.g. `-main/0-fun-0-` (an atom index).
    /// Empty for an entry made for a fun received before its module was loaded: the
    /// load fills it in (see `fun_entry_for_unloaded`).
    function: std::sync::atomic::AtomicU32,
    /// Arity of the underlying function: the fun's own arity plus `num_free`.
    pub total_arity: u32,
    pub num_free: u32,
    pub index: u32,
    pub old_uniq: u32,
    pub uniq: [u8; 16],
    /// The code a call runs; null when no loaded instance defines the fun (purged, or
    /// never loaded) or while a purge of its instance is pending.
    code: AtomicPtr<Op>,
    /// While a purge of the instance `code` pointed into is pending: that code, put back
    /// if the purge is aborted (see `purge_prepare`).
    pending: AtomicPtr<Op>,
}

// SAFETY: as for Export.
unsafe impl Sync for FunEntry {}
unsafe impl Send for FunEntry {}

impl FunEntry {
    /// The lambda's generated function name.
    pub fn function(&self) -> Atom {
        Atom(self.function.load(Ordering::Acquire))
    }
    pub fn arity(&self) -> u32 {
        self.total_arity - self.num_free
    }
    #[inline(always)]
    pub fn code(&self) -> *const Op {
        self.code.load(Ordering::Acquire)
    }
    pub fn set_code(&self, p: *const Op) {
        self.pending.store(std::ptr::null_mut(), Ordering::Release);
        self.code.store(p as *mut Op, Ordering::Release);
    }
    /// Whether a purge of the code this fun runs is under way (callers wait for it).
    pub fn purge_pending(&self) -> bool {
        !self.pending.load(Ordering::Acquire).is_null()
    }
}

/// Fun entries by `(module, old uniq, index)`.
type FunTable = RwLock<HashMap<(Atom, u32, u32), &'static FunEntry>>;

fn fun_table() -> &'static FunTable {
    static T: OnceLock<FunTable> = OnceLock::new();
    T.get_or_init(|| RwLock::new(HashMap::new()))
}

/// The fun entry for lambda `index` of `module` with `old_uniq`: the existing one if that
/// code was loaded before, else a new one (without code until its module is loaded).
/// Entries live for the rest of the run.
#[allow(clippy::too_many_arguments)]
pub fn fun_entry(
    module: Atom,
    function: Atom,
    total_arity: u32,
    num_free: u32,
    index: u32,
    old_uniq: u32,
    uniq: [u8; 16],
) -> &'static FunEntry {
    let key = (module, old_uniq, index);
    let same = |e: &FunEntry| {
        e.function() == function && e.total_arity == total_arity && e.num_free == num_free
    };
    if let Some(e) = fun_table().read().get(&key) {
        if same(e) {
            return e;
        }
    }
    let mut t = fun_table().write();
    if let Some(e) = t.get(&key) {
        if same(e) {
            return e;
        }
        // Made for a fun that arrived before this code was loaded: it is this lambda.
        if e.function() == am::EMPTY && e.total_arity == total_arity && e.num_free == num_free {
            e.function.store(function.0, Ordering::Release);
            return e;
        }
    }
    let e: &'static FunEntry = Box::leak(Box::new(FunEntry {
        module,
        function: std::sync::atomic::AtomicU32::new(function.0),
        total_arity,
        num_free,
        index,
        old_uniq,
        uniq,
        code: AtomicPtr::new(std::ptr::null_mut()),
        pending: AtomicPtr::new(std::ptr::null_mut()),
    }));
    // A key clash with different code (not expected) keeps the first entry registered.
    t.entry(key).or_insert(e);
    e
}

/// The fun entry for a fun of `module` received (`binary_to_term`, another node) when
/// no loaded code defines it: the registered one, else one without code or name, which
/// the module's loading completes. Calling it first loads the module
/// (`error_handler:undefined_lambda/3`), as in the reference.
pub fn fun_entry_for_unloaded(
    module: Atom,
    arity: u32,
    num_free: u32,
    index: u32,
    old_uniq: u32,
    uniq: [u8; 16],
) -> &'static FunEntry {
    if let Some(e) = find_fun_entry(module, old_uniq, index) {
        return e;
    }
    fun_entry(
        module,
        am::EMPTY,
        arity + num_free,
        num_free,
        index,
        old_uniq,
        uniq,
    )
}

/// The registered fun entry of `module` with `old_uniq` and `index`, if any.
pub fn find_fun_entry(module: Atom, old_uniq: u32, index: u32) -> Option<&'static FunEntry> {
    fun_table().read().get(&(module, old_uniq, index)).copied()
}

/// `{Module, Function, Arity}` to its export entry.
type ExportTable = RwLock<HashMap<(Atom, Atom, u32), &'static Export>>;

fn export_table() -> &'static ExportTable {
    static T: OnceLock<ExportTable> = OnceLock::new();
    T.get_or_init(|| RwLock::new(HashMap::with_capacity(1 << 14)))
}

/// Slots of each scheduler thread's export cache (a power of two).
const EXPORT_CACHE_SLOTS: usize = 1024;

thread_local! {
    /// Recently resolved exports, direct-mapped by `{M, F, A}`: dynamic calls (`apply`,
    /// `M:F(...)` with a variable module, external funs) resolve here without the shared
    /// table's lock, whose atomic update every scheduler would otherwise contend on.
    /// Entries never go stale: an export entry lives as long as the VM.
    static EXPORT_CACHE: [Cell<(u64, Option<&'static Export>)>; EXPORT_CACHE_SLOTS] =
        const { [const { Cell::new((u64::MAX, None)) }; EXPORT_CACHE_SLOTS] };
}

/// The export entry for `m:f/a`, created (pointing at its stub) if new.
pub fn export(m: Atom, f: Atom, a: u32) -> &'static Export {
    // Atom indices are below 2^20 and arities below 256 in practice: the key packs all
    // three; anything else skips the cache.
    if m.0 < (1 << 20) && f.0 < (1 << 20) && a < 256 {
        let key = (m.0 as u64) << 28 | (f.0 as u64) << 8 | a as u64;
        let slot = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 54) as usize;
        if let Ok(Some(e)) = EXPORT_CACHE.try_with(|c| match c[slot].get() {
            (k, Some(e)) if k == key => Some(e),
            _ => {
                let e = export_slow(m, f, a);
                c[slot].set((key, Some(e)));
                Some(e)
            }
        }) {
            return e;
        }
    }
    export_slow(m, f, a)
}

fn export_slow(m: Atom, f: Atom, a: u32) -> &'static Export {
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
        enter: OnceLock::new(),
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

/// Whether some NIF stub of module `m` has a native implementation (`register_nif`).
pub fn module_has_nifs(m: Atom) -> bool {
    export_table()
        .read()
        .values()
        .any(|e| e.module == m && e.nif.get().is_some())
}

/// What `erlang:apply/3` and `erlang:apply/2` run when called through their exports (a
/// fun of them, an apply of apply): the apply instructions themselves, as in the
/// reference, where these functions are code of module `erlang` that applies. Their
/// stack traces show `{erlang, apply, 3 | 2, []}` frames at these addresses (see
/// `stacktrace::frame_at`).
pub static APPLY3_STUB: Op = Op::ApplyMfa {
    last: Some(u32::MAX),
};
pub static APPLY2_STUB: Op = Op::ApplyFun {
    last: Some(u32::MAX),
};
/// Where a process whose first call is `erlang:apply/3` starts (`spawn(erlang, apply,
/// [M, F, A])`): the same apply, but with no frame of its own in stack traces, as in the
/// reference.
pub static SPAWN_APPLY3: Op = Op::ApplyMfa {
    last: Some(u32::MAX),
};

/// Registers a BIF: calls to `m:f/a` run `bif`.
pub fn register_bif(m: Atom, f: Atom, a: u32, bif: BifFn) {
    let e = export(m, f, a);
    let _ = e.bif.set(bif);
    if m == oxbeam_term::atom::am::ERLANG && f == oxbeam_term::atom::am::APPLY {
        match a {
            3 => return e.set_code(&APPLY3_STUB),
            2 => return e.set_code(&APPLY2_STUB),
            _ => {}
        }
    }
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
    /// The instruction each of `funs` starts at (set on the entries when the module is
    /// loaded, see `finish_loading`).
    pub fun_code: Vec<usize>,
    pub strings: Box<[u8]>,
    pub attributes: Term,
    pub compile_info: Term,
    pub md5: [u8; 16],
    /// The entry of the `-on_load` function, if the module has one.
    pub on_load: Option<usize>,
    /// Literal terms (for module_info and debugging).
    pub literals: Vec<Term>,
    /// Its functions that are stubs of the reference's BIFs (only for a module of the
    /// OTP installation; see `crate::builtin`).
    pub bif_stubs: std::collections::HashSet<(Atom, u32)>,
    /// Native code for `code`, compiled a function at a time on first use (`None`:
    /// the JIT is off).
    pub native: OnceLock<Option<crate::jit::Native>>,
}

// SAFETY: a Module is immutable after loading; the raw terms point into the literal
// arena, which is never freed.
unsafe impl Sync for Module {}
unsafe impl Send for Module {}

impl Module {
    /// The module's native code table.
    pub fn native(&self) -> Option<&crate::jit::Native> {
        self.native
            .get_or_init(|| crate::jit::for_module(&self.code))
            .as_ref()
    }
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

fn index_add(m: &Arc<Module>) {
    let (s, e) = m.code_range();
    let mut idx = code_index().write();
    let pos = idx.ranges.partition_point(|r| r.0 < s);
    idx.ranges.insert(pos, (s, e, m.clone()));
}

fn index_remove(m: &Arc<Module>) {
    let (s, _) = m.code_range();
    let mut idx = code_index().write();
    idx.ranges.retain(|r| !(r.0 == s && Arc::ptr_eq(&r.2, m)));
}

/// The module containing the instruction at `addr` (any loaded instance: current, old,
/// or waiting for its on_load function).
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

/// The loaded instances of one module, as the reference keeps them: the current code
/// (what fully qualified calls reach), the old code (processes that were running it
/// when the current one was loaded may still be in it, until it is purged), and code
/// whose `-on_load` function has not finished yet.
///
/// Purged code is not freed: processes that might point into it were killed, but a
/// code address can also sit in places this VM does not scan (a register file of a
/// scheduler between two instructions, say), and reusing that memory would turn such a
/// leftover into a crash. So a purged instance is unlinked from everything (module
/// table, code index, exports, fun entries) and kept in `GRAVEYARD`; its literals stay
/// in the literal arena, which is never reclaimed either. Each reload of a module thus
/// costs the memory of its previous code for the rest of the run.
#[derive(Default)]
struct Versions {
    current: Option<Arc<Module>>,
    old: Option<Arc<Module>>,
    on_load: Option<OnLoadCode>,
}

/// Loaded code whose `-on_load` function must succeed before it becomes current.
struct OnLoadCode {
    module: Arc<Module>,
    /// Whether the exports get the new code when it becomes current (cleared by
    /// `delete_module` meanwhile, as in the reference: they then stay undefined).
    deferred: bool,
    /// Loaded by the VM for a caller (on-demand loading), rather than by
    /// `erlang:finish_loading/1`: callers then wait for the on_load function.
    on_demand: bool,
    /// The process running the on_load function for callers of the module (on-demand
    /// loading, see `oxbeam_code.erl`); 0 when none.
    runner: u64,
}

/// Every module ever loaded (entries are never removed: `delete_module` of a module that
/// was loaded once is `true`, of one never loaded `undefined`).
fn module_table() -> &'static RwLock<HashMap<Atom, Versions>> {
    static T: OnceLock<RwLock<HashMap<Atom, Versions>>> = OnceLock::new();
    T.get_or_init(|| RwLock::new(HashMap::new()))
}

/// Purged code, kept (see `Versions`).
static GRAVEYARD: Mutex<Vec<Arc<Module>>> = Mutex::new(Vec::new());

fn retire(m: Arc<Module>) {
    index_remove(&m);
    GRAVEYARD.lock().push(m);
}

/// The current version of a module.
pub fn get_module(name: Atom) -> Option<Arc<Module>> {
    module_table()
        .read()
        .get(&name)
        .and_then(|v| v.current.clone())
}

/// The old version of a module, if it has one.
pub fn get_old_module(name: Atom) -> Option<Arc<Module>> {
    module_table().read().get(&name).and_then(|v| v.old.clone())
}

/// Modules with current or old code (`erlang:loaded/0`).
pub fn loaded_modules() -> Vec<Atom> {
    module_table()
        .read()
        .iter()
        .filter(|(_, v)| v.current.is_some() || v.old.is_some())
        .map(|(k, _)| *k)
        .collect()
}

/// Points the exports of `m` at its code (functions `previous` exported and `m` does
/// not go back to their stubs) and its fun entries at it.
fn activate(m: &Module, previous: Option<&Module>) {
    for &(f, a, entry) in &m.exports {
        let ex = export(m.name, f, a);
        if ex.bif.get().is_none() {
            ex.set_code(m.addr_of(entry));
        }
    }
    if let Some(prev) = previous {
        for &(f, a, _) in &prev.exports {
            if !m.exports.iter().any(|&(f2, a2, _)| f2 == f && a2 == a) {
                reset_export(m.name, f, a);
            }
        }
    }
    set_fun_code(m);
}

fn set_fun_code(m: &Module) {
    for (e, &at) in m.funs.iter().zip(&m.fun_code) {
        e.set_code(m.addr_of(at));
    }
}

/// Points `m:f/a` back at its stub (a BIF stays).
fn reset_export(m: Atom, f: Atom, a: u32) {
    if let Some(ex) = find_export(m, f, a) {
        if ex.bif.get().is_none() {
            ex.reset_to_stub();
        }
    }
}

/// Makes `m` the current code of its module; the current code becomes old (an old one
/// still there is dropped: callers check for it first, see `finish_loading`).
fn make_current(v: &mut Versions, m: Arc<Module>) {
    index_add(&m);
    let prev = v.current.take();
    activate(&m, prev.as_deref());
    if let Some(p) = prev {
        if let Some(o) = v.old.replace(p) {
            retire(o);
        }
    }
    v.current = Some(m);
}

/// Makes `m` the current version of its module: exports and fun entries point into it.
/// For code loaded by the VM itself (on demand, at start), which never has old code.
pub fn install_module(m: Module) -> Arc<Module> {
    let m = Arc::new(m);
    {
        let mut t = module_table().write();
        make_current(t.entry(m.name).or_default(), m.clone());
    }
    crate::trace::bp::module_loaded(m.name);
    m
}

/// Why `finish_loading` loaded nothing: the modules concerned.
pub enum FinishError {
    /// A module appears more than once.
    Duplicated(Vec<Atom>),
    /// A module has current and old code.
    NotPurged(Vec<Atom>),
}

/// Loads prepared modules, all or none (`erlang:finish_loading/1`). Modules with an
/// on_load function wait for it (see `finish_after_on_load`): their names are returned.
/// Lists are in the reference's order (the last module first).
pub fn finish_loading(mods: Vec<Arc<Module>>) -> Result<Vec<Atom>, FinishError> {
    let mut t = module_table().write();
    let mut seen = std::collections::HashSet::new();
    let mut dups: Vec<Atom> = mods
        .iter()
        .filter(|m| !seen.insert(m.name))
        .map(|m| m.name)
        .collect();
    if !dups.is_empty() {
        dups.reverse();
        return Err(FinishError::Duplicated(dups));
    }
    let mut not_purged: Vec<Atom> = mods
        .iter()
        .filter(|m| {
            t.get(&m.name)
                .is_some_and(|v| v.current.is_some() && v.old.is_some())
        })
        .map(|m| m.name)
        .collect();
    if !not_purged.is_empty() {
        not_purged.reverse();
        return Err(FinishError::NotPurged(not_purged));
    }
    let mut on_load = Vec::new();
    let mut loaded = Vec::new();
    for m in mods {
        let name = m.name;
        let v = t.entry(name).or_default();
        if m.on_load.is_some() {
            // The current code stays until the on_load function succeeds.
            index_add(&m);
            set_fun_code(&m);
            wait_for_on_load(v, m, false);
            on_load.push(name);
        } else {
            make_current(v, m);
            loaded.push(name);
        }
    }
    drop(t);
    for name in loaded {
        crate::trace::bp::module_loaded(name);
    }
    on_load.reverse();
    Ok(on_load)
}

/// Makes `m` (which has an on_load function) the code of its module that waits for
/// that function; the current code stays until it succeeds.
fn wait_for_on_load(v: &mut Versions, m: Arc<Module>, on_demand: bool) {
    index_add(&m);
    set_fun_code(&m);
    let pending = OnLoadCode {
        module: m,
        deferred: true,
        on_demand,
        runner: 0,
    };
    if let Some(prev) = v.on_load.replace(pending) {
        retire(prev.module);
    }
}

/// Loads `m`, which has an on_load function, for a caller of its module (on-demand
/// loading): it waits for the function (see `oxbeam_code.erl`).
pub fn load_on_demand_with_on_load(m: Arc<Module>) {
    let mut t = module_table().write();
    let v = t.entry(m.name).or_default();
    wait_for_on_load(v, m, true);
}

/// What `delete_module` did.
pub enum Deleted {
    /// The module was never loaded.
    Undefined,
    /// It has old code (purge it first).
    NotPurged,
    Done,
}

/// `erlang:delete_module/1`: the current code becomes old and every export of the module
/// undefined.
pub fn delete_module(name: Atom) -> Deleted {
    let mut t = module_table().write();
    let Some(v) = t.get_mut(&name) else {
        return Deleted::Undefined;
    };
    if v.old.is_some() {
        return Deleted::NotPurged;
    }
    if let Some(cur) = v.current.take() {
        for &(f, a, _) in &cur.exports {
            reset_export(name, f, a);
        }
        v.old = Some(cur);
    }
    if let Some(ol) = v.on_load.as_mut() {
        ol.deferred = false;
    }
    drop(t);
    crate::trace::bp::forget_module(name);
    Deleted::Done
}

/// Whether the module has old code.
pub fn has_old_code(name: Atom) -> bool {
    module_table()
        .read()
        .get(&name)
        .is_some_and(|v| v.old.is_some())
}

/// Whether the module has code loaded on demand that waits for its on_load function
/// (callers of the module wait for it; code loaded by `erlang:finish_loading/1` waits
/// for whoever loaded it to call `call_on_load_function/1`).
pub fn on_demand_on_load_pending(name: Atom) -> bool {
    module_table()
        .read()
        .get(&name)
        .and_then(|v| v.on_load.as_ref())
        .is_some_and(|ol| ol.on_demand)
}

/// The entry of the on_load function of the module's code waiting for it.
pub fn on_load_function(name: Atom) -> Option<*const Op> {
    let t = module_table().read();
    let ol = t.get(&name)?.on_load.as_ref()?;
    let at = ol.module.on_load?;
    Some(ol.module.addr_of(at))
}

/// The process running the module's on_load function for its callers: `None` when no
/// code waits for it, `Some(0)` when nobody runs it yet.
pub fn on_load_runner(name: Atom) -> Option<u64> {
    let t = module_table().read();
    Some(t.get(&name)?.on_load.as_ref()?.runner)
}

/// Records the process running the module's on_load function.
pub fn set_on_load_runner(name: Atom, runner: u64) {
    let mut t = module_table().write();
    if let Some(ol) = t.get_mut(&name).and_then(|v| v.on_load.as_mut()) {
        ol.runner = runner;
    }
}

/// A code operation that does not apply to the module's state (the BIF raises badarg).
#[derive(Debug)]
pub struct BadRequest;

/// `erlang:finish_after_on_load/2`: on success the code that waited becomes current;
/// on failure it stays where it is for the code purger to remove
/// (`purge_prepare(_, true)`). `Err` if no code waits for an on_load function.
pub fn finish_after_on_load(name: Atom, success: bool) -> Result<(), BadRequest> {
    let mut t = module_table().write();
    let v = t.get_mut(&name).ok_or(BadRequest)?;
    if v.on_load.is_none() {
        return Err(BadRequest);
    }
    if !success {
        return Ok(());
    }
    let Some(ol) = v.on_load.take() else {
        return Err(BadRequest);
    };
    let m = ol.module;
    let prev = v.current.take();
    if ol.deferred {
        activate(&m, prev.as_deref());
    } else {
        for &(f, a, _) in &m.exports {
            reset_export(name, f, a);
        }
    }
    if let Some(p) = prev {
        if let Some(o) = v.old.replace(p) {
            retire(o);
        }
    }
    v.current = Some(m);
    drop(t);
    crate::trace::bp::module_loaded(name);
    Ok(())
}

/// The purge under way (the reference's purge state): the module, and the fun entries
/// that pointed into its old code.
struct PurgeState {
    module: Option<Atom>,
    funs: Vec<&'static FunEntry>,
    /// The old code set aside while the failed on_load code of the module is purged.
    saved_old: Option<Option<Arc<Module>>>,
}

static PURGE: Mutex<PurgeState> = Mutex::new(PurgeState {
    module: None,
    funs: Vec::new(),
    saved_old: None,
});

/// `erts_internal:purge_module(M, prepare | prepare_on_load)`: starts purging the old
/// code (with `on_load`: the code whose on_load function failed). Funs of that code wait
/// from now on (see `FunEntry::purge_pending`). `Ok(false)`: nothing to purge; `Err`: a
/// purge is already under way.
pub fn purge_prepare(name: Atom, on_load: bool) -> Result<bool, BadRequest> {
    let mut ps = PURGE.lock();
    if ps.module.is_some() {
        return Err(BadRequest);
    }
    let mut t = module_table().write();
    let Some(v) = t.get_mut(&name) else {
        return Ok(false);
    };
    if on_load {
        let Some(ol) = v.on_load.take() else {
            return Err(BadRequest);
        };
        ps.saved_old = Some(v.old.replace(ol.module));
    }
    let Some(old) = v.old.clone() else {
        return Ok(false);
    };
    ps.module = Some(name);
    let (lo, hi) = old.code_range();
    for &e in &old.funs {
        let c = e.code();
        if (lo..hi).contains(&(c as usize)) {
            e.pending.store(c as *mut Op, Ordering::Release);
            e.code.store(std::ptr::null_mut(), Ordering::Release);
            ps.funs.push(e);
        }
    }
    Ok(true)
}

/// `erts_internal:purge_module(M, abort)`: the purge of `name` is called off; its funs
/// run their code again.
pub fn purge_abort(name: Atom) -> Result<(), BadRequest> {
    let mut ps = PURGE.lock();
    if ps.module != Some(name) {
        return Err(BadRequest);
    }
    for e in ps.funs.drain(..) {
        let c = e.pending.load(Ordering::Acquire);
        // (Unless identical code loaded meanwhile gave the entry new code.)
        if e.code().is_null() {
            e.code.store(c, Ordering::Release);
        }
        e.pending.store(std::ptr::null_mut(), Ordering::Release);
    }
    ps.module = None;
    if let Some(saved) = ps.saved_old.take() {
        if let Some(v) = module_table().write().get_mut(&name) {
            if let Some(failed) = std::mem::replace(&mut v.old, saved) {
                retire(failed);
            }
        }
    }
    Ok(())
}

/// `erts_internal:purge_module(M, complete)`: removes the old code of `name` (no process
/// runs it any more). `Ok(false)` if there was none.
pub fn purge_complete(name: Atom) -> Result<bool, BadRequest> {
    let mut ps = PURGE.lock();
    if ps.module != Some(name) {
        return Err(BadRequest);
    }
    let mut purged = false;
    {
        let mut t = module_table().write();
        if let Some(v) = t.get_mut(&name) {
            if let Some(old) = v.old.take() {
                let (lo, hi) = old.code_range();
                for &e in &old.funs {
                    if (lo..hi).contains(&(e.code() as usize)) {
                        e.code.store(std::ptr::null_mut(), Ordering::Release);
                    }
                }
                retire(old);
                purged = true;
            }
            if let Some(saved) = ps.saved_old.take() {
                v.old = saved;
            }
        }
    }
    for e in ps.funs.drain(..) {
        e.pending.store(std::ptr::null_mut(), Ordering::Release);
    }
    ps.saved_old = None;
    ps.module = None;
    Ok(purged)
}

/// The module whose purge is under way, if any.
pub fn purge_in_progress() -> Option<Atom> {
    PURGE.lock().module
}

/// Whether process `p` executes or will return into the old code of `module`: its
/// instruction pointer, the return addresses and catch handlers on its stack (the
/// reference's check_process_code). A process that never ran starts through its export
/// (see `interp::run`), so where its instruction pointer points does not count; for
/// the calling process itself (`is_self`), it is the call being made.
pub fn uses_old_code(p: &crate::process::Process, module: Atom, is_self: bool) -> bool {
    let Some(old) = get_old_module(module) else {
        return false;
    };
    let (lo, hi) = old.code_range();
    let inside = |a: usize| (lo..hi).contains(&a);
    if (is_self || p.first_call.is_none()) && inside(p.ip as usize) {
        return true;
    }
    let mut at = p.heap.stop as *const Term;
    while at < p.heap.end as *const Term {
        // SAFETY: the words between the stack pointer and the end of the stack.
        let w = unsafe { *at };
        if (w.is_header() && inside(w.0 as usize)) || (w.is_catch() && inside(w.catch_addr())) {
            return true;
        }
        // SAFETY: still within the stack (checked by the loop condition).
        at = unsafe { at.add(1) };
    }
    false
}
