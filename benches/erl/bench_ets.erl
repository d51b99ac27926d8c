-module(bench_ets).
-export([main/0, run/0]).

%% ETS insert + lookup of 1M integer keys in a set (issue 4's first ETS target).

-define(N, 1000000).

run() ->
    T = ets:new(bench, [set, public]),
    ins(T, ?N),
    S = look(T, ?N, 0),
    ets:delete(T),
    S.

ins(_, 0) -> ok;
ins(T, N) -> ets:insert(T, {N, N}), ins(T, N - 1).

look(_, 0, Acc) -> Acc;
look(T, N, Acc) ->
    [{_, V}] = ets:lookup(T, N),
    look(T, N - 1, Acc + V).

main() ->
    T0 = erlang:monotonic_time(),
    R = run(),
    T1 = erlang:monotonic_time(),
    io:format("result: ~p~n", [R]),
    io:format("time_us: ~p~n", [erlang:convert_time_unit(T1 - T0, native, microsecond)]).
