%% Timers die with their process: in 6 waves, 50,000 processes each set an hour-long
%% send_after to themselves, get an hour-long start_timer from the main process, and
%% wait in a receive with an hour-long `after`; then they are killed. Each timer carries
%% a 1 KB message, so timers kept until due would hold over 100 MB a wave: the VM's
%% accounting (erlang:memory(processes), which counts message fragments) must be back
%% within 4 MB of its value after the first wave, and tests/stress/run.sh fails the
%% test if RSS at `mark: done` exceeds `mark: baseline` by more than RSS_SLACK_MIB.
%% stdout: deterministic lines.
-module(timers_of_dead).
-export([main/0]).

-define(WAVES, 6).
-define(PER_WAVE, 50000).
-define(HOUR, 3600000).

main() ->
    wave(1),
    mark(baseline),
    M0 = erlang:memory(processes),
    [wave(W) || W <- lists:seq(2, ?WAVES)],
    mark(done),
    M1 = erlang:memory(processes),
    io:format(standard_error, "info: memory(processes) ~p -> ~p~n", [M0, M1]),
    io:format("memory(processes) back to baseline: ~p~n", [M1 - M0 < 4000000]).

wave(W) ->
    T0 = erlang:monotonic_time(millisecond),
    Me = self(),
    Payload = lists:seq(1, 60),
    Procs = [spawn_monitor(fun() -> child(Me, Payload) end) || _ <- lists:seq(1, ?PER_WAVE)],
    Own = [receive {ready, P, T} -> T end || {P, _} <- Procs],
    Given = [erlang:start_timer(?HOUR, P, Payload) || {P, _} <- Procs],
    [exit(P, kill) || {P, _} <- Procs],
    Downs = length([receive {'DOWN', R, process, P, killed} -> ok end || {P, R} <- Procs]),
    %% A timer to a process that exited reads as gone, whoever set it. Only a sample
    %% is read: reading may itself drop a timer, which must happen without being asked.
    Sample = lists:sublist(Own, 100) ++ lists:sublist(Given, 100),
    Left = length([T || T <- Sample, erlang:read_timer(T) =/= false]),
    erlang:garbage_collect(),
    T1 = erlang:monotonic_time(millisecond),
    io:format("wave ~p: DOWNs ~p, sampled timers left ~p~n", [W, Downs, Left]),
    io:format(standard_error, "info: wave ~p ~p ms~n", [W, T1 - T0]).

child(Main, Payload) ->
    T = erlang:send_after(?HOUR, self(), {later, Payload}),
    Main ! {ready, self(), T},
    receive never -> ok after ?HOUR -> ok end.

%% Idle half a second first so that freed memory is handed back (see spawn_million).
mark(Label) ->
    receive after 500 -> ok end,
    io:format(standard_error, "mark: ~p ~s~n", [Label, os:getpid()]),
    receive after 2000 -> ok end.
