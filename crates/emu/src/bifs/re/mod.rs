//! The native part of the `re` module: `run/2,3`, `internal_run/4`, `compile/1,2`,
//! `inspect/2` and `version/0`, on PCRE2 (see [`engine`]). As in the reference, `run`
//! hands the cases it does not do itself to the Erlang half of `re`: `global` matching to
//! `re:grun/3` (which calls `internal_run/4` in a loop), unicode subjects given as
//! lists (and `{capture, _, list}` with unicode) to `re:urun/3`, and unicode patterns
//! given as lists to `re:ucompile/2`.
//!
//! A compiled pattern is `{re_pattern, Groups, Unicode, UseCRLF, Bin}` where `Bin` is our
//! own encoding of the pattern's source and options ([`cache`]), so it works in any
//! process and survives `term_to_binary`.

pub mod cache;
pub mod engine;

use super::reg;
use crate::bif::{BifFn, BifResult, Fault, Trap, BADARG};
use crate::object::*;
use crate::process::Process;
use engine::{Code, CompileOpts, Limits, MatchFail};
use oxbeam_term::header::{header_subtag, SUBTAG_REFC_BIN, SUBTAG_SUB_BIN};
use oxbeam_term::{Atom, Term};
use pcre2_sys::*;
use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::{Arc, OnceLock};

/// The atoms `re` options and results use, interned once.
struct Atoms {
    re: Atom,
    re_pattern: Atom,
    match_: Atom,
    nomatch: Atom,
    error: Atom,
    compile: Atom,
    ok: Atom,
    namelist: Atom,
    match_limit: Atom,
    match_limit_recursion: Atom,
    // options
    capture: Atom,
    offset: Atom,
    newline: Atom,
    cr: Atom,
    lf: Atom,
    crlf: Atom,
    anycrlf: Atom,
    any: Atom,
    anchored: Atom,
    notempty: Atom,
    notempty_atstart: Atom,
    notbol: Atom,
    noteol: Atom,
    no_start_optimize: Atom,
    caseless: Atom,
    dollar_endonly: Atom,
    dotall: Atom,
    extended: Atom,
    firstline: Atom,
    multiline: Atom,
    no_auto_capture: Atom,
    dupnames: Atom,
    ungreedy: Atom,
    ucp: Atom,
    never_utf: Atom,
    report_errors: Atom,
    unicode: Atom,
    global: Atom,
    bsr_anycrlf: Atom,
    bsr_unicode: Atom,
    // capture specs
    index: Atom,
    list: Atom,
    binary: Atom,
    all: Atom,
    none: Atom,
    all_but_first: Atom,
    first: Atom,
    all_names: Atom,
    // traps
    grun: Atom,
    urun: Atom,
    ucompile: Atom,
}

fn atoms() -> &'static Atoms {
    static A: OnceLock<Atoms> = OnceLock::new();
    A.get_or_init(|| {
        let a = Atom::from_str;
        Atoms {
            re: a("re"),
            re_pattern: a("re_pattern"),
            match_: a("match"),
            nomatch: a("nomatch"),
            error: a("error"),
            compile: a("compile"),
            ok: a("ok"),
            namelist: a("namelist"),
            match_limit: a("match_limit"),
            match_limit_recursion: a("match_limit_recursion"),
            capture: a("capture"),
            offset: a("offset"),
            newline: a("newline"),
            cr: a("cr"),
            lf: a("lf"),
            crlf: a("crlf"),
            anycrlf: a("anycrlf"),
            any: a("any"),
            anchored: a("anchored"),
            notempty: a("notempty"),
            notempty_atstart: a("notempty_atstart"),
            notbol: a("notbol"),
            noteol: a("noteol"),
            no_start_optimize: a("no_start_optimize"),
            caseless: a("caseless"),
            dollar_endonly: a("dollar_endonly"),
            dotall: a("dotall"),
            extended: a("extended"),
            firstline: a("firstline"),
            multiline: a("multiline"),
            no_auto_capture: a("no_auto_capture"),
            dupnames: a("dupnames"),
            ungreedy: a("ungreedy"),
            ucp: a("ucp"),
            never_utf: a("never_utf"),
            report_errors: a("report_errors"),
            unicode: a("unicode"),
            global: a("global"),
            bsr_anycrlf: a("bsr_anycrlf"),
            bsr_unicode: a("bsr_unicode"),
            index: a("index"),
            list: a("list"),
            binary: a("binary"),
            all: a("all"),
            none: a("none"),
            all_but_first: a("all_but_first"),
            first: a("first"),
            all_names: a("all_names"),
            grun: a("grun"),
            urun: a("urun"),
            ucompile: a("ucompile"),
        }
    })
}

// ------------------------------------------------------------------ options

/// An option only `compile` takes (so `run` refuses it with a compiled pattern).
const F_UNIQUE_COMPILE: u32 = 1;
/// An option only `run` takes (so `compile` refuses it).
const F_UNIQUE_EXEC: u32 = 2;
const F_UNICODE: u32 = 4;
const F_CAPTURE: u32 = 16;
const F_GLOBAL: u32 = 32;
const F_REPORT_ERRORS: u32 = 64;
const F_MATCH_LIMIT: u32 = 128;
const F_MATCH_LIMIT_RECURSION: u32 = 256;

/// A parsed option list. Later options override earlier ones, as in the reference.
struct Opts {
    compile: CompileOpts,
    match_options: u32,
    flags: u32,
    offset: usize,
    capture_values: Term,
    capture_type: Term,
    match_limit: u32,
    match_limit_recursion: u32,
}

/// A non-negative integer that fits a C int (what the reference accepts for offsets,
/// limits and group numbers).
fn c_int(t: Term) -> Option<u32> {
    let v = t.as_small()?;
    (0..=i32::MAX as i64).contains(&v).then_some(v as u32)
}

fn parse_options(mut l: Term) -> Option<Opts> {
    let a = atoms();
    let mut o = Opts {
        compile: CompileOpts::default(),
        match_options: 0,
        flags: 0,
        offset: 0,
        capture_values: Term::NIL,
        capture_type: Term::NIL,
        match_limit: 0,
        match_limit_recursion: 0,
    };
    while l.is_list() {
        let item = head(l);
        l = tail(l);
        if is_tuple(item) {
            let e = tuple_elements(item);
            if e.len() != 2 || !e[0].is_atom() {
                if e.len() == 3 && e[0] == Term::atom(a.capture) {
                    o.capture_values = e[1];
                    o.capture_type = e[2];
                    o.flags |= F_CAPTURE | F_UNIQUE_EXEC;
                    continue;
                }
                return None;
            }
            let k = e[0].atom_value();
            if k == a.capture {
                o.capture_values = e[1];
                o.capture_type = Term::atom(a.index);
                o.flags |= F_CAPTURE | F_UNIQUE_EXEC;
            } else if k == a.offset {
                o.offset = c_int(e[1])? as usize;
                o.flags |= F_UNIQUE_EXEC;
            } else if k == a.match_limit {
                o.match_limit = c_int(e[1])?;
                o.flags |= F_UNIQUE_EXEC | F_MATCH_LIMIT;
            } else if k == a.match_limit_recursion {
                o.match_limit_recursion = c_int(e[1])?;
                o.flags |= F_UNIQUE_EXEC | F_MATCH_LIMIT_RECURSION;
            } else if k == a.newline {
                // The reference ORs PCRE 8.44's newline option bits together, whose
                // values (in units of 0x100000) are PCRE2's NEWLINE_* numbers: cr and
                // lf make crlf, cr and any make anycrlf, other mixes are refused when
                // compiling ("inconsistent NEWLINE options").
                let v = e[1].as_atom()?;
                o.compile.newline |= if v == a.cr {
                    PCRE2_NEWLINE_CR
                } else if v == a.lf {
                    PCRE2_NEWLINE_LF
                } else if v == a.crlf {
                    PCRE2_NEWLINE_CRLF
                } else if v == a.anycrlf {
                    PCRE2_NEWLINE_ANYCRLF
                } else if v == a.any {
                    PCRE2_NEWLINE_ANY
                } else {
                    return None;
                };
            } else {
                return None;
            }
            continue;
        }
        let k = item.as_atom()?;
        let (copt, mopt, flags) = if k == a.anchored {
            (PCRE2_ANCHORED, PCRE2_ANCHORED, 0)
        } else if k == a.notempty {
            (0, PCRE2_NOTEMPTY, F_UNIQUE_EXEC)
        } else if k == a.notempty_atstart {
            (0, PCRE2_NOTEMPTY_ATSTART, F_UNIQUE_EXEC)
        } else if k == a.notbol {
            (0, PCRE2_NOTBOL, F_UNIQUE_EXEC)
        } else if k == a.noteol {
            (0, PCRE2_NOTEOL, F_UNIQUE_EXEC)
        } else if k == a.no_start_optimize {
            (PCRE2_NO_START_OPTIMIZE, 0, F_UNIQUE_COMPILE)
        } else if k == a.caseless {
            (PCRE2_CASELESS, 0, F_UNIQUE_COMPILE)
        } else if k == a.dollar_endonly {
            (PCRE2_DOLLAR_ENDONLY, 0, F_UNIQUE_COMPILE)
        } else if k == a.dotall {
            (PCRE2_DOTALL, 0, F_UNIQUE_COMPILE)
        } else if k == a.extended {
            (PCRE2_EXTENDED, 0, F_UNIQUE_COMPILE)
        } else if k == a.firstline {
            (PCRE2_FIRSTLINE, 0, F_UNIQUE_COMPILE)
        } else if k == a.multiline {
            (PCRE2_MULTILINE, 0, F_UNIQUE_COMPILE)
        } else if k == a.no_auto_capture {
            (PCRE2_NO_AUTO_CAPTURE, 0, F_UNIQUE_COMPILE)
        } else if k == a.dupnames {
            (PCRE2_DUPNAMES, 0, F_UNIQUE_COMPILE)
        } else if k == a.ungreedy {
            (PCRE2_UNGREEDY, 0, F_UNIQUE_COMPILE)
        } else if k == a.ucp {
            (PCRE2_UCP, 0, F_UNIQUE_COMPILE)
        } else if k == a.never_utf {
            (PCRE2_NEVER_UTF, 0, F_UNIQUE_COMPILE)
        } else if k == a.report_errors {
            (0, 0, F_UNIQUE_EXEC | F_REPORT_ERRORS)
        } else if k == a.unicode {
            (PCRE2_UTF, 0, F_UNIQUE_COMPILE | F_UNICODE)
        } else if k == a.global {
            (0, 0, F_UNIQUE_EXEC | F_GLOBAL)
        } else if k == a.bsr_anycrlf {
            // Both bsr options together are refused when compiling, as newlines above.
            o.compile.bsr |= PCRE2_BSR_ANYCRLF;
            (0, 0, 0)
        } else if k == a.bsr_unicode {
            o.compile.bsr |= PCRE2_BSR_UNICODE;
            (0, 0, 0)
        } else {
            return None;
        };
        o.compile.options |= copt;
        o.match_options |= mopt;
        o.flags |= flags;
    }
    l.is_nil().then_some(o)
}

// ------------------------------------------------------------------ patterns

fn uses_crlf(code: &Code) -> bool {
    matches!(
        code.newline,
        PCRE2_NEWLINE_ANY | PCRE2_NEWLINE_CRLF | PCRE2_NEWLINE_ANYCRLF
    )
}

/// `{re_pattern, Groups, Unicode, UseCRLF, Bin}`.
fn pattern_tuple(p: &mut Process, code: &Code, unicode: bool, enc: &[u8]) -> Term {
    let bin = make_binary(&mut p.heap, enc);
    make_tuple(
        &mut p.heap,
        &[
            Term::atom(atoms().re_pattern),
            Term::small(code.capture_count as i64),
            Term::small(unicode as i64),
            Term::small(uses_crlf(code) as i64),
            bin,
        ],
    )
}

/// The encoded pattern inside a `{re_pattern, ...}` tuple, if `t` is a valid one.
fn compiled_binary<'a>(t: Term) -> Option<Cow<'a, [u8]>> {
    if !is_tuple(t) {
        return None;
    }
    let e = tuple_elements(t);
    if e.len() != 5
        || e[0] != Term::atom(atoms().re_pattern)
        || !e[1].is_small()
        || !e[2].is_small()
        || !e[3].is_small()
    {
        return None;
    }
    let b = binary_bytes(e[4])?;
    cache::decode(&b)?;
    Some(b)
}

/// `{Message, Offset}` of a compile error, as the reference words it.
fn compile_error_term(p: &mut Process, e: engine::CompileError) -> Term {
    let s = bytes_to_list(&mut p.heap, e.text.as_bytes(), Term::NIL);
    make_tuple(&mut p.heap, &[s, Term::small(e.offset as i64)])
}

thread_local! {
    /// Scratch space for encoding a pattern given as text (the cache key).
    static KEY: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static OVECTOR: RefCell<Vec<(usize, usize)>> = const { RefCell::new(Vec::new()) };
}

fn code_for(o: CompileOpts, pattern: &[u8]) -> Result<Arc<Code>, engine::CompileError> {
    KEY.with(|k| {
        let mut k = k.borrow_mut();
        k.clear();
        cache::encode(&mut k, o, pattern);
        cache::get(&k)
    })
}

fn trap(p: &mut Process, function: Atom, args: &[Term]) -> Fault {
    let args = list_from_iter(&mut p.heap, args, Term::NIL);
    Fault::Trap(Trap::Apply {
        module: Term::atom(atoms().re),
        function: Term::atom(function),
        args,
    })
}

// ------------------------------------------------------------------ UTF-8 validity

/// The last subject (an off-heap binary) found to be valid UTF-8 on this thread, held
/// alive so its bytes cannot change: `internal_run(_, _, _, false)` — the later calls
/// of a `global` match — skips the check for it, as the reference does, without
/// trusting a caller's word for it.
struct Validated {
    bin: *mut BinData,
    ptr: *const u8,
    len: usize,
}

impl Drop for Validated {
    fn drop(&mut self) {
        // SAFETY: this handle took a reference when it was made.
        unsafe { BinData::dec_ref(self.bin) }
    }
}

thread_local! {
    static VALIDATED: RefCell<Option<Validated>> = const { RefCell::new(None) };
}

/// The shared data behind a binary term, if it is off-heap.
fn bin_data(t: Term) -> Option<*mut BinData> {
    if !is_bitstring(t) {
        return None;
    }
    let t = if header_subtag(header(t)) == SUBTAG_SUB_BIN {
        word(t, 3)
    } else {
        t
    };
    (header_subtag(header(t)) == SUBTAG_REFC_BIN).then(|| word(t, 2).0 as *mut BinData)
}

fn check_utf8(subject_term: Term, bytes: &[u8], first: bool) -> bool {
    // Only bytes that lie in the off-heap data itself (not a copy made of an unaligned
    // sub-binary, whose address could come back for other bytes).
    let key = bin_data(subject_term)
        .filter(|&b| {
            // SAFETY: `b` is live: the subject term holds a reference to it.
            let data = unsafe { &(*b).bytes };
            data.as_ptr_range().contains(&bytes.as_ptr()) || (bytes.is_empty() && data.is_empty())
        })
        .map(|b| (b, bytes.as_ptr(), bytes.len()));
    if !first {
        if let Some((bin, ptr, len)) = key {
            let known = VALIDATED.with(
                |v| matches!(&*v.borrow(), Some(v) if v.bin == bin && v.ptr == ptr && v.len == len),
            );
            if known {
                return true;
            }
        }
    }
    if std::str::from_utf8(bytes).is_err() {
        return false;
    }
    if let Some((bin, ptr, len)) = key {
        // SAFETY: `bin` is live (the subject term holds it); the new handle takes its
        // own reference.
        unsafe { BinData::inc_ref(bin) };
        VALIDATED.with(|v| *v.borrow_mut() = Some(Validated { bin, ptr, len }));
    }
    true
}

// ------------------------------------------------------------------ capture specs

#[derive(Clone, Copy, PartialEq, Eq)]
enum RetType {
    Index,
    List,
    Binary,
}

/// One requested value: a group number (which may be beyond the pattern's groups), or
/// the groups of a duplicated name (the first one set is returned).
enum Slot {
    Group(u32),
    Missing,
    Dup(Vec<u32>),
}

enum Select {
    /// `none` / `[]`: the result is `match`.
    None,
    /// All groups from this one on (`all` = 0, `all_but_first` = 1).
    From(usize),
    Slots(Vec<Slot>),
}

fn name_slot(code: &Code, name: &[u8]) -> Slot {
    if code.dupnames {
        let hits: Vec<u32> = code
            .names
            .iter()
            .filter(|(n, _)| &n[..] == name)
            .map(|&(_, g)| g)
            .collect();
        return match hits.len() {
            0 => Slot::Missing,
            1 => Slot::Group(hits[0]),
            _ => Slot::Dup(hits),
        };
    }
    // A binary search of the sorted name table, as the reference's PCRE does (with
    // names repeated by `(?J)`, which one it lands on is part of the answer).
    let (mut bot, mut top) = (0, code.names.len());
    while top > bot {
        let mid = (top + bot) / 2;
        let (n, g) = &code.names[mid];
        match name.cmp(&n[..]) {
            std::cmp::Ordering::Equal => return Slot::Group(*g),
            std::cmp::Ordering::Greater => bot = mid + 1,
            std::cmp::Ordering::Less => top = mid,
        }
    }
    Slot::Missing
}

fn capture_spec(o: &Opts, code: &Code) -> Option<(Select, RetType)> {
    let a = atoms();
    if o.flags & F_CAPTURE == 0 {
        return Some((Select::From(0), RetType::Index));
    }
    let ty = match o.capture_type.as_atom()? {
        t if t == a.index => RetType::Index,
        t if t == a.list => RetType::List,
        t if t == a.binary => RetType::Binary,
        _ => return None,
    };
    let v = o.capture_values;
    if v.is_nil() {
        return Some((Select::None, ty));
    }
    if let Some(k) = v.as_atom() {
        let sel = if k == a.all {
            Select::From(0)
        } else if k == a.none {
            Select::None
        } else if k == a.all_but_first {
            Select::From(1)
        } else if k == a.first {
            Select::Slots(vec![Slot::Group(0)])
        } else if k == a.all_names {
            if code.names.is_empty() {
                Select::None
            } else {
                let mut slots = Vec::new();
                let mut last: Option<&[u8]> = None;
                for (n, g) in &code.names {
                    if code.dupnames {
                        if last == Some(&n[..]) {
                            continue;
                        }
                        slots.push(name_slot(code, n));
                    } else {
                        slots.push(Slot::Group(*g));
                    }
                    last = Some(&n[..]);
                }
                Select::Slots(slots)
            }
        } else {
            return None;
        };
        return Some((sel, ty));
    }
    if !v.is_list() {
        return None;
    }
    let mut slots = Vec::new();
    let mut l = v;
    while l.is_list() {
        let x = head(l);
        l = tail(l);
        if let Some(n) = c_int(x) {
            slots.push(Slot::Group(n));
        } else if let Some(at) = x.as_atom() {
            slots.push(name_slot(code, at.name().as_bytes()));
        } else if is_bitstring(x) || x.is_list() || x.is_nil() {
            let name = super::iodata_bytes(x)?;
            slots.push(name_slot(code, &name));
        } else {
            return None;
        }
    }
    l.is_nil().then_some((Select::Slots(slots), ty))
}

// ------------------------------------------------------------------ results

/// One captured value.
fn capture_value(
    p: &mut Process,
    ty: RetType,
    subject_term: Option<Term>,
    subject: &[u8],
    pair: Option<(usize, usize)>,
) -> Term {
    // `\K` in a lookahead can end a match before its start: the length is negative.
    let pair = match (ty, pair) {
        (RetType::List | RetType::Binary, Some((s, e))) if e < s => Some((s, s)),
        _ => pair,
    };
    match (ty, pair) {
        (RetType::Index, Some((s, e))) => make_tuple(
            &mut p.heap,
            &[Term::small(s as i64), Term::small(e as i64 - s as i64)],
        ),
        (RetType::Index, None) => make_tuple(&mut p.heap, &[Term::small(-1), Term::small(0)]),
        (RetType::List, Some((s, e))) => bytes_to_list(&mut p.heap, &subject[s..e], Term::NIL),
        (RetType::List, None) => Term::NIL,
        (RetType::Binary, Some((s, e))) => match subject_term {
            Some(t) if e - s > HEAP_BIN_LIMIT => {
                make_sub_binary(&mut p.heap, t, s * 8, (e - s) * 8)
            }
            _ => make_binary(&mut p.heap, &subject[s..e]),
        },
        (RetType::Binary, None) => make_binary(&mut p.heap, &[]),
    }
}

use oxbeam_term::header::HEAP_BIN_LIMIT;

fn build_result(
    p: &mut Process,
    sel: &Select,
    ty: RetType,
    subject_term: Option<Term>,
    subject: &[u8],
    ov: &[(usize, usize)],
) -> Term {
    let a = atoms();
    let pair = |i: usize| -> Option<(usize, usize)> {
        ov.get(i).copied().filter(|&(s, _)| s != PCRE2_UNSET)
    };
    // The list is built from its end.
    let mut l = Term::NIL;
    match sel {
        Select::None => return Term::atom(a.match_),
        Select::From(start) => {
            for i in (*start..ov.len()).rev() {
                let v = capture_value(p, ty, subject_term, subject, pair(i));
                l = cons(&mut p.heap, v, l);
            }
        }
        Select::Slots(slots) => {
            for s in slots.iter().rev() {
                let pr = match s {
                    Slot::Group(g) => pair(*g as usize),
                    Slot::Missing => None,
                    Slot::Dup(gs) => gs.iter().find_map(|&g| pair(g as usize)),
                };
                let v = capture_value(p, ty, subject_term, subject, pr);
                l = cons(&mut p.heap, v, l);
            }
        }
    }
    make_tuple(&mut p.heap, &[Term::atom(a.match_), l])
}

// ------------------------------------------------------------------ run

fn run(p: &mut Process, subject: Term, re: Term, opts_term: Term, first: bool) -> BifResult {
    let a = atoms();
    let o = parse_options(opts_term).ok_or(BADARG)?;
    let is_list_cap = o.flags & F_CAPTURE != 0 && o.capture_type == Term::atom(a.list);
    let global = o.flags & F_GLOBAL != 0;
    let unicode_opt = o.flags & F_UNICODE != 0;
    let code = if !(is_tuple(re) && tuple_arity(re) == 5) {
        if !(is_bitstring(re) || re.is_list() || re.is_nil()) {
            return Err(BADARG);
        }
        if unicode_opt && (!is_bitstring(re) || !is_bitstring(subject) || (is_list_cap && !global))
        {
            return Err(trap(p, a.urun, &[subject, re, opts_term]));
        }
        let pattern = super::iodata_bytes(re).ok_or(BADARG)?;
        let code = match code_for(o.compile, &pattern) {
            Ok(c) => c,
            Err(e) => {
                if o.flags & F_REPORT_ERRORS != 0 {
                    let err = compile_error_term(p, e);
                    let inner = make_tuple(&mut p.heap, &[Term::atom(a.compile), err]);
                    return Ok(make_tuple(&mut p.heap, &[Term::atom(a.error), inner]));
                }
                return Err(BADARG);
            }
        };
        if global {
            let mut enc = Vec::with_capacity(cache::HEADER_LEN + pattern.len());
            cache::encode(&mut enc, o.compile, &pattern);
            let pre = pattern_tuple(p, &code, unicode_opt, &enc);
            let need_clean = Term::boolean(o.flags & F_UNIQUE_COMPILE != 0);
            let info = make_tuple(&mut p.heap, &[opts_term, need_clean, re]);
            return Err(trap(p, a.grun, &[subject, pre, info]));
        }
        code
    } else {
        if o.flags & F_UNIQUE_COMPILE != 0 {
            return Err(BADARG);
        }
        let enc = compiled_binary(re).ok_or(BADARG)?;
        let unicode_flag = tuple_get(re, 2) != Term::small(0);
        if unicode_flag && (!is_bitstring(subject) || (is_list_cap && !global)) {
            return Err(trap(p, a.urun, &[subject, re, opts_term]));
        }
        if global {
            let info = make_tuple(&mut p.heap, &[opts_term, Term::boolean(false)]);
            return Err(trap(p, a.grun, &[subject, re, info]));
        }
        let found = if o.compile.newline != 0 || o.compile.bsr != 0 {
            // The reference's PCRE took newline and \R conventions at match time too:
            // compile the pattern again with them.
            let (mut co, pattern) = cache::decode(&enc).ok_or(BADARG)?;
            if o.compile.newline != 0 {
                co.newline = o.compile.newline;
            }
            if o.compile.bsr != 0 {
                co.bsr = o.compile.bsr;
            }
            code_for(co, pattern)
        } else {
            cache::get(&enc)
        };
        found.map_err(|_| BADARG)?
    };
    let (sel, ty) = capture_spec(&o, &code).ok_or(BADARG)?;
    let subject_bytes: Cow<[u8]> = if is_bitstring(subject) {
        match binary_bytes(subject) {
            Some(b) => b,
            None => return Err(BADARG),
        }
    } else {
        Cow::Owned(super::iodata_bytes(subject).ok_or(BADARG)?)
    };
    let bytes = &subject_bytes[..];
    if code.utf {
        if !check_utf8(subject, bytes, first) {
            return Err(BADARG);
        }
        // A start in the middle of a character is refused, except in the later calls of
        // a global match (where `\C` can leave one): the reference skips all UTF-8
        // checks there. PCRE2 then takes the stray continuation bytes as characters of
        // their own, reading nothing past the (valid) subject.
        if first && o.offset < bytes.len() && bytes[o.offset] & 0xC0 == 0x80 {
            return Err(BADARG);
        }
    }
    let limits = Limits {
        match_limit: (o.flags & F_MATCH_LIMIT != 0).then_some(o.match_limit),
        depth_limit: (o.flags & F_MATCH_LIMIT_RECURSION != 0).then_some(o.match_limit_recursion),
    };
    let subject_term = is_bitstring(subject).then_some(subject);
    OVECTOR.with(|ov| {
        let mut ov = ov.borrow_mut();
        match engine::run(&code, bytes, o.offset, o.match_options, limits, &mut ov) {
            Ok(_) => Ok(build_result(p, &sel, ty, subject_term, bytes, &ov)),
            Err(MatchFail::NoMatch) => Ok(Term::atom(a.nomatch)),
            Err(f @ (MatchFail::MatchLimit | MatchFail::DepthLimit)) => {
                if o.flags & F_REPORT_ERRORS != 0 {
                    let what = if f == MatchFail::MatchLimit {
                        a.match_limit
                    } else {
                        a.match_limit_recursion
                    };
                    Ok(make_tuple(
                        &mut p.heap,
                        &[Term::atom(a.error), Term::atom(what)],
                    ))
                } else {
                    Ok(Term::atom(a.nomatch))
                }
            }
            Err(MatchFail::Other) => Err(BADARG),
        }
    })
}

fn run_2(p: &mut Process, a: &[Term]) -> BifResult {
    run(p, a[0], a[1], Term::NIL, true)
}

fn run_3(p: &mut Process, a: &[Term]) -> BifResult {
    run(p, a[0], a[1], a[2], true)
}

fn internal_run_4(p: &mut Process, a: &[Term]) -> BifResult {
    let first = match a[3].as_atom() {
        Some(oxbeam_term::atom::am::TRUE) => true,
        Some(oxbeam_term::atom::am::FALSE) => false,
        _ => return Err(BADARG),
    };
    run(p, a[0], a[1], a[2], first)
}

// ------------------------------------------------------------------ compile etc.

fn compile(p: &mut Process, re: Term, opts_term: Term) -> BifResult {
    let a = atoms();
    let o = parse_options(opts_term).ok_or(BADARG)?;
    if o.flags & F_UNIQUE_EXEC != 0 {
        return Err(BADARG);
    }
    let unicode = o.flags & F_UNICODE != 0;
    if unicode && !is_bitstring(re) {
        return Err(trap(p, a.ucompile, &[re, opts_term]));
    }
    let pattern = super::iodata_bytes(re).ok_or(BADARG)?;
    let mut enc = Vec::with_capacity(cache::HEADER_LEN + pattern.len());
    cache::encode(&mut enc, o.compile, &pattern);
    match cache::get(&enc) {
        Ok(code) => {
            let t = pattern_tuple(p, &code, unicode, &enc);
            Ok(make_tuple(&mut p.heap, &[Term::atom(a.ok), t]))
        }
        Err(e) => {
            let err = compile_error_term(p, e);
            Ok(make_tuple(&mut p.heap, &[Term::atom(a.error), err]))
        }
    }
}

fn compile_1(p: &mut Process, a: &[Term]) -> BifResult {
    compile(p, a[0], Term::NIL)
}

fn compile_2(p: &mut Process, a: &[Term]) -> BifResult {
    compile(p, a[0], a[1])
}

fn inspect_2(p: &mut Process, args: &[Term]) -> BifResult {
    let a = atoms();
    let enc = compiled_binary(args[0]).ok_or(BADARG)?;
    if args[1] != Term::atom(a.namelist) {
        return Err(BADARG);
    }
    let code = cache::get(&enc).map_err(|_| BADARG)?;
    let mut names = Vec::with_capacity(code.names.len());
    let mut last: Option<&[u8]> = None;
    for (n, _) in &code.names {
        if code.dupnames && last == Some(&n[..]) {
            continue;
        }
        last = Some(&n[..]);
        names.push(make_binary(&mut p.heap, n));
    }
    let l = list_from_iter(&mut p.heap, &names, Term::NIL);
    Ok(make_tuple(&mut p.heap, &[Term::atom(a.namelist), l]))
}

/// The reference's PCRE version, "8.44 2020-02-12", followed by the engine really used
/// (PCRE2 10.42, made to behave as 8.44). It must differ from the reference's: Elixir
/// keeps the compiled pattern of a `~r` regex in the .beam with the `re:version()` it
/// was compiled under, and runs that binary only when the version is the same, else it
/// compiles the source again. The reference's compiled patterns are PCRE 8.44 bytecode,
/// which this engine cannot run.
pub const VERSION: &[u8] = b"8.44 2020-02-12 (PCRE2 10.42)";

fn version_0(p: &mut Process, _: &[Term]) -> BifResult {
    Ok(make_binary(&mut p.heap, VERSION))
}

pub fn register() {
    let list: &[(&str, u32, BifFn)] = &[
        ("run", 2, run_2),
        ("run", 3, run_3),
        ("internal_run", 4, internal_run_4),
        ("compile", 1, compile_1),
        ("compile", 2, compile_2),
        ("inspect", 2, inspect_2),
        ("version", 0, version_0),
    ];
    for &(f, arity, fun) in list {
        reg("re", f, arity, fun);
    }
}
