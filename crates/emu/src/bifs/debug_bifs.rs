//! `erts_debug`: term sizes as the reference VM counts them, sharing-preserving copies,
//! `same/2`, `display/1`, hash-trie statistics, the instruction list and disassembly,
//! debug breakpoints, the internal state switches and lock counting (absent, as in the
//! reference's default build).
//!
//! Sizes are the reference's numbers for a 64-bit build, computed from our objects
//! (whose layouts differ in places): a program printing `erts_debug:flat_size/1` sees
//! what it sees under `erl`. The word counts of each kind of object:
//!
//! | object                 | words                                                   |
//! |------------------------|---------------------------------------------------------|
//! | immediates             | 0                                                       |
//! | cons cell              | 2                                                       |
//! | tuple of n > 0         | 1 + n (the empty tuple is a global literal: 0)          |
//! | bignum                 | 1 + its 64-bit digits                                   |
//! | float                  | 2                                                       |
//! | heap binary of n bytes | 2 + ceil(n / 8)                                         |
//! | refc binary            | 6                                                       |
//! | sub-binary             | see [`sub_bin_words`]                                   |
//! | flatmap of n keys      | 3 + n, plus its keys tuple                              |
//! | hash-trie node         | 1 + children (the root also holds the size: 2 + ...)    |
//! | fun with n free vars   | 5 + n; an external fun `fun M:F/A` is 5                 |
//! | local reference        | 3; an alias (a "pid reference" in the reference) is 4   |
//! | external pid/port      | 4; an external reference 3 + ceil(ids / 2)              |

use super::reg;
use crate::bif::{BifFn, BifResult, Fault, Trap, BADARG};
use crate::map::Node;
use crate::object::*;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::header::*;
use oxbeam_term::{Atom, Term};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

fn atom(s: &str) -> Term {
    Term::atom(Atom::from_str(s))
}

// ---------------------------------------------------------------- sizes

/// The reference's words for a heap binary of `n` bytes.
fn heap_bin_words(n: usize) -> usize {
    2 + n.div_ceil(8)
}

/// The reference's `ProcBin` (the handle of an off-heap binary).
const PROC_BIN_WORDS: usize = 6;
/// The reference's sub-binary object.
const SUB_BIN_WORDS_REF: usize = 5;

/// What copying a sub-binary costs in the reference: a sub-binary object only if it does
/// not start and end on byte boundaries, and then the binary under it, which is a
/// `ProcBin` if that is off-heap, else just the bytes covered (plus the one or two
/// bytes a bit offset spills into), as a heap binary of their own.
fn sub_bin_words(t: Term) -> usize {
    let bits = word(t, 1).0 as usize;
    let offset = word(t, 2).0 as usize;
    let orig = word(t, 3);
    let spill = bits % 8 + offset % 8;
    let (sub, extra) = match spill {
        0 => (0, 0),
        1..=8 => (SUB_BIN_WORDS_REF, 1),
        _ => (SUB_BIN_WORDS_REF, 2),
    };
    sub + if boxed_subtag(orig) == Some(SUBTAG_REFC_BIN) {
        PROC_BIN_WORDS
    } else {
        heap_bin_words(bits / 8 + extra)
    }
}

/// Whether `t` (a local reference) is an alias of `p`: the reference makes aliases as
/// references that carry the pid, a word longer.
fn is_alias(p: &Process, t: Term) -> bool {
    p.aliases.get(ref_id(t)).is_some()
}

/// The reference's words for the object `t` points at (its children not included).
fn object_size(p: &Process, t: Term) -> usize {
    let h = header(t);
    let arity = header_arity(h);
    match header_subtag(h) {
        SUBTAG_TUPLE => {
            if arity == 0 {
                0
            } else {
                1 + arity
            }
        }
        SUBTAG_FLOAT => 2,
        SUBTAG_HEAP_BIN => heap_bin_words(word(t, 1).0 as usize),
        SUBTAG_REFC_BIN => PROC_BIN_WORDS,
        SUBTAG_SUB_BIN => sub_bin_words(t),
        SUBTAG_MAP => 3 + flatmap_size(t),
        // Our nodes keep the bitmap in a word of its own; the reference's header has it.
        SUBTAG_HASHMAP => arity,
        SUBTAG_FUN => 5 + crate::fun::env(t).len(),
        SUBTAG_EXPORT => 5,
        SUBTAG_REF => {
            if is_alias(p, t) {
                4
            } else {
                3
            }
        }
        SUBTAG_EXT_PID | SUBTAG_EXT_PORT => 4,
        SUBTAG_EXT_REF => 3 + arity.saturating_sub(2).div_ceil(2),
        // Bignums (1 + digits) and anything else: as laid out here.
        _ => 1 + arity,
    }
}

/// The children of the object `t` that are terms to size too (a sub-binary's original
/// is part of its own cost).
fn push_children(t: Term, stack: &mut Vec<Term>) {
    let h = header(t);
    if header_subtag(h) == SUBTAG_SUB_BIN {
        return;
    }
    let (s, e) = term_words(h);
    for i in s..e {
        let c = word(t, i);
        if !c.is_immed() {
            stack.push(c);
        }
    }
}

/// `erts_debug:flat_size/1`: the words a copy of `t` takes in the reference (no
/// sharing, literals included).
pub fn flat_size(p: &Process, t: Term) -> usize {
    let mut n = 0;
    let mut stack = vec![t];
    while let Some(t) = stack.pop() {
        if t.is_list() {
            let mut l = t;
            while l.is_list() {
                n += 2;
                let h = head(l);
                if !h.is_immed() {
                    stack.push(h);
                }
                l = tail(l);
            }
            if !l.is_immed() {
                stack.push(l);
            }
        } else if t.is_boxed() {
            n += object_size(p, t);
            push_children(t, &mut stack);
        }
    }
    n
}

/// `erts_debug:size_shared/1`: the words of `t` counting each object once, literals
/// not at all. The reference counts the nodes of a hash trie twice here (it does, in
/// OTP 25), and a sub-binary as in a copy, apart from its original.
pub fn size_shared(p: &Process, t: Term) -> usize {
    let mut n = 0;
    let mut seen: HashSet<usize> = HashSet::new();
    let mut stack = vec![t];
    while let Some(t) = stack.pop() {
        if t.is_immed() || t.is_non_value() {
            continue;
        }
        let ptr = t.ptr_val();
        if crate::literal::is_literal(ptr) || !seen.insert(ptr as usize) {
            continue;
        }
        if t.is_list() {
            n += 2;
            stack.push(tail(t));
            stack.push(head(t));
            continue;
        }
        let words = object_size(p, t);
        n += if header_subtag(header(t)) == SUBTAG_HASHMAP {
            2 * words
        } else {
            words
        };
        push_children(t, &mut stack);
    }
    n
}

/// `erts_debug:copy_shared/2`: a copy of `t` in which an object reached twice is copied
/// once, as the reference's sharing-preserving copy does; literals stay where they are
/// unless `copy_literals`.
fn copy_shared_term(p: &mut Process, t: Term, copy_literals: bool) -> Term {
    let wanted = |c: Term| {
        !c.is_immed()
            && !c.is_non_value()
            && (copy_literals || !crate::literal::is_literal(c.ptr_val()))
    };
    if !wanted(t) {
        return t;
    }
    // Every object reached gets its copy (its words as they are) on the first visit;
    // the words that point at other objects are fixed up once all copies exist.
    let mut copies: HashMap<usize, Term> = HashMap::new();
    let mut fixups: Vec<*mut Term> = Vec::new();
    let mut stack = vec![t];
    while let Some(t) = stack.pop() {
        let src = t.ptr_val();
        if copies.contains_key(&(src as usize)) {
            continue;
        }
        let (words, terms) = if t.is_list() {
            (2, (0, 2))
        } else {
            let h = header(t);
            (object_words(h), term_words(h))
        };
        let dst = p.heap.alloc(words);
        // SAFETY: `dst` has `words` fresh words; the source object has as many.
        unsafe { std::ptr::copy_nonoverlapping(src as *const Term, dst, words) };
        for i in terms.0..terms.1 {
            let c = word(t, i);
            if wanted(c) {
                stack.push(c);
                // SAFETY: `i` is within the object just copied.
                fixups.push(unsafe { dst.add(i) });
            }
        }
        let copy = if t.is_list() {
            Term::make_list(dst)
        } else {
            if header_subtag(header(t)) == SUBTAG_REFC_BIN {
                // SAFETY: word 2 of a live refc-binary handle is its BinData, which `t`
                // keeps alive; the copy takes a reference of its own.
                unsafe { BinData::inc_ref(word(t, 2).0 as *const BinData) };
                p.heap.off_heap.push(dst);
            }
            Term::make_boxed(dst)
        };
        copies.insert(src as usize, copy);
    }
    for at in fixups {
        // SAFETY: each fixup is a word of a fresh copy holding a pointer to an object
        // that was copied above.
        unsafe {
            let old = *at;
            *at = copies[&(old.ptr_val() as usize)];
        }
    }
    copies[&(t.ptr_val() as usize)]
}

fn flat_size1(p: &mut Process, a: &[Term]) -> BifResult {
    let n = flat_size(p, a[0]);
    Ok(make_u64(&mut p.heap, n as u64))
}

fn size_shared1(p: &mut Process, a: &[Term]) -> BifResult {
    let n = size_shared(p, a[0]);
    Ok(make_u64(&mut p.heap, n as u64))
}

fn copy_shared2(p: &mut Process, a: &[Term]) -> BifResult {
    let copy_literals = match a[1] {
        Term::TRUE => true,
        Term::FALSE => false,
        _ => return Err(BADARG),
    };
    Ok(copy_shared_term(p, a[0], copy_literals))
}

/// `erts_debug:copy_shared/1` (Erlang in the reference, calling the BIF `/2` locally:
/// a local call does not reach our BIF, so this one is native too).
fn copy_shared1(p: &mut Process, a: &[Term]) -> BifResult {
    Ok(copy_shared_term(p, a[0], false))
}

/// `erts_debug:same/2`: the very same term (an equal immediate, or the same object).
fn same(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(Term::boolean(a[0] == a[1]))
}

/// `erts_debug:display/1`: writes the term as `erlang:display/1` does and returns the
/// text written (its bytes as a character list, with the newline).
fn display1(p: &mut Process, a: &[Term]) -> BifResult {
    let mut text = crate::print::display_bytes(a[0]);
    let mut out = text.clone();
    out.extend_from_slice(b"\r\n");
    crate::report::write_stdout(&out);
    text.push(b'\n');
    Ok(bytes_to_list(&mut p.heap, &text, Term::NIL))
}

/// `erts_debug:map_info/1`: statistics of a hash-trie map: its depth, the number of
/// array nodes (a full root), of other nodes (by number of children) and of leaves
/// (by depth). A flatmap is `badarg`, as in the reference.
fn map_info(p: &mut Process, a: &[Term]) -> BifResult {
    let m = a[0];
    if !is_map(m) {
        let r = make_tuple(&mut p.heap, &[Term::atom(am::BADMAP), m]);
        return Err(Fault::Error(r));
    }
    if !crate::map::is_hashmap(m) {
        return Err(BADARG);
    }
    let (mut leaves, mut bitmaps, mut arrays) = (0u64, 0u64, 0u64);
    let mut bitmap_usage = [0u64; 16];
    let mut leaf_usage = [0u64; 16];
    let mut depth = 0usize;
    let mut stack = vec![(m, 0usize)];
    while let Some((t, level)) = stack.pop() {
        depth = depth.max(level);
        if t.is_list() {
            leaves += 1;
            leaf_usage[level.min(15)] += 1;
            continue;
        }
        let node = Node::of(t);
        // The reference keeps a full root as an array node; a full inner node is a
        // bitmap node with every bit set.
        if node.size.is_some() && node.bitmap == 0xffff {
            arrays += 1;
        } else {
            bitmaps += 1;
            if !node.is_empty() {
                bitmap_usage[node.len() - 1] += 1;
            }
        }
        for c in node.children() {
            stack.push((c, level + 1));
        }
    }
    let counts = |p: &mut Process, v: &[u64; 16]| {
        let items: Vec<Term> = v.iter().map(|&n| make_u64(&mut p.heap, n)).collect();
        make_tuple(&mut p.heap, &items)
    };
    let lu = counts(p, &leaf_usage);
    let bu = counts(p, &bitmap_usage);
    let items = [
        make_tuple(&mut p.heap, &[atom("depth"), Term::small(depth as i64)]),
        make_tuple(
            &mut p.heap,
            &[atom("arrays"), Term::small(arrays as i64), Term::NIL],
        ),
        make_tuple(
            &mut p.heap,
            &[atom("bitmaps"), Term::small(bitmaps as i64), bu],
        ),
        make_tuple(
            &mut p.heap,
            &[atom("leafs"), Term::small(leaves as i64), lu],
        ),
    ];
    Ok(list_from_iter(&mut p.heap, &items, Term::NIL))
}

// ---------------------------------------------------------------- code

/// The names of the interpreter's instructions, in their order in `ops.rs` (read from
/// the source of the `Op` enum, so the list cannot fall behind it).
pub fn instruction_names() -> Vec<&'static str> {
    const SRC: &str = include_str!("../ops.rs");
    let mut names = Vec::new();
    let Some(start) = SRC.find("pub enum Op {") else {
        return names;
    };
    for line in SRC[start..].lines().skip(1) {
        if line.starts_with('}') {
            break;
        }
        // Variants are the lines indented by exactly four spaces that start with a
        // capital letter.
        let Some(rest) = line.strip_prefix("    ") else {
            continue;
        };
        if !rest.starts_with(|c: char| c.is_ascii_uppercase()) {
            continue;
        }
        let end = rest
            .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .unwrap_or(rest.len());
        names.push(&rest[..end]);
    }
    names
}

fn instructions0(p: &mut Process, _a: &[Term]) -> BifResult {
    let names: Vec<Term> = instruction_names()
        .into_iter()
        .map(|n| string_to_list(&mut p.heap, n))
        .collect();
    Ok(list_from_iter(&mut p.heap, &names, Term::NIL))
}

/// The reference (a JIT build) has no interpreter loop to measure and returns 0.
fn interpreter_size0(_p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(Term::small(0))
}

/// `erts_debug:disassemble/1` of a function `{M, F, A}` (its first instruction) or of an
/// instruction address from a previous answer: `{NextAddress, Text, {M, F, A}}` for that
/// instruction of our code, or `false` for anything else. (The reference, a JIT build,
/// answers `false` to everything.)
fn disassemble1(p: &mut Process, a: &[Term]) -> BifResult {
    let what = a[0];
    let op_size = std::mem::size_of::<crate::ops::Op>();
    let (module, index) = if is_tuple(what) && tuple_arity(what) == 3 {
        let e = tuple_elements(what);
        let (Some(m), Some(f), Some(ar)) = (e[0].as_atom(), e[1].as_atom(), e[2].as_small()) else {
            return Ok(Term::FALSE);
        };
        let Ok(ar) = u32::try_from(ar) else {
            return Ok(Term::FALSE);
        };
        let Some(module) = crate::code::get_module(m) else {
            return Ok(Term::FALSE);
        };
        let Some(start) = module.find_function(f, ar).map(|fi| fi.start) else {
            return Ok(Term::FALSE);
        };
        (module, start)
    } else if let Some(addr) = term_to_i64(what).and_then(|v| usize::try_from(v).ok()) {
        let Some(module) = crate::code::module_of_addr(addr as *const crate::ops::Op) else {
            return Ok(Term::FALSE);
        };
        let base = module.code.as_ptr() as usize;
        if !(addr - base).is_multiple_of(op_size) {
            return Ok(Term::FALSE);
        }
        let index = (addr - base) / op_size;
        (module, index)
    } else {
        return Ok(Term::FALSE);
    };
    let Some(fi) = module.function_at(index) else {
        return Ok(Term::FALSE);
    };
    let addr = module.addr_of(index) as usize;
    let text = format!("{addr:016X}: {:?}\n", module.code[index]);
    let bin = make_binary(&mut p.heap, text.as_bytes());
    let next = make_u64(&mut p.heap, (addr + op_size) as u64);
    let mfa = make_tuple(
        &mut p.heap,
        &[
            Term::atom(module.name),
            Term::atom(fi.name),
            Term::small(fi.arity as i64),
        ],
    );
    Ok(make_tuple(&mut p.heap, &[next, bin, mfa]))
}

/// `erts_debug:breakpoint({M, F, A}, Bool)`: sets or clears debug breakpoints on the
/// matching functions of loaded modules (`'_'` matches any module, then any function,
/// then any arity, in that order) and returns how many matched. A call of a function
/// with a debug breakpoint becomes a call of `ErrorHandler:breakpoint(M, F, Args)`
/// (see `trace::bp`).
fn breakpoint2(p: &mut Process, a: &[Term]) -> BifResult {
    let on = match a[1] {
        Term::TRUE => true,
        Term::FALSE => false,
        _ => return Err(BADARG),
    };
    let spec = a[0];
    if !is_tuple(spec) || tuple_arity(spec) != 3 {
        return Err(BADARG);
    }
    let e = tuple_elements(spec);
    let wild = Term::atom(Atom::from_str("_"));
    let m = if e[0] == wild {
        None
    } else {
        Some(e[0].as_atom().ok_or(BADARG)?)
    };
    let f = if e[1] == wild {
        None
    } else {
        Some(e[1].as_atom().ok_or(BADARG)?)
    };
    // An arity: '_' or any integer (a negative one matches nothing).
    let arity = if e[2] == wild {
        None
    } else if let Some(n) = e[2].as_small() {
        Some(u32::try_from(n).ok())
    } else {
        return Err(BADARG);
    };
    // A wildcard must be followed by wildcards only.
    if (m.is_none() && (f.is_some() || arity.is_some())) || (f.is_none() && arity.is_some()) {
        return Err(BADARG);
    }
    let matched = match arity {
        Some(None) => 0,
        Some(Some(n)) => crate::trace::bp::set_debug(m, f, Some(n), on),
        None => crate::trace::bp::set_debug(m, f, None, on),
    };
    crate::trace::bp::refresh_mode(p);
    Ok(Term::small(matched as i64))
}

// ---------------------------------------------------------------- internal state

/// Whether `erts_debug:set_internal_state(available_internal_state, true)` was called:
/// until then the internal state BIFs are `undef`, as in the reference.
static AVAILABLE: AtomicBool = AtomicBool::new(false);

/// The loop limits some BIFs of the reference obey (this VM has none; it keeps the
/// values so that setting and reading them back agrees). -1: the default.
static BINARY_LOOP_LIMIT: AtomicI64 = AtomicI64::new(-1);
static RE_LOOP_LIMIT: AtomicI64 = AtomicI64::new(-1);
static UNICODE_LOOP_LIMIT: AtomicI64 = AtomicI64::new(-1);

/// Processes that turned `gc_state` off.
static GC_OFF: parking_lot::Mutex<std::collections::BTreeSet<u64>> =
    parking_lot::Mutex::new(std::collections::BTreeSet::new());

fn undef() -> Fault {
    Fault::Error(Term::atom(am::UNDEF))
}

fn is_atom(t: Term, name: &str) -> bool {
    t.as_atom().is_some_and(|a| a.name() == name)
}

/// What `erts_debug:get_internal_state({process_status, Pid})` says of another process.
fn process_status(p: &Process, pid: Term) -> Term {
    use crate::process::Status;
    if pid == p.pid {
        return atom("running");
    }
    let id = pid.pid_value();
    let Some(slot) = crate::sched::slot(id) else {
        return Term::atom(am::UNDEFINED);
    };
    if crate::sched::is_suspended(id) {
        return atom("suspended");
    }
    let status = *slot.status.lock();
    atom(match status {
        Status::Runnable => "runnable",
        Status::Running => "running",
        Status::Suspended => "suspended",
        Status::Exiting => "exiting",
        Status::Exited => return Term::atom(am::UNDEFINED),
        Status::Waiting => "waiting",
    })
}

/// `{binary_info, Bin}`: `heap_binary`, or for an off-heap binary (or a sub-binary of
/// one) `{refc_binary, Size, {binary, Size}, Flags}`.
fn binary_info(p: &mut Process, bin: Term) -> Result<Term, Fault> {
    let Some(v) = bit_view(bin) else {
        return Err(BADARG);
    };
    if !v.bit_size.is_multiple_of(8) {
        return Err(BADARG);
    }
    let real = if boxed_subtag(bin) == Some(SUBTAG_SUB_BIN) {
        word(bin, 3)
    } else {
        bin
    };
    if boxed_subtag(real) != Some(SUBTAG_REFC_BIN) {
        return Ok(atom("heap_binary"));
    }
    let size = make_u64(&mut p.heap, word(real, 1).0);
    // SAFETY: word 2 of a live refc-binary handle is its BinData.
    let data: &BinData = unsafe { &*(word(real, 2).0 as *const BinData) };
    let orig = data.bytes.len() as u64;
    let orig = make_u64(&mut p.heap, orig);
    let inner = make_tuple(&mut p.heap, &[atom("binary"), orig]);
    Ok(make_tuple(
        &mut p.heap,
        &[atom("refc_binary"), size, inner, Term::small(0)],
    ))
}

/// The items of `process_info/2`, in the order of the reference's table of them.
const PROCESS_INFO_ARGS: &[&str] = &[
    "registered_name",
    "current_function",
    "initial_call",
    "status",
    "messages",
    "message_queue_len",
    "links",
    "monitors",
    "monitored_by",
    "dictionary",
    "trap_exit",
    "error_handler",
    "heap_size",
    "stack_size",
    "memory",
    "garbage_collection",
    "group_leader",
    "reductions",
    "priority",
    "trace",
    "binary",
    "sequential_trace_token",
    "catchlevel",
    "backtrace",
    "last_calls",
    "total_heap_size",
    "suspending",
    "min_heap_size",
    "min_bin_vheap_size",
    "max_heap_size",
    "current_location",
    "current_stacktrace",
    "message_queue_data",
    "garbage_collection_info",
    "magic_ref",
    "fullsweep_after",
    "parent",
];

/// The smallest value `erlang:unique_integer/0,1` gives.
const MIN_UNIQUE_INTEGER: i64 = -(1 << 59);

fn get_internal_state1(p: &mut Process, a: &[Term]) -> BifResult {
    if !AVAILABLE.load(Ordering::Acquire) {
        return Err(undef());
    }
    let what = a[0];
    if let Some(name) = what.as_atom() {
        return Ok(match name.name() {
            "available_internal_state" => Term::TRUE,
            "reds_left" => Term::small(p.reds_remaining().max(0)),
            "force_heap_frags" => Term::FALSE,
            "process_info_args" => {
                let items: Vec<Term> = PROCESS_INFO_ARGS.iter().map(|n| atom(n)).collect();
                list_from_iter(&mut p.heap, &items, Term::NIL)
            }
            "processes" => {
                let v: Vec<Term> = crate::sched::all_pids()
                    .into_iter()
                    .map(Term::pid)
                    .collect();
                list_from_iter(&mut p.heap, &v, Term::NIL)
            }
            "memory" => {
                return Err(Fault::Trap(Trap::Apply {
                    module: Term::atom(am::ERLANG),
                    function: atom("memory"),
                    args: Term::NIL,
                }))
            }
            "min_unique_integer" | "min_unique_monotonic_integer" => {
                make_i64(&mut p.heap, MIN_UNIQUE_INTEGER)
            }
            "lc_graph" | "flxctr_memory_usage" => atom("notsup"),
            "scheduler_dump" => Term::TRUE,
            "max_atom_out_cache_index" => Term::small(2038),
            _ => return Err(BADARG),
        });
    }
    if is_tuple(what) && tuple_arity(what) == 2 {
        let (k, v) = (tuple_get(what, 0), tuple_get(what, 1));
        let Some(k) = k.as_atom() else {
            return Err(BADARG);
        };
        match k.name() {
            "process_status" if v.is_local_pid() => return Ok(process_status(p, v)),
            "binary_info" => return binary_info(p, v),
            "internal_hash" => {
                let h = crate::map::internal_hash(v, 0);
                return Ok(make_u64(&mut p.heap, h as u64));
            }
            "magic_ref" => {
                let Some(m) = crate::magic::magic_of(v) else {
                    return Ok(Term::FALSE);
                };
                let addr = make_u64(&mut p.heap, m as *const _ as u64);
                return Ok(make_tuple(
                    &mut p.heap,
                    &[addr, Term::small(1), Term::FALSE],
                ));
            }
            "link_list" | "monitor_list"
                if v.is_local_pid() && crate::sched::slot(v.pid_value()).is_none() =>
            {
                return Ok(Term::atom(am::UNDEFINED));
            }
            "link_list" | "monitor_list" | "channel_number" | "dist_ctrl" if v.is_atom() => {
                return Ok(Term::atom(am::UNDEFINED))
            }
            _ => {}
        }
    }
    Err(BADARG)
}

/// A loop limit setting: the value before, as the reference reports it (its default
/// shows as `default_shown`).
fn loop_limit(cell: &AtomicI64, default_shown: i64, v: Term) -> Result<Term, Fault> {
    // 0 also means the default.
    let new = if is_atom(v, "default") {
        -1
    } else {
        match term_to_i64(v) {
            Some(0) => -1,
            Some(n) if n > 0 => n,
            _ => return Err(BADARG),
        }
    };
    let old = cell.swap(new, Ordering::AcqRel);
    Ok(Term::small(if old < 0 { default_shown } else { old }))
}

fn set_internal_state2(p: &mut Process, a: &[Term]) -> BifResult {
    let (what, v) = (a[0], a[1]);
    if is_atom(what, "available_internal_state") && v.is_boolean() {
        let on = v == Term::TRUE;
        let before = AVAILABLE.swap(on, Ordering::AcqRel);
        if on {
            let pid = crate::print::format_term(p.pid, crate::print::Style::Write);
            crate::report::write_stderr(
                format!(
                    "=WARNING REPORT====\nProcess {pid} enabled access to the emulator \
                     internal state.\nNOTE: This is an erts internal test feature and \
                     should *only* be used by OTP test-suites.\n\n"
                )
                .as_bytes(),
            );
        }
        return Ok(Term::boolean(before));
    }
    if !AVAILABLE.load(Ordering::Acquire) {
        return Err(undef());
    }
    let Some(name) = what.as_atom() else {
        return Err(BADARG);
    };
    match name.name() {
        "reds_left" => {
            let n = v.as_small().ok_or(BADARG)?;
            if (0..=crate::process::CONTEXT_REDS).contains(&n) {
                // A process checking its calls keeps its budget in the bank.
                if p.trace_calls {
                    p.reds_bank = n - p.reds_left;
                } else {
                    p.reds_left = n;
                }
            }
            Ok(Term::TRUE)
        }
        "sleep" | "block" | "block_scheduler" => {
            let ms = v.as_small().ok_or(BADARG)?;
            if ms > 0 {
                std::thread::sleep(std::time::Duration::from_millis(ms as u64));
            }
            Ok(Term::TRUE)
        }
        "force_gc" => {
            if v.is_local_pid() && crate::sched::slot(v.pid_value()).is_some() {
                return Err(Fault::Trap(Trap::GarbageCollect(Term::TRUE)));
            }
            Ok(Term::FALSE)
        }
        "gc_state" => {
            if !v.is_boolean() {
                return Err(BADARG);
            }
            // Collection is not actually turned off here; the setting (per process)
            // reads back as set.
            let mut off = GC_OFF.lock();
            let was_on = if v == Term::TRUE {
                !off.remove(&p.id)
            } else {
                off.insert(p.id)
            };
            Ok(Term::boolean(was_on))
        }
        "binary_loop_limit" => loop_limit(&BINARY_LOOP_LIMIT, 0, v),
        "re_loop_limit" => loop_limit(&RE_LOOP_LIMIT, 40_000, v),
        "unicode_loop_limit" => loop_limit(&UNICODE_LOOP_LIMIT, 40_000, v),
        "test_long_gc_sleep" => {
            term_to_i64(v).filter(|&n| n >= 0).ok_or(BADARG)?;
            Ok(Term::TRUE)
        }
        "wait" => match v.as_atom().map(|a| a.name()) {
            Some("deallocations" | "timer_cancellations" | "aux_work" | "thread_progress") => {
                Ok(Term::atom(am::OK))
            }
            _ => Err(BADARG),
        },
        "fill_heap" => Ok(Term::atom(am::OK)),
        "kill_dist_connection" => Ok(Term::FALSE),
        _ => Err(BADARG),
    }
}

// ---------------------------------------------------------------- lock counting

/// Lock counting is compiled out of the reference's default build: the control BIFs
/// are `badarg`, collecting and clearing answer `error`.
fn lcnt_control1(_p: &mut Process, _a: &[Term]) -> BifResult {
    Err(BADARG)
}

fn lcnt_control2(_p: &mut Process, _a: &[Term]) -> BifResult {
    Err(BADARG)
}

fn lcnt_error(_p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(Term::atom(am::ERROR))
}

pub fn register() {
    let list: &[(&str, u32, BifFn)] = &[
        ("flat_size", 1, flat_size1),
        ("size_shared", 1, size_shared1),
        ("copy_shared", 1, copy_shared1),
        ("copy_shared", 2, copy_shared2),
        ("same", 2, same),
        ("display", 1, display1),
        ("map_info", 1, map_info),
        ("instructions", 0, instructions0),
        ("interpreter_size", 0, interpreter_size0),
        ("disassemble", 1, disassemble1),
        ("breakpoint", 2, breakpoint2),
        ("get_internal_state", 1, get_internal_state1),
        ("set_internal_state", 2, set_internal_state2),
        ("lcnt_control", 1, lcnt_control1),
        ("lcnt_control", 2, lcnt_control2),
        ("lcnt_collect", 0, lcnt_error),
        ("lcnt_clear", 0, lcnt_error),
    ];
    for &(f, n, fun) in list {
        reg("erts_debug", f, n, fun);
    }
}
