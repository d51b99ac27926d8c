-module(bench_nrev).
-export([main/0, run/0]).

-define(N, 20).

app([], L) -> L;
app([H | T], L) -> [H | app(T, L)].

nrev([]) -> [];
nrev([H | T]) -> app(nrev(T), [H]).

run() ->
    L = lists:seq(1, 500),
    R = repeat(20, L, []),
    {length(R), hd(R), lists:last(R)}.

repeat(0, _, Acc) -> Acc;
repeat(K, L, _) -> repeat(K - 1, L, nrev(L)).

main() ->
    R = run(),
    T0 = erlang:monotonic_time(),
    loop(?N),
    T1 = erlang:monotonic_time(),
    io:format("result: ~p~n", [R]),
    io:format("time_us: ~p~n", [erlang:convert_time_unit(T1 - T0, native, microsecond)]).

loop(0) -> ok;
loop(N) -> run(), loop(N - 1).
