//! Term hashing and checksums: `erlang:phash/2`, `phash2/1,2`, `md5*`, `crc32*` and
//! `adler32*`.
//!
//! `phash2` is a portable hash: its values are part of the reference's observable
//! behaviour (programs persist them and use them to pick partitions), so every term kind
//! is hashed exactly as the reference does. It is built on Bob Jenkins' 96-bit `mix`
//! (lookup2): each term feeds one or two 32-bit words, offset by a per-kind constant,
//! through `mix` with the running hash as the third word. Maps hash every key/value pair
//! separately and combine the pair hashes with xor, so the result does not depend on the
//! order in which pairs are stored.
//!
//! `phash` is the older, weaker hash (multiply-and-add over bytes with large primes); it is
//! kept bit-compatible as well.

use super::reg;
use crate::bif::{BifResult, Fault, BADARG, BADARITH};
use crate::object::*;
use crate::process::Process;
use oxbeam_term::header::*;
use oxbeam_term::{Atom, Term};
use std::borrow::Cow;

// ---------------------------------------------------------------- shared pieces

/// The hash the reference keeps for each atom (the ELF/PJW string hash of its text). The
/// reference stores names as UTF-8 but still hashes `U+0080..U+00FF` as the single Latin-1
/// byte they were before atoms became Unicode, so that old hash values stay valid.
pub fn atom_hash(name: &str) -> u32 {
    let b = name.as_bytes();
    let mut h: u32 = 0;
    let mut i = 0;
    while i < b.len() {
        let mut v = b[i];
        i += 1;
        if i < b.len() && (v & 0xFE) == 0xC2 && (b[i] & 0xC0) == 0x80 {
            v = (v << 6) | (b[i] & 0x3F);
            i += 1;
        }
        h = (h << 4).wrapping_add(v as u32);
        let g = h & 0xF000_0000;
        if g != 0 {
            h ^= g >> 24;
            h ^= g;
        }
    }
    h
}

fn atom_hash_of(a: Atom) -> u32 {
    atom_hash(a.name())
}

/// What a term is, for hashing purposes.
enum Kind<'a> {
    Nil,
    Atom(Atom),
    Small(i64),
    /// Bignum: sign and magnitude limbs (little-endian u64).
    Big(bool, &'a [u64]),
    Float(f64),
    List,
    Tuple(&'a [Term]),
    Map,
    LocalFun,
    ExportFun,
    Bits,
    Pid(u64),
    Port(u64),
    Ref(u32),
    Other,
}

fn kind<'a>(t: Term) -> Kind<'a> {
    if t.is_nil() {
        return Kind::Nil;
    }
    if let Some(a) = t.as_atom() {
        return Kind::Atom(a);
    }
    if let Some(i) = t.as_small() {
        return Kind::Small(i);
    }
    if t.is_list() {
        return Kind::List;
    }
    if t.is_local_pid() {
        return Kind::Pid(t.pid_value());
    }
    if t.is_local_port() {
        return Kind::Port(t.port_value());
    }
    if !t.is_boxed() {
        return Kind::Other;
    }
    match header_subtag(header(t)) {
        SUBTAG_TUPLE => Kind::Tuple(tuple_elements(t)),
        SUBTAG_POS_BIG | SUBTAG_NEG_BIG => Kind::Big(big_is_negative(t), big_limbs(t)),
        SUBTAG_FLOAT => Kind::Float(float_value(t)),
        SUBTAG_MAP | SUBTAG_HASHMAP => Kind::Map,
        SUBTAG_FUN => Kind::LocalFun,
        SUBTAG_EXPORT => Kind::ExportFun,
        SUBTAG_HEAP_BIN | SUBTAG_REFC_BIN | SUBTAG_SUB_BIN => Kind::Bits,
        SUBTAG_REF => Kind::Ref(super::etf::ref_id_words(ref_id(t))[0]),
        // External identifiers: node atom, creation, then the number words.
        SUBTAG_EXT_PID => Kind::Pid(word(t, 3).0),
        SUBTAG_EXT_PORT => Kind::Port(word(t, 3).0),
        SUBTAG_EXT_REF => Kind::Ref(ext_ref_ids(t).first().copied().unwrap_or(0)),
        _ => Kind::Other,
    }
}

/// A bitstring's bytes, byte-aligned: `(bytes, whole_bytes, tail_bits)`, where `bytes`
/// holds the whole bytes followed, when `tail_bits > 0`, by the byte whose high bits are
/// the tail. Aligned bitstrings are borrowed, unaligned ones copied.
fn bits_of<'a>(t: Term) -> (Cow<'a, [u8]>, usize, usize) {
    let Some(v) = bit_view(t) else {
        return (Cow::Borrowed(&[]), 0, 0);
    };
    let (whole, tail) = (v.bit_size / 8, v.bit_size % 8);
    let bytes = if v.bit_offset % 8 == 0 {
        let start = v.bit_offset / 8;
        Cow::Borrowed(&v.data[start..start + v.byte_size()])
    } else {
        Cow::Owned(v.to_vec())
    };
    (bytes, whole, tail)
}

// ---------------------------------------------------------------- phash2

pub(crate) const HCONST: u32 = 0x9e37_79b9;

/// `HCONST * n`: each term kind mixes in its own multiple of the golden ratio.
pub(crate) const fn hconst(n: u32) -> u32 {
    HCONST.wrapping_mul(n)
}

/// Bob Jenkins' lookup2 mix of three 32-bit words.
#[inline]
pub(crate) fn mix(mut a: u32, mut b: u32, mut c: u32) -> (u32, u32, u32) {
    a = a.wrapping_sub(b).wrapping_sub(c) ^ (c >> 13);
    b = b.wrapping_sub(c).wrapping_sub(a) ^ (a << 8);
    c = c.wrapping_sub(a).wrapping_sub(b) ^ (b >> 13);
    a = a.wrapping_sub(b).wrapping_sub(c) ^ (c >> 12);
    b = b.wrapping_sub(c).wrapping_sub(a) ^ (a << 16);
    c = c.wrapping_sub(a).wrapping_sub(b) ^ (b >> 5);
    a = a.wrapping_sub(b).wrapping_sub(c) ^ (c >> 3);
    b = b.wrapping_sub(c).wrapping_sub(a) ^ (a << 10);
    c = c.wrapping_sub(a).wrapping_sub(b) ^ (b >> 15);
    (a, b, c)
}

/// Mixes two words, each offset by `k`, into `hash`.
#[inline]
fn mix2(hash: u32, x: u32, y: u32, k: u32) -> u32 {
    mix(k.wrapping_add(x), k.wrapping_add(y), hash).2
}

#[inline]
fn mix1(hash: u32, x: u32, k: u32) -> u32 {
    mix2(hash, x, 0, k)
}

/// lookup2's block hash of `bytes` seeded with `init` (the final round also mixes in the
/// length, truncated to 32 bits as in the reference).
pub(crate) fn block_hash(bytes: &[u8], init: u32) -> u32 {
    let le = |k: &[u8]| u32::from_le_bytes([k[0], k[1], k[2], k[3]]);
    let (mut a, mut b, mut c) = (HCONST, HCONST, init);
    let mut chunks = bytes.chunks_exact(12);
    for k in &mut chunks {
        a = a.wrapping_add(le(&k[0..4]));
        b = b.wrapping_add(le(&k[4..8]));
        c = c.wrapping_add(le(&k[8..12]));
        (a, b, c) = mix(a, b, c);
    }
    let rest = chunks.remainder();
    c = c.wrapping_add(bytes.len() as u32);
    // The last partial block fills a, then b, then the high three bytes of c (its low
    // byte is taken by the length).
    for (i, &byte) in rest.iter().enumerate() {
        let v = byte as u32;
        match i {
            0..=3 => a = a.wrapping_add(v << (8 * i)),
            4..=7 => b = b.wrapping_add(v << (8 * (i - 4))),
            _ => c = c.wrapping_add(v << (8 * (i - 7))),
        }
    }
    mix(a, b, c).2
}

/// Integers too wide for 28 bits (and all bignums) hash their magnitude as 64-bit limbs.
fn hash2_limbs(mut hash: u32, negative: bool, limbs: &[u64]) -> u32 {
    let k = if negative { hconst(10) } else { hconst(11) };
    for &l in limbs {
        hash = mix2(hash, l as u32, (l >> 32) as u32, k);
    }
    hash
}

fn hash2_small(hash: u32, i: i64) -> u32 {
    if !(-(1 << 27)..(1 << 27)).contains(&i) {
        return hash2_limbs(hash, i < 0, &[i.unsigned_abs()]);
    }
    let y = i as i32;
    let mut hash = hash;
    if y < 0 {
        // Negative numbers are mixed twice: their magnitude, then their two's complement.
        hash = mix1(hash, y.wrapping_neg() as u32, HCONST);
    }
    mix1(hash, y as u32, HCONST)
}

fn hash2_bits(hash: u32, t: Term) -> u32 {
    let seed = hconst(13).wrapping_add(hash);
    let (bytes, nbytes, tail) = bits_of(t);
    if nbytes == 0 && tail == 0 {
        return seed;
    }
    // Only the low 32 bits of the byte count are hashed (as in the reference).
    let nbytes = nbytes & 0xFFFF_FFFF;
    let mut h = block_hash(&bytes[..nbytes], seed);
    if tail > 0 {
        h = mix2(
            h,
            tail as u32,
            (bytes[nbytes] >> (8 - tail)) as u32,
            hconst(15),
        );
    }
    h
}

/// Work left on the explicit stack while hashing a term.
enum Pending {
    Term(Term),
    /// End of one key/value pair of a map: fold it into the pair accumulator.
    PairDone,
    /// End of a map: restore the hash and pair accumulator of the enclosing term.
    MapDone {
        hash: u32,
        pairs: u32,
    },
}

/// The reference's `make_hash2`, the hash behind `phash2`.
pub fn make_hash2(term: Term) -> u32 {
    let mut hash: u32 = 0;
    // xor of the hashes of the pairs of the map being hashed
    let mut pairs: u32 = 0;
    let mut stack: Vec<Pending> = Vec::new();
    let mut t = term;
    loop {
        // Hash `t`; either continue with a sub-term (`continue`) or fall through to pop
        // the next piece of work.
        match kind(t) {
            Kind::List => {
                // Runs of bytes are packed four to a word, first byte most significant.
                let (mut n, mut packed) = (0u32, 0u32);
                let mut l = t;
                let mut next = None;
                while l.is_list() {
                    let h = head(l);
                    match h.as_small() {
                        Some(b) if (0..=255).contains(&b) => {
                            packed = (packed << 8).wrapping_add(b as u32);
                            if n == 3 {
                                hash = mix1(hash, packed, hconst(4));
                                n = 0;
                                packed = 0;
                            } else {
                                n += 1;
                            }
                            l = tail(l);
                        }
                        _ => {
                            next = Some(h);
                            break;
                        }
                    }
                }
                if n > 0 {
                    hash = mix1(hash, packed, hconst(4));
                }
                match next {
                    Some(h) => {
                        stack.push(Pending::Term(tail(l)));
                        t = h;
                    }
                    // The tail (`[]` or an improper tail) is hashed as a term of its own.
                    None => t = l,
                }
                continue;
            }
            Kind::Tuple(elems) => {
                hash = mix1(hash, elems.len() as u32, hconst(9));
                if let Some((&first, rest)) = elems.split_first() {
                    stack.extend(rest.iter().rev().map(|&e| Pending::Term(e)));
                    t = first;
                    continue;
                }
            }
            Kind::Map => {
                // Pair hashes are combined with xor, so any pair order will do.
                let kvs = crate::map::iter_pairs(t);
                hash = mix1(hash, kvs.len() as u32, hconst(16));
                if !kvs.is_empty() {
                    stack.push(Pending::MapDone { hash, pairs });
                    hash = 0;
                    pairs = 0;
                    for &(k, v) in kvs.iter().rev() {
                        stack.push(Pending::PairDone);
                        stack.push(Pending::Term(v));
                        stack.push(Pending::Term(k));
                    }
                }
            }
            Kind::LocalFun => {
                let e = crate::fun::entry_of(t);
                let env = crate::fun::env(t);
                hash = mix2(hash, env.len() as u32, atom_hash_of(e.module), HCONST);
                hash = mix2(hash, e.index, e.old_uniq, HCONST);
                if let Some((&first, rest)) = env.split_first() {
                    stack.extend(rest.iter().rev().map(|&e| Pending::Term(e)));
                    t = first;
                    continue;
                }
            }
            Kind::ExportFun => {
                let e = crate::fun::export_of(t);
                hash = mix2(hash, e.arity, atom_hash_of(e.module), HCONST);
                hash = mix1(hash, atom_hash_of(e.function), hconst(14));
            }
            Kind::Bits => hash = hash2_bits(hash, t),
            Kind::Big(neg, limbs) => hash = hash2_limbs(hash, neg, limbs),
            Kind::Small(i) => hash = hash2_small(hash, i),
            Kind::Float(f) => {
                // -0.0 hashes as 0.0 (they compare equal).
                let bits = if f == 0.0 { 0 } else { f.to_bits() };
                hash = mix2(hash, (bits >> 32) as u32, bits as u32, hconst(12));
            }
            Kind::Atom(a) => {
                hash = if hash == 0 {
                    atom_hash_of(a)
                } else {
                    mix1(hash, atom_hash_of(a), hconst(3))
                };
            }
            Kind::Nil => {
                // 2 is the reference's internal type number for `[]`.
                hash = if hash == 0 {
                    3_468_870_702
                } else {
                    mix1(hash, 2, hconst(2))
                };
            }
            Kind::Pid(n) => hash = mix1(hash, n as u32, hconst(5)),
            Kind::Port(n) => hash = mix2(hash, n as u32, (n >> 32) as u32, hconst(6)),
            Kind::Ref(n) => hash = mix1(hash, n, hconst(7)),
            Kind::Other => {}
        }
        // Pop finished pieces until the next term to hash.
        loop {
            match stack.pop() {
                None => return hash,
                Some(Pending::Term(next)) => {
                    t = next;
                    break;
                }
                Some(Pending::PairDone) => {
                    pairs ^= hash;
                    hash = 0;
                }
                Some(Pending::MapDone { hash: h, pairs: p }) => {
                    hash = mix1(h, pairs, hconst(19));
                    pairs = p;
                }
            }
        }
    }
}

// ---------------------------------------------------------------- phash (legacy)

// Primes just above 2^28.
const F1: u32 = 268_440_163;
const F2: u32 = 268_439_161;
const F3: u32 = 268_435_459;
const F4: u32 = 268_436_141;
const F5: u32 = 268_438_633;
const F6: u32 = 268_437_017;
const F8: u32 = 268_437_511;
const F9: u32 = 268_439_627;
const F10: u32 = 268_440_479;
const F11: u32 = 268_440_577;
const F12: u32 = 268_440_581;
const F13: u32 = 268_440_593;
const F14: u32 = 268_440_611;

/// Feeds the four bytes of `x`, least significant first.
fn step_u32(hash: u32, x: u32, prime: u32) -> u32 {
    x.to_le_bytes()
        .iter()
        .fold(hash, |h, &b| h.wrapping_mul(prime).wrapping_add(b as u32))
}

/// Integers hash their magnitude's bytes, least significant first, in whole 32-bit words.
fn phash_magnitude(mut hash: u32, negative: bool, limbs: &[u64]) -> u32 {
    let n = limbs.len();
    for (i, &l) in limbs.iter().enumerate() {
        hash = step_u32(hash, l as u32, F2);
        if i + 1 < n || l >> 32 != 0 {
            hash = step_u32(hash, (l >> 32) as u32, F2);
        }
    }
    hash.wrapping_mul(if negative { F4 } else { F3 })
}

fn phash_bits(mut hash: u32, t: Term) -> u32 {
    let (bytes, nbytes, tail) = bits_of(t);
    for &b in &bytes[..nbytes] {
        hash = hash.wrapping_mul(F1).wrapping_add(b as u32);
    }
    if tail > 0 {
        let b = (bytes[nbytes] >> (8 - tail)) as u32;
        hash = hash
            .wrapping_mul(F1)
            .wrapping_add(b)
            .wrapping_mul(F12)
            .wrapping_add(tail as u32);
    }
    hash.wrapping_mul(F4).wrapping_add(nbytes as u32)
}

/// The reference's `make_hash`, behind `phash/2`.
pub fn make_hash(term: Term) -> u32 {
    enum Work {
        Term(Term),
        /// After a tuple's elements: fold in its arity.
        TupleEnd(u32),
        /// After a list's tail.
        ListEnd,
        /// A byte element of a list.
        Byte(u32),
    }
    let mut hash: u32 = 0;
    let mut stack = vec![Work::Term(term)];
    while let Some(w) = stack.pop() {
        let t = match w {
            Work::Term(t) => t,
            Work::TupleEnd(n) => {
                hash = hash.wrapping_mul(F9).wrapping_add(n);
                continue;
            }
            Work::ListEnd => {
                hash = hash.wrapping_mul(F8);
                continue;
            }
            Work::Byte(b) => {
                hash = hash.wrapping_mul(F2).wrapping_add(b);
                continue;
            }
        };
        match kind(t) {
            Kind::Nil => hash = hash.wrapping_mul(F3).wrapping_add(1),
            Kind::Atom(a) => hash = hash.wrapping_mul(F1).wrapping_add(atom_hash_of(a)),
            Kind::Small(i) => hash = phash_magnitude(hash, i < 0, &[i.unsigned_abs()]),
            Kind::Big(neg, limbs) => hash = phash_magnitude(hash, neg, limbs),
            Kind::Bits => hash = phash_bits(hash, t),
            Kind::LocalFun => {
                let e = crate::fun::entry_of(t);
                let env = crate::fun::env(t);
                hash = hash.wrapping_mul(F10).wrapping_add(env.len() as u32);
                hash = hash.wrapping_mul(F1).wrapping_add(atom_hash_of(e.module));
                hash = hash.wrapping_mul(F2).wrapping_add(e.index);
                hash = hash.wrapping_mul(F2).wrapping_add(e.old_uniq);
                stack.extend(env.iter().rev().map(|&e| Work::Term(e)));
            }
            Kind::ExportFun => {
                let e = crate::fun::export_of(t);
                hash = hash.wrapping_mul(F11).wrapping_add(e.arity);
                hash = hash.wrapping_mul(F1).wrapping_add(atom_hash_of(e.module));
                hash = hash.wrapping_mul(F1).wrapping_add(atom_hash_of(e.function));
            }
            Kind::Pid(n) => hash = step_u32(hash, n as u32, F5).wrapping_mul(F6),
            Kind::Port(n) => {
                if n >> 32 != 0 {
                    hash = step_u32(hash, (n >> 32) as u32, F11);
                }
                hash = step_u32(hash, n as u32, F9).wrapping_mul(F10);
            }
            Kind::Ref(n) => hash = step_u32(hash, n, F9).wrapping_mul(F10),
            Kind::Float(f) => {
                let bits = if f == 0.0 { 0 } else { f.to_bits() };
                hash = hash
                    .wrapping_mul(F6)
                    .wrapping_add((bits as u32) ^ ((bits >> 32) as u32));
            }
            Kind::List => {
                // Bytes are folded in directly, other elements are hashed as terms; the
                // tail is hashed last, then the list is closed with one multiplication.
                let mut l = t;
                let mut elems = Vec::new();
                while l.is_list() {
                    let h = head(l);
                    elems.push(match h.as_small() {
                        Some(b) if (0..=255).contains(&b) => Work::Byte(b as u32),
                        _ => Work::Term(h),
                    });
                    l = tail(l);
                }
                stack.push(Work::ListEnd);
                stack.push(Work::Term(l));
                stack.extend(elems.into_iter().rev());
            }
            Kind::Map => {
                hash = hash
                    .wrapping_mul(F13)
                    .wrapping_add(F14)
                    .wrapping_add(make_hash2(t));
            }
            Kind::Tuple(elems) => {
                stack.push(Work::TupleEnd(elems.len() as u32));
                stack.extend(elems.iter().rev().map(|&e| Work::Term(e)));
            }
            Kind::Other => {}
        }
    }
    hash
}

// ---------------------------------------------------------------- BIFs

/// A hash range argument: 1..=2^32; 2^32 is returned as 0 ("no reduction").
fn range_arg(t: Term) -> Result<u64, Fault> {
    let r = match t.as_small() {
        Some(i) => i,
        None => return Err(BADARG),
    };
    if (1..=1i64 << 32).contains(&r) {
        Ok(if r == 1 << 32 { 0 } else { r as u64 })
    } else {
        Err(BADARG)
    }
}

fn phash2_1(_p: &mut Process, a: &[Term]) -> BifResult {
    Ok(Term::small((make_hash2(a[0]) & ((1 << 27) - 1)) as i64))
}

fn phash2_2(_p: &mut Process, a: &[Term]) -> BifResult {
    let range = range_arg(a[1])?;
    let h = make_hash2(a[0]) as u64;
    Ok(Term::small(if range == 0 { h } else { h % range } as i64))
}

fn phash_2(_p: &mut Process, a: &[Term]) -> BifResult {
    let range = range_arg(a[1])?;
    let h = make_hash(a[0]);
    if range == 0 {
        // The reference computes `hash + 1` in 32 bits and fails when it wraps.
        return match h.checked_add(1) {
            Some(v) => Ok(Term::small(v as i64)),
            None => Err(BADARITH),
        };
    }
    Ok(Term::small((h as u64 % range + 1) as i64))
}

// ---- md5

/// MD5 (RFC 1321) with its state kept in the reference's 88-byte context layout: four
/// state words, the message length in bits, then the 64-byte input buffer.
#[derive(Clone)]
pub struct Md5Ctx {
    state: [u32; 4],
    bits: u64,
    buf: [u8; 64],
}

pub const MD5_CTX_SIZE: usize = 88;

const MD5_S: [u32; 64] = [
    7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9,
    14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15,
    21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
];

/// `floor(abs(sin(i + 1)) * 2^32)`, computed once.
fn md5_k() -> &'static [u32; 64] {
    static K: std::sync::OnceLock<[u32; 64]> = std::sync::OnceLock::new();
    K.get_or_init(|| {
        let mut k = [0u32; 64];
        for (i, v) in k.iter_mut().enumerate() {
            *v = ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32;
        }
        k
    })
}

impl Md5Ctx {
    pub fn new() -> Md5Ctx {
        Md5Ctx {
            state: [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476],
            bits: 0,
            buf: [0; 64],
        }
    }

    fn compress(state: &mut [u32; 4], block: &[u8]) {
        let k = md5_k();
        let mut m = [0u32; 16];
        for (i, w) in m.iter_mut().enumerate() {
            *w = u32::from_le_bytes([
                block[4 * i],
                block[4 * i + 1],
                block[4 * i + 2],
                block[4 * i + 3],
            ]);
        }
        let [mut a, mut b, mut c, mut d] = *state;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(MD5_S[i]));
        }
        for (s, v) in state.iter_mut().zip([a, b, c, d]) {
            *s = s.wrapping_add(v);
        }
    }

    pub fn update(&mut self, mut data: &[u8]) {
        let mut used = ((self.bits / 8) % 64) as usize;
        self.bits = self.bits.wrapping_add((data.len() as u64).wrapping_mul(8));
        while !data.is_empty() {
            let n = (64 - used).min(data.len());
            self.buf[used..used + n].copy_from_slice(&data[..n]);
            used += n;
            data = &data[n..];
            if used == 64 {
                let block = self.buf;
                Self::compress(&mut self.state, &block);
                used = 0;
            }
        }
    }

    pub fn finish(mut self) -> [u8; 16] {
        let bits = self.bits;
        let used = ((bits / 8) % 64) as usize;
        let pad = if used < 56 { 56 - used } else { 120 - used };
        let mut tail = vec![0u8; pad];
        tail[0] = 0x80;
        self.update(&tail);
        self.update(&bits.to_le_bytes());
        let mut out = [0u8; 16];
        for (i, s) in self.state.iter().enumerate() {
            out[4 * i..4 * i + 4].copy_from_slice(&s.to_le_bytes());
        }
        out
    }

    pub fn to_bytes(&self) -> [u8; MD5_CTX_SIZE] {
        let mut out = [0u8; MD5_CTX_SIZE];
        for (i, s) in self.state.iter().enumerate() {
            out[4 * i..4 * i + 4].copy_from_slice(&s.to_le_bytes());
        }
        out[16..24].copy_from_slice(&self.bits.to_le_bytes());
        out[24..].copy_from_slice(&self.buf);
        out
    }

    pub fn from_bytes(b: &[u8]) -> Option<Md5Ctx> {
        if b.len() != MD5_CTX_SIZE {
            return None;
        }
        let w = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let mut buf = [0u8; 64];
        buf.copy_from_slice(&b[24..]);
        Some(Md5Ctx {
            state: [w(0), w(4), w(8), w(12)],
            bits: u64::from_le_bytes(b[16..24].try_into().ok()?),
            buf,
        })
    }
}

impl Default for Md5Ctx {
    fn default() -> Self {
        Self::new()
    }
}

/// The bytes of an iodata argument: a binary, or a possibly deep list of bytes and
/// binaries whose tails are lists or binaries (a bare integer is not iodata, nor is an
/// integer in a tail).
pub fn iodata_arg(t: Term) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    // Terms still to visit, with whether each sits in an element position (where a byte
    // is allowed) or a tail position (where only lists and binaries are).
    let mut stack = vec![(t, false)];
    while let Some((t, element)) = stack.pop() {
        if t.is_nil() {
            continue;
        }
        if t.is_list() {
            stack.push((tail(t), false));
            stack.push((head(t), true));
        } else if let Some(b) = t.as_small().filter(|b| element && (0..=255).contains(b)) {
            out.push(b as u8);
        } else {
            out.extend_from_slice(&binary_bytes(t)?);
        }
    }
    Some(out)
}

fn md5_1(p: &mut Process, a: &[Term]) -> BifResult {
    let data = iodata_arg(a[0]).ok_or(BADARG)?;
    let mut c = Md5Ctx::new();
    c.update(&data);
    Ok(make_binary(&mut p.heap, &c.finish()))
}

fn md5_init(p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(make_binary(&mut p.heap, &Md5Ctx::new().to_bytes()))
}

fn md5_ctx_arg(t: Term) -> Result<Md5Ctx, Fault> {
    binary_bytes(t)
        .and_then(|b| Md5Ctx::from_bytes(&b))
        .ok_or(BADARG)
}

fn md5_update(p: &mut Process, a: &[Term]) -> BifResult {
    let mut c = md5_ctx_arg(a[0])?;
    let data = iodata_arg(a[1]).ok_or(BADARG)?;
    c.update(&data);
    Ok(make_binary(&mut p.heap, &c.to_bytes()))
}

fn md5_final(p: &mut Process, a: &[Term]) -> BifResult {
    let c = md5_ctx_arg(a[0])?;
    Ok(make_binary(&mut p.heap, &c.finish()))
}

// ---- crc32 / adler32

fn crc_table() -> &'static [u32; 256] {
    static T: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    T.get_or_init(|| {
        let mut t = [0u32; 256];
        for (n, v) in t.iter_mut().enumerate() {
            let mut c = n as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *v = c;
        }
        t
    })
}

/// CRC-32 (the zlib/IEEE polynomial), continuing from `crc`.
pub fn crc32(crc: u32, data: &[u8]) -> u32 {
    let t = crc_table();
    let mut c = !crc;
    for &b in data {
        c = t[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// Product of two polynomials modulo the CRC polynomial, in the reflected bit order CRCs
/// use (bit 31 is the x^0 coefficient).
fn gf2_mulmod(a: u32, mut b: u32) -> u32 {
    let mut p = 0u32;
    for i in 0..32 {
        if a & (0x8000_0000 >> i) != 0 {
            p ^= b;
        }
        b = if b & 1 != 0 {
            (b >> 1) ^ 0xEDB8_8320
        } else {
            b >> 1
        };
    }
    p
}

/// The CRC of `A ++ B` from the CRCs of `A` and `B` and B's length: appending `len2`
/// bytes multiplies A's remainder by x^(8*len2), and the CRC is linear.
pub fn crc32_combine(crc1: u32, crc2: u32, len2: u64) -> u32 {
    // x^(8*len2) mod P by square-and-multiply; x^1 is 0x4000_0000 in reflected order.
    let mut result = 0x8000_0000u32; // x^0
    let mut base = 0x4000_0000u32; // x^1
    let mut e = len2 as u128 * 8;
    while e != 0 {
        if e & 1 != 0 {
            result = gf2_mulmod(result, base);
        }
        base = gf2_mulmod(base, base);
        e >>= 1;
    }
    gf2_mulmod(result, crc1) ^ crc2
}

const ADLER_BASE: u32 = 65521;

pub fn adler32(adler: u32, data: &[u8]) -> u32 {
    let (mut a, mut b) = (adler & 0xFFFF, adler >> 16);
    // 5552 bytes is the most that can be summed before the u32 sums may overflow.
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += x as u32;
            b += a;
        }
        a %= ADLER_BASE;
        b %= ADLER_BASE;
    }
    // Sums given by the caller may start out of range; reduce them like zlib does.
    (b % ADLER_BASE) << 16 | (a % ADLER_BASE)
}

/// The Adler-32 of `A ++ B` from those of `A` and `B` and B's length.
pub fn adler32_combine(adler1: u32, adler2: u32, len2: u64) -> u32 {
    // Appending nothing leaves the first checksum as it is (the reference returns it
    // unchanged even when `adler2` is not the checksum of empty data).
    if len2 == 0 {
        return adler1;
    }
    let base = ADLER_BASE as u64;
    let rem = len2 % base;
    let a1 = (adler1 & 0xFFFF) as u64;
    let b1 = (adler1 >> 16) as u64;
    let a2 = (adler2 & 0xFFFF) as u64;
    let b2 = (adler2 >> 16) as u64;
    // sum_a = a1 + a2 - 1; sum_b = b1 + b2 + rem*a1 - rem (all mod BASE), kept
    // non-negative by adding multiples of BASE, then reduced like zlib does (which leaves
    // out-of-range inputs partially reduced).
    let mut sum1 = a1 + a2 + base - 1;
    let mut sum2 = (rem * a1) % base + b1 + b2 + base - rem;
    if sum1 >= base {
        sum1 -= base;
    }
    if sum1 >= base {
        sum1 -= base;
    }
    if sum2 >= base << 1 {
        sum2 -= base << 1;
    }
    if sum2 >= base {
        sum2 -= base;
    }
    (sum1 | (sum2 << 16)) as u32
}

/// A 32-bit checksum argument.
fn u32_arg(t: Term) -> Result<u32, Fault> {
    t.as_small()
        .and_then(|i| u32::try_from(i).ok())
        .ok_or(BADARG)
}

/// The length argument of the combine functions: the reference accepts 0..2^32-1.
fn len_arg(t: Term) -> Result<u64, Fault> {
    u32_arg(t).map(u64::from)
}

fn crc32_1(_p: &mut Process, a: &[Term]) -> BifResult {
    let data = iodata_arg(a[0]).ok_or(BADARG)?;
    Ok(Term::small(crc32(0, &data) as i64))
}

fn crc32_2(_p: &mut Process, a: &[Term]) -> BifResult {
    let c = u32_arg(a[0])?;
    let data = iodata_arg(a[1]).ok_or(BADARG)?;
    Ok(Term::small(crc32(c, &data) as i64))
}

fn crc32_combine_3(_p: &mut Process, a: &[Term]) -> BifResult {
    let (c1, c2, n) = (u32_arg(a[0])?, u32_arg(a[1])?, len_arg(a[2])?);
    Ok(Term::small(crc32_combine(c1, c2, n) as i64))
}

fn adler32_1(_p: &mut Process, a: &[Term]) -> BifResult {
    let data = iodata_arg(a[0]).ok_or(BADARG)?;
    Ok(Term::small(adler32(1, &data) as i64))
}

fn adler32_2(_p: &mut Process, a: &[Term]) -> BifResult {
    let c = u32_arg(a[0])?;
    let data = iodata_arg(a[1]).ok_or(BADARG)?;
    Ok(Term::small(adler32(c, &data) as i64))
}

fn adler32_combine_3(_p: &mut Process, a: &[Term]) -> BifResult {
    let (c1, c2, n) = (u32_arg(a[0])?, u32_arg(a[1])?, len_arg(a[2])?);
    Ok(Term::small(adler32_combine(c1, c2, n) as i64))
}

pub fn register() {
    reg("erlang", "phash2", 1, phash2_1);
    reg("erlang", "phash2", 2, phash2_2);
    reg("erlang", "phash", 2, phash_2);
    reg("erlang", "md5", 1, md5_1);
    reg("erlang", "md5_init", 0, md5_init);
    reg("erlang", "md5_update", 2, md5_update);
    reg("erlang", "md5_final", 1, md5_final);
    reg("erlang", "crc32", 1, crc32_1);
    reg("erlang", "crc32", 2, crc32_2);
    reg("erlang", "crc32_combine", 3, crc32_combine_3);
    reg("erlang", "adler32", 1, adler32_1);
    reg("erlang", "adler32", 2, adler32_2);
    reg("erlang", "adler32_combine", 3, adler32_combine_3);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heap::Fragment;
    use num_bigint::BigInt;

    fn phash2(t: Term) -> u32 {
        make_hash2(t) & ((1 << 27) - 1)
    }
    fn phash_full(t: Term) -> u64 {
        make_hash(t) as u64 + 1
    }
    fn atom(s: &str) -> Term {
        Term::atom(Atom::from_str(s))
    }
    fn big(f: &mut Fragment, s: &str) -> Term {
        make_integer(f, &s.parse::<BigInt>().unwrap())
    }

    // Expected values below were recorded from erl 25 (erlang:phash2/1 and
    // erlang:phash(T, 1 bsl 32)).

    #[test]
    fn atom_hash_matches_reference() {
        assert_eq!(atom_hash("a"), 97);
        assert_eq!(atom_hash("abc"), 26499);
        // Latin-1 range characters hash as their single byte.
        assert_eq!(atom_hash("\u{e4}"), 228);
        assert_eq!(atom_hash("\u{3e8}"), 3480);
        assert_eq!(atom_hash("\u{1F600}"), 1_026_304);
    }

    #[test]
    fn immediates() {
        let cases: [(Term, u32, u64); 10] = [
            (atom("a"), 97, 98),
            (atom("ok"), 1883, 1884),
            (Term::NIL, 113_427_502, 2),
            (Term::small(0), 88_723_725, 1),
            (Term::small(1), 2_614_250, 2_788_898_428),
            (Term::small(-1), 44_071_773, 1_680_185_270),
            (Term::small(134_217_727), 112_602_999, 1_192_343_453),
            (Term::small(134_217_728), 12_354_923, 2_147_483_673),
            (Term::small(-134_217_728), 69_672_967, 2_147_489_129),
            (Term::small(-134_217_729), 76_739_502, 3_827_674_398),
        ];
        for (t, h2, h) in cases {
            assert_eq!(phash2(t), h2, "{t:?}");
            assert_eq!(phash_full(t), h, "{t:?}");
        }
        assert_eq!(phash2(Term::small((1 << 59) - 1)), 27_520_264);
        assert_eq!(phash2(Term::small(-(1 << 59))), 35_173_814);
    }

    #[test]
    fn bignums_and_floats() {
        let mut f = Fragment::new(1000);
        let cases = [
            (big(&mut f, "1152921504606846976"), 31_803_508, 49),
            (
                big(&mut f, "18446744073709551616"),
                103_122_609,
                2_788_898_428,
            ),
            (big(&mut f, "18446744073709551615"), 53_435_350, 966_800_009),
            (
                big(&mut f, "-1267650600228229401496703205376"),
                124_857_544,
                1_113_160_529,
            ),
            (make_float(&mut f, 1.0), 77_147_068, 1_072_693_249),
            (make_float(&mut f, 0.0), 20_875_736, 1),
            (make_float(&mut f, -0.0), 20_875_736, 1),
            (make_float(&mut f, 3.25), 119_729_543, 1_074_397_185),
            (make_float(&mut f, -2.5e300), 47_169_220, 1_414_352_457),
        ];
        for (t, h2, h) in cases {
            assert_eq!(phash2(t), h2);
            assert_eq!(phash_full(t), h);
        }
    }

    #[test]
    fn lists_and_tuples() {
        let mut f = Fragment::new(1000);
        let (a, b) = (atom("a"), atom("b"));
        let l_a = list_from_iter(&mut f, &[a], Term::NIL);
        let abc = bytes_to_list(&mut f, b"abc", Term::NIL);
        let abcd = bytes_to_list(&mut f, b"abcd", Term::NIL);
        let abcde = bytes_to_list(&mut f, b"abcde", Term::NIL);
        let improper = list_from_iter(&mut f, &[Term::small(1), Term::small(2)], Term::small(3));
        let a_b = cons(&mut f, a, b);
        let t0 = make_tuple(&mut f, &[]);
        let t1 = make_tuple(&mut f, &[a]);
        let t2 = make_tuple(&mut f, &[a, b]);
        let tn = make_tuple(&mut f, &[Term::NIL]);
        let ln = list_from_iter(&mut f, &[Term::NIL], Term::NIL);
        let tan = make_tuple(&mut f, &[a, Term::NIL]);
        let cases = [
            (l_a, 23_864_141, 2_953_390_077),
            (abc, 117_343_302, 3_654_580_166),
            (abcd, 7_922_743, 1_938_728_202),
            (abcde, 71_169_904, 721_934_915),
            (improper, 8_851_781, 265_598_415),
            (a_b, 74_710_280, 4_159_696_708),
            (t0, 87_486_268, 1),
            (t1, 35_332_806, 268_840_045),
            (t2, 101_277_806, 1_904_799_770),
            (tn, 30_249_041, 268_439_629),
            (ln, 96_416_884, 2_952_798_237),
            (tan, 72_605_720, 4_027_749_775),
        ];
        for (t, h2, h) in cases {
            assert_eq!(phash2(t), h2);
            assert_eq!(phash_full(t), h);
        }
    }

    #[test]
    fn binaries() {
        let mut f = Fragment::new(1000);
        let thirteen: Vec<u8> = (1..=13).collect();
        let cases = [
            (make_binary(&mut f, b""), 13_708_901, 1),
            (make_binary(&mut f, &[1]), 76_691_218, 268_436_143),
            (make_binary(&mut f, &thirteen), 92_101_820, 2_025_222_233),
            (make_bitstring(&mut f, &[0x80], 1), 102_233_125, 808_817_679),
            (
                make_bitstring(&mut f, &[1, 2 << 5], 11),
                22_968_450,
                3_109_762_382,
            ),
            (
                make_binary(&mut f, b"hello world, this is a longer binary"),
                58_112_400,
                3_165_109_174,
            ),
        ];
        for (t, h2, h) in cases {
            assert_eq!(phash2(t), h2);
            assert_eq!(phash_full(t), h);
        }
        // A sub-binary at an odd bit offset hashes like an aligned copy.
        let base = make_binary(&mut f, &[0x00, 0x81, 0x01, 0x02, 0x03]);
        let sub = make_sub_binary(&mut f, base, 15, 8 * 3);
        let aligned = make_binary(&mut f, &[0x80, 0x81, 0x01]);
        assert_eq!(make_hash2(sub), make_hash2(aligned));
        assert_eq!(make_hash(sub), make_hash(aligned));
    }

    #[test]
    fn maps_hash_independently_of_order() {
        let mut f = Fragment::new(1000);
        let (a, b) = (atom("a"), atom("b"));
        let empty = crate::map::from_pairs(&mut f, &[]);
        let m1 = crate::map::from_pairs(&mut f, &[(a, Term::small(1))]);
        let m2 = crate::map::from_pairs(&mut f, &[(a, Term::small(1)), (b, Term::small(2))]);
        let mn = crate::map::from_pairs(&mut f, &[(Term::NIL, Term::NIL)]);
        let cases = [
            (empty, 39_679_005, 1_113_425_985),
            (m1, 59_617_982, 1_670_235_874),
            (m2, 103_634_663, 2_251_123_467),
            (mn, 612_558, 403_270_898),
        ];
        for (t, h2, h) in cases {
            assert_eq!(phash2(t), h2);
            assert_eq!(phash_full(t), h);
        }
    }

    #[test]
    fn md5_matches_the_md5_crate() {
        use md5::Digest;
        for len in [0usize, 1, 3, 55, 56, 63, 64, 65, 119, 120, 1000] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let mut c = Md5Ctx::new();
            // Feed in uneven pieces through the serialized context.
            for piece in data.chunks(17) {
                let bytes = c.to_bytes();
                c = Md5Ctx::from_bytes(&bytes).unwrap();
                c.update(piece);
            }
            let want: [u8; 16] = md5::Md5::digest(&data).into();
            assert_eq!(c.finish(), want, "len {len}");
        }
    }

    #[test]
    fn checksums() {
        // Recorded from erl 25.
        assert_eq!(
            crc32(0, b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
        assert_eq!(adler32(1, b"Wikipedia"), 0x11E6_0398);
        let (x, y) = (b"hello, ".as_slice(), b"world and more bytes".as_slice());
        let whole = [x, y].concat();
        assert_eq!(
            crc32_combine(crc32(0, x), crc32(0, y), y.len() as u64),
            crc32(0, &whole)
        );
        assert_eq!(
            adler32_combine(adler32(1, x), adler32(1, y), y.len() as u64),
            adler32(1, &whole)
        );
        assert_eq!(adler32_combine(u32::MAX, u32::MAX, 123_456_789), 91_160_588);
        assert_eq!(
            crc32_combine(u32::MAX, u32::MAX, 123_456_789),
            3_851_543_557
        );
        assert_eq!(adler32(u32::MAX, b"abc"), 42_074_420);
        assert_eq!(adler32_combine(5, 7, 0), 5);
        assert_eq!(adler32_combine(12_345_678, 87_654_321, 65521), 99_999_998);
        assert_eq!(crc32_combine(1, 2, 0), 3);
        assert_eq!(crc32_combine(5, 7, u32::MAX as u64), 2);
    }

    #[test]
    fn iodata_is_strict_about_tails() {
        let mut f = Fragment::new(100);
        let bin = make_binary(&mut f, &[2]);
        let ok = cons(&mut f, Term::small(1), bin);
        assert_eq!(iodata_arg(ok), Some(vec![1, 2]));
        let bad = cons(&mut f, Term::small(1), Term::small(2));
        assert_eq!(iodata_arg(bad), None);
        assert_eq!(iodata_arg(Term::small(1)), None);
        assert_eq!(iodata_arg(Term::NIL), Some(vec![]));
    }
}
