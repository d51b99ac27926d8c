//! Criterion benches of interpreter dispatch: small Erlang kernels (naive fib, naive
//! reverse, a counting loop, tuple-tree building) run to completion in a fresh process.
//! The module is loaded from benches/criterion/dispatch_bench.beam (checked in, rebuilt
//! with `erlc` from the .erl beside it), so no OTP installation is needed.

use criterion::{criterion_group, criterion_main, Criterion};
use oxbeam_term::{Atom, Term};

const BEAM: &[u8] = include_bytes!("criterion/dispatch_bench.beam");

fn run(function: &str, arg: i64) {
    oxbeam_emu::sched::spawn(
        None,
        Atom::from_str("dispatch_bench"),
        Atom::from_str(function),
        &[Term::small(arg)],
        0,
    );
    oxbeam_emu::sched::run_until_idle(1);
}

fn benches(c: &mut Criterion) {
    oxbeam_emu::bifs::register_all();
    oxbeam_emu::loading::load_bytes("dispatch_bench.beam", BEAM, None).expect("bench module loads");
    c.bench_function("fib(20)", |b| b.iter(|| run("fib", 20)));
    c.bench_function("nrev(300)", |b| b.iter(|| run("nrev", 300)));
    c.bench_function("loop(100000)", |b| b.iter(|| run("loop", 100_000)));
    c.bench_function("tuples(12)", |b| b.iter(|| run("tuples", 12)));
}

criterion_group!(dispatch, benches);
criterion_main!(dispatch);
