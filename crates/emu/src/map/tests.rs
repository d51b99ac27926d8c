//! Map tests: both representations, the switch between them, the reference's trie shape
//! and iteration order (expected values taken from OTP 25), and GC safety of tries.

use super::*;
use crate::heap::Heap;

fn ints(h: &mut Heap, ks: &[i64]) -> Term {
    let pairs: Vec<(Term, Term)> = ks
        .iter()
        .map(|&k| (Term::small(k), Term::small(k)))
        .collect();
    from_pairs(h, &pairs)
}

fn small_keys(v: &[(Term, Term)]) -> Vec<i64> {
    v.iter().map(|p| p.0.small_value()).collect()
}

/// `erlang:display/1` of a map whose keys and values are small integers.
fn display(m: Term) -> String {
    let mut s = String::new();
    let mut leaf = |out: &mut String, t: Term| {
        out.push_str(&format!(
            "[{}|{}]",
            head(t).small_value(),
            tail(t).small_value()
        ));
    };
    if !write_structure(&mut s, m, &mut leaf) {
        s.push_str("#{");
        let parts: Vec<String> = to_pairs(m)
            .iter()
            .map(|(k, v)| format!("{}=>{}", k.small_value(), v.small_value()))
            .collect();
        s.push_str(&parts.join(","));
        s.push('}');
    }
    s
}

/// `maps:keys(maps:from_list([{I,I} || I <- lists:seq(1,40)]))` in OTP 25.
const KEYS_1_40: [i64; 40] = [
    33, 12, 23, 29, 30, 39, 26, 31, 11, 37, 9, 32, 34, 25, 28, 6, 38, 13, 40, 20, 15, 14, 2, 7, 1,
    8, 3, 17, 22, 21, 4, 36, 24, 10, 35, 27, 19, 5, 18, 16,
];

/// `erlang:display/1` of the same map in OTP 25.
const DISPLAY_1_40: &str = "#<fffb>{<1201>{[16|16],[18|18],[5|5]},<4400>{[19|19],[27|27]},\
<1084>{[35|35],<4080>{[10|10],[24|24]},[36|36]},<14>{[4|4],[21|21]},<240>{[22|22],[17|17]},\
<2a>{[3|3],[8|8],[1|1]},<8512>{[7|7],[2|2],[14|14],[15|15],[20|20]},\
<c0>{[40|40],<1001>{[13|13],[38|38]}},[6|6],<9400>{[28|28],[25|25],[34|34]},\
<312>{[32|32],[9|9],[37|37],[11|11]},[31|31],[26|26],<2060>{[39|39],[30|30],\
<8020>{[29|29],[23|23]}},<8200>{[12|12],[33|33]}}";

#[test]
fn large_maps_iterate_in_the_reference_order() {
    let mut h = Heap::new(10_000);
    let ks: Vec<i64> = (1..=40).collect();
    let m = ints(&mut h, &ks);
    assert!(is_hashmap(m));
    assert_eq!(size(m), 40);
    assert_eq!(small_keys(&to_pairs(m)), KEYS_1_40);
    let mut rev = KEYS_1_40;
    rev.reverse();
    assert_eq!(small_keys(&iter_pairs(m)), rev);
    assert_eq!(display(m), DISPLAY_1_40);
    // Insertion order does not matter: the trie is canonical.
    let mut m2 = from_pairs(&mut h, &[]);
    for &k in ks.iter().rev() {
        m2 = put_many(&mut h, m2, &[(Term::small(k), Term::small(k))]);
    }
    assert_eq!(display(m2), DISPLAY_1_40);
    assert_eq!(
        compare_maps(m, m2, true, &mut crate::compare::WorkStack::new()),
        Ordering::Equal
    );
}

#[test]
fn colliding_hashes_use_the_salted_rehash() {
    // 40660 and 59671 have the same 32-bit hash; expected layout from OTP 25.
    let expected = "#<fffb>{<1201>{[16|16],[18|18],[5|5]},<4400>{[19|19],[27|27]},\
<80>{<4080>{[10|10],[24|24]}},<14>{[4|4],[21|21]},<240>{[22|22],[17|17]},\
<2a>{[3|3],[8|8],[1|1]},<8512>{[7|7],[2|2],[14|14],[15|15],[20|20]},[13|13],[6|6],\
<1400>{[28|28],[25|25]},<210>{[9|9],[11|11]},\
<a>{[31|31],<100>{<1>{<20>{<4000>{<80>{<800>{<6>{[59671|59671],[40660|40660]}}}}}}}},\
[26|26],<2040>{[30|30],<8020>{[29|29],[23|23]}},[12|12]}";
    let mut h = Heap::new(10_000);
    let mut ks = vec![40660, 59671];
    ks.extend(1..=31);
    let m = ints(&mut h, &ks);
    assert_eq!(display(m), expected);
    let mut m2 = ints(&mut h, &[1]);
    for &k in &ks {
        m2 = put_many(&mut h, m2, &[(Term::small(k), Term::small(k))]);
    }
    assert_eq!(display(m2), expected);
    assert_eq!(get(m, Term::small(40660)), Some(Term::small(40660)));
    assert_eq!(get(m, Term::small(59671)), Some(Term::small(59671)));
    // Removing one colliding key collapses the chain back into a single leaf.
    let m3 = remove(&mut h, m2, Term::small(59671));
    assert_eq!(size(m3), 32);
    assert!(!is_hashmap(m3));
    let m4 = put_many(&mut h, m3, &[(Term::small(0), Term::small(0))]);
    assert!(is_hashmap(m4) && !display(m4).contains("<800>"));
}

/// A tiny deterministic generator (xorshift) for the randomized tests.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn random_operations_agree_with_a_model_and_stay_canonical() {
    let mut h = Heap::new(1 << 16);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut model = std::collections::BTreeMap::new();
    let mut m = from_pairs(&mut h, &[]);
    for step in 0..4000 {
        let k = (rng.next() % 120) as i64 - 20;
        let v = (rng.next() % 1000) as i64;
        match rng.next() % 4 {
            0 | 1 => {
                m = put_many(&mut h, m, &[(Term::small(k), Term::small(v))]);
                model.insert(k, v);
            }
            2 => {
                m = remove(&mut h, m, Term::small(k));
                model.remove(&k);
            }
            _ => {
                let r = update_many(&mut h, m, &[(Term::small(k), Term::small(v))]);
                if let std::collections::btree_map::Entry::Occupied(mut e) = model.entry(k) {
                    e.insert(v);
                    m = r.expect("key present");
                } else {
                    assert_eq!(r, Err(Term::small(k)));
                }
            }
        }
        assert_eq!(size(m), model.len());
        assert_eq!(is_hashmap(m), model.len() > SMALL_MAP_LIMIT, "step {step}");
        if step % 50 == 0 {
            for k in -25..105 {
                assert_eq!(
                    get(m, Term::small(k)),
                    model.get(&k).map(|&v| Term::small(v))
                );
            }
            let sorted: Vec<(i64, i64)> = sorted_pairs(m)
                .iter()
                .map(|p| (p.0.small_value(), p.1.small_value()))
                .collect();
            assert_eq!(
                sorted,
                model.iter().map(|(&k, &v)| (k, v)).collect::<Vec<_>>()
            );
            // The shape only depends on the contents.
            let pairs: Vec<(Term, Term)> = model
                .iter()
                .map(|(&k, &v)| (Term::small(k), Term::small(v)))
                .collect();
            let fresh = from_pairs(&mut h, &pairs);
            assert_eq!(display(m), display(fresh));
        }
    }
}

#[test]
fn bulk_updates_and_duplicates() {
    let mut h = Heap::new(1 << 16);
    // Duplicates: the last pair wins, and a list that dedups to <= 32 keys stays flat.
    let mut pairs: Vec<(Term, Term)> = (0..40)
        .map(|i| (Term::small(i % 30), Term::small(i)))
        .collect();
    let m = from_pairs(&mut h, &pairs);
    assert!(!is_hashmap(m));
    assert_eq!(get(m, Term::small(5)), Some(Term::small(35)));
    pairs.extend((100..140).map(|i| (Term::small(i), Term::small(i))));
    let m = from_pairs(&mut h, &pairs);
    assert!(is_hashmap(m));
    assert_eq!(size(m), 70);
    assert_eq!(get(m, Term::small(5)), Some(Term::small(35)));
    // A bulk put (rebuild path) equals one-at-a-time puts.
    let upd: Vec<(Term, Term)> = (0..200)
        .map(|i| (Term::small(i * 7), Term::small(-i)))
        .collect();
    let bulk = put_many(&mut h, m, &upd);
    let single = upd.iter().fold(m, |acc, &p| put_many(&mut h, acc, &[p]));
    assert_eq!(display(bulk), display(single));
    assert_eq!(
        compare_maps(bulk, single, true, &mut crate::compare::WorkStack::new()),
        Ordering::Equal
    );
    // Flat + new keys crossing the limit.
    let flat = ints(&mut h, &(0..30).collect::<Vec<_>>());
    let grown = put_many(&mut h, flat, &upd[..10]);
    assert!(is_hashmap(grown));
    assert_eq!(size(grown), 30 + 10 - 5); // 0, 7, 14, 21, 28 were there already
}

#[test]
fn compound_keys_hash_structurally() {
    let mut h = Heap::new(1 << 16);
    let mut pairs = Vec::new();
    for i in 0..50i64 {
        let t = make_tuple(&mut h, &[Term::small(i), Term::NIL]);
        let s = crate::object::string_to_list(&mut h, &format!("key{i}"));
        let b = make_binary(&mut h, format!("bin-{i}").as_bytes());
        let f = make_float(&mut h, i as f64 / 3.0);
        let big = make_integer(&mut h, &(num_bigint::BigInt::from(i) << 70));
        pairs.extend([
            (t, Term::small(i)),
            (s, Term::small(i)),
            (b, Term::small(i)),
            (f, Term::small(i)),
            (big, Term::small(i)),
        ]);
    }
    let m = from_pairs(&mut h, &pairs);
    assert_eq!(size(m), 250);
    for &(k, v) in &pairs {
        // A structurally equal copy finds the same entry.
        let k2 = copy_term(&mut h, k);
        assert_eq!(get(m, k2), Some(v));
    }
    // Maps (small and large) as keys.
    let inner_small = ints(&mut h, &[1, 2, 3]);
    let inner_large = ints(&mut h, &(0..40).collect::<Vec<_>>());
    let m2 = put_many(
        &mut h,
        m,
        &[(inner_small, Term::TRUE), (inner_large, Term::FALSE)],
    );
    let (c1, c2) = (
        copy_term(&mut h, inner_small),
        copy_term(&mut h, inner_large),
    );
    assert_eq!(get(m2, c1), Some(Term::TRUE));
    assert_eq!(get(m2, c2), Some(Term::FALSE));
    assert_eq!(internal_hash(inner_large, 0), internal_hash(c2, 0));
}

#[test]
fn chunked_iteration_visits_every_pair_once() {
    let mut h = Heap::new(1 << 16);
    let mut ks: Vec<i64> = (0..3000).collect();
    ks.extend([40660, 59671]);
    let m = ints(&mut h, &ks);
    let all = iter_pairs(m);
    for max in [1, 3, 32, 1000] {
        let mut got = Vec::new();
        let mut path = Some(0u128);
        while let Some(p) = path {
            let (chunk, next) = iter_chunk(m, p, max).expect("valid path");
            assert!(chunk.len() <= max);
            got.extend(chunk);
            path = next;
        }
        assert_eq!(got, all);
    }
    assert!(iter_chunk(m, 0xf_ffff_ffff, 5).is_err() || iter_chunk(m, 0xf, 5).is_err());
}

#[test]
fn map_order_compares_keys_then_values_in_key_order() {
    let mut h = Heap::new(1 << 16);
    let base: Vec<(Term, Term)> = (1..=40).map(|i| (Term::small(i), Term::small(0))).collect();
    let a = from_pairs(&mut h, &base);
    let b = put_many(&mut h, a, &[(Term::small(1), Term::small(1))]);
    let c = put_many(&mut h, a, &[(Term::small(40), Term::small(2))]);
    let cmp = |x: Term, y: Term| crate::compare::compare(x, y, true);
    assert_eq!(cmp(a, b), Ordering::Less);
    // Key 1 decides before key 40, whatever their places in the trie.
    assert_eq!(cmp(b, c), Ordering::Greater);
    let d = put_many(&mut h, a, &[(Term::small(41), Term::small(0))]);
    let e = put_many(&mut h, a, &[(Term::small(0), Term::small(0))]);
    // Same size; key order decides: e's smallest key 0 is below d's 1.
    assert_eq!(cmp(d, e), Ordering::Greater);
    assert_eq!(cmp(a, a), Ordering::Equal);
}

#[test]
fn large_maps_survive_collections() {
    let mut h = Heap::new(233);
    let mut roots: Vec<Term> = Vec::new();
    for r in 0..6i64 {
        let pairs: Vec<(Term, Term)> = (0..(200 * (r + 1)))
            .map(|i| {
                let k = make_tuple(&mut h, &[Term::small(i), Term::small(r)]);
                let v = make_float(&mut h, i as f64);
                (k, v)
            })
            .collect();
        let m = from_pairs(&mut h, &pairs);
        // Garbage in between, then some path-copied versions.
        let m = put_many(&mut h, m, &[(Term::small(-1), Term::NIL)]);
        let m = remove(&mut h, m, Term::small(-1));
        roots.push(m);
        let full = r % 2 == 1;
        let mut rs: [&mut [Term]; 1] = [&mut roots[..]];
        crate::gc::collect(&mut h, &mut rs, 16, full);
        crate::gc::verify(&h, &[&mut roots[..]]);
    }
    for (r, &m) in roots.iter().enumerate() {
        let n = 200 * (r as i64 + 1);
        assert_eq!(size(m), n as usize);
        for i in (0..n).step_by(7) {
            let k = make_tuple(&mut h, &[Term::small(i), Term::small(r as i64)]);
            let v = get(m, k).expect("key survives");
            assert_eq!(float_value(v), i as f64);
        }
        let mut count = 0;
        for_each(m, |_, _| count += 1);
        assert_eq!(count, n);
    }
}

#[test]
fn building_by_repeated_put_is_not_quadratic() {
    let mut h = Heap::new(1 << 20);
    let n = 100_000;
    let start = std::time::Instant::now();
    let mut m = from_pairs(&mut h, &[]);
    for i in 0..n {
        m = put_many(&mut h, m, &[(Term::small(i), Term::small(i))]);
    }
    assert_eq!(size(m), n as usize);
    for i in (0..n).step_by(97) {
        assert_eq!(get(m, Term::small(i)), Some(Term::small(i)));
    }
    // Generous bound for debug builds; quadratic copying would take minutes.
    assert!(start.elapsed().as_secs() < 60);
}
