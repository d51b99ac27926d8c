//! Checking and compiling match specifications.
//!
//! The checks, their order and their messages follow the reference's compiler (so that
//! `erlang:match_spec_test/3` lists the same errors): a clause's errors are collected
//! (compilation goes on after an error, an erroneous expression counting as
//! non-constant) and compilation stops after the first clause that had any; a few
//! errors (in the list structure, map keys in heads, missing bodies) stop at once.

use super::run::{Bif, Clause, HOp, Op, Operand};
use super::{Arena, CompileError, Flavor, MatchSpec};
use crate::object::*;
use crate::ops::TypeTest;
use crate::print::{format_term_prefix, Style};
use oxbeam_term::{Atom, Term};
use std::collections::HashMap;

/// The reference formats messages into a 100-byte buffer.
const MAX_MSG: usize = 99;

// The reference refuses expressions nested deeper than its C stack allows ("Excessive
// nesting"). Its limit depends on the kind of nesting; these costs reproduce the
// depths it accepts through `erlang:match_spec_test/3` (3191 nested lists, calls or
// operators, 2279 tuple constructions, 1484 maps).
const DEPTH_LIMIT: u32 = 3_191_500;
const COST_LIST: u32 = 1000;
const COST_CALL: u32 = 1000;
const COST_TUPLE: u32 = 1400;
const COST_FLATMAP: u32 = 2150;
const COST_HASHMAP: u32 = 1500;

/// Variables numbered this high or more make the reference renumber all variables
/// (its first table of variables has this size).
const COMPACT_AT: u32 = 25;

pub(super) fn compile(
    ms: Term,
    flavor: Flavor,
    depth_base: u32,
) -> Result<MatchSpec, CompileError> {
    compile_opts(ms, flavor, false, depth_base)
}

/// The depth `ets:select/2` and friends start compiling at in the reference: two list
/// levels deeper than `ets:match_spec_compile/1` (3189 nested lists pass, not 3190).
pub(super) const SELECT_DEPTH_BASE: u32 = 2 * COST_LIST;

/// Compiles for `erlang:match_spec_test/3`: `set_tcw` and `set_seq_token` only
/// pretend (the reference's "fake destructive" mode).
pub(crate) fn compile_for_test(ms: Term, flavor: Flavor) -> Result<MatchSpec, CompileError> {
    compile_opts(ms, flavor, true, 0)
}

/// The variable number of `'$N'`, as the reference parses it (no leading zeros; the
/// number wraps like a C `int` and only non-negative results count).
pub(super) fn var_num(t: Term) -> Option<u32> {
    let a = t.as_atom()?;
    let b = a.name().as_bytes();
    if b.len() < 2 || b[0] != b'$' {
        return None;
    }
    if b[1] == b'0' {
        return (b.len() == 2).then_some(0);
    }
    let mut n: i32 = 0;
    for &c in &b[1..] {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n.wrapping_mul(10).wrapping_add((c - b'0') as i32);
    }
    (n >= 0).then_some(n as u32)
}

fn atom(name: &str) -> Term {
    Term::atom(Atom::from_str(name))
}

fn is_underscore(t: Term) -> bool {
    t.as_atom().is_some_and(|a| a.name() == "_")
}

/// `'_'` or a variable: a head that matches anything.
pub(super) fn is_wildcard(t: Term) -> bool {
    is_underscore(t) || var_num(t).is_some()
}

/// Whether `t` contains a variable, `'_'` or a map (a key that cannot be looked up).
pub(super) fn has_variable_or_map(t: Term) -> bool {
    let mut stack = vec![t];
    while let Some(t) = stack.pop() {
        if t.is_list() {
            stack.push(head(t));
            stack.push(tail(t));
        } else if is_tuple(t) {
            stack.extend_from_slice(tuple_elements(t));
        } else if is_map(t) || (t.is_atom() && is_wildcard(t)) {
            return true;
        }
    }
    false
}

/// A term in a message (only its start can show: messages are cut at 99 bytes).
fn msg_term(t: Term) -> String {
    format_term_prefix(t, Style::Display, 2 * MAX_MSG)
}

fn single_error(s: &str) -> CompileError {
    CompileError {
        errors: vec![truncate(s)],
        system_limit: false,
    }
}

fn truncate(s: &str) -> Vec<u8> {
    let mut b = s.as_bytes().to_vec();
    b.truncate(MAX_MSG);
    b
}

/// One clause's source terms.
#[derive(Clone, Copy)]
struct Src {
    head: Term,
    guards: Term,
    body: Term,
}

/// The list structure checks, done for every clause before compiling any. The trace
/// flavor's list heads become tuples (built in `tmp`).
fn split(ms: Term, flavor: Flavor, tmp: &mut Arena) -> Result<Vec<Src>, CompileError> {
    if !ms.is_list() {
        return Err(single_error("Match programs are not in a list."));
    }
    let mut l = ms;
    while l.is_list() {
        l = tail(l);
    }
    if !l.is_nil() {
        return Err(single_error("Match programs are not in a proper list."));
    }
    let mut out = Vec::new();
    let mut l = ms;
    while l.is_list() {
        let c = head(l);
        l = tail(l);
        if !(is_tuple(c) && tuple_arity(c) == 3) {
            return Err(single_error(
                "Match program part is not a tuple of arity 3.",
            ));
        }
        let e = tuple_elements(c);
        let mut h = e[0];
        if flavor == Flavor::Trace && (h.is_list() || h.is_nil()) {
            let mut items = Vec::new();
            let mut x = h;
            while x.is_list() {
                items.push(head(x));
                x = tail(x);
            }
            if !x.is_nil() {
                return Err(single_error(&format!(
                    "Match expression part {} is not a proper list.",
                    msg_term(h)
                )));
            }
            h = make_tuple(tmp, &items);
        }
        out.push(Src {
            head: h,
            guards: e[1],
            body: e[2],
        });
    }
    Ok(out)
}

fn compile_opts(
    ms: Term,
    flavor: Flavor,
    fake: bool,
    depth_base: u32,
) -> Result<MatchSpec, CompileError> {
    let mut tmp = Arena::default();
    let mut srcs = split(ms, flavor, &mut tmp)?;
    let mut var_trans: Option<Vec<u32>> = None;
    loop {
        let mut c = Compiler {
            flavor,
            fake,
            compacted: var_trans.is_some(),
            var_trans: var_trans.as_deref(),
            errors: Vec::new(),
            system_limit: false,
            storage: Arena::default(),
            slots: HashMap::new(),
            bound: Vec::new(),
            in_guard: false,
            depth_base,
        };
        let r = c.run(&srcs);
        match r {
            Run::Restart => {
                drop(c);
                let (renamed, trans) = compact(&srcs, &mut tmp);
                srcs = renamed;
                var_trans = Some(trans);
            }
            Run::Failed => {
                return Err(CompileError {
                    errors: c.errors,
                    system_limit: c.system_limit,
                })
            }
            Run::Done(clauses) => {
                let nslots = c.slots.len();
                let mut storage = c.storage;
                let heads = srcs
                    .iter()
                    .map(|s| super::copy_deep(&mut storage, s.head))
                    .collect();
                let bodies = srcs
                    .iter()
                    .map(|s| super::copy_deep(&mut storage, s.body))
                    .collect();
                return Ok(MatchSpec {
                    flavor,
                    clauses: clauses.into_boxed_slice(),
                    nslots,
                    heads,
                    bodies,
                    storage,
                });
            }
        }
    }
}

// ---------------------------------------------------------------- renumbering

fn collect_vars(t: Term, set: &mut Vec<u32>) {
    let mut stack = vec![t];
    while let Some(t) = stack.pop() {
        if t.is_list() {
            stack.push(head(t));
            stack.push(tail(t));
        } else if is_tuple(t) {
            stack.extend_from_slice(tuple_elements(t));
        } else if is_map(t) {
            for (k, v) in crate::map::iter_pairs(t) {
                stack.push(k);
                stack.push(v);
            }
        } else if let Some(n) = var_num(t) {
            set.push(n);
        }
    }
}

/// A copy of `t` (in `a`) with its variables renamed. As in the reference, the copy is
/// edited in place (so map keys keep their places even where the new names sort
/// differently).
fn rename(t: Term, map: &HashMap<u32, Term>, a: &mut Arena) -> Term {
    let new = |x: Term| var_num(x).map(|n| map[&n]);
    if let Some(r) = new(t) {
        return r;
    }
    let t = super::copy_deep(a, t);
    let mut stack = vec![t];
    while let Some(x) = stack.pop() {
        if x.is_list() {
            let mut cell = x;
            loop {
                let car = head(cell);
                match new(car) {
                    Some(r) => set_word(cell, 0, r),
                    None if !car.is_immed() => stack.push(car),
                    None => {}
                }
                let cdr = tail(cell);
                if cdr.is_list() {
                    cell = cdr;
                    continue;
                }
                match new(cdr) {
                    Some(r) => set_word(cell, 1, r),
                    None if !cdr.is_immed() => stack.push(cdr),
                    None => {}
                }
                break;
            }
        } else if x.is_boxed() {
            let (s, e) = oxbeam_term::header::term_words(header(x));
            for i in s..e {
                let w = word(x, i);
                match new(w) {
                    Some(r) => set_word(x, i, r),
                    None if !w.is_immed() => stack.push(w),
                    None => {}
                }
            }
        }
    }
    t
}

/// Renumbers the variables of every clause to `'$0'`, `'$1'`... in the order of their
/// numbers, as the reference does once a head uses a variable numbered 25 or more; also
/// returns the original number of each new one (for messages).
fn compact(srcs: &[Src], tmp: &mut Arena) -> (Vec<Src>, Vec<u32>) {
    let mut nums = Vec::new();
    for s in srcs {
        collect_vars(s.head, &mut nums);
        collect_vars(s.guards, &mut nums);
        collect_vars(s.body, &mut nums);
    }
    nums.sort_unstable();
    nums.dedup();
    let map: HashMap<u32, Term> = nums
        .iter()
        .enumerate()
        .map(|(i, &n)| (n, atom(&format!("${i}"))))
        .collect();
    let out = srcs
        .iter()
        .map(|s| Src {
            head: rename(s.head, &map, tmp),
            guards: rename(s.guards, &map, tmp),
            body: rename(s.body, &map, tmp),
        })
        .collect();
    (out, nums)
}

// ---------------------------------------------------------------- expressions

/// A compiled guard or body expression.
enum Node {
    /// A constant expression (its source; [`Compiler::const_value`] builds the value).
    Const(Term),
    Var(u32),
    Obj,
    Bindings(Box<[u32]>),
    Tuple(Vec<Node>),
    List(Vec<Node>, Box<Node>),
    /// Keys and values in the source map's key order.
    FlatMap(Vec<Node>, Vec<Node>),
    /// Key/value pairs in the order the reference evaluates them.
    HashMap(Vec<(Node, Node)>),
    Call(Bif, Vec<Node>),
    And(Vec<Node>),
    Or(Vec<Node>),
    AndAlso(Vec<Node>),
    OrElse(Vec<Node>),
    SelfPid,
    /// A trace-flavor special form: its instruction and arguments.
    Special(Op, Vec<Node>),
    Error,
}

impl Node {
    fn is_const(&self) -> bool {
        matches!(self, Node::Const(_))
    }
}

enum Run {
    Done(Vec<Clause>),
    Failed,
    Restart,
}

/// Why a head stopped compilation.
enum HeadStop {
    Error(&'static str),
    Restart,
}

struct Compiler<'a> {
    flavor: Flavor,
    fake: bool,
    compacted: bool,
    var_trans: Option<&'a [u32]>,
    errors: Vec<Vec<u8>>,
    system_limit: bool,
    storage: Arena,
    /// Variable number -> slot.
    slots: HashMap<u32, u32>,
    /// The variables the current clause's head binds (numbers).
    bound: Vec<u32>,
    in_guard: bool,
    /// Nesting depth the top-level expressions start at.
    depth_base: u32,
}

impl Compiler<'_> {
    fn err(&mut self, s: String) {
        self.errors.push(truncate(&s));
    }

    fn run(&mut self, srcs: &[Src]) -> Run {
        let mut clauses = Vec::with_capacity(srcs.len());
        for s in srcs {
            match self.check_head(s.head) {
                Ok(()) => {}
                Err(HeadStop::Restart) => return Run::Restart,
                Err(HeadStop::Error(m)) => {
                    self.err(m.to_string());
                    return Run::Failed;
                }
            }
            self.bound.clear();
            let head = self.head_code(s.head);
            if self.flavor == Flavor::Trace
                && !is_wildcard(s.head)
                && !matches!(head.first(), Some(HOp::Args(_)))
            {
                self.err("Match head is invalid in this context.".to_string());
                return Run::Failed;
            }
            self.in_guard = true;
            let guards = self.expr_list(s.guards);
            self.in_guard = false;
            if self.flavor == Flavor::Table && !s.body.is_list() {
                self.err("Body clause does not return anything.".to_string());
                return Run::Failed;
            }
            let body = self.expr_list(s.body);
            if !self.errors.is_empty() {
                return Run::Failed;
            }
            let mut gcode = Vec::new();
            for g in &guards {
                let mut one = Vec::new();
                self.emit(g, false, &mut one);
                match fused_test(&one) {
                    Some(op) => gcode.push(op),
                    None => {
                        gcode.extend(one);
                        gcode.push(Op::True);
                    }
                }
            }
            let mut bcode = Vec::new();
            match self.flavor {
                Flavor::Table => {
                    // Only the last expression's value is observable (table bodies have no
                    // side effects), so the others are not run.
                    if let Some(last) = body.last() {
                        self.emit(last, true, &mut bcode);
                        bcode.push(Op::Return);
                    }
                }
                Flavor::Trace => {
                    for b in &body {
                        self.emit(b, true, &mut bcode);
                        bcode.push(Op::Waste);
                    }
                }
            }
            let bcode = fuse_body(bcode);
            clauses.push(Clause {
                head: fuse_head(head).into_boxed_slice(),
                guard: gcode.into_boxed_slice(),
                body: bcode.into_boxed_slice(),
            });
        }
        Run::Done(clauses)
    }

    // ------------------------------------------------------------ heads

    /// Walks a head in the reference's order for the errors that stop compilation (map
    /// keys that are variables or `'_'`) and for the variables that make it renumber.
    fn check_head(&self, t: Term) -> Result<(), HeadStop> {
        let one = |c: Term, stack: &mut Vec<Term>| -> Result<(), HeadStop> {
            if let Some(n) = var_num(c) {
                if n >= COMPACT_AT && !self.compacted {
                    return Err(HeadStop::Restart);
                }
            } else if c.is_list() || is_tuple(c) || is_map(c) {
                stack.push(c);
            }
            Ok(())
        };
        let mut stack: Vec<Term> = Vec::new();
        let mut cur = t;
        loop {
            if is_map(cur) {
                for (k, v) in crate::map::iter_pairs(cur) {
                    if var_num(k).is_some() {
                        return Err(HeadStop::Error("Variable found in map key."));
                    }
                    if is_underscore(k) {
                        return Err(HeadStop::Error("Underscore found in map key."));
                    }
                    one(v, &mut stack)?;
                }
            } else if is_tuple(cur) {
                for &e in tuple_elements(cur) {
                    one(e, &mut stack)?;
                }
            } else if cur.is_list() {
                one(head(cur), &mut stack)?;
                cur = tail(cur);
                continue;
            } else {
                one(cur, &mut stack)?;
            }
            match stack.pop() {
                Some(n) => cur = n,
                None => return Ok(()),
            }
        }
    }

    fn slot(&mut self, n: u32) -> u32 {
        let next = self.slots.len() as u32;
        *self.slots.entry(n).or_insert(next)
    }

    /// The head program (see [`HOp`]); records the variables it binds.
    fn head_code(&mut self, h: Term) -> Vec<HOp> {
        let mut ops = Vec::new();
        let mut work = vec![h];
        let mut top = true;
        while let Some(t) = work.pop() {
            let at_top = std::mem::replace(&mut top, false);
            if let Some(n) = var_num(t) {
                let s = self.slot(n);
                if self.bound.contains(&n) {
                    ops.push(HOp::Cmp(s));
                } else {
                    self.bound.push(n);
                    ops.push(HOp::Bind(s));
                }
            } else if is_underscore(t) {
                ops.push(HOp::Skip);
            } else if at_top && self.flavor == Flavor::Trace && is_tuple(t) {
                ops.push(HOp::Args(tuple_arity(t) as u32));
                work.extend(tuple_elements(t).iter().rev());
            } else if t.is_immed() {
                ops.push(HOp::Eq(t));
            } else if plain_constant(t) {
                ops.push(HOp::EqTerm(super::copy_deep(&mut self.storage, t)));
            } else if is_tuple(t) {
                ops.push(HOp::Tuple(tuple_arity(t) as u32));
                work.extend(tuple_elements(t).iter().rev());
            } else if t.is_list() {
                ops.push(HOp::List);
                work.push(tail(t));
                work.push(head(t));
            } else if is_map(t) {
                let pairs = crate::map::sorted_pairs(t);
                let keys: Vec<Term> = pairs
                    .iter()
                    .map(|&(k, _)| super::copy_deep(&mut self.storage, k))
                    .collect();
                ops.push(HOp::MapKeys(keys.into_boxed_slice()));
                work.extend(pairs.iter().rev().map(|&(_, v)| v));
            } else if is_float(t) {
                ops.push(HOp::EqFloat(word(t, 1).0));
            } else {
                ops.push(HOp::EqTerm(super::copy_deep(&mut self.storage, t)));
            }
        }
        ops
    }

    // ------------------------------------------------------------ guards and bodies

    /// The expressions of a guard or body list.
    fn expr_list(&mut self, l: Term) -> Vec<Node> {
        let mut out = Vec::new();
        if l.is_nil() {
            return out;
        }
        if !l.is_list() {
            self.err("Match expression is not a list.".to_string());
            return out;
        }
        let mut x = l;
        while x.is_list() {
            out.push(self.expr(head(x), self.depth_base));
            x = tail(x);
        }
        if !x.is_nil() {
            self.err("Match expression is not a proper list.".to_string());
        }
        out
    }

    fn too_deep(&mut self, t: Term) -> Node {
        self.system_limit = true;
        self.err(format!(
            "Excessive nesting; system limit reached near: {}",
            msg_term(t)
        ));
        Node::Error
    }

    fn expr(&mut self, t: Term, depth: u32) -> Node {
        if depth > DEPTH_LIMIT {
            return self.too_deep(t);
        }
        if t.is_list() {
            return self.list(t, depth);
        }
        if is_map(t) {
            return self.map(t, depth);
        }
        if is_tuple(t) {
            let e = tuple_elements(t);
            if e.len() == 1 && is_tuple(e[0]) {
                return self.tuple(t, e[0], depth);
            }
            if !e.is_empty() && e[0].is_atom() && var_num(e[0]).is_none() {
                return self.fun(t, depth);
            }
            self.err(format!(
                "{} is neither a function call, nor a tuple (tuples are written {{{{ ... }}}}).",
                msg_term(t)
            ));
            return Node::Error;
        }
        if t.is_atom() {
            if let Some(n) = var_num(t) {
                return self.variable(n);
            }
            match t.atom_value().name() {
                "$_" => return Node::Obj,
                "$$" => {
                    let mut nums = self.bound.clone();
                    nums.sort_unstable();
                    let slots: Vec<u32> = nums.iter().map(|&n| self.slots[&n]).collect();
                    return Node::Bindings(slots.into_boxed_slice());
                }
                _ => {}
            }
        }
        Node::Const(t)
    }

    fn variable(&mut self, n: u32) -> Node {
        if !self.bound.contains(&n) {
            let orig = match self.var_trans {
                Some(tr) => tr.get(n as usize).copied().unwrap_or(n),
                None => n,
            };
            self.err(format!("Variable ${orig} is unbound."));
            return Node::Error;
        }
        Node::Var(self.slots[&n])
    }

    fn list(&mut self, t: Term, depth: u32) -> Node {
        let mut items = Vec::new();
        let mut all_const = true;
        let mut cell = t;
        let mut d = depth;
        let tail_node = loop {
            d = d.saturating_add(COST_LIST);
            let n = self.expr(head(cell), d);
            all_const &= n.is_const();
            items.push(n);
            let cdr = tail(cell);
            if d > DEPTH_LIMIT {
                break self.too_deep(cdr);
            }
            if cdr.is_list() {
                cell = cdr;
                continue;
            }
            break self.expr(cdr, d);
        };
        if all_const && tail_node.is_const() {
            return Node::Const(t);
        }
        Node::List(items, Box::new(tail_node))
    }

    /// Compiles elements last to first (the reference's order), returning them in order.
    fn array(&mut self, elems: &[Term], depth: u32) -> (Vec<Node>, bool) {
        let mut nodes: Vec<Node> = Vec::with_capacity(elems.len());
        let mut all_const = true;
        for &e in elems.iter().rev() {
            let n = self.expr(e, depth);
            all_const &= n.is_const();
            nodes.push(n);
        }
        nodes.reverse();
        (nodes, all_const)
    }

    fn tuple(&mut self, whole: Term, inner: Term, depth: u32) -> Node {
        let (nodes, all_const) = self.array(tuple_elements(inner), depth + COST_TUPLE);
        if all_const {
            return Node::Const(whole);
        }
        Node::Tuple(nodes)
    }

    fn map(&mut self, t: Term, depth: u32) -> Node {
        if is_flatmap(t) {
            let d = depth + COST_FLATMAP;
            let (values, cv) = self.array(flatmap_values(t), d);
            let (mut keys, ck) = self.array(flatmap_keys(t), d);
            if cv && ck {
                return Node::Const(t);
            }
            if cv {
                // The reference compiles the keys again here (repeating their errors).
                keys = self.array(flatmap_keys(t), d).0;
            }
            return Node::FlatMap(keys, values);
        }
        let d = depth + COST_HASHMAP;
        let pairs = crate::map::to_pairs(t);
        let mut all_const = true;
        for &(k, v) in &pairs {
            let ck = self.expr(k, d).is_const();
            let cv = self.expr(v, d).is_const();
            if !(ck && cv) {
                all_const = false;
                break;
            }
        }
        if all_const {
            return Node::Const(t);
        }
        let nodes = pairs
            .iter()
            .map(|&(k, v)| {
                let kn = self.expr(k, d);
                let vn = self.expr(v, d);
                (kn, vn)
            })
            .collect();
        Node::HashMap(nodes)
    }

    /// The checks of a trace-only special form; `false` when it was refused.
    fn check_trace(&mut self, name: &str, allow_in_guard: bool) -> bool {
        if self.flavor != Flavor::Trace {
            self.err(format!("Special form '{name}' used in wrong dialect."));
            return false;
        }
        if self.in_guard && !allow_in_guard {
            self.err(format!("Special form '{name}' called in guard context."));
            return false;
        }
        true
    }

    fn fun(&mut self, t: Term, depth: u32) -> Node {
        let e = tuple_elements(t);
        let arity = e.len();
        let name = e[0].atom_value().name();
        let d = depth + COST_CALL;
        let m = || msg_term(t);
        match name {
            "const" => {
                if arity != 2 {
                    self.err(format!(
                        "Special form 'const' called with more than one argument in {}.",
                        m()
                    ));
                    return Node::Error;
                }
                return Node::Const(t);
            }
            "and" | "or" => {
                if arity < 2 {
                    self.err(format!(
                        "Special form '{name}' called without arguments in {}.",
                        m()
                    ));
                    return Node::Error;
                }
                let (args, _) = self.array(&e[1..], d);
                return if name == "and" {
                    Node::And(args)
                } else {
                    Node::Or(args)
                };
            }
            "andalso" | "andthen" | "orelse" => {
                let shown = if name == "orelse" {
                    "orelse"
                } else {
                    "andalso"
                };
                if arity < 2 {
                    self.err(format!(
                        "Special form '{shown}' called without arguments in {}.",
                        m()
                    ));
                    return Node::Error;
                }
                let args: Vec<Node> = e[1..].iter().map(|&x| self.expr(x, d)).collect();
                return if shown == "andalso" {
                    Node::AndAlso(args)
                } else {
                    Node::OrElse(args)
                };
            }
            "self" => {
                if arity != 1 {
                    self.err(format!(
                        "Special form 'self' called with arguments in {}.",
                        m()
                    ));
                    return Node::Error;
                }
                return Node::SelfPid;
            }
            _ => {}
        }
        // The trace-only special forms: (name in messages, allowed in guards, arities
        // allowed, the message for other arities, instruction per arity).
        let special: Option<(&str, bool, &[usize], &str)> = match name {
            "message" => Some(("message", false, &[2], "with wrong number of arguments")),
            "return_trace" => Some(("return_trace", false, &[1], "with arguments")),
            "exception_trace" => Some(("exception_trace", false, &[1], "with arguments")),
            "is_seq_trace" => Some(("is_seq_trace", true, &[1], "with arguments")),
            "set_seq_token" => Some((
                "set_seq_trace",
                false,
                &[3],
                "with wrong number of arguments",
            )),
            "get_seq_token" => Some(("get_seq_token", false, &[1], "with arguments")),
            "display" => Some(("display", false, &[2], "with wrong number of arguments")),
            "process_dump" => Some(("process_dump", false, &[1], "with arguments")),
            "enable_trace" => Some((
                "enable_trace",
                false,
                &[2, 3],
                "with wrong number of arguments",
            )),
            "disable_trace" => Some((
                "disable_trace",
                false,
                &[2, 3],
                "with wrong number of arguments",
            )),
            "trace" => Some(("trace", false, &[3, 4], "with wrong number of arguments")),
            "caller" => Some(("caller", false, &[1], "with arguments")),
            "caller_line" => Some(("caller_line", false, &[1], "with arguments")),
            "silent" => Some(("silent", false, &[2], "with wrong number of arguments")),
            _ => None,
        };
        if let Some((shown, in_guard, arities, why)) = special {
            if !self.check_trace(shown, in_guard) {
                return Node::Error;
            }
            if !arities.contains(&arity) {
                self.err(format!("Special form '{name}' called {why} in {}.", m()));
                return Node::Error;
            }
            let op = match (name, arity) {
                ("message", _) => Op::Message,
                ("return_trace", _) => Op::ReturnTrace,
                ("exception_trace", _) => Op::ExceptionTrace,
                ("is_seq_trace", _) => Op::IsSeqTrace,
                ("set_seq_token", _) if self.fake => Op::SetSeqTokenFake,
                ("set_seq_token", _) => Op::SetSeqToken,
                ("get_seq_token", _) => Op::GetSeqToken,
                ("display", _) => Op::Display,
                ("process_dump", _) => Op::ProcessDump,
                ("enable_trace", 2) => Op::EnableTrace,
                ("enable_trace", _) => Op::EnableTrace2,
                ("disable_trace", 2) => Op::DisableTrace,
                ("disable_trace", _) => Op::DisableTrace2,
                ("trace", 3) => Op::Trace2,
                ("trace", _) => Op::Trace3,
                ("caller", _) => Op::Caller,
                ("caller_line", _) => Op::CallerLine,
                _ => Op::Silent,
            };
            let (args, _) = self.array(&e[1..], d);
            return Node::Special(op, args);
        }
        let nargs = arity - 1;
        let lookup = if name == "set_tcw" && self.fake {
            guard_bif("set_tcw_fake", nargs)
        } else {
            guard_bif(name, nargs)
        };
        let Some((bif, ctx)) = lookup else {
            self.err(format!(
                "Function {}/{nargs} does_not_exist.",
                msg_term(e[0])
            ));
            return Node::Error;
        };
        let allowed = match (self.flavor, self.in_guard) {
            (Flavor::Table, true) => ctx.table_guard,
            (Flavor::Table, false) => ctx.table_body,
            (Flavor::Trace, true) => ctx.trace_guard,
            (Flavor::Trace, false) => ctx.trace_body,
        };
        if !allowed {
            self.err(format!(
                "Function {}/{nargs} cannot be called in this context.",
                msg_term(e[0])
            ));
            return Node::Error;
        }
        let (args, _) = self.array(&e[1..], d);
        Node::Call(bif, args)
    }

    // ------------------------------------------------------------ code

    /// The value of a constant expression, built in the specification's storage:
    /// `{{...}}` becomes a tuple, `{const, X}` is `X`, lists and maps are built from
    /// their parts.
    fn const_value(&mut self, src: Term) -> Term {
        if src.is_immed() {
            return src;
        }
        if src.is_list() {
            let mut items = Vec::new();
            let mut l = src;
            while l.is_list() {
                items.push(self.const_value(head(l)));
                l = tail(l);
            }
            let tl = self.const_value(l);
            return list_from_iter(&mut self.storage, &items, tl);
        }
        if is_tuple(src) {
            let e = tuple_elements(src);
            if e.len() == 1 && is_tuple(e[0]) {
                let v: Vec<Term> = tuple_elements(e[0])
                    .iter()
                    .map(|&x| self.const_value(x))
                    .collect();
                return make_tuple(&mut self.storage, &v);
            }
            if e.len() == 2 && e[0] == atom("const") {
                return super::copy_deep(&mut self.storage, e[1]);
            }
            return super::copy_deep(&mut self.storage, src);
        }
        if is_map(src) {
            let pairs: Vec<(Term, Term)> = if is_flatmap(src) {
                crate::map::iter_pairs(src)
            } else {
                crate::map::to_pairs(src)
            };
            let built: Vec<(Term, Term)> = pairs
                .into_iter()
                .map(|(k, v)| (self.const_value(k), self.const_value(v)))
                .collect();
            return crate::map::from_pairs(&mut self.storage, &built);
        }
        super::copy_deep(&mut self.storage, src)
    }

    fn emit(&mut self, n: &Node, body: bool, out: &mut Vec<Op>) {
        match n {
            Node::Const(src) => {
                let v = self.const_value(*src);
                out.push(if body && !v.is_immed() {
                    Op::ConstOut(v)
                } else {
                    Op::Const(v)
                });
            }
            Node::Var(s) => out.push(if body { Op::VarOut(*s) } else { Op::Var(*s) }),
            Node::Obj => out.push(if body { Op::ObjOut } else { Op::Obj }),
            Node::Bindings(s) => out.push(if body {
                Op::BindingsOut(s.clone())
            } else {
                Op::Bindings(s.clone())
            }),
            Node::Tuple(items) => {
                for x in items.iter().rev() {
                    self.emit(x, body, out);
                }
                out.push(Op::Tuple(items.len() as u32));
            }
            Node::List(items, tl) => {
                for x in items {
                    self.emit(x, body, out);
                }
                self.emit(tl, body, out);
                out.push(Op::List(items.len() as u32));
            }
            Node::FlatMap(keys, values) => {
                for x in values.iter().rev() {
                    self.emit(x, body, out);
                }
                for x in keys.iter().rev() {
                    self.emit(x, body, out);
                }
                out.push(Op::FlatMap(keys.len() as u32));
            }
            Node::HashMap(pairs) => {
                for (k, v) in pairs {
                    self.emit(k, body, out);
                    self.emit(v, body, out);
                }
                out.push(Op::HashMap(pairs.len() as u32));
            }
            Node::Call(b, args) => {
                for x in args.iter().rev() {
                    self.emit(x, body, out);
                }
                out.push(match args.len() {
                    0 => Op::Call0(*b),
                    1 => Op::Call1(*b),
                    2 => Op::Call2(*b),
                    _ => Op::Call3(*b),
                });
            }
            Node::And(args) | Node::Or(args) => {
                for x in args.iter().rev() {
                    self.emit(x, body, out);
                }
                let k = args.len() as u32;
                out.push(if matches!(n, Node::And(_)) {
                    Op::And(k)
                } else {
                    Op::Or(k)
                });
            }
            Node::AndAlso(args) | Node::OrElse(args) => {
                let and = matches!(n, Node::AndAlso(_));
                let mut holes = Vec::new();
                for (i, x) in args.iter().enumerate() {
                    self.emit(x, body, out);
                    if i + 1 < args.len() {
                        holes.push(out.len());
                        out.push(Op::Jump(0));
                    }
                }
                let end = out.len();
                for h in holes {
                    let skip = (end - h - 1) as u32;
                    out[h] = if and {
                        Op::AndAlso(skip)
                    } else {
                        Op::OrElse(skip)
                    };
                }
            }
            Node::SelfPid => out.push(Op::SelfPid),
            Node::Special(op, args) => {
                for x in args.iter().rev() {
                    self.emit(x, body, out);
                }
                out.push(op.clone());
            }
            Node::Error => {}
        }
    }
}

/// Whether a head subterm can be compared as a whole with `=:=`: no variable, `'_'`,
/// map (maps match partially) or float (floats match bit for bit), and small enough
/// for the check not to cost much.
fn plain_constant(t: Term) -> bool {
    let mut stack = vec![t];
    let mut budget = 64;
    while let Some(t) = stack.pop() {
        budget -= 1;
        if budget == 0 {
            return false;
        }
        if t.is_list() {
            stack.push(head(t));
            stack.push(tail(t));
        } else if is_tuple(t) {
            stack.extend_from_slice(tuple_elements(t));
        } else if is_map(t) || is_float(t) || (t.is_atom() && is_wildcard(t)) {
            return false;
        }
    }
    true
}

/// Matches tuples of leaves in place (see [`HOp::TupleFlat`]). In the preorder code,
/// a tuple's elements directly follow it when they are all leaves.
fn fuse_head(ops: Vec<HOp>) -> Vec<HOp> {
    let mut out = Vec::with_capacity(ops.len());
    let mut i = 0;
    while i < ops.len() {
        if let HOp::Tuple(n) = ops[i] {
            let n = n as usize;
            if i + n < ops.len() && ops[i + 1..=i + n].iter().all(HOp::is_leaf) {
                out.push(HOp::TupleFlat(
                    ops[i + 1..=i + n].to_vec().into_boxed_slice(),
                ));
                i += n + 1;
                continue;
            }
        }
        out.push(ops[i].clone());
        i += 1;
    }
    out
}

fn operand(op: &Op) -> Option<Operand> {
    match *op {
        Op::Var(i) => Some(Operand::Var(i)),
        Op::Const(c) => Some(Operand::Const(c)),
        _ => None,
    }
}

/// A whole guard test of the shape `{Cmp, A, B}` or `{is_Type, '$N'}` (operands
/// variables or constants) as one instruction. (Only whole tests: fusing inside an
/// `andalso` would move its jump targets.)
fn fused_test(code: &[Op]) -> Option<Op> {
    match code {
        [y, x, Op::Call2(b)]
            if matches!(
                b,
                Bif::Gt
                    | Bif::Ge
                    | Bif::Lt
                    | Bif::Le
                    | Bif::Eq
                    | Bif::Ne
                    | Bif::EqExact
                    | Bif::NeExact
            ) =>
        {
            Some(Op::GuardCmp(*b, operand(x)?, operand(y)?))
        }
        [Op::Var(v), Op::Call1(Bif::Type(t))] => Some(Op::GuardType(*t, *v)),
        _ => None,
    }
}

/// A table body that is just a variable returns its binding directly.
fn fuse_body(code: Vec<Op>) -> Vec<Op> {
    if let [Op::VarOut(v), Op::Return] = code[..] {
        return vec![Op::ReturnVar(v)];
    }
    code
}

/// Where a guard function may be called.
#[derive(Clone, Copy)]
struct Ctx {
    table_guard: bool,
    table_body: bool,
    trace_guard: bool,
    trace_body: bool,
}

const ALL: Ctx = Ctx {
    table_guard: true,
    table_body: true,
    trace_guard: true,
    trace_body: true,
};

/// The guard functions the reference accepts (OTP 25), by name and arity.
fn guard_bif(name: &str, arity: usize) -> Option<(Bif, Ctx)> {
    use Bif::*;
    let b = match (name, arity) {
        ("is_atom", 1) => Type(TypeTest::Atom),
        ("is_float", 1) => Type(TypeTest::Float),
        ("is_integer", 1) => Type(TypeTest::Integer),
        ("is_list", 1) => Type(TypeTest::List),
        ("is_number", 1) => Type(TypeTest::Number),
        ("is_pid", 1) => Type(TypeTest::Pid),
        ("is_port", 1) => Type(TypeTest::Port),
        ("is_reference", 1) => Type(TypeTest::Reference),
        ("is_tuple", 1) => Type(TypeTest::Tuple),
        ("is_map", 1) => Type(TypeTest::Map),
        ("is_binary", 1) => Type(TypeTest::Binary),
        ("is_function", 1) => Type(TypeTest::Function),
        ("is_record", 3) => IsRecord,
        ("abs", 1) => Abs,
        ("element", 2) => Element,
        ("hd", 1) => Hd,
        ("tl", 1) => Tl,
        ("length", 1) => Length,
        ("node", 0) => Node0,
        ("node", 1) => Node1,
        ("round", 1) => Round,
        ("size", 1) => Size,
        ("map_size", 1) => MapSize,
        ("map_get", 2) => MapGet,
        ("is_map_key", 2) => IsMapKey,
        ("bit_size", 1) => BitSize,
        ("byte_size", 1) => ByteSize,
        ("binary_part", 2) => BinaryPart2,
        ("binary_part", 3) => BinaryPart3,
        ("trunc", 1) => Trunc,
        ("float", 1) => Float,
        ("+", 1) => Pos,
        ("-", 1) => Neg,
        ("+", 2) => Add,
        ("-", 2) => Sub,
        ("*", 2) => Mul,
        ("/", 2) => FDiv,
        ("div", 2) => Div,
        ("rem", 2) => Rem,
        ("band", 2) => Band,
        ("bor", 2) => Bor,
        ("bxor", 2) => Bxor,
        ("bnot", 1) => Bnot,
        ("bsl", 2) => Bsl,
        ("bsr", 2) => Bsr,
        (">", 2) => Gt,
        (">=", 2) => Ge,
        ("<", 2) => Lt,
        ("=<", 2) => Le,
        ("=:=", 2) => EqExact,
        ("==", 2) => Eq,
        ("=/=", 2) => NeExact,
        ("/=", 2) => Ne,
        ("not", 1) => Not,
        ("xor", 2) => Xor,
        ("get_tcw", 0) => {
            return Some((
                GetTcw,
                Ctx {
                    table_guard: false,
                    table_body: false,
                    trace_guard: true,
                    trace_body: true,
                },
            ))
        }
        ("set_tcw", 1) | ("set_tcw_fake", 1) => {
            let b = if name == "set_tcw" {
                SetTcw
            } else {
                SetTcwFake
            };
            return Some((
                b,
                Ctx {
                    table_guard: false,
                    table_body: false,
                    trace_guard: false,
                    trace_body: true,
                },
            ));
        }
        _ => return None,
    };
    Some((b, ALL))
}

// ---------------------------------------------------------------- select_replace

/// Element `keypos` (1-based) of a tuple.
fn get_key(keypos: usize, t: Term) -> Option<Term> {
    if is_tuple(t) && keypos >= 1 && tuple_arity(t) >= keypos {
        Some(tuple_get(t, keypos - 1))
    } else {
        None
    }
}

/// Whether the body term `b` always builds the same term as the head part `a`
/// matched.
fn eq_body(a: Term, b: Term, const_mode: bool) -> bool {
    if b.is_list() {
        return a.is_list()
            && eq_body(head(a), head(b), const_mode)
            && eq_body(tail(a), tail(b), const_mode);
    }
    if b.is_boxed() {
        if is_tuple(b) {
            let mut b = b;
            if !const_mode {
                let e = tuple_elements(b);
                if e.len() == 1 && is_tuple(e[0]) {
                    b = e[0];
                } else if e.len() == 2 && e[0] == atom("const") {
                    return eq_body(a, e[1], true);
                } else {
                    return false;
                }
            }
            if !is_tuple(a) || tuple_arity(a) != tuple_arity(b) {
                return false;
            }
            return tuple_elements(a)
                .iter()
                .zip(tuple_elements(b))
                .all(|(&x, &y)| eq_body(x, y, const_mode));
        }
        if is_map(b) {
            return false;
        }
        return crate::compare::eq_exact(a, b);
    }
    !(a != b
        || is_underscore(a)
        || a == atom("$$")
        || a == atom("$_")
        || (const_mode && var_num(a).is_some()))
}

/// One clause of [`MatchSpec::keeps_key`].
pub(super) fn keeps_key(keypos: usize, head_t: Term, body: Term) -> bool {
    if !body.is_list() || !tail(body).is_nil() {
        return false;
    }
    let single = head(body);
    if single == atom("$_") {
        return true;
    }
    if !is_tuple(single) {
        return false;
    }
    let Some(match_key) = get_key(keypos, head_t) else {
        return false;
    };
    let e = tuple_elements(single);
    let (sub, const_mode) = if e.len() == 2 && e[0] == atom("const") {
        (e[1], true)
    } else if e.len() == 1 {
        (e[0], false)
    } else {
        return false;
    };
    let Some(sub_key) = get_key(keypos, sub) else {
        return false;
    };
    if eq_body(match_key, sub_key, const_mode) {
        return true;
    }
    if const_mode || !is_tuple(sub_key) {
        return false;
    }
    let k = tuple_elements(sub_key);
    k.len() == 3
        && k[0] == atom("element")
        && k[2] == atom("$_")
        && k[1] == Term::small(keypos as i64)
}
