-module(bench_spawn).
-export([main/0, run/0]).

%% spawn + exit + 'DOWN' of 1M processes, one after another (issue 3's spawn benchmark).
-define(N, 1000000).

run() -> run(?N, 0).

run(0, Acc) -> Acc;
run(N, Acc) ->
    {_, R} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', R, process, _, normal} -> run(N - 1, Acc + 1) end.

main() ->
    T0 = erlang:monotonic_time(),
    R = run(),
    T1 = erlang:monotonic_time(),
    io:format("result: ~p~n", [R]),
    io:format("time_us: ~p~n", [erlang:convert_time_unit(T1 - T0, native, microsecond)]).
