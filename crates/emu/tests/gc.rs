//! The collector keeps everything reachable from the roots, intact, through minor
//! collections, promotion and full sweeps; off-heap binaries survive while referenced.

use oxbeam_emu::compare::eq_exact;
use oxbeam_emu::heap::Heap;
use oxbeam_emu::object::*;
use oxbeam_term::Term;

/// Builds a structure with every kind of boxed object and a long list.
fn build(h: &mut Heap, seed: i64) -> Term {
    let big = make_integer(h, &(num_bigint::BigInt::from(seed) << 200));
    let f = make_float(h, seed as f64 + 0.5);
    let small_bin = make_binary(h, b"hello");
    let big_bin = make_binary(h, &vec![seed as u8; 300]);
    let sub = make_sub_binary(h, big_bin, 8, 100);
    let items: Vec<Term> = (0..500).map(|i| Term::small(i * seed)).collect();
    let list = list_from_iter(h, &items, Term::NIL);
    let k = make_tuple(h, &[Term::small(1), Term::small(2)]);
    let map = oxbeam_emu::map::from_pairs(h, &[(k, list), (Term::small(3), f)]);
    make_tuple(h, &[big, f, small_bin, big_bin, sub, list, map])
}

/// Builds the same structure on a scratch heap for comparison (never collected).
fn expected(seed: i64) -> (Heap, Term) {
    let mut h = Heap::new(100_000);
    let t = build(&mut h, seed);
    (h, t)
}

#[test]
fn data_survives_minor_and_full_collections() {
    let mut h = Heap::new(233);
    let mut roots = [build(&mut h, 3), build(&mut h, 7)];
    for round in 0..20 {
        // Garbage between collections.
        for _ in 0..50 {
            let _ = build(&mut h, 11);
        }
        let full = round % 5 == 4;
        let mut rs: [&mut [Term]; 1] = [&mut roots[..]];
        oxbeam_emu::gc::collect(&mut h, &mut rs, 10, full);
        oxbeam_emu::gc::verify(&h, &[&mut roots[..]]);
        let (_e3, t3) = expected(3);
        let (_e7, t7) = expected(7);
        assert!(eq_exact(roots[0], t3), "root 0 changed after round {round}");
        assert!(eq_exact(roots[1], t7), "root 1 changed after round {round}");
        assert!(h.free_words() >= 10);
    }
    // Promotion happened: the old generation holds the long-lived data.
    assert!(h.old_used() > 0 || h.minor_gcs == 0);
}

#[test]
fn dead_off_heap_binaries_are_released_and_live_ones_kept() {
    let mut h = Heap::new(233);
    let keep = make_binary(&mut h, &[7u8; 1000]);
    for _ in 0..100 {
        let _ = make_binary(&mut h, &[1u8; 1000]);
    }
    assert_eq!(h.off_heap.len(), 101);
    let mut roots = [keep];
    let mut rs: [&mut [Term]; 1] = [&mut roots[..]];
    oxbeam_emu::gc::collect(&mut h, &mut rs, 0, true);
    assert_eq!(
        h.off_heap.len(),
        1,
        "only the referenced binary's handle remains"
    );
    assert_eq!(binary_bytes(roots[0]).unwrap(), &[7u8; 1000][..]);
}

#[test]
fn stack_words_are_roots() {
    let mut h = Heap::new(233);
    let t = build(&mut h, 5);
    h.push(t);
    for _ in 0..20 {
        let _ = build(&mut h, 9);
    }
    let mut rs: [&mut [Term]; 0] = [];
    oxbeam_emu::gc::collect(&mut h, &mut rs, 0, false);
    let top = h.stack_top().unwrap();
    let (_e, t5) = expected(5);
    assert!(eq_exact(top, t5));
}
