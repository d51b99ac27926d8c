//! Match specifications: the little programs `ets:select/2`, `ets:match/2`,
//! `erlang:match_spec_test/3` and the tracer run against terms (see "Match
//! Specifications in Erlang" in the ERTS user's guide).
//!
//! A specification is a list of clauses `{Head, Guards, Body}`. [`MatchSpec::compile`]
//! checks it the way the reference does (same accepted language, same error messages
//! for `erlang:match_spec_test/3`) and turns every clause into
//!
//! * a head program: a flat list of [`run::HOp`]s matching the object with a small
//!   term stack, binding the `'$N'` variables into slots;
//! * guard and body programs: postfix [`run::Op`]s evaluated on a value stack.
//!
//! Semantics that are easy to get wrong and that follow the reference (OTP 25):
//!
//! * An exception in a guard makes the clause fail; an exception in a body expression
//!   makes *that call's* value the atom `'EXIT'` and evaluation goes on
//!   (`{{'$1', {'+', a, 1}}}` gives `{X, 'EXIT'}`).
//! * In the head, float constants match bit for bit (`-0.0` does not match `0.0`),
//!   other constants and repeated variables with `=:=`; map patterns match maps that
//!   have at least the given keys.
//! * Function arguments, tuple elements and map values/keys are evaluated last to
//!   first, as the reference emits them (only visible through trace side effects).
//! * Map expressions in bodies evaluate keys too; duplicate keys keep the later one.
//! * When a head uses a variable numbered 25 or more, the reference renumbers all
//!   variables of the whole specification (keeping their order), which also renames
//!   variable-like atoms inside `{const, ...}`; this does the same.
//!
//! A compiled specification owns copies of its constants (in an [`Arena`] it frees when
//! dropped) and is immutable, so it can be shared between threads. Results are built
//! with the caller's allocator; terms bound from the object are copied there, so the
//! object may live in storage that is freed later (an ETS table).

mod compile;
mod run;

use crate::object::Alloc;
use oxbeam_term::Term;
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

pub use run::{trace_control_word, NoTraceHooks, SeqValue, TraceAction, TraceHooks, TraceOutcome};

/// Which language a specification is written in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Flavor {
    /// ETS: run against a tuple; the body's last expression is the result.
    Table,
    /// Tracing: run against an argument list; the result is the `message/1` value (or
    /// `true`), and bodies may use the trace actions.
    Trace,
}

/// Why a specification was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompileError {
    /// The messages `erlang:match_spec_test/3` returns as `{error, Message}` (bytes,
    /// at most 99 of them, as the reference truncates them).
    pub errors: Vec<Vec<u8>>,
    /// The specification nests too deeply: the reference raises `system_limit` rather
    /// than `badarg` for this one.
    pub system_limit: bool,
}

impl CompileError {
    /// The error a BIF raises for this specification.
    pub fn fault(&self) -> crate::bif::Fault {
        if self.system_limit {
            crate::bif::Fault::system_limit()
        } else {
            crate::bif::BADARG
        }
    }
}

/// A compiled match specification.
pub struct MatchSpec {
    flavor: Flavor,
    clauses: Box<[run::Clause]>,
    /// Variable slots used by the widest clause.
    nslots: usize,
    /// Heads (after the trace flavor's list-to-tuple conversion) and bodies, copied
    /// into `storage`, for [`MatchSpec::bound_keys`] and [`MatchSpec::keeps_key`].
    heads: Box<[Term]>,
    bodies: Box<[Term]>,
    /// Owns every constant the programs use (read through the programs' terms).
    storage: Arena,
}

// SAFETY: a compiled specification is never modified after `compile`; its terms live in
// `storage`, which it owns and which nothing else points into mutably (refc-binary
// counts are atomic). Sharing it between threads therefore only shares reads.
unsafe impl Send for MatchSpec {}
// SAFETY: as above.
unsafe impl Sync for MatchSpec {}

/// The result of running a specification.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    NoMatch,
    /// The value of the matching clause's last body expression.
    Matched(Term),
}

/// Buffers a run needs (variable bindings, stacks, room for temporary terms),
/// reusable from one run to the next so that a run over a table allocates nothing
/// for objects that do not match.
#[derive(Default)]
pub struct Scratch {
    vars: Vec<Term>,
    out_vars: Vec<Term>,
    hstack: Vec<Term>,
    stack: Vec<Term>,
    pairs: Vec<(Term, Term)>,
    temp: Arena,
}

// SAFETY: the raw pointers in `temp` point into its own chunks; a Scratch is used by
// one thread at a time (`&mut`), and the terms in it are only meaningful during a run.
unsafe impl Send for Scratch {}

impl MatchSpec {
    /// Compiles a match specification (a list of `{Head, Guards, Body}`).
    pub fn compile(ms: Term, flavor: Flavor) -> Result<MatchSpec, CompileError> {
        compile::compile(ms, flavor, 0)
    }

    /// [`MatchSpec::compile`] as `ets:select/2,3` (and the other functions taking a
    /// specification) do it in the reference: the same, except that its nesting limit
    /// ("Excessive nesting", `system_limit`) is reached two levels earlier.
    pub fn compile_for_select(ms: Term) -> Result<MatchSpec, CompileError> {
        compile::compile(ms, Flavor::Table, compile::SELECT_DEPTH_BASE)
    }

    /// Compiles for `erlang:match_spec_test/3`, where `set_tcw` and `set_seq_token`
    /// only pretend (as in the reference).
    pub(crate) fn compile_for_test(ms: Term, flavor: Flavor) -> Result<MatchSpec, CompileError> {
        compile::compile_for_test(ms, flavor)
    }

    /// Words of storage the specification holds (its constants and a copy of its heads
    /// and bodies).
    pub fn storage_words(&self) -> usize {
        self.storage.capacity_words()
    }

    /// `ets:match/2`'s specification for `Pattern`: `[{Pattern, [], ['$$']}]`.
    pub fn for_match(pattern: Term) -> Result<MatchSpec, CompileError> {
        Self::from_single_clause(pattern, Term::atom(oxbeam_term::Atom::from_str("$$")))
    }

    /// `ets:match_object/2`'s specification for `Pattern`: `[{Pattern, [], ['$_']}]`.
    pub fn for_match_object(pattern: Term) -> Result<MatchSpec, CompileError> {
        Self::from_single_clause(pattern, Term::atom(oxbeam_term::Atom::from_str("$_")))
    }

    fn from_single_clause(pattern: Term, body: Term) -> Result<MatchSpec, CompileError> {
        let mut tmp = Arena::default();
        let b = crate::object::list_from_iter(&mut tmp, &[body], Term::NIL);
        let clause = crate::object::make_tuple(&mut tmp, &[pattern, Term::NIL, b]);
        let ms = crate::object::list_from_iter(&mut tmp, &[clause], Term::NIL);
        compile::compile(ms, Flavor::Table, 0)
    }

    pub fn flavor(&self) -> Flavor {
        self.flavor
    }

    /// Runs the specification against `obj` (a tuple for the table flavor; the
    /// argument list for the trace flavor, where the result is the `message/1` value).
    /// Clauses are tried in order; the first whose head matches and whose guards are
    /// all `true` gives its body's value, built with `out`. `self_pid` is what
    /// `{self}` gives.
    pub fn run<A: Alloc + ?Sized>(
        &self,
        obj: Term,
        self_pid: Term,
        scratch: &mut Scratch,
        out: &mut A,
    ) -> Outcome {
        if self.flavor == Flavor::Trace {
            let o = self.run_trace(obj, self_pid, scratch, out, &mut NoTraceHooks);
            return match o.result {
                Some(t) => Outcome::Matched(t),
                None => Outcome::NoMatch,
            };
        }
        run::run_table(self, obj, self_pid, scratch, out)
    }

    /// Whether some clause matches and its body's value is the atom `true`
    /// (`ets:select_count/2`, `ets:select_delete/2`). Builds nothing. (For the trace
    /// flavor: whether some clause matches.)
    pub fn run_is_true(&self, obj: Term, self_pid: Term, scratch: &mut Scratch) -> bool {
        run::run_is_true(self, obj, self_pid, scratch)
    }

    /// Runs a trace-flavor specification against an argument list (a table-flavor one
    /// is run as in [`MatchSpec::run`]); reports the result and the trace actions the
    /// body asked for. Side effects the reference performs on the spot (changing trace
    /// flags, sequential tracing) go through `hooks`.
    pub fn run_trace<A: Alloc + ?Sized>(
        &self,
        args: Term,
        self_pid: Term,
        scratch: &mut Scratch,
        out: &mut A,
        hooks: &mut dyn TraceHooks,
    ) -> TraceOutcome {
        run::run_trace(self, args, self_pid, scratch, out, hooks)
    }

    /// When every clause's head is a tuple whose element `keypos` (1-based) is fully
    /// bound (no variable, no `'_'`, no map pattern), the distinct keys (by `=:=`, in
    /// clause order; the terms live in the specification's storage): ETS can then look
    /// them up instead of scanning. Clauses that can never match a tuple of that size
    /// (a constant head that is not a tuple, or a shorter tuple) add no key. `None`
    /// when some clause needs a scan.
    pub fn bound_keys(&self, keypos: usize) -> Option<Vec<Term>> {
        use crate::object::*;
        let mut keys: Vec<Term> = Vec::new();
        for &h in self.heads.iter() {
            if is_tuple(h) {
                if keypos == 0 || tuple_arity(h) < keypos {
                    continue;
                }
                let k = tuple_get(h, keypos - 1);
                if compile::has_variable_or_map(k) {
                    return None;
                }
                if !keys.iter().any(|&x| crate::compare::eq_exact(x, k)) {
                    keys.push(k);
                }
            } else if compile::is_wildcard(h) {
                return None;
            }
        }
        Some(keys)
    }

    /// Whether every clause's result keeps the object's key unchanged
    /// (`ets:select_replace/2` requires it): the body is `['$_']`, or a single tuple
    /// construction whose key element is the head's key, or `{element, KeyPos, '$_'}`.
    pub fn keeps_key(&self, keypos: usize) -> bool {
        self.heads
            .iter()
            .zip(self.bodies.iter())
            .all(|(&h, &b)| compile::keeps_key(keypos, h, b))
    }

    /// Number of clauses.
    pub fn clause_count(&self) -> usize {
        self.clauses.len()
    }
}

// ---------------------------------------------------------------- arena

/// Growable storage for terms, freed (with the references of the refc binaries in it)
/// on drop or [`Arena::reset`]. Chunks never move, so terms stay valid until then.
#[derive(Default)]
pub struct Arena {
    chunks: Vec<Box<[Term]>>,
    cur: usize,
    used: usize,
    off_heap: Vec<*mut Term>,
}

impl Arena {
    /// Forgets every term built so far (keeping the memory for reuse).
    pub fn reset(&mut self) {
        if !self.off_heap.is_empty() {
            crate::heap::release_off_heap(&mut self.off_heap);
        }
        if self.chunks.len() > 1 {
            // Keep the biggest chunk only, so that a run that needed much room once does
            // not keep a long list of chunks to walk.
            let big = self
                .chunks
                .iter()
                .enumerate()
                .max_by_key(|(_, c)| c.len())
                .map(|(i, _)| i)
                .unwrap_or(0);
            let keep = self.chunks.swap_remove(big);
            self.chunks.clear();
            self.chunks.push(keep);
        }
        self.cur = 0;
        self.used = 0;
    }

    /// Words held.
    pub fn capacity_words(&self) -> usize {
        self.chunks.iter().map(|c| c.len()).sum()
    }

    /// Whether nothing was allocated since the last reset.
    pub fn is_untouched(&self) -> bool {
        self.cur == 0 && self.used == 0 && self.off_heap.is_empty()
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        crate::heap::release_off_heap(&mut self.off_heap);
    }
}

impl Alloc for Arena {
    fn alloc_words(&mut self, n: usize) -> *mut Term {
        loop {
            if let Some(c) = self.chunks.get_mut(self.cur) {
                if c.len() - self.used >= n {
                    // SAFETY: `used + n <= len`, so the words are inside the chunk.
                    let p = unsafe { c.as_mut_ptr().add(self.used) };
                    self.used += n;
                    return p;
                }
                if self.cur + 1 < self.chunks.len() {
                    self.cur += 1;
                    self.used = 0;
                    continue;
                }
            }
            let last = self.chunks.last().map(|c| c.len()).unwrap_or(0);
            let size = n.max(256).max(last.saturating_mul(2).min(1 << 20));
            self.chunks.push(vec![Term::NIL; size].into_boxed_slice());
            self.cur = self.chunks.len() - 1;
            self.used = 0;
        }
    }
    fn register_off_heap(&mut self, p: *mut Term) {
        self.off_heap.push(p);
    }
}

// ---------------------------------------------------------------- copying

/// `object::copy_term` without recursion: specifications and the objects they match are
/// user data of any depth. Immediate elements are copied with their parent, so copying
/// a flat tuple or a list of immediates needs no work list.
pub(crate) fn copy_deep<A: Alloc + ?Sized>(a: &mut A, t: Term) -> Term {
    use crate::object::*;
    use oxbeam_term::header::*;
    if t.is_immed() || t.is_non_value() {
        return t;
    }
    let mut root = Term::NIL;
    // (source, where its copy goes): a word of an object built here, or `root`.
    let mut work: Vec<(Term, *mut Term)> = Vec::new();
    let mut next = Some((t, &mut root as *mut Term));
    while let Some((mut src, mut dst)) = next.take().or_else(|| work.pop()) {
        loop {
            if src.is_immed() || src.is_non_value() {
                // SAFETY: `dst` is `root` or a word of an object allocated below, which
                // nothing else references yet.
                unsafe { *dst = src };
                break;
            }
            if src.is_list() {
                let p = a.alloc_words(2);
                let car = head(src);
                // SAFETY: two fresh words; `dst` as above.
                unsafe {
                    *dst = Term::make_list(p);
                    *p = car;
                    *p.add(1) = Term::NIL;
                }
                if !car.is_immed() {
                    work.push((car, p));
                }
                // SAFETY: the cell's second word.
                dst = unsafe { p.add(1) };
                src = tail(src);
                continue;
            }
            let h = header(src);
            let words = object_words(h);
            let p = a.alloc_words(words);
            // SAFETY: `words` fresh words; the source object has `words` words; `dst` as
            // above.
            unsafe {
                std::ptr::copy_nonoverlapping(src.boxed_ptr(), p, words);
                *dst = Term::make_boxed(p);
            }
            let (s, e) = term_words(h);
            for i in s..e {
                let child = word(src, i);
                if !child.is_immed() && !child.is_non_value() {
                    // SAFETY: word `i` of the fresh object.
                    work.push((child, unsafe { p.add(i) }));
                }
            }
            if header_subtag(h) == SUBTAG_REFC_BIN {
                // SAFETY: word 2 of a live refc-binary handle is its BinData, which the
                // source handle keeps alive; the copy takes a reference of its own.
                unsafe { BinData::inc_ref(word(src, 2).0 as *const BinData) };
                a.register_off_heap(p);
            }
            break;
        }
    }
    root
}

// ---------------------------------------------------------------- compiled specifications

/// Specifications compiled by `ets:match_spec_compile/1`, by the id of the reference
/// that stands for them. The reference returns a "magic" reference whose specification
/// is freed when the last copy of the reference is garbage; there are no such resource
/// terms here, so compiled specifications are kept for the life of the VM.
fn registry() -> &'static parking_lot::RwLock<HashMap<u64, Arc<MatchSpec>>> {
    static R: OnceLock<parking_lot::RwLock<HashMap<u64, Arc<MatchSpec>>>> = OnceLock::new();
    R.get_or_init(Default::default)
}

/// Makes `reference` (a fresh local reference) stand for `spec`.
pub fn register_compiled(reference: Term, spec: Arc<MatchSpec>) {
    if let Some(id) = local_ref_id(reference) {
        registry().write().insert(id, spec);
    }
}

/// The specification a reference from [`register_compiled`] stands for.
pub fn compiled(t: Term) -> Option<Arc<MatchSpec>> {
    let id = local_ref_id(t)?;
    registry().read().get(&id).cloned()
}

fn local_ref_id(t: Term) -> Option<u64> {
    use oxbeam_term::header::SUBTAG_REF;
    (crate::object::boxed_subtag(t) == Some(SUBTAG_REF)).then(|| crate::object::ref_id(t))
}

#[cfg(test)]
mod tests;
