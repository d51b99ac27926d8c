//! Term order and equality, as the reference defines them:
//! number < atom < reference < fun < port < pid < tuple < map < nil < list < bitstring.
//! `==` compares numbers by value (1 == 1.0); `=:=` also requires the same type.

use crate::object::*;
use num_bigint::BigInt;
use num_traits::{FromPrimitive, ToPrimitive};
use oxbeam_term::header::*;
use oxbeam_term::Term;
use std::cmp::Ordering;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    Number,
    Atom,
    Ref,
    Fun,
    Port,
    Pid,
    Tuple,
    Map,
    Nil,
    List,
    Bits,
}

fn kind(t: Term) -> Kind {
    if t.is_small() {
        Kind::Number
    } else if t.is_atom() {
        Kind::Atom
    } else if t.is_nil() {
        Kind::Nil
    } else if t.is_list() {
        Kind::List
    } else if t.is_local_pid() {
        Kind::Pid
    } else if t.is_local_port() {
        Kind::Port
    } else if t.is_boxed() {
        match header_subtag(header(t)) {
            SUBTAG_TUPLE => Kind::Tuple,
            SUBTAG_POS_BIG | SUBTAG_NEG_BIG | SUBTAG_FLOAT => Kind::Number,
            SUBTAG_REF | SUBTAG_EXT_REF => Kind::Ref,
            SUBTAG_FUN | SUBTAG_EXPORT => Kind::Fun,
            SUBTAG_EXT_PORT => Kind::Port,
            SUBTAG_EXT_PID => Kind::Pid,
            SUBTAG_MAP | SUBTAG_HASHMAP => Kind::Map,
            _ => Kind::Bits,
        }
    } else {
        Kind::Nil
    }
}

/// Exact equality (`=:=`).
#[inline]
pub fn eq_exact(a: Term, b: Term) -> bool {
    if a == b {
        return true;
    }
    if a.is_immed() || b.is_immed() {
        return false;
    }
    if let Some(same) = shallow_tuple_eq(a, b) {
        return same;
    }
    equal_nested(a, b, true)
}

/// Exact equality of two tuples decided from their headers and element words alone
/// (records whose fields are atoms and small integers: most map keys of compiler-like
/// code), without a call; `None` when some element pair needs the general walk. Both
/// terms are boxed or lists.
#[inline(always)]
fn shallow_tuple_eq(a: Term, b: Term) -> Option<bool> {
    if !a.is_boxed() {
        return None;
    }
    let ha = header(a);
    if header_subtag(ha) != SUBTAG_TUPLE {
        return None;
    }
    if !b.is_boxed() || ha != header(b) {
        return Some(false);
    }
    let mut nested = false;
    for (&x, &y) in tuple_elements(a).iter().zip(tuple_elements(b)) {
        if x != y {
            if x.is_immed() || y.is_immed() {
                return Some(false);
            }
            nested = true;
        }
    }
    (!nested).then_some(true)
}

/// Arithmetic equality (`==`).
#[inline]
pub fn eq(a: Term, b: Term) -> bool {
    if a == b {
        return true;
    }
    if a.is_small() && b.is_small() {
        return false;
    }
    equal_nested(a, b, false)
}

/// Equality of two terms, without ordering them: lists and tuples (records, the keys
/// and values compiler-like code compares most) are walked word by word and rejected
/// at the first different tuple header, which costs less than finding out which of
/// the two sorts first. Other kinds take the general comparison.
fn equal_nested(a: Term, b: Term, exact: bool) -> bool {
    let mut work = WorkStack::new();
    let (mut a, mut b) = (a, b);
    'pairs: loop {
        if a != b {
            let (ia, ib) = (a.is_immed(), b.is_immed());
            if (ia && ib) || (exact && (ia || ib)) {
                // Different immediates are never equal, nor is an immediate exactly
                // equal to anything boxed.
                return false;
            }
            if a.is_list() && b.is_list() {
                // Identical heads are skipped in place; at the first other pair the
                // tails wait on the stack (see `compare_one`).
                let (mut x, mut y) = (a, b);
                loop {
                    let (hx, hy) = (head(x), head(y));
                    let (tx, ty) = (tail(x), tail(y));
                    if hx != hy {
                        work.push((tx, ty));
                        (a, b) = (hx, hy);
                        continue 'pairs;
                    }
                    if !(tx.is_list() && ty.is_list()) {
                        (a, b) = (tx, ty);
                        continue 'pairs;
                    }
                    (x, y) = (tx, ty);
                }
            }
            if is_tuple(a) {
                // A tuple equals only a tuple with the same header (the same arity).
                if !b.is_boxed() || header(a) != header(b) {
                    return false;
                }
                let (ea, eb) = (tuple_elements(a), tuple_elements(b));
                for i in (0..ea.len()).rev() {
                    if ea[i] != eb[i] {
                        work.push((ea[i], eb[i]));
                    }
                }
            } else if compare(a, b, exact) != Ordering::Equal {
                return false;
            }
        }
        match work.pop() {
            Some((x, y)) => (a, b) = (x, y),
            None => return true,
        }
    }
}

/// Pairs of terms still to compare, last pushed on top. An explicit stack keeps deep
/// lists and tuples from overflowing the Rust stack; its first pairs live inline, because
/// most comparisons (keys, small tuples, short lists) never need more and a heap
/// allocation per comparison showed up in profiles of compiler code. The inline part is
/// left uninitialised until used (filling it cost 15% of `compare` in compiler code).
pub struct WorkStack {
    pairs: smallvec::SmallVec<[(Term, Term); WorkStack::INLINE]>,
}

impl WorkStack {
    const INLINE: usize = 16;

    pub fn new() -> WorkStack {
        WorkStack {
            pairs: smallvec::SmallVec::new(),
        }
    }

    #[inline]
    pub fn push(&mut self, pair: (Term, Term)) {
        self.pairs.push(pair);
    }

    #[inline]
    pub fn pop(&mut self) -> Option<(Term, Term)> {
        self.pairs.pop()
    }
}

impl Default for WorkStack {
    fn default() -> Self {
        WorkStack::new()
    }
}

/// Term order. With `exact` (map key order, `=:=`), integers sort before all floats;
/// otherwise numbers compare by value and 1 == 1.0.
pub fn compare(a: Term, b: Term, exact: bool) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    if a.is_small() && b.is_small() {
        return a.small_value().cmp(&b.small_value());
    }
    if a.is_atom() && b.is_atom() {
        return a.atom_value().cmp_names(b.atom_value());
    }
    compare_nested(a, b, exact)
}

/// Orders two tuples whose differing elements are small integers or atoms (records
/// such as the compiler's `#b_var{}` used as map keys and set members) without the
/// general walk; `None` when some element pair needs it. Both orders agree here: term
/// order and map key order only differ between integers and floats.
#[inline]
pub fn shallow_tuple_cmp(a: Term, b: Term) -> Option<Ordering> {
    if !(is_tuple(a) && is_tuple(b)) {
        return None;
    }
    let (ea, eb) = (tuple_elements(a), tuple_elements(b));
    if ea.len() != eb.len() {
        return Some(ea.len().cmp(&eb.len()));
    }
    for (&x, &y) in ea.iter().zip(eb) {
        if x == y {
            continue;
        }
        if x.is_small() && y.is_small() {
            return Some(x.small_value().cmp(&y.small_value()));
        }
        if x.is_atom() && y.is_atom() {
            return Some(x.atom_value().cmp_names(y.atom_value()));
        }
        return None;
    }
    Some(Ordering::Equal)
}

fn compare_nested(a: Term, b: Term, exact: bool) -> Ordering {
    if let Some(o) = shallow_tuple_cmp(a, b) {
        return o;
    }
    let mut work = WorkStack::new();
    let mut a = a;
    let mut b = b;
    loop {
        let o = compare_one(a, b, exact, &mut work);
        if o != Ordering::Equal {
            return o;
        }
        match work.pop() {
            Some((x, y)) => {
                a = x;
                b = y;
            }
            None => return Ordering::Equal,
        }
    }
}

/// Compares the outer layer of `a` and `b`; pushes pairs of children still to compare
/// (in reverse order, so they pop in order).
fn compare_one(a: Term, b: Term, exact: bool, work: &mut WorkStack) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    if a.is_small() && b.is_small() {
        return a.small_value().cmp(&b.small_value());
    }
    let (ka, kb) = (kind(a), kind(b));
    if ka != kb {
        return ka.cmp(&kb);
    }
    match ka {
        Kind::Number => compare_numbers(a, b, exact),
        Kind::Atom => a.atom_value().cmp_names(b.atom_value()),
        Kind::Nil => Ordering::Equal,
        Kind::Pid | Kind::Port => {
            if a.is_immed() && b.is_immed() {
                a.0.cmp(&b.0)
            } else if ka == Kind::Pid {
                // Serial, then number, then the node (name, creation).
                let (x, y) = (pid_key(a), pid_key(b));
                x.0.cmp(&y.0).then_with(|| cmp_nodes(x.1, y.1))
            } else {
                // The node first, then the number.
                let (x, y) = (port_key(a), port_key(b));
                cmp_nodes(x.0, y.0).then(x.1.cmp(&y.1))
            }
        }
        Kind::Ref => {
            if !is_ext_ref(a) && !is_ext_ref(b) {
                return ref_id(a).cmp(&ref_id(b));
            }
            let (x, y) = (ref_key(a), ref_key(b));
            cmp_nodes(x.0, y.0).then_with(|| cmp_ref_ids(&x.1, &y.1))
        }
        Kind::Tuple => {
            let (ea, eb) = (tuple_elements(a), tuple_elements(b));
            if ea.len() != eb.len() {
                return ea.len().cmp(&eb.len());
            }
            for i in (0..ea.len()).rev() {
                work.push((ea[i], eb[i]));
            }
            Ordering::Equal
        }
        Kind::List => {
            // Identical heads (characters of a string, the same atom) are skipped in
            // place; at the first other pair, the tails go under the heads so that the
            // stack stays as deep as the nesting, not as long as the list.
            let (mut x, mut y) = (a, b);
            loop {
                if head(x) != head(y) {
                    work.push((tail(x), tail(y)));
                    work.push((head(x), head(y)));
                    return Ordering::Equal;
                }
                x = tail(x);
                y = tail(y);
                if !(x.is_list() && y.is_list()) {
                    work.push((x, y));
                    return Ordering::Equal;
                }
            }
        }
        Kind::Bits => {
            let (va, vb) = (bit_view(a).unwrap(), bit_view(b).unwrap());
            // Byte-aligned data is compared in place (most binaries: a copy here made
            // loops that test a sub-binary against `<<>>` quadratic); otherwise copied.
            fn aligned<'a>(v: &crate::object::BitView<'a>) -> std::borrow::Cow<'a, [u8]> {
                if v.bit_offset.is_multiple_of(8) {
                    let s = v.bit_offset / 8;
                    std::borrow::Cow::Borrowed(&v.data[s..s + v.byte_size()])
                } else {
                    std::borrow::Cow::Owned(v.to_vec())
                }
            }
            let (ba, bb) = (aligned(&va), aligned(&vb));
            let common = va.bit_size.min(vb.bit_size);
            let full = common / 8;
            match ba[..full].cmp(&bb[..full]) {
                Ordering::Equal => {}
                o => return o,
            }
            let rem = common % 8;
            if rem > 0 {
                let mask = 0xffu8 << (8 - rem);
                match (ba[full] & mask).cmp(&(bb[full] & mask)) {
                    Ordering::Equal => {}
                    o => return o,
                }
            }
            va.bit_size.cmp(&vb.bit_size)
        }
        Kind::Map => crate::map::compare_maps(a, b, exact, work),
        Kind::Fun => compare_funs(a, b, work),
    }
}

/// A node as identifiers compare it: its name, then its creation. This node is
/// `nonode@nohost` with creation 0.
type NodeKey = (oxbeam_term::Atom, u32);

fn this_node() -> NodeKey {
    (crate::node::name(), crate::node::creation())
}

fn cmp_nodes(a: NodeKey, b: NodeKey) -> Ordering {
    if a.0 == b.0 {
        a.1.cmp(&b.1)
    } else {
        a.0.cmp_names(b.0).then(a.1.cmp(&b.1))
    }
}

/// A pid's `((serial, number), node)`.
fn pid_key(t: Term) -> ((u64, u64), NodeKey) {
    if t.is_local_pid() {
        let v = t.pid_value();
        ((v >> 15, v & 0x7fff), this_node())
    } else {
        let (number, serial) = ext_pid_parts(t);
        (
            (serial as u64, number as u64),
            (ext_node(t), ext_creation(t)),
        )
    }
}

/// A port's `(node, number)`.
fn port_key(t: Term) -> (NodeKey, u64) {
    if t.is_local_port() {
        (this_node(), t.port_value())
    } else {
        ((ext_node(t), ext_creation(t)), ext_port_id(t))
    }
}

/// A reference's `(node, id words)`, least significant word first.
fn ref_key(t: Term) -> (NodeKey, Vec<u32>) {
    if is_ext_ref(t) {
        ((ext_node(t), ext_creation(t)), ext_ref_ids(t))
    } else {
        let id = ref_id(t);
        (this_node(), vec![id as u32, (id >> 32) as u32, 0])
    }
}

/// Reference ids compare from the most significant word; extra words of the longer
/// one count only if not zero.
fn cmp_ref_ids(a: &[u32], b: &[u32]) -> Ordering {
    let n = a.len().min(b.len());
    if a[n..].iter().any(|&w| w != 0) {
        return Ordering::Greater;
    }
    if b[n..].iter().any(|&w| w != 0) {
        return Ordering::Less;
    }
    for i in (0..n).rev() {
        match a[i].cmp(&b[i]) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    Ordering::Equal
}

fn compare_funs(a: Term, b: Term, work: &mut WorkStack) -> Ordering {
    let (ea, eb) = (is_export(a), is_export(b));
    if ea != eb {
        // Local funs sort before external funs in the reference.
        return ea.cmp(&eb);
    }
    if ea {
        let (x, y) = (crate::fun::export_of(a), crate::fun::export_of(b));
        return x
            .module
            .name()
            .cmp(y.module.name())
            .then(x.function.name().cmp(y.function.name()))
            .then(x.arity.cmp(&y.arity));
    }
    let (x, y) = (crate::fun::entry_of(a), crate::fun::entry_of(b));
    let o = x
        .module
        .name()
        .cmp(y.module.name())
        .then(x.index.cmp(&y.index))
        .then(x.old_uniq.cmp(&y.old_uniq));
    if o != Ordering::Equal {
        return o;
    }
    let (va, vb) = (crate::fun::env(a), crate::fun::env(b));
    if va.len() != vb.len() {
        return va.len().cmp(&vb.len());
    }
    for i in (0..va.len()).rev() {
        work.push((va[i], vb[i]));
    }
    Ordering::Equal
}

/// A number as the reference compares it.
pub enum Num {
    Int(i64),
    Big(BigInt),
    Float(f64),
}

/// A small integer or a float as `f64`, without the bignum case (which needs `number`).
#[inline(always)]
pub fn small_or_float(t: Term) -> Option<f64> {
    if t.is_small() {
        Some(t.small_value() as f64)
    } else if is_float(t) {
        Some(float_value(t))
    } else {
        None
    }
}

pub fn number(t: Term) -> Option<Num> {
    if t.is_small() {
        Some(Num::Int(t.small_value()))
    } else if is_float(t) {
        Some(Num::Float(float_value(t)))
    } else if is_big(t) {
        Some(Num::Big(big_to_bigint(t)))
    } else {
        None
    }
}

fn compare_numbers(a: Term, b: Term, exact: bool) -> Ordering {
    let (na, nb) = (number(a).unwrap(), number(b).unwrap());
    match (&na, &nb) {
        (Num::Int(x), Num::Int(y)) => x.cmp(y),
        (Num::Float(x), Num::Float(y)) => x.partial_cmp(y).unwrap_or(Ordering::Equal),
        (Num::Big(x), Num::Big(y)) => x.cmp(y),
        (Num::Int(x), Num::Big(y)) => BigInt::from(*x).cmp(y),
        (Num::Big(x), Num::Int(y)) => x.cmp(&BigInt::from(*y)),
        // In exact order (map keys, `=:=`) every integer sorts before every float.
        (Num::Float(_), _) if exact => Ordering::Greater,
        (_, Num::Float(_)) if exact => Ordering::Less,
        (Num::Float(f), _) => cmp_float_int(*f, &nb),
        (_, Num::Float(f)) => cmp_float_int(*f, &na).reverse(),
    }
}

/// Compares a float with an integer exactly.
fn cmp_float_int(f: f64, i: &Num) -> Ordering {
    let bi = match i {
        Num::Int(x) => {
            // Fast exact path when the integer converts to f64 without rounding.
            if x.unsigned_abs() < (1u64 << 53) {
                return f.partial_cmp(&(*x as f64)).unwrap_or(Ordering::Equal);
            }
            BigInt::from(*x)
        }
        Num::Big(b) => b.clone(),
        Num::Float(_) => unreachable!(),
    };
    let t = f.trunc();
    let ti = BigInt::from_f64(t).unwrap_or_default();
    match ti.cmp(&bi) {
        Ordering::Equal => {
            let frac = f - t;
            frac.partial_cmp(&0.0).unwrap_or(Ordering::Equal)
        }
        o => o,
    }
}

/// The value of a number term as f64 (for mixed arithmetic).
pub fn to_f64(t: Term) -> Option<f64> {
    if let Some(f) = small_or_float(t) {
        return Some(f);
    }
    match number(t)? {
        Num::Int(i) => Some(i as f64),
        Num::Float(f) => Some(f),
        Num::Big(b) => b.to_f64(),
    }
}
