//! Hash-trie maps (HAMT), the reference's representation of maps over 32 keys.
//!
//! The trie has the reference's exact shape, because programs observe it: iteration
//! order is a depth-first walk of the trie, and `erlang:display/1` prints its nodes.
//! Level `L` indexes a node's 16 slots by nibble `L % 8` of the key's hash for depth
//! `L / 8` (see [`super::hash::map_hash`]). A subtree holding one key is just that key's
//! leaf; a subtree with more keys is a node, even when all its keys share the next nibble
//! (then the node has a single child). That canonical shape is what the reference's
//! builders, insertion and deletion all produce, so it is independent of how the map was
//! made.
//!
//! Layout (every word after the header is a term, so the collector traces it as is):
//!
//! | object | words after the `HASHMAP` header                                       |
//! |--------|------------------------------------------------------------------------|
//! | head   | `small(bitmap \| HEAD_FLAG)`, `small(size)`, one child per set bit      |
//! | node   | `small(bitmap)`, one child per set bit                                   |
//!
//! A child is a leaf, the cons cell `[Key | Value]` as in the reference, or a node.
//! Children are stored in slot order (lowest set bit first).

use super::hash::map_hash;
use crate::compare::eq_exact;
use crate::object::*;
use oxbeam_term::header::*;
use oxbeam_term::Term;

/// Marks the first word of the root node.
const HEAD_FLAG: i64 = 1 << 16;

/// Whether `t` is a hash-trie map (its root node).
#[inline]
pub fn is_hashmap(t: Term) -> bool {
    t.is_boxed() && header_subtag(header(t)) == SUBTAG_HASHMAP
}

/// A view of one trie node (the root or an inner node).
#[derive(Clone, Copy)]
pub struct Node {
    t: Term,
    pub bitmap: u32,
    /// The number of keys in the map, for the root only.
    pub size: Option<usize>,
    first: usize,
    len: usize,
}

impl Node {
    #[inline]
    pub fn of(t: Term) -> Node {
        let arity = header_arity(header(t));
        let w1 = word(t, 1).small_value();
        let bitmap = (w1 & 0xffff) as u32;
        if w1 & HEAD_FLAG != 0 {
            let size = word(t, 2).small_value() as usize;
            Node {
                t,
                bitmap,
                size: Some(size),
                first: 3,
                len: arity - 2,
            }
        } else {
            Node {
                t,
                bitmap,
                size: None,
                first: 2,
                len: arity - 1,
            }
        }
    }
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    #[inline]
    pub fn child(&self, i: usize) -> Term {
        word(self.t, self.first + i)
    }
    pub fn children(&self) -> impl Iterator<Item = Term> + '_ {
        (0..self.len).map(move |i| self.child(i))
    }
    /// The position among the children of the slot for `nibble`, if occupied.
    #[inline]
    fn position(&self, nibble: u32) -> Option<usize> {
        let bit = 1u32 << nibble;
        if self.bitmap & bit == 0 {
            None
        } else {
            Some((self.bitmap & (bit - 1)).count_ones() as usize)
        }
    }
}

/// Allocates a node (`size` given for the root).
fn alloc_node<A: Alloc + ?Sized>(
    a: &mut A,
    size: Option<usize>,
    bitmap: u32,
    children: &[Term],
) -> Term {
    debug_assert_eq!(bitmap.count_ones() as usize, children.len());
    let mut buf = [Term::NIL; 18];
    let mut n = 0;
    match size {
        Some(s) => {
            buf[0] = Term::small(bitmap as i64 | HEAD_FLAG);
            buf[1] = Term::small(s as i64);
            n = 2;
        }
        None => {
            buf[0] = Term::small(bitmap as i64);
            n += 1;
        }
    }
    buf[n..n + children.len()].copy_from_slice(children);
    n += children.len();
    // Built as a tuple of the right size, then retagged before anyone can see it: this
    // keeps all raw word writes inside object.rs.
    let t = make_tuple(a, &buf[..n]);
    set_word(t, 0, make_header(SUBTAG_HASHMAP, n));
    t
}

/// A copy of `node` with its children edited by `edit` (which gets the children in
/// order and the bitmap) and the root's size changed by `grow`.
fn rebuild<A: Alloc + ?Sized>(
    a: &mut A,
    node: Node,
    grow: isize,
    edit: impl FnOnce(&mut Kids, &mut u32),
) -> Term {
    let mut kids = Kids {
        buf: [Term::NIL; 16],
        len: node.len(),
    };
    for (i, c) in node.children().enumerate() {
        kids.buf[i] = c;
    }
    let mut bitmap = node.bitmap;
    edit(&mut kids, &mut bitmap);
    let size = node.size.map(|s| (s as isize + grow) as usize);
    alloc_node(a, size, bitmap, &kids.buf[..kids.len])
}

/// A node's children while it is being copied (at most 16, so no heap allocation).
struct Kids {
    buf: [Term; 16],
    len: usize,
}

impl Kids {
    fn insert(&mut self, pos: usize, t: Term) {
        self.buf.copy_within(pos..self.len, pos + 1);
        self.buf[pos] = t;
        self.len += 1;
    }
    fn remove(&mut self, pos: usize) {
        self.buf.copy_within(pos + 1..self.len, pos);
        self.len -= 1;
    }
    fn set(&mut self, pos: usize, t: Term) {
        self.buf[pos] = t;
    }
}

/// A key's hash nibbles, level by level, rehashing with the next salt every 8 levels.
struct Hx {
    key: Term,
    depth: u32,
    h: u32,
}

impl Hx {
    fn new(key: Term) -> Hx {
        Hx {
            key,
            depth: 0,
            h: map_hash(key, 0),
        }
    }
    #[inline]
    fn nibble(&mut self, lvl: u32) -> u32 {
        let d = lvl / 8;
        if d != self.depth {
            self.depth = d;
            self.h = map_hash(self.key, d);
        }
        (self.h >> (4 * (lvl % 8))) & 0xf
    }
}

/// Beyond this many levels two keys have had 1000+ bits of equal hashes: the reference
/// would loop forever; refuse instead.
const MAX_LEVEL: u32 = 256;

// ------------------------------------------------------------------ lookup

pub fn get(map: Term, key: Term) -> Option<Term> {
    let mut hx = Hx::new(key);
    let mut node = Node::of(map);
    let mut lvl = 0;
    loop {
        let child = node.child(node.position(hx.nibble(lvl))?);
        if child.is_list() {
            return if eq_exact(head(child), key) {
                Some(tail(child))
            } else {
                None
            };
        }
        node = Node::of(child);
        lvl += 1;
    }
}

pub fn size(map: Term) -> usize {
    Node::of(map).size.unwrap_or(0)
}

// ------------------------------------------------------------------ building

struct Entry {
    leaf: Term,
    /// The key's hash for the depth being built.
    h: u32,
}

/// The hash with its nibbles reversed, so that sorting by it groups keys by the nibble
/// of level 0, then 1, and so on: the trie's depth-first order.
#[inline]
fn swizzle(h: u32) -> u32 {
    let mut r = 0;
    for i in 0..8 {
        r |= ((h >> (4 * i)) & 0xf) << (28 - 4 * i);
    }
    r
}

/// Builds the trie of `pairs`, whose keys must be unique (at least two of them).
pub fn build<A: Alloc + ?Sized>(a: &mut A, pairs: &[(Term, Term)]) -> Term {
    let mut entries: Vec<Entry> = pairs
        .iter()
        .map(|&(k, v)| Entry {
            leaf: cons(a, k, v),
            h: map_hash(k, 0),
        })
        .collect();
    entries.sort_unstable_by_key(|e| swizzle(e.h));
    let (bitmap, kids) = build_children(a, &mut entries, 0);
    alloc_node(a, Some(pairs.len()), bitmap, &kids)
}

/// The children of a node at level `lvl` holding `entries` (sorted by their swizzled
/// hash for the current depth).
fn build_children<A: Alloc + ?Sized>(
    a: &mut A,
    entries: &mut [Entry],
    lvl: u32,
) -> (u32, Vec<Term>) {
    let shift = 4 * (lvl % 8);
    let mut bitmap = 0;
    let mut kids = Vec::new();
    let mut i = 0;
    while i < entries.len() {
        let nib = (entries[i].h >> shift) & 0xf;
        let mut j = i + 1;
        while j < entries.len() && (entries[j].h >> shift) & 0xf == nib {
            j += 1;
        }
        bitmap |= 1 << nib;
        kids.push(if j - i == 1 {
            entries[i].leaf
        } else {
            build_node(a, &mut entries[i..j], lvl + 1)
        });
        i = j;
    }
    (bitmap, kids)
}

fn build_node<A: Alloc + ?Sized>(a: &mut A, entries: &mut [Entry], lvl: u32) -> Term {
    assert!(lvl < MAX_LEVEL, "map keys with inseparable hashes");
    if lvl.is_multiple_of(8) {
        // 32 bits of hash are used up: continue with the next salted hash.
        for e in entries.iter_mut() {
            e.h = map_hash(head(e.leaf), lvl / 8);
        }
        entries.sort_unstable_by_key(|e| swizzle(e.h));
    }
    let (bitmap, kids) = build_children(a, entries, lvl);
    alloc_node(a, None, bitmap, &kids)
}

/// The smallest subtree at level `lvl` holding two leaves with different keys.
fn two_leaves<A: Alloc + ?Sized>(
    a: &mut A,
    l1: Term,
    h1: &mut Hx,
    l2: Term,
    h2: &mut Hx,
    lvl: u32,
) -> Term {
    assert!(lvl < MAX_LEVEL, "map keys with inseparable hashes");
    let (n1, n2) = (h1.nibble(lvl), h2.nibble(lvl));
    if n1 == n2 {
        let inner = two_leaves(a, l1, h1, l2, h2, lvl + 1);
        alloc_node(a, None, 1 << n1, &[inner])
    } else {
        let kids = if n1 < n2 { [l1, l2] } else { [l2, l1] };
        alloc_node(a, None, (1 << n1) | (1 << n2), &kids)
    }
}

// ------------------------------------------------------------------ insertion

/// `map` with `key => value` inserted or replaced.
pub fn put<A: Alloc + ?Sized>(a: &mut A, map: Term, key: Term, value: Term) -> Term {
    put_rec(a, Node::of(map), &mut Hx::new(key), key, value, 0, false)
        .expect("put always succeeds")
        .0
}

/// `map` with the value of existing `key` replaced, or `None` if the key is absent.
pub fn update<A: Alloc + ?Sized>(a: &mut A, map: Term, key: Term, value: Term) -> Option<Term> {
    put_rec(a, Node::of(map), &mut Hx::new(key), key, value, 0, true).map(|r| r.0)
}

/// Returns the new node and whether a key was added; `None` when `only_update` and the
/// key is missing.
fn put_rec<A: Alloc + ?Sized>(
    a: &mut A,
    node: Node,
    hx: &mut Hx,
    key: Term,
    value: Term,
    lvl: u32,
    only_update: bool,
) -> Option<(Term, bool)> {
    let nib = hx.nibble(lvl);
    let bit = 1u32 << nib;
    let Some(pos) = node.position(nib) else {
        if only_update {
            return None;
        }
        let leaf = cons(a, key, value);
        let pos = (node.bitmap & (bit - 1)).count_ones() as usize;
        let t = rebuild(a, node, 1, |kids, bm| {
            kids.insert(pos, leaf);
            *bm |= bit;
        });
        return Some((t, true));
    };
    let child = node.child(pos);
    let (new_child, added) = if child.is_list() {
        if eq_exact(head(child), key) {
            (cons(a, key, value), false)
        } else if only_update {
            return None;
        } else {
            let leaf = cons(a, key, value);
            let mut other = Hx::new(head(child));
            (two_leaves(a, child, &mut other, leaf, hx, lvl + 1), true)
        }
    } else {
        put_rec(a, Node::of(child), hx, key, value, lvl + 1, only_update)?
    };
    let t = rebuild(a, node, added as isize, |kids, _| kids.set(pos, new_child));
    Some((t, added))
}

// ------------------------------------------------------------------ deletion

/// What became of a subtree after a deletion in it.
enum Removed {
    NotFound,
    /// The subtree is empty.
    Gone,
    /// The subtree shrank to one leaf, which moves up (canonical shape).
    Leaf(Term),
    Node(Term),
}

/// `map` without `key` (still a trie; the caller turns small results into flatmaps), or
/// `None` if the key is absent.
pub fn remove<A: Alloc + ?Sized>(a: &mut A, map: Term, key: Term) -> Option<Term> {
    match remove_rec(a, Node::of(map), &mut Hx::new(key), key, 0) {
        Removed::NotFound => None,
        Removed::Node(t) => Some(t),
        // The root is never collapsed: it always holds more than 32 keys here.
        Removed::Gone | Removed::Leaf(_) => unreachable!("root collapsed"),
    }
}

fn remove_rec<A: Alloc + ?Sized>(
    a: &mut A,
    node: Node,
    hx: &mut Hx,
    key: Term,
    lvl: u32,
) -> Removed {
    let nib = hx.nibble(lvl);
    let Some(pos) = node.position(nib) else {
        return Removed::NotFound;
    };
    let child = node.child(pos);
    let res = if child.is_list() {
        if !eq_exact(head(child), key) {
            return Removed::NotFound;
        }
        Removed::Gone
    } else {
        match remove_rec(a, Node::of(child), hx, key, lvl + 1) {
            Removed::NotFound => return Removed::NotFound,
            r => r,
        }
    };
    let is_root = node.size.is_some();
    let bit = 1u32 << nib;
    match res {
        Removed::Gone if !is_root && node.len() == 1 => Removed::Gone,
        Removed::Gone if !is_root && node.len() == 2 && node.child(1 - pos).is_list() => {
            Removed::Leaf(node.child(1 - pos))
        }
        Removed::Gone => Removed::Node(rebuild(a, node, -1, |kids, bm| {
            kids.remove(pos);
            *bm &= !bit;
        })),
        Removed::Leaf(l) if !is_root && node.len() == 1 => Removed::Leaf(l),
        Removed::Leaf(t) | Removed::Node(t) => {
            Removed::Node(rebuild(a, node, -1, |kids, _| kids.set(pos, t)))
        }
        Removed::NotFound => unreachable!(),
    }
}

// ------------------------------------------------------------------ iteration

/// Calls `f` with every leaf (`[K | V]` cons) in depth-first order: the order of
/// `maps:next/1`, `maps:fold/3` and printing. `maps:to_list/1`, `keys/1` and `values/1`
/// give the reverse, as the reference builds those lists by consing during this walk.
pub fn for_each_leaf(map: Term, mut f: impl FnMut(Term)) {
    let mut stack: Vec<(Node, usize)> = vec![(Node::of(map), 0)];
    while let Some(top) = stack.last_mut() {
        let (node, i) = *top;
        if i == node.len() {
            stack.pop();
            continue;
        }
        top.1 += 1;
        let c = node.child(i);
        if c.is_list() {
            f(c);
        } else {
            stack.push((Node::of(c), 0));
        }
    }
}

/// One step of the reference's resumable iteration (`erts_internal:map_next/3`).
///
/// `path` names the next leaf: 4 bits per level, root level lowest, each the position of
/// the child to enter (positions past the path are 0). Returns up to `max` pairs in
/// depth-first order from there and the path of the leaf after them (`None` at the end),
/// or `Err` for a path that does not fit the map.
#[allow(clippy::type_complexity)]
pub fn iter_chunk(
    map: Term,
    mut path: u128,
    max: usize,
) -> Result<(Vec<(Term, Term)>, Option<u128>), super::BadPath> {
    // The reference always hands out at least one pair.
    let max = max.max(1);
    let mut out = Vec::with_capacity(max.min(64));
    // (node, next position to visit); a trie is at most a dozen or so levels deep.
    let mut stack: smallvec::SmallVec<[(Node, usize); 16]> = smallvec::SmallVec::new();
    let mut node = Node::of(map);
    loop {
        let i = (path & 0xf) as usize;
        path >>= 4;
        if i >= node.len() {
            return Err(super::BadPath);
        }
        stack.push((node, i + 1));
        let c = node.child(i);
        if c.is_list() {
            out.push((head(c), tail(c)));
            break;
        }
        node = Node::of(c);
    }
    while out.len() < max {
        let Some(top) = stack.last_mut() else { break };
        let (n, i) = *top;
        if i == n.len() {
            stack.pop();
            continue;
        }
        top.1 += 1;
        let c = n.child(i);
        if c.is_list() {
            out.push((head(c), tail(c)));
        } else {
            stack.push((Node::of(c), 0));
        }
    }
    // Drop exhausted levels; what remains points at the next leaf (descending through
    // position 0 below the last level, which a path leaves implicit).
    while let Some(&(n, i)) = stack.last() {
        if i < n.len() {
            break;
        }
        stack.pop();
    }
    if stack.is_empty() {
        return Ok((out, None));
    }
    let mut next = 0u128;
    let depth = stack.len();
    for (lvl, &(_, i)) in stack.iter().enumerate() {
        // Upper levels record the child being walked (next - 1); the deepest records the
        // next child itself.
        let elem = if lvl + 1 == depth { i } else { i - 1 };
        next |= (elem as u128) << (4 * lvl);
    }
    Ok((out, Some(next)))
}

// ------------------------------------------------------------------ printing

/// Writes the trie the way the reference's `erlang:display/1` does: the root as
/// `#<bitmap>{...}`, inner nodes as `<bitmap>{...}` (bitmaps in lowercase hex) and leaves
/// as the cons cells they are, written by `write_term`.
pub fn write_structure(out: &mut String, map: Term, write_term: &mut dyn FnMut(&mut String, Term)) {
    let node = Node::of(map);
    if node.size.is_some() {
        out.push('#');
    }
    out.push_str(&format!("<{:x}>{{", node.bitmap));
    for (i, c) in node.children().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if c.is_list() {
            write_term(out, c);
        } else {
            write_structure(out, c, write_term);
        }
    }
    out.push('}');
}
