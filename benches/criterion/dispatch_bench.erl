%% Dispatch-heavy kernels for the criterion benches (benches/dispatch.rs). Only BIFs,
%% no stdlib, so the bench needs no OTP installation.
-module(dispatch_bench).
-export([fib/1, nrev/1, loop/1, tuples/1]).

fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).

nrev(N) -> length(nrev_(seq(N, []))).
nrev_([]) -> [];
nrev_([H | T]) -> app(nrev_(T), [H]).
app([], L) -> L;
app([H | T], L) -> [H | app(T, L)].
seq(0, Acc) -> Acc;
seq(N, Acc) -> seq(N - 1, [N | Acc]).

loop(0) -> done;
loop(N) -> loop(N - 1).

tuples(N) -> walk(build(N)).
build(0) -> leaf;
build(N) -> {node, build(N - 1), N, build(N - 1)}.
walk(leaf) -> 0;
walk({node, L, V, R}) -> walk(L) + V + walk(R).
