//! The reference VM's internal term hash (`make_internal_hash` in OTP 25), which decides
//! where a key sits in a hash-trie map and therefore the iteration order programs see.
//!
//! It is Bob Jenkins' lookup2 mix applied to the term's *internal representation*:
//! immediates are hashed by their raw tagged word, so small integers and `[]` (encoded as
//! in the reference) hash identically, while atoms, pids and ports hash by table indices
//! that only match when this VM assigned the same ones. Boxed terms are walked with an
//! explicit stack in the same order as the reference so compound keys hash identically.

use crate::object::*;
use oxbeam_term::header::*;
use oxbeam_term::Term;

// The lookup2 primitives are shared with phash2 (bifs/hash.rs).
use crate::bifs::hash::{block_hash, hconst, mix, HCONST};
const HCONST_4: u32 = hconst(4);
const HCONST_7: u32 = hconst(7);
const HCONST_8: u32 = hconst(8);
const HCONST_9: u32 = hconst(9);
const HCONST_10: u32 = hconst(10);
const HCONST_11: u32 = hconst(11);
const HCONST_12: u32 = hconst(12);
const HCONST_13: u32 = hconst(13);
const HCONST_14: u32 = hconst(14);
const HCONST_15: u32 = hconst(15);
const HCONST_16: u32 = hconst(16);
const HCONST_17: u32 = hconst(17);
const HCONST_18: u32 = hconst(18);
const HCONST_20: u32 = hconst(20);
const HCONST_21: u32 = hconst(21);
const HCONST_22: u32 = hconst(22);

/// The reference starts every internal hash from this prime (xor the salt) so that it
/// differs from `phash2`.
const INTERNAL_HASH_SALT: u32 = 3_432_918_353;

/// The reference's `UINT32_HASH_2(x, y, k)`.
#[inline(always)]
fn hash2(hash: u32, x: u32, y: u32, k: u32) -> u32 {
    mix(k.wrapping_add(x), k.wrapping_add(y), hash).2
}

/// The reference's `UINT32_HASH(x, k)`.
#[inline(always)]
fn hash1(hash: u32, x: u32, k: u32) -> u32 {
    hash2(hash, x, 0, k)
}

/// The reference's `CONST_HASH`: a cheap mix of a type marker.
#[inline(always)]
fn const_hash(hash: u32, k: u32) -> u32 {
    (hash ^ k).rotate_left(17)
}

/// Pending work of the term walk: a term, or the marker the reference pushes before an
/// improper list tail.
enum Work {
    Term(Term),
    Cdr,
}

#[inline]
fn is_byte(t: Term) -> bool {
    matches!(t.as_small(), Some(0..=255))
}

#[inline]
fn immediate(hash: u32, t: Term) -> u32 {
    hash2(hash, t.0 as u32, (t.0 >> 32) as u32, HCONST)
}

/// A 64-bit hash, equal for `=:=`-equal terms, for Rust hash tables keyed by terms (the
/// process dictionary, ETS): immediates hash by their word, others by content.
#[inline]
pub fn exact_key_hash(key: Term) -> u64 {
    let h = if key.is_immed() {
        key.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    } else {
        (internal_hash(key, 0) as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    };
    // The product's low bits depend only on the key's low bits (constant tag bits for
    // immediates); hash tables index by the low bits, so fold the high ones in.
    h ^ (h >> 29)
}

/// `make_internal_hash(Term, Salt)`.
pub fn internal_hash(term: Term, salt: u32) -> u32 {
    let mut hash = salt ^ INTERNAL_HASH_SALT;
    if term.is_immed() {
        return immediate(hash, term);
    }
    // Most keys are small tuples and lists: their walk fits inline, without the
    // allocation a `Vec` would make for every hash-trie lookup.
    let mut stack: smallvec::SmallVec<[Work; 16]> = smallvec::SmallVec::new();
    let mut t = term;
    loop {
        // Each arm either continues with the next term in `t` or falls through to pop.
        if t.is_list() {
            // Runs of small byte values are packed four to a word (the string fast path).
            let mut c = 0u32;
            let mut sh = 0u32;
            while t.is_list() && is_byte(head(t)) {
                sh = (sh << 8).wrapping_add(head(t).small_value() as u32);
                if c == 3 {
                    hash = hash1(hash, sh, HCONST_4);
                    c = 0;
                    sh = 0;
                } else {
                    c += 1;
                }
                t = tail(t);
            }
            if c > 0 {
                hash = hash2(hash, sh, c, HCONST_22);
            }
            if t.is_list() {
                let tl = tail(t);
                hash = const_hash(hash, HCONST_17);
                stack.push(Work::Term(tl));
                if !tl.is_list() {
                    stack.push(Work::Cdr);
                }
                t = head(t);
            }
            // `t` is now a car to hash or the list's (non-list) tail.
            continue;
        }
        if t.is_immed() || !t.is_boxed() {
            hash = immediate(hash, t);
        } else {
            let h = header(t);
            match header_subtag(h) {
                SUBTAG_TUPLE => {
                    let elems = tuple_elements(t);
                    hash = hash1(hash, elems.len() as u32, HCONST_9);
                    if let Some((&first, rest)) = elems.split_first() {
                        stack.extend(rest.iter().rev().map(|&e| Work::Term(e)));
                        t = first;
                        continue;
                    }
                }
                SUBTAG_MAP => {
                    let keys = flatmap_keys(t);
                    let vals = flatmap_values(t);
                    hash = hash1(hash, keys.len() as u32, HCONST_16);
                    for i in (0..keys.len()).rev() {
                        stack.push(Work::Term(vals[i]));
                        stack.push(Work::Term(keys[i]));
                    }
                }
                SUBTAG_HASHMAP => {
                    let n = super::hamt::Node::of(t);
                    if let Some(size) = n.size {
                        hash = hash1(hash, size as u32, HCONST_16);
                    }
                    // Children are pushed first to last, so the last is hashed first;
                    // a leaf pushes its value under its key.
                    for c in n.children() {
                        if c.is_list() {
                            stack.push(Work::Term(tail(c)));
                            stack.push(Work::Term(head(c)));
                        } else {
                            stack.push(Work::Term(c));
                        }
                    }
                }
                SUBTAG_FUN => {
                    let e = crate::fun::entry_of(t);
                    let env = crate::fun::env(t);
                    let module = Term::atom(e.module).0 as u32;
                    hash = hash2(hash, env.len() as u32, module, HCONST_20);
                    hash = hash2(hash, e.index, e.old_uniq, HCONST_21);
                    if let Some((&first, rest)) = env.split_first() {
                        stack.extend(rest.iter().rev().map(|&e| Work::Term(e)));
                        t = first;
                        continue;
                    }
                }
                SUBTAG_EXPORT => {
                    // The reference hashes the export entry's address, which cannot be
                    // reproduced; hash the MFA instead so the value is at least stable.
                    let e = crate::fun::export_of(t);
                    let (m, f) = (
                        Term::atom(e.module).0 as u32,
                        Term::atom(e.function).0 as u32,
                    );
                    hash = hash2(hash, m, f, HCONST_14);
                    hash = hash1(hash, e.arity, HCONST_14);
                }
                SUBTAG_HEAP_BIN | SUBTAG_REFC_BIN | SUBTAG_SUB_BIN => {
                    let v = bit_view(t).expect("binary");
                    let bytes = v.to_vec();
                    let (whole, bits) = (v.bit_size / 8, v.bit_size % 8);
                    let con = HCONST_13.wrapping_add(hash);
                    if v.bit_size == 0 {
                        hash = con;
                    } else {
                        hash = block_hash(&bytes[..whole], con);
                        if bits > 0 {
                            let last = (bytes[whole] >> (8 - bits)) as u32;
                            hash = hash2(hash, bits as u32, last, HCONST_15);
                        }
                    }
                }
                SUBTAG_POS_BIG | SUBTAG_NEG_BIG => {
                    let con = if big_is_negative(t) {
                        HCONST_10
                    } else {
                        HCONST_11
                    };
                    for &limb in big_limbs(t) {
                        hash = hash2(hash, limb as u32, (limb >> 32) as u32, con);
                    }
                }
                SUBTAG_FLOAT => {
                    let mut f = float_value(t);
                    if f == 0.0 {
                        // -0.0 and 0.0 hash alike, as in the reference.
                        f = 0.0;
                    }
                    let bits = f.to_bits();
                    hash = hash2(hash, bits as u32, (bits >> 32) as u32, HCONST_12);
                }
                SUBTAG_REF => {
                    // The reference hashes its three 32-bit ref numbers; ours is one id.
                    let id = ref_id(t);
                    hash = hash1(hash, id as u32, HCONST_7);
                    hash = hash2(hash, (id >> 32) as u32, 0, HCONST_8);
                }
                _ => {
                    // External identifiers (hashed by node address in the reference) and
                    // anything else: hash the raw words so equal terms hash alike.
                    let n = header_arity(h);
                    hash = hash1(hash, h.0 as u32, HCONST_7);
                    for i in 1..=n {
                        let w = word(t, i).0;
                        hash = hash2(hash, w as u32, (w >> 32) as u32, HCONST_8);
                    }
                }
            }
        }
        // Pop the next pending term.
        loop {
            match stack.pop() {
                None => return hash,
                Some(Work::Cdr) => hash = const_hash(hash, HCONST_18),
                Some(Work::Term(next)) => {
                    t = next;
                    break;
                }
            }
        }
    }
}

/// The hash of `key` for trie levels `8*depth .. 8*depth+7`: depth 0 is the plain internal
/// hash; deeper levels (only reached when 32 bits of hash collide) salt it with the depth
/// the way the reference's `make_map_hash` does.
pub fn map_hash(key: Term, depth: u32) -> u32 {
    let salt = if depth > 0 {
        hash2(0, depth, 1, HCONST_22)
    } else {
        0
    };
    internal_hash(key, salt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_integers_match_the_reference() {
        // Values read off the reference's trie layout (erlang:display of large maps).
        assert_eq!(internal_hash(Term::small(16), 0), 0x4691_da00);
        assert_eq!(internal_hash(Term::small(18), 0), 0x1431_3090);
        assert_eq!(internal_hash(Term::small(5), 0), 0x0aec_7dc0);
        // 40660 and 59671 collide in 32 bits; the salted rehash separates them.
        assert_eq!(
            map_hash(Term::small(40660), 0),
            map_hash(Term::small(59671), 0)
        );
        assert_eq!(map_hash(Term::small(40660), 1) & 0xf, 2);
        assert_eq!(map_hash(Term::small(59671), 1) & 0xf, 1);
    }

    #[test]
    fn block_hash_handles_every_tail_length() {
        // Every prefix length (all tail cases, several whole blocks) hashes differently;
        // exact values are checked against the reference by the binary-key map tests.
        let data: Vec<u8> = (0..40u8).collect();
        let mut seen = std::collections::HashSet::new();
        for n in 0..data.len() {
            assert!(seen.insert(block_hash(&data[..n], 7)));
        }
    }
}
