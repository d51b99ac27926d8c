//! Maps. Small maps are flatmaps: a sorted keys tuple and the values beside it.
//! Maps over 32 keys are also kept flat for now; the reference switches to a hash trie
//! there, which changes iteration order (listed in docs/compatibility.md).

use crate::compare::compare;
use crate::object::*;
use oxbeam_term::Term;
use std::cmp::Ordering;

/// Map keys are ordered by exact term order (1 < 1.0).
#[inline]
pub fn key_cmp(a: Term, b: Term) -> Ordering {
    compare(a, b, true)
}

/// The value under `key`, if present.
pub fn get(map: Term, key: Term) -> Option<Term> {
    let keys = flatmap_keys(map);
    let vals = flatmap_values(map);
    if keys.len() <= 8 {
        for (i, &k) in keys.iter().enumerate() {
            if crate::compare::eq_exact(k, key) {
                return Some(vals[i]);
            }
        }
        return None;
    }
    keys.binary_search_by(|&k| key_cmp(k, key)).ok().map(|i| vals[i])
}

pub fn size(map: Term) -> usize {
    flatmap_size(map)
}

/// Builds a map from key/value pairs; later pairs win for duplicate keys.
pub fn from_pairs<A: Alloc + ?Sized>(a: &mut A, pairs: &[(Term, Term)]) -> Term {
    let mut v: Vec<(Term, Term)> = Vec::with_capacity(pairs.len());
    for &(k, val) in pairs {
        v.push((k, val));
    }
    // Stable sort keeps insertion order among equal keys; keep the last of each run.
    v.sort_by(|x, y| key_cmp(x.0, y.0));
    let mut out: Vec<(Term, Term)> = Vec::with_capacity(v.len());
    for (k, val) in v {
        match out.last_mut() {
            Some(last) if key_cmp(last.0, k) == Ordering::Equal => last.1 = val,
            _ => out.push((k, val)),
        }
    }
    build_sorted(a, &out)
}

/// Builds a map from pairs already sorted with unique keys.
pub fn build_sorted<A: Alloc + ?Sized>(a: &mut A, pairs: &[(Term, Term)]) -> Term {
    let keys: Vec<Term> = pairs.iter().map(|p| p.0).collect();
    let vals: Vec<Term> = pairs.iter().map(|p| p.1).collect();
    let kt = make_tuple(a, &keys);
    make_flatmap(a, kt, &vals)
}

pub fn to_pairs(map: Term) -> Vec<(Term, Term)> {
    flatmap_keys(map).iter().copied().zip(flatmap_values(map).iter().copied()).collect()
}

/// `Map#{K => V, ...}`: inserts or replaces.
pub fn put_many<A: Alloc + ?Sized>(a: &mut A, map: Term, updates: &[(Term, Term)]) -> Term {
    let mut pairs = to_pairs(map);
    let mut added = false;
    for &(k, v) in updates {
        match pairs.binary_search_by(|p| key_cmp(p.0, k)) {
            Ok(i) => pairs[i].1 = v,
            Err(i) => {
                pairs.insert(i, (k, v));
                added = true;
            }
        }
    }
    if !added {
        // Same keys: share the keys tuple, as the reference does.
        let vals: Vec<Term> = pairs.iter().map(|p| p.1).collect();
        return make_flatmap(a, word(map, 1), &vals);
    }
    build_sorted(a, &pairs)
}

/// `Map#{K := V, ...}`: replaces existing keys only; `Err(key)` names a missing key.
pub fn update_many<A: Alloc + ?Sized>(a: &mut A, map: Term, updates: &[(Term, Term)]) -> Result<Term, Term> {
    let keys = flatmap_keys(map);
    let mut vals: Vec<Term> = flatmap_values(map).to_vec();
    for &(k, v) in updates {
        match keys.binary_search_by(|&x| key_cmp(x, k)) {
            Ok(i) => vals[i] = v,
            Err(_) => return Err(k),
        }
    }
    Ok(make_flatmap(a, word(map, 1), &vals))
}

pub fn remove<A: Alloc + ?Sized>(a: &mut A, map: Term, key: Term) -> Term {
    let mut pairs = to_pairs(map);
    match pairs.binary_search_by(|p| key_cmp(p.0, key)) {
        Ok(i) => {
            pairs.remove(i);
            build_sorted(a, &pairs)
        }
        Err(_) => map,
    }
}

/// Map order: by size, then keys in key order, then values in key order.
pub fn compare_maps(a: Term, b: Term, exact: bool, work: &mut Vec<(Term, Term)>) -> Ordering {
    let (sa, sb) = (size(a), size(b));
    if sa != sb {
        return sa.cmp(&sb);
    }
    let (ka, kb) = (flatmap_keys(a), flatmap_keys(b));
    for i in 0..sa {
        let o = compare(ka[i], kb[i], true);
        if o != Ordering::Equal {
            return o;
        }
    }
    let (va, vb) = (flatmap_values(a), flatmap_values(b));
    for i in (0..sa).rev() {
        let _ = exact;
        work.push((va[i], vb[i]));
    }
    Ordering::Equal
}
