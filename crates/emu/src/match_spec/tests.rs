//! Unit tests of the match specification engine (the language itself is checked
//! against erl by tests/erl/match_spec.erl).

use super::*;
use crate::object::*;
use oxbeam_term::Atom;

fn a(name: &str) -> Term {
    Term::atom(Atom::from_str(name))
}

fn tuple(h: &mut Arena, e: &[Term]) -> Term {
    make_tuple(h, e)
}

fn list(h: &mut Arena, e: &[Term]) -> Term {
    list_from_iter(h, e, Term::NIL)
}

/// `[{Head, Guards, Body}]`.
fn spec(h: &mut Arena, head: Term, guards: &[Term], body: &[Term]) -> Term {
    let g = list(h, guards);
    let b = list(h, body);
    let c = tuple(h, &[head, g, b]);
    list(h, &[c])
}

fn select_spec(h: &mut Arena) -> MatchSpec {
    // [{{'$1','$2'}, [{'>','$2',5}], ['$1']}]
    let head = tuple(h, &[a("$1"), a("$2")]);
    let g = tuple(h, &[a(">"), a("$2"), Term::small(5)]);
    let ms = spec(h, head, &[g], &[a("$1")]);
    MatchSpec::compile(ms, Flavor::Table).expect("compiles")
}

#[test]
fn select_matches_and_builds_nothing_on_misses() {
    let mut h = Arena::default();
    let ms = select_spec(&mut h);
    let mut s = Scratch::default();
    let mut out = Arena::default();
    let pid = Term::pid(1);
    let miss = tuple(&mut h, &[a("k"), Term::small(3)]);
    assert_eq!(ms.run(miss, pid, &mut s, &mut out), Outcome::NoMatch);
    assert!(out.is_untouched());
    assert!(s.temp.is_untouched());
    let key = tuple(&mut h, &[a("x"), Term::small(1)]);
    let hit = tuple(&mut h, &[key, Term::small(7)]);
    match ms.run(hit, pid, &mut s, &mut out) {
        Outcome::Matched(t) => {
            assert!(crate::compare::eq_exact(t, key));
            // The key was copied into `out`, not shared with the object.
            assert_ne!(t, key);
        }
        Outcome::NoMatch => panic!("should match"),
    }
    assert!(!ms.run_is_true(hit, pid, &mut s));
    // A wrong arity or a non-tuple does not match.
    let t3 = tuple(&mut h, &[a("x"), Term::small(9), Term::small(9)]);
    assert_eq!(ms.run(t3, pid, &mut s, &mut out), Outcome::NoMatch);
    assert_eq!(ms.run(a("x"), pid, &mut s, &mut out), Outcome::NoMatch);
}

#[test]
fn results_outlive_the_object() {
    let ms_heap = &mut Arena::default();
    let head = tuple(ms_heap, &[a("$1"), a("_")]);
    let body = a("$_");
    let ms = spec(ms_heap, head, &[], &[body]);
    let ms = MatchSpec::compile(ms, Flavor::Table).unwrap();
    let mut out = Arena::default();
    let mut s = Scratch::default();
    let r = {
        let mut obj_heap = Arena::default();
        let inner = list(&mut obj_heap, &[Term::small(1), Term::small(2)]);
        let bin = make_binary(&mut obj_heap, &[7u8; 200]);
        let obj = tuple(&mut obj_heap, &[inner, bin]);
        match ms.run(obj, Term::pid(1), &mut s, &mut out) {
            Outcome::Matched(t) => t,
            Outcome::NoMatch => panic!(),
        }
        // obj_heap (and the object) is freed here.
    };
    assert!(is_tuple(r));
    assert_eq!(list_length(tuple_get(r, 0)), Some(2));
    assert_eq!(binary_bytes(tuple_get(r, 1)).unwrap().len(), 200);
}

#[test]
fn run_is_true_counts_true_bodies() {
    let mut h = Arena::default();
    // [{{'$1'}, [], [{'>', '$1', 2}]}]
    let head = tuple(&mut h, &[a("$1")]);
    let b = tuple(&mut h, &[a(">"), a("$1"), Term::small(2)]);
    let ms = spec(&mut h, head, &[], &[b]);
    let ms = MatchSpec::compile(ms, Flavor::Table).unwrap();
    let mut s = Scratch::default();
    let three = tuple(&mut h, &[Term::small(3)]);
    let one = tuple(&mut h, &[Term::small(1)]);
    let bad = tuple(&mut h, &[a("x"), a("y")]);
    assert!(ms.run_is_true(three, Term::pid(1), &mut s));
    assert!(!ms.run_is_true(one, Term::pid(1), &mut s));
    assert!(!ms.run_is_true(bad, Term::pid(1), &mut s));
}

#[test]
fn bound_keys_and_keeps_key() {
    let mut h = Arena::default();
    let k1 = tuple(&mut h, &[a("a"), Term::small(1)]);
    let h1 = tuple(&mut h, &[k1, a("$1")]);
    let h2 = tuple(&mut h, &[a("b"), a("_")]);
    let h3 = tuple(&mut h, &[k1, Term::small(3)]);
    let short = tuple(&mut h, &[]);
    let body = list(&mut h, &[a("$_")]);
    let mut clauses = Vec::new();
    for hd in [h1, h2, h3, short, a("not_a_tuple")] {
        clauses.push(tuple(&mut h, &[hd, Term::NIL, body]));
    }
    let ms_t = list(&mut h, &clauses);
    let ms = MatchSpec::compile(ms_t, Flavor::Table).unwrap();
    let keys = ms.bound_keys(1).expect("all keys bound");
    assert_eq!(keys.len(), 2);
    assert!(crate::compare::eq_exact(keys[0], k1));
    assert_eq!(keys[1], a("b"));
    assert!(ms.bound_keys(2).is_none());
    assert!(ms.keeps_key(1));

    // '_' heads and partly bound keys need a scan.
    let kv = tuple(&mut h, &[a("a"), a("$2")]);
    let h4 = tuple(&mut h, &[kv, a("$1")]);
    let s4 = spec(&mut h, h4, &[], &[a("$1")]);
    let ms4 = MatchSpec::compile(s4, Flavor::Table).unwrap();
    assert!(ms4.bound_keys(1).is_none());
    assert!(!ms4.keeps_key(1));
    let s5 = spec(&mut h, a("_"), &[], &[a("$_")]);
    assert!(MatchSpec::compile(s5, Flavor::Table)
        .unwrap()
        .bound_keys(1)
        .is_none());

    // {{'$1', new}} keeps key 1 of {'$1', '_'}; {{x, '$1'}} does not.
    let hd = tuple(&mut h, &[a("$1"), a("_")]);
    let inner = tuple(&mut h, &[a("$1"), a("new")]);
    let keep = tuple(&mut h, &[inner]);
    let s6 = spec(&mut h, hd, &[], &[keep]);
    assert!(MatchSpec::compile(s6, Flavor::Table).unwrap().keeps_key(1));
    let inner2 = tuple(&mut h, &[a("x"), a("$1")]);
    let change = tuple(&mut h, &[inner2]);
    let s7 = spec(&mut h, hd, &[], &[change]);
    assert!(!MatchSpec::compile(s7, Flavor::Table).unwrap().keeps_key(1));
}

#[test]
fn compile_errors() {
    let mut h = Arena::default();
    let e = MatchSpec::compile(a("foo"), Flavor::Table).err().unwrap();
    assert_eq!(
        e.errors,
        vec![b"Match programs are not in a list.".to_vec()]
    );
    assert!(!e.system_limit);
    let hd = tuple(&mut h, &[a("$1")]);
    let s = spec(&mut h, hd, &[], &[a("$2")]);
    let e = MatchSpec::compile(s, Flavor::Table).err().unwrap();
    assert_eq!(e.errors, vec![b"Variable $2 is unbound.".to_vec()]);
    // Deep nesting is a system limit.
    let mut deep = a("$1");
    for _ in 0..4000 {
        deep = list(&mut h, &[deep]);
    }
    let s = spec(&mut h, hd, &[], &[deep]);
    let e = MatchSpec::compile(s, Flavor::Table).err().unwrap();
    assert!(e.system_limit);
    assert!(e.errors.iter().all(|m| m.len() <= 99));
}

#[test]
fn deep_specifications() {
    // Schedulers run on 32 MiB stacks; test threads get 2 MiB.
    std::thread::Builder::new()
        .stack_size(32 << 20)
        .spawn(deep_specifications_on_a_scheduler_stack)
        .unwrap()
        .join()
        .unwrap();
}

fn deep_specifications_on_a_scheduler_stack() {
    let mut h = Arena::default();
    let hd = tuple(&mut h, &[a("$1")]);
    // Very deep terms: only the start is printed in the message, and deep heads
    // compile and run.
    let mut deep = a("$1");
    for _ in 0..200_000 {
        let inner = tuple(&mut h, &[deep]);
        deep = tuple(&mut h, &[inner]);
    }
    let s = spec(&mut h, hd, &[], &[deep]);
    let e = MatchSpec::compile(s, Flavor::Table).err().unwrap();
    assert!(e.system_limit);
    let mut head = a("$1");
    for _ in 0..200_000 {
        head = tuple(&mut h, &[head]);
    }
    let s = spec(&mut h, head, &[], &[a("$1")]);
    let ms = MatchSpec::compile(s, Flavor::Table).unwrap();
    let mut out = Arena::default();
    let mut sc = Scratch::default();
    assert!(matches!(
        ms.run(head, Term::pid(1), &mut sc, &mut out),
        Outcome::Matched(_)
    ));
    // Deep constants and objects are copied without recursion; a deep head with a
    // variable past '$24' is renumbered without recursion.
    let deep_obj = {
        let mut t = Term::small(1);
        for _ in 0..200_000 {
            t = list(&mut h, &[t]);
        }
        t
    };
    let konst = tuple(&mut h, &[a("const"), deep_obj]);
    let pair = tuple(&mut h, &[a("$_"), konst]);
    let body = tuple(&mut h, &[pair]);
    let mut head30 = a("$30");
    for _ in 0..200_000 {
        head30 = tuple(&mut h, &[head30]);
    }
    let s = spec(&mut h, head30, &[], &[body]);
    let ms = MatchSpec::compile(s, Flavor::Table).unwrap();
    let mut obj = deep_obj;
    for _ in 0..200_000 {
        obj = tuple(&mut h, &[obj]);
    }
    match ms.run(obj, Term::pid(1), &mut sc, &mut out) {
        Outcome::Matched(r) => assert!(crate::compare::eq_exact(tuple_get(r, 1), deep_obj)),
        Outcome::NoMatch => panic!("should match"),
    }
}

#[test]
fn trace_actions_are_reported() {
    let mut h = Arena::default();
    // [{['$1'], [], [{message, {{'$1'}}}, {return_trace}, {silent, true},
    //                {enable_trace, send}]}]
    let hd = list(&mut h, &[a("$1")]);
    let tup = tuple(&mut h, &[a("$1")]);
    let cons_t = tuple(&mut h, &[tup]);
    let msg = tuple(&mut h, &[a("message"), cons_t]);
    let rt = tuple(&mut h, &[a("return_trace")]);
    let sil = tuple(&mut h, &[a("silent"), Term::TRUE]);
    let en = tuple(&mut h, &[a("enable_trace"), a("send")]);
    let s = spec(&mut h, hd, &[], &[msg, rt, sil, en]);
    let ms = MatchSpec::compile(s, Flavor::Trace).unwrap();
    let args = list(&mut h, &[Term::small(42)]);
    let mut out = Arena::default();
    let mut sc = Scratch::default();
    let o = ms.run_trace(args, Term::pid(1), &mut sc, &mut out, &mut NoTraceHooks);
    let r = o.result.expect("matches");
    assert!(is_tuple(r) && tuple_get(r, 0) == Term::small(42));
    assert!(o.return_trace && !o.exception_trace);
    assert_eq!(
        o.actions,
        vec![
            TraceAction::Silent(true),
            TraceAction::EnableTrace {
                tracee: None,
                flag: a("send")
            }
        ]
    );
    let two = list(&mut h, &[Term::small(1), Term::small(2)]);
    let o = ms.run_trace(two, Term::pid(1), &mut sc, &mut out, &mut NoTraceHooks);
    assert_eq!(o.result, None);
}

#[test]
fn specs_are_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<MatchSpec>();
    fn assert_send<T: Send>() {}
    assert_send::<Scratch>();
}
