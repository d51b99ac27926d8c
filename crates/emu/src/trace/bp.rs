//! Call tracing: trace patterns (`erlang:trace_pattern/3`) and what happens when a
//! process calls a function that has one.
//!
//! Nothing here costs anything while no process is call traced:
//!
//! * A *global* pattern (calls through the export table: `M:F(...)`, `apply`, funs of
//!   the form `fun M:F/A`) points the function's export entry at a stub instruction
//!   ([`Op::TraceGlobal`]) that traces the call and continues at the function. Code
//!   that does not call the function is unaffected.
//! * A *local* pattern (every call) cannot redirect calls inside a module, which jump
//!   straight to the function. Instead, a process whose calls must be checked (it has
//!   the `call` flag and local patterns exist, or meta / call count patterns exist)
//!   runs with its reduction budget moved to `Process::reds_bank` and `reds_left` at 1:
//!   every call then takes the interpreter's "out of reductions" branch, which calls
//!   [`call_slow`] to look the callee up before continuing (or yielding when the real
//!   budget is spent). Other processes run as before.
//!
//! Return and exception trace push a frame on the stack under the callee's: the
//! return address of [`RETURN_TRACE`] on top of a word naming the function (an index
//! into [`mfa_table`]) and what to report, on top of the real return address. A return
//! to it reports `return_from`; an exception passing it reports `exception_from`
//! (`exception_unwind`).

use crate::bif::{Class, Fault};
use crate::code::{self, Export};
use crate::heap::Fragment;
use crate::interp::Regs;
use crate::match_spec::{Flavor, MatchSpec, Scratch, TraceAction, TraceHooks};
use crate::object::*;
use crate::ops::Op;
use crate::process::Process;
use oxbeam_term::{Atom, Term};
use parking_lot::RwLock;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

type Mfa = (Atom, Atom, u32);

/// A trace pattern: `true` (no specification) or a compiled match specification, with
/// the term as given (what `trace_info` shows).
pub struct Pattern {
    pub ms: Option<MatchSpec>,
    /// `[]`, or the specification, stored in `frag`.
    pub term: Term,
    _frag: Option<Fragment>,
}

// SAFETY: a pattern is immutable once built; its term lives in its own fragment.
unsafe impl Send for Pattern {}
// SAFETY: as above.
unsafe impl Sync for Pattern {}

impl Pattern {
    /// The pattern `true` (also what `[]` means).
    pub fn always() -> Arc<Pattern> {
        static A: OnceLock<Arc<Pattern>> = OnceLock::new();
        A.get_or_init(|| {
            Arc::new(Pattern {
                ms: None,
                term: Term::NIL,
                _frag: None,
            })
        })
        .clone()
    }

    /// Compiles a match specification (a list); `Err` with the fault to raise.
    pub fn compile(ms: Term) -> Result<Arc<Pattern>, Fault> {
        if ms.is_nil() {
            return Ok(Self::always());
        }
        let spec = MatchSpec::compile(ms, Flavor::Trace).map_err(|e| e.fault())?;
        let mut f = Fragment::new(size_of_term(ms));
        let term = copy_term(&mut f, ms);
        Ok(Arc::new(Pattern {
            ms: Some(spec),
            term,
            _frag: Some(f),
        }))
    }
}

/// A call counter (`call_count`).
pub struct Counter {
    pub count: AtomicU64,
    pub paused: AtomicBool,
}

/// Everything traced about one function.
#[derive(Clone, Default)]
pub struct Bp {
    pub mfa: Option<Mfa>,
    /// The function's entry in the code the pattern was set on.
    pub entry: usize,
    /// Call trace: (local, pattern).
    pub call: Option<(bool, Arc<Pattern>)>,
    /// Meta trace: (tracer, pattern).
    pub meta: Option<(u64, Arc<Pattern>)>,
    pub count: Option<Arc<Counter>>,
    /// A debug breakpoint (`erts_debug:breakpoint/2`): calls go to the caller's error
    /// handler's `breakpoint/3` instead.
    pub debug: bool,
}

impl Bp {
    /// Whether it holds any trace pattern (a debug breakpoint is not one).
    fn traces(&self) -> bool {
        self.call.is_some() || self.meta.is_some() || self.count.is_some()
    }
    fn is_empty(&self) -> bool {
        !self.traces() && !self.debug
    }
    /// Whether every call (not only those through the export) must be checked.
    fn on_every_call(&self) -> bool {
        matches!(self.call, Some((true, _)))
            || self.meta.is_some()
            || self.count.is_some()
            || self.debug
    }
}

#[derive(Default)]
struct Tables {
    by_mfa: HashMap<Mfa, Arc<Bp>>,
    /// Function entry address to the breakpoint checked on every call.
    by_addr: HashMap<usize, Arc<Bp>>,
    /// Export entry address to the breakpoint of a global pattern.
    by_export: HashMap<usize, Arc<Bp>>,
    /// The stub of each export that ever had one.
    stubs: HashMap<usize, &'static Op>,
    /// The code each export had when its stub was installed.
    orig: HashMap<usize, usize>,
}

fn tables() -> &'static RwLock<Tables> {
    static T: OnceLock<RwLock<Tables>> = OnceLock::new();
    T.get_or_init(Default::default)
}

/// Number of breakpoints with a local call pattern.
static LOCAL_CALLS: AtomicUsize = AtomicUsize::new(0);
/// Number of breakpoints with meta trace or call count (every process checks calls).
static ALL_PROCS: AtomicUsize = AtomicUsize::new(0);

/// Whether every process must check its calls.
#[inline]
pub fn all_mode() -> bool {
    ALL_PROCS.load(Ordering::Relaxed) != 0
}

// ---------------------------------------------------------------- functions by index

/// Functions named in return trace frames, by index.
type MfaTable = (Vec<Mfa>, HashMap<Mfa, usize>);

fn mfa_table() -> &'static RwLock<MfaTable> {
    static T: OnceLock<RwLock<MfaTable>> = OnceLock::new();
    T.get_or_init(Default::default)
}

fn mfa_index(mfa: Mfa) -> usize {
    if let Some(&i) = mfa_table().read().1.get(&mfa) {
        return i;
    }
    let mut t = mfa_table().write();
    if let Some(&i) = t.1.get(&mfa) {
        return i;
    }
    let i = t.0.len();
    t.0.push(mfa);
    t.1.insert(mfa, i);
    i
}

fn mfa_at(i: usize) -> Option<Mfa> {
    mfa_table().read().0.get(i).copied()
}

// ---------------------------------------------------------------- the return trace frame

/// The instruction a return trace frame's return address points at (the second one:
/// the address before it is also inside this array, as for real return addresses).
pub static RETURN_TRACE: [Op; 2] = [Op::ReturnTrace, Op::ReturnTrace];

/// The return address of a return trace frame.
#[inline]
pub fn return_trace_addr() -> *const Op {
    &RETURN_TRACE[1] as *const Op
}

/// What a return trace frame reports.
const FRAME_RETURN: i64 = 1;
const FRAME_EXCEPTION: i64 = 2;
const FRAME_META: i64 = 4;
const FRAME_BITS: u32 = 3;

// ---------------------------------------------------------------- setting patterns

/// What `trace_pattern` does to the matching functions.
#[derive(Clone)]
pub enum Setting {
    On(Arc<Pattern>),
    Off,
    Restart,
    Pause,
}

/// The kinds of tracing a `trace_pattern` call changes.
#[derive(Clone, Copy, Default)]
pub struct Kinds {
    pub global: bool,
    pub local: bool,
    /// The meta tracer.
    pub meta: Option<u64>,
    pub call_count: bool,
    pub call_time: bool,
}

/// `erlang:trace_pattern/3` on functions: `m`, `f`, `a` (`None` for `'_'`). Returns the
/// number of functions matched.
pub fn set_pattern(
    m: Option<Atom>,
    f: Option<Atom>,
    a: Option<u32>,
    setting: &Setting,
    kinds: Kinds,
) -> usize {
    let modules: Vec<Arc<code::Module>> = match m {
        Some(m) => loaded_module(m).into_iter().collect(),
        None => {
            let mut names = code::loaded_modules();
            names.sort_by(|x, y| x.name().cmp(y.name()));
            names.into_iter().filter_map(code::get_module).collect()
        }
    };
    let global_only = kinds.global;
    let mut matched = 0;
    let mut t = tables().write();
    for module in &modules {
        let fns: Vec<(Atom, u32, usize)> = if global_only {
            module.exports.clone()
        } else {
            module
                .functions
                .iter()
                .map(|fi| (fi.name, fi.arity, fi.entry))
                .collect()
        };
        for (fname, arity, entry) in fns {
            if f.is_some_and(|f| f != fname) || a.is_some_and(|a| a != arity) {
                continue;
            }
            matched += 1;
            let mfa = (module.name, fname, arity);
            let addr = module.addr_of(entry) as usize;
            update(&mut t, mfa, addr, setting, kinds);
        }
    }
    recount(&t);
    matched
}

fn update(t: &mut Tables, mfa: Mfa, addr: usize, setting: &Setting, kinds: Kinds) {
    let old = t.by_mfa.get(&mfa).cloned();
    let mut bp: Bp = old.as_deref().cloned().unwrap_or_default();
    // Code reloaded since: the old breakpoint is about code no longer current.
    if bp.entry != addr {
        bp = Bp::default();
    }
    bp.mfa = Some(mfa);
    bp.entry = addr;
    let on = |s: &Setting| match s {
        Setting::On(p) => Some(p.clone()),
        Setting::Off => None,
        Setting::Restart | Setting::Pause => Some(Pattern::always()),
    };
    // A global pattern and the kinds that act on every call exclude each other: setting
    // one clears the other, as in the reference.
    if !matches!(setting, Setting::Off) {
        if kinds.global {
            bp.meta = None;
            bp.count = None;
        } else if matches!(bp.call, Some((false, _))) {
            bp.call = None;
        }
    }
    if kinds.global || kinds.local {
        let local = kinds.local;
        match on(setting) {
            Some(p) => bp.call = Some((local, p)),
            None => {
                if matches!(bp.call, Some((l, _)) if l == local) {
                    bp.call = None;
                }
            }
        }
    }
    if let Some(tracer) = kinds.meta {
        bp.meta = on(setting).map(|p| (tracer, p));
    }
    if kinds.call_count {
        match setting {
            Setting::On(_) | Setting::Restart => match &bp.count {
                Some(c) if matches!(setting, Setting::Restart) => {
                    c.count.store(0, Ordering::Relaxed);
                    c.paused.store(false, Ordering::Relaxed);
                }
                _ => {
                    bp.count = Some(Arc::new(Counter {
                        count: AtomicU64::new(0),
                        paused: AtomicBool::new(false),
                    }))
                }
            },
            Setting::Pause => {
                if let Some(c) = &bp.count {
                    c.paused.store(true, Ordering::Relaxed);
                }
            }
            Setting::Off => bp.count = None,
        }
    }
    // Install: the address table, and the export stub for a global pattern.
    if let Some(o) = &old {
        t.by_addr.remove(&o.entry);
    }
    let export = code::find_export(mfa.0, mfa.1, mfa.2);
    // A BIF is traced where the interpreter calls it (`bif_call`), for any pattern.
    let bif = export.filter(|e| e.bif.get().is_some());
    let export = export.filter(|e| e.bif.get().is_none());
    let global = matches!(bp.call, Some((false, _)));
    if let Some(e) = bif {
        t.by_export.remove(&(e as *const Export as usize));
    }
    if bp.is_empty() {
        t.by_mfa.remove(&mfa);
    } else {
        let bp = Arc::new(bp);
        if bp.on_every_call() && bif.is_none() {
            t.by_addr.insert(addr, bp.clone());
        }
        if let (true, Some(e)) = (global, export) {
            t.by_export.insert(e as *const Export as usize, bp.clone());
        }
        if let (true, Some(e)) = (bp.call.is_some(), bif) {
            t.by_export.insert(e as *const Export as usize, bp.clone());
        }
        t.by_mfa.insert(mfa, bp);
    }
    if let Some(e) = export {
        let key = e as *const Export as usize;
        if global {
            install_stub(t, e, addr);
        } else if t.by_export.remove(&key).is_some() {
            remove_stub(t, e);
        }
    }
}

fn install_stub(t: &mut Tables, e: &'static Export, addr: usize) {
    let key = e as *const Export as usize;
    let stub: &'static Op = t
        .stubs
        .entry(key)
        .or_insert_with(|| Box::leak(Box::new(Op::TraceGlobal { export: e })));
    let stub_ptr = stub as *const Op;
    if e.code() != stub_ptr {
        t.orig.insert(key, addr);
        e.set_code(stub_ptr);
    }
}

fn remove_stub(t: &mut Tables, e: &'static Export) {
    let key = e as *const Export as usize;
    if let (Some(&stub), Some(&orig)) = (t.stubs.get(&key), t.orig.get(&key)) {
        if std::ptr::eq(e.code(), stub) {
            e.set_code(orig as *const Op);
        }
    }
}

/// A bit set over the addresses in `by_addr`: most calls of a process that checks its
/// calls are to functions without a breakpoint, which this tells without taking the
/// tables' lock (shared by every scheduler).
const FILTER_WORDS: usize = 64;
static FILTER: [AtomicU64; FILTER_WORDS] = [const { AtomicU64::new(0) }; FILTER_WORDS];

#[inline]
fn filter_bit(addr: usize) -> (usize, u64) {
    let h = ((addr as u64) >> 3).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52;
    ((h >> 6) as usize, 1u64 << (h & 63))
}

#[inline]
fn filter_may_hold(addr: usize) -> bool {
    let (w, b) = filter_bit(addr);
    FILTER[w].load(Ordering::Acquire) & b != 0
}

/// Rebuilds the filter word by word: the bits of breakpoints that stay are never
/// cleared on the way.
fn rebuild_filter(t: &Tables) {
    let mut words = [0u64; FILTER_WORDS];
    for &a in t.by_addr.keys() {
        let (w, b) = filter_bit(a);
        words[w] |= b;
    }
    for (slot, w) in FILTER.iter().zip(words) {
        slot.store(w, Ordering::Release);
    }
}

fn recount(t: &Tables) {
    rebuild_filter(t);
    let mut local = 0;
    let mut all = 0;
    for bp in t.by_mfa.values() {
        if matches!(bp.call, Some((true, _))) {
            local += 1;
        }
        if bp.meta.is_some() || bp.count.is_some() || bp.debug {
            all += 1;
        }
    }
    LOCAL_CALLS.store(local, Ordering::Release);
    ALL_PROCS.store(all, Ordering::Release);
}

/// The pattern modules loaded from now on get (`trace_pattern(on_load, ...)`).
type OnLoad = Option<(Setting, Kinds)>;

fn on_load() -> &'static RwLock<OnLoad> {
    static O: RwLock<OnLoad> = RwLock::new(None);
    &O
}

static ON_LOAD_SET: AtomicBool = AtomicBool::new(false);

pub fn set_on_load_pattern(setting: Setting, kinds: Kinds) {
    let mut o = on_load().write();
    *o = match setting {
        Setting::Off => None,
        s => Some((s, kinds)),
    };
    ON_LOAD_SET.store(o.is_some(), Ordering::Release);
}

pub fn on_load_pattern() -> OnLoad {
    on_load().read().clone()
}

/// A module was loaded: patterns on its previous version no longer apply (the new code
/// has none, as in the reference; its exports point at the new code already), and it
/// gets the `on_load` pattern if there is one.
pub fn module_loaded(name: Atom) {
    forget_module(name);
    if ON_LOAD_SET.load(Ordering::Acquire) {
        if let Some((setting, kinds)) = on_load_pattern() {
            set_pattern(Some(name), None, None, &setting, kinds);
        }
    }
}

/// Drops the breakpoints of module `name` (its code was deleted or replaced).
pub fn forget_module(name: Atom) {
    if LOCAL_CALLS.load(Ordering::Relaxed) == 0
        && ALL_PROCS.load(Ordering::Relaxed) == 0
        && tables().read().by_export.is_empty()
    {
        return;
    }
    let mut t = tables().write();
    let gone: Vec<Mfa> = t.by_mfa.keys().filter(|m| m.0 == name).copied().collect();
    for mfa in gone {
        if let Some(bp) = t.by_mfa.remove(&mfa) {
            if let Some(e) = code::find_export(mfa.0, mfa.1, mfa.2) {
                t.by_export.remove(&(e as *const Export as usize));
            }
            t.by_addr.remove(&bp.entry);
        }
    }
    recount(&t);
}

/// Module `m` if it is loaded. A module with BIFs counts as loaded (the reference has
/// them from the start; here they load on first use): it is loaded now.
fn loaded_module(m: Atom) -> Option<Arc<code::Module>> {
    if let Some(md) = code::get_module(m) {
        return Some(md);
    }
    if code::module_has_bifs(m) {
        return crate::loading::ensure_loaded(m).ok();
    }
    None
}

/// What `trace_info` reports about a function (a debug breakpoint alone is no trace).
pub fn info(mfa: Mfa) -> Option<Arc<Bp>> {
    tables()
        .read()
        .by_mfa
        .get(&mfa)
        .filter(|b| b.traces())
        .cloned()
}

/// `erts_debug:breakpoint/2`: sets (`on`) or clears the debug breakpoint of the
/// functions of loaded modules matching `m`, `f`, `a` (`None` for `'_'`), local
/// functions and funs included. Returns the number of functions matched. Processes
/// pick the change up when next scheduled in (the caller: see `refresh_mode`).
pub fn set_debug(m: Option<Atom>, f: Option<Atom>, a: Option<u32>, on: bool) -> usize {
    let modules: Vec<Arc<code::Module>> = match m {
        Some(m) => loaded_module(m).into_iter().collect(),
        None => code::loaded_modules()
            .into_iter()
            .filter_map(code::get_module)
            .collect(),
    };
    let mut matched = 0;
    let mut t = tables().write();
    for module in &modules {
        for fi in &module.functions {
            if f.is_some_and(|f| f != fi.name) || a.is_some_and(|a| a != fi.arity) {
                continue;
            }
            matched += 1;
            let mfa = (module.name, fi.name, fi.arity);
            let addr = module.addr_of(fi.entry) as usize;
            let mut bp: Bp = t
                .by_mfa
                .get(&mfa)
                .map(|b| (**b).clone())
                .unwrap_or_default();
            if bp.entry != addr {
                // Set on code since reloaded: nothing of it applies.
                if let Some(old) = t.by_mfa.get(&mfa) {
                    let old_entry = old.entry;
                    t.by_addr.remove(&old_entry);
                }
                bp = Bp::default();
            }
            bp.mfa = Some(mfa);
            bp.entry = addr;
            bp.debug = on;
            if bp.is_empty() {
                t.by_mfa.remove(&mfa);
                t.by_addr.remove(&addr);
            } else {
                let bp = Arc::new(bp);
                if bp.on_every_call() {
                    t.by_addr.insert(addr, bp.clone());
                } else {
                    t.by_addr.remove(&addr);
                }
                // A global call pattern's stub reads its breakpoint from here.
                let key =
                    code::find_export(mfa.0, mfa.1, mfa.2).map(|e| e as *const Export as usize);
                if let Some(k) = key {
                    if t.by_export.contains_key(&k) {
                        t.by_export.insert(k, bp.clone());
                    }
                }
                t.by_mfa.insert(mfa, bp);
            }
        }
    }
    recount(&t);
    matched
}

/// Whether `m:f/a` is loaded code (a function of the module's current version).
pub fn function_exists(m: Atom, f: Atom, a: u32) -> bool {
    loaded_module(m).is_some_and(|md| md.find_function(f, a).is_some())
}

// ---------------------------------------------------------------- per-process mode

/// Decides whether `p` must check every call, moving its budget accordingly.
pub fn refresh_mode(p: &mut Process) {
    let want = (p.trace_flags & super::CALL != 0 && LOCAL_CALLS.load(Ordering::Relaxed) != 0)
        || all_mode();
    if want == p.trace_calls {
        return;
    }
    p.trace_calls = want;
    if want {
        // Every call now finds reds_left exhausted and goes through `call_slow`.
        p.reds_bank += p.reds_left - 1;
        p.reds_left = 1;
    } else {
        p.reds_left += p.reds_bank;
        p.reds_bank = 0;
    }
}

/// At the start of a time slice of a process that is traced (or when meta trace or
/// call count is on): decides its mode, and checks the first call of a new process.
#[cold]
pub fn schedule_in(p: &mut Process, regs: &mut Regs, live: usize) {
    p.reds_bank = 0;
    p.trace_calls = false;
    refresh_mode(p);
    if p.trace_calls && p.reductions == 0 {
        // A new process starts by "calling" its function.
        let mut ip = p.ip;
        local_call(p, regs, &mut ip, live);
        p.ip = ip;
    }
}

/// The interpreter's slow path at a call (reductions "exhausted"): for a process that
/// checks its calls, traces the call to `target` if it has a breakpoint. Returns the
/// code to continue at, or null if the process must yield (its real budget is spent;
/// it always must if it does not check its calls). A debug breakpoint replaces the call
/// (the code and the argument registers) by one of the error handler, which the
/// process then makes without yielding first.
#[cold]
#[inline(never)]
pub fn call_slow(p: &mut Process, regs: &mut Regs, target: *const Op, live: usize) -> *const Op {
    if !p.trace_calls {
        return std::ptr::null();
    }
    let total = p.reds_left + p.reds_bank;
    let mut to = target;
    let redirected = local_call(p, regs, &mut to, live);
    if total <= 0 || !p.trace_calls {
        p.reds_left = total;
        p.reds_bank = 0;
        if total <= 0 && !redirected {
            return std::ptr::null();
        }
        return to;
    }
    p.reds_left = 1;
    p.reds_bank = total - 1;
    to
}

/// A call to `target` by a process that checks its calls. Returns whether a debug
/// breakpoint redirected it.
fn local_call(p: &mut Process, regs: &mut Regs, target: &mut *const Op, live: usize) -> bool {
    if !filter_may_hold(*target as usize) {
        return false;
    }
    let bp = match tables().read().by_addr.get(&(*target as usize)) {
        Some(bp) => bp.clone(),
        None => return false,
    };
    if let Some(c) = &bp.count {
        if !c.paused.load(Ordering::Relaxed) {
            c.count.fetch_add(1, Ordering::Relaxed);
        }
    }
    if let Some((tracer, pat)) = &bp.meta {
        meta_call(p, regs, &bp, *tracer, pat, live);
    }
    if let Some((true, pat)) = &bp.call {
        if p.trace_flags & super::CALL != 0 {
            call_trace(p, regs, &bp, pat, live);
        }
    }
    match (bp.debug, bp.mfa) {
        (true, Some(mfa)) => {
            debug_break(p, regs, mfa, target);
            true
        }
        _ => false,
    }
}

/// A call of `mfa` (its arguments in the X registers) hit a debug breakpoint: it
/// becomes a call of `ErrorHandler:breakpoint(M, F, Args)`, as in the reference (where
/// the debugger's interpreter takes over).
fn debug_break(p: &mut Process, regs: &mut Regs, mfa: Mfa, target: &mut *const Op) {
    let args = list_from_iter(&mut p.heap, &regs.x[..mfa.2 as usize], Term::NIL);
    regs.x[0] = Term::atom(mfa.0);
    regs.x[1] = Term::atom(mfa.1);
    regs.x[2] = args;
    let e = code::export(p.error_handler, Atom::from_str("breakpoint"), 3);
    *target = e.code();
}

/// The stub of an export with a global pattern: traces the call and gives the code to
/// continue at.
pub fn global_call(p: &mut Process, regs: &mut Regs, e: &'static Export) -> *const Op {
    let key = e as *const Export as usize;
    let (bp, orig) = {
        let t = tables().read();
        (t.by_export.get(&key).cloned(), t.orig.get(&key).copied())
    };
    let target = match (&bp, orig) {
        (Some(bp), _) => bp.entry as *const Op,
        (None, Some(o)) => o as *const Op,
        // Cannot happen (a stub is only installed with its original code recorded).
        (None, None) => e.code(),
    };
    if let Some(bp) = bp {
        if let Some((false, pat)) = &bp.call {
            if p.trace_flags & super::CALL != 0 {
                call_trace(p, regs, &bp, pat, e.arity as usize);
            }
        }
    }
    target
}

// ---------------------------------------------------------------- tracing a call

thread_local! {
    static SCRATCH: std::cell::RefCell<(Scratch, crate::match_spec::Arena)> =
        std::cell::RefCell::new(Default::default());
}

/// The function that called the one being entered: the return address on top of the
/// stack (skipping a return trace frame).
fn caller_of(p: &Process) -> Option<Mfa> {
    let mut at = p.heap.stop as *const Term;
    // SAFETY: at a function's entry the top of the stack is its return address; a
    // return trace frame is three words (marker, function word, real address).
    let mut cp = unsafe { *at };
    while cp.0 as *const Op == return_trace_addr() {
        at = unsafe { at.add(2) };
        cp = unsafe { *at };
    }
    if !cp.is_header() || cp.0 == 0 {
        return None;
    }
    // SAFETY: a return address follows its call instruction in the same code.
    let call = unsafe { (cp.0 as *const Op).sub(1) };
    let m = code::module_of_addr(call)?;
    let f = m.function_at(m.index_of(call))?;
    Some((m.name, f.name, f.arity))
}

struct Hooks {
    caller: Option<Mfa>,
}

impl TraceHooks for Hooks {
    fn caller(&mut self) -> Option<(Term, Term, u32)> {
        self.caller
            .map(|(m, f, a)| (Term::atom(m), Term::atom(f), a))
    }
}

/// The result of a call's match specification.
struct Verdict {
    /// `None`: no trace message; `Some(None)`: the plain message; `Some(Some(t))` with
    /// `t` as extra element (in `scratch`).
    message: Option<Option<Term>>,
    return_trace: bool,
    exception_trace: bool,
    silent: Option<bool>,
}

fn run_pattern(
    p: &mut Process,
    pat: &Pattern,
    args: &[Term],
    arena: &mut crate::match_spec::Arena,
    scratch: &mut Scratch,
) -> Option<Verdict> {
    let Some(ms) = &pat.ms else {
        return Some(Verdict {
            message: Some(None),
            return_trace: false,
            exception_trace: false,
            silent: None,
        });
    };
    let list = list_from_iter(arena, args, Term::NIL);
    let mut hooks = Hooks {
        caller: caller_of(p),
    };
    let out = ms.run_trace(list, p.pid, scratch, arena, &mut hooks);
    let result = out.result?;
    let mut silent = None;
    for a in &out.actions {
        if let TraceAction::Silent(b) = a {
            silent = Some(*b);
        }
    }
    let message = if result == Term::FALSE {
        None
    } else if result == Term::TRUE {
        Some(None)
    } else {
        Some(Some(result))
    };
    Some(Verdict {
        message,
        return_trace: out.return_trace,
        exception_trace: out.exception_trace,
        silent,
    })
}

/// Whether a send/receive pattern matches `args`.
pub fn ms_allows(pat: &Pattern, args: &[Term], self_pid: Term) -> bool {
    let Some(ms) = &pat.ms else { return true };
    SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        let (scratch, arena) = &mut *s;
        arena.reset();
        let list = list_from_iter(arena, args, Term::NIL);
        let out = ms.run_trace(
            list,
            self_pid,
            scratch,
            arena,
            &mut crate::match_spec::NoTraceHooks,
        );
        matches!(out.result, Some(r) if r != Term::FALSE)
    })
}

/// The call of `bp`'s function by `p`, whose arguments are in the X registers: the
/// `call` message (as the pattern says) and a return trace frame if asked for.
fn call_trace(p: &mut Process, regs: &mut Regs, bp: &Bp, pat: &Pattern, live: usize) {
    let Some(mfa) = bp.mfa else { return };
    let arity = mfa.2 as usize;
    let args: Vec<Term> = regs.x[..arity].to_vec();
    let kind = call_event(p, mfa, pat, &args);
    if kind != 0 && p.trace_flags & super::CALL != 0 {
        push_frame(p, regs, mfa, kind, live);
    }
}

/// Runs the pattern on a call of `mfa` with `args` and sends the `call` message;
/// returns what the return trace must report (0: nothing).
fn call_event(p: &mut Process, mfa: Mfa, pat: &Pattern, args: &[Term]) -> i64 {
    SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        let (scratch, arena) = &mut *s;
        arena.reset();
        let Some(v) = run_pattern(p, pat, args, arena, scratch) else {
            return 0;
        };
        if let Some(on) = v.silent {
            let flags = if on {
                p.trace_flags | super::SILENT
            } else {
                p.trace_flags & !super::SILENT
            };
            let tracer = p.tracer;
            super::set_own_flags(p, flags, tracer);
        }
        if let (Some(extra), true) = (v.message, p.trace_flags & super::SILENT == 0) {
            send_call(p, p.trace_flags, p.tracer, mfa, args, extra);
        }
        if v.exception_trace {
            FRAME_RETURN | FRAME_EXCEPTION
        } else if v.return_trace {
            FRAME_RETURN
        } else {
            0
        }
    })
}

// ---------------------------------------------------------------- BIFs

/// A call of BIF `e` by a call-traced process (every call of a BIF goes through the
/// interpreter's BIF call, which asks here): the `call` message if the BIF has a
/// pattern; returns what to report when it returns (see `bif_return`), 0 for nothing.
#[cold]
#[inline(never)]
pub fn bif_call(p: &mut Process, e: &'static Export, args: &[Term]) -> i64 {
    let bp = tables()
        .read()
        .by_export
        .get(&(e as *const Export as usize))
        .cloned();
    let Some(bp) = bp else { return 0 };
    let (Some(mfa), Some((_, pat))) = (bp.mfa, bp.call.as_ref()) else {
        return 0;
    };
    call_event(p, mfa, pat, args)
}

/// BIF `e`, called with return trace `kind`, returned a value (`Ok`) or raised.
#[cold]
#[inline(never)]
pub fn bif_return(
    p: &mut Process,
    e: &'static Export,
    kind: i64,
    result: Result<Term, (Class, Term)>,
) {
    if p.trace_flags & super::CALL == 0 || p.trace_flags & super::SILENT != 0 {
        return;
    }
    let mfa = (e.module, e.function, e.arity);
    let (flags, tracer) = (p.trace_flags, p.tracer);
    match result {
        Ok(v) => {
            send_return(p.pid, flags, tracer, mfa, "return_from", v);
        }
        Err((class, reason)) if kind & FRAME_EXCEPTION != 0 => {
            send_exception(p.pid, flags, tracer, mfa, class, reason);
        }
        Err(_) => {}
    }
}

/// A meta traced call: reported to the meta tracer, whatever the process's flags.
fn meta_call(p: &mut Process, regs: &mut Regs, bp: &Bp, tracer: u64, pat: &Pattern, live: usize) {
    let Some(mfa) = bp.mfa else { return };
    let arity = mfa.2 as usize;
    let args: Vec<Term> = regs.x[..arity].to_vec();
    SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        let (scratch, arena) = &mut *s;
        arena.reset();
        let Some(v) = run_pattern(p, pat, &args, arena, scratch) else {
            return;
        };
        if let Some(extra) = v.message {
            send_call(p, super::TIMESTAMP, tracer, mfa, &args, extra);
        }
        if v.return_trace || v.exception_trace {
            let kind = FRAME_META
                | if v.exception_trace {
                    FRAME_RETURN | FRAME_EXCEPTION
                } else {
                    FRAME_RETURN
                };
            push_frame(p, regs, mfa, kind, live);
        }
    });
}

fn send_call(
    p: &mut Process,
    flags: u32,
    tracer: u64,
    mfa: Mfa,
    args: &[Term],
    extra: Option<Term>,
) {
    let with_arity = flags & super::ARITY != 0;
    let words = if with_arity {
        4
    } else {
        args.iter().map(|&t| size_of_term(t)).sum::<usize>() + 2 * args.len() + 4
    } + extra.map_or(0, size_of_term);
    let ok = super::send_trace(p.pid, tracer, flags, "call", words, |f| {
        let third = if with_arity {
            Term::small(mfa.2 as i64)
        } else {
            let copied: Vec<Term> = args.iter().map(|&t| copy_term(f, t)).collect();
            list_from_iter(f, &copied, Term::NIL)
        };
        let t = make_tuple(f, &[Term::atom(mfa.0), Term::atom(mfa.1), third]);
        let mut items = vec![t];
        if let Some(e) = extra {
            items.push(copy_term(f, e));
        }
        items
    });
    if !ok && tracer == p.tracer {
        super::set_own_flags(p, 0, 0);
    }
}

/// Pushes a return trace frame for `mfa` (the callee is about to start: the top of the
/// stack is its return address).
fn push_frame(p: &mut Process, regs: &mut Regs, mfa: Mfa, kind: i64, live: usize) {
    if p.heap.free_words() < 2 + crate::heap::STACK_RESERVE {
        p.garbage_collect(&mut regs.x[..live], 2, false);
    }
    let word = Term::small(((mfa_index(mfa) as i64) << FRAME_BITS) | kind);
    p.heap.push(word);
    p.heap.push(Term(return_trace_addr() as u64));
}

/// A function with a return trace frame returned `regs.x[0]`: reports it and drops the
/// frame's word (the caller then returns to the real return address).
pub fn return_trace(p: &mut Process, regs: &mut Regs) {
    // SAFETY: the return into `RETURN_TRACE` popped the marker; its word is on top.
    let word = unsafe { *p.heap.stop };
    // SAFETY: the frame's word is on the stack (see above).
    p.heap.stop = unsafe { p.heap.stop.add(1) };
    let Some(v) = word.as_small() else { return };
    let kind = v & ((1 << FRAME_BITS) - 1);
    let Some(mfa) = mfa_at((v >> FRAME_BITS) as usize) else {
        return;
    };
    let value = regs.x[0];
    if kind & FRAME_META != 0 {
        if let Some((tracer, _)) = info(mfa).and_then(|b| b.meta.clone()) {
            send_return(p.pid, super::TIMESTAMP, tracer, mfa, "return_from", value);
        }
    } else if p.trace_flags & super::CALL != 0 && p.trace_flags & super::SILENT == 0 {
        let (flags, tracer) = (p.trace_flags, p.tracer);
        if !send_return(p.pid, flags, tracer, mfa, "return_from", value) {
            super::set_own_flags(p, 0, 0);
        }
    }
}

fn send_return(pid: Term, flags: u32, tracer: u64, mfa: Mfa, tag: &str, value: Term) -> bool {
    let words = size_of_term(value) + 4;
    super::send_trace(pid, tracer, flags, tag, words, |f| {
        let t = make_tuple(
            f,
            &[
                Term::atom(mfa.0),
                Term::atom(mfa.1),
                Term::small(mfa.2 as i64),
            ],
        );
        vec![t, copy_term(f, value)]
    })
}

/// An exception is about to unwind `p`'s stack to its innermost catch (or all of it):
/// reports `exception_from` for each exception trace frame it passes.
pub fn exception_unwind(p: &mut Process, class: Class, reason: Term) {
    let marker = return_trace_addr() as u64;
    let mut frames = Vec::new();
    let mut at = p.heap.stop as *const Term;
    while at < p.heap.end as *const Term {
        // SAFETY: walking the stack words between stop and end.
        let w = unsafe { *at };
        if w.is_catch() {
            break;
        }
        if w.0 == marker {
            // SAFETY: the frame's word follows its marker.
            let word = unsafe { *at.add(1) };
            if let Some(v) = word.as_small() {
                frames.push(v);
            }
        }
        at = unsafe { at.add(1) };
    }
    for v in frames {
        let kind = v & ((1 << FRAME_BITS) - 1);
        if kind & FRAME_EXCEPTION == 0 {
            continue;
        }
        let Some(mfa) = mfa_at((v >> FRAME_BITS) as usize) else {
            continue;
        };
        let (flags, tracer) = if kind & FRAME_META != 0 {
            match info(mfa).and_then(|b| b.meta.clone()) {
                Some((t, _)) => (super::TIMESTAMP, t),
                None => continue,
            }
        } else if p.trace_flags & super::CALL != 0 && p.trace_flags & super::SILENT == 0 {
            (p.trace_flags, p.tracer)
        } else {
            continue;
        };
        send_exception(p.pid, flags, tracer, mfa, class, reason);
    }
}

fn send_exception(pid: Term, flags: u32, tracer: u64, mfa: Mfa, class: Class, reason: Term) {
    let words = size_of_term(reason) + 11;
    super::send_trace(pid, tracer, flags, "exception_from", words, |f| {
        let t = make_tuple(
            f,
            &[
                Term::atom(mfa.0),
                Term::atom(mfa.1),
                Term::small(mfa.2 as i64),
            ],
        );
        let r = copy_term(f, reason);
        let cr = make_tuple(f, &[class.atom(), r]);
        vec![t, cr]
    });
}
