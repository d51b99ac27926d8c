-module(bench_scaling).
-export([main/0, run/0]).

%% Scheduler scaling: four CPU-bound processes each count down from 30,000,000 with no
%% messages in between; the main process waits for all four. Run it with `+S 1` and
%% `+S 2` (OXBEAM_FLAGS / ERL_FLAGS of benches/side_by_side.sh): on two cores the
%% second should take at most 0.56 of the first. Result: the four final counters.
-define(PROCS, 4).
-define(COUNT, 30000000).

run() ->
    Me = self(),
    T0 = erlang:monotonic_time(),
    Ps = [spawn(fun() -> Me ! {self(), count(?COUNT)} end) || _ <- lists:seq(1, ?PROCS)],
    R = [receive {P, N} -> N end || P <- Ps],
    T1 = erlang:monotonic_time(),
    {R, T1 - T0}.

count(0) -> 0;
count(N) -> count(N - 1).

main() ->
    {R, T} = run(),
    io:format("result: ~p~n", [R]),
    io:format("time_us: ~p~n", [erlang:convert_time_unit(T, native, microsecond)]).
