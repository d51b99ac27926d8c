%% Preemption: one process in an infinite busy loop (no receive, no BIF that yields)
%% per scheduler, and meanwhile a ping-pong pair does 1,000 round trips. Passes if the
%% batch completes within 2,000 ms (generous: the reference needs a few ms); a VM that
%% does not preempt never finishes (the runner's timeout). Then the busy loops are
%% killed and their 'DOWN's checked. stdout: booleans and counts (compared with
%% busy_pingpong.out, independent of the number of schedulers); stderr: the measured
%% time, and `progress:` lines so that a hang shows where it stopped (the runner shows
%% stderr after a failure; stdout may be lost when the VM is killed).
-module(busy_pingpong).
-export([main/0]).

-define(ROUND_TRIPS, 1000).
-define(BOUND_MS, 2000).

main() ->
    N = erlang:system_info(schedulers),
    Busy = [spawn_monitor(fun() -> busy(0) end) || _ <- lists:seq(1, N)],
    progress("~p busy loops spawned", [N]),
    %% Let the busy loops take every scheduler before the ping-pong starts (this
    %% receive timeout must also fire while no scheduler is ever idle).
    receive after 100 -> ok end,
    progress("slept 100 ms", []),
    Echo = spawn(fun echo/0),
    T0 = erlang:monotonic_time(microsecond),
    Done = pingpong(Echo, ?ROUND_TRIPS, 0),
    T1 = erlang:monotonic_time(microsecond),
    Ms = (T1 - T0) / 1000,
    progress("ping-pong done", []),
    Echo ! stop,
    io:format("round trips: ~p~n", [Done]),
    io:format("within ~p ms: ~p~n", [?BOUND_MS, Ms =< ?BOUND_MS]),
    io:format("busy loops alive during ping-pong: ~p~n",
              [lists:all(fun({P, _}) -> is_process_alive(P) end, Busy)]),
    [exit(P, kill) || {P, _} <- Busy],
    Killed = length([ok || {_, R} <- Busy,
                           receive {'DOWN', R, process, _, killed} -> true
                           after 5000 -> false end]),
    progress("~p busy loops killed", [Killed]),
    io:format("busy loops killed: ~p~n", [Killed =:= N]),
    io:format(standard_error, "info: ~p round trips in ~.1f ms with ~p busy loops~n",
              [Done, Ms, N]).

progress(Fmt, Args) -> io:format(standard_error, "progress: " ++ Fmt ++ "~n", Args).

busy(K) -> busy(K + 1).

echo() ->
    receive
        {ping, From, I} -> From ! {pong, I}, echo();
        stop -> ok
    end.

pingpong(_Echo, 0, Done) -> Done;
pingpong(Echo, K, Done) ->
    Echo ! {ping, self(), K},
    receive {pong, K} -> pingpong(Echo, K - 1, Done + 1) end.
