-module(bench_tree).
-export([main/0, run/0]).

-define(N, 4).

make(0, V) -> {leaf, V};
make(D, V) -> {node, make(D - 1, 2 * V), make(D - 1, 2 * V + 1)}.

check({leaf, V}) -> V band 1;
check({node, L, R}) -> 1 + check(L) + check(R).

depth({leaf, _}) -> 0;
depth({node, L, _}) -> 1 + depth(L).

run() ->
    Results = [begin T = make(D, 1), {D, check(T), depth(T)} end || D <- [16, 17, 18, 19, 20]],
    lists:foldl(fun({_, C, _}, Acc) -> Acc + C end, 0, Results).

main() ->
    R = run(),
    T0 = erlang:monotonic_time(),
    loop(?N),
    T1 = erlang:monotonic_time(),
    io:format("result: ~p~n", [R]),
    io:format("time_us: ~p~n", [erlang:convert_time_unit(T1 - T0, native, microsecond)]).

loop(0) -> ok;
loop(N) -> run(), loop(N - 1).
