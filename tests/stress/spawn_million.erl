%% Spawns and finishes 1,000,000 processes in 10 waves of 100,000: in each wave all
%% 100,000 are alive at once (each reports in, then waits), then all are told to exit
%% and their 'DOWN's collected. Must not leak: erlang:memory(processes) must be back
%% within 4 MB of its value after the first wave, and tests/stress/run.sh reads the
%% VM's RSS at the `mark: baseline` line (after the first, warm-up wave) and at
%% `mark: done` (after all ten) and fails if it grew by more than RSS_SLACK_MIB. The marks go to stderr
%% (prompt on both VMs; oxbeam's stdout to a pipe is block-buffered), each followed by a
%% 2 s pause in which the runner samples. stdout: deterministic lines compared with
%% spawn_million.out; stderr: marks and timings.
-module(spawn_million).
-export([main/0]).

-define(WAVES, 10).
-define(PER_WAVE, 100000).

main() ->
    Base = erlang:system_info(process_count),
    D1 = wave(1, Base),
    mark(baseline),
    M0 = erlang:memory(processes),
    Rest = [wave(W, Base) || W <- lists:seq(2, ?WAVES)],
    mark(done),
    M1 = erlang:memory(processes),
    io:format("total DOWNs: ~p~n", [D1 + lists:sum(Rest)]),
    %% The VM's own accounting of process memory (no allocator caching in it): after
    %% 900,000 more processes came and went it is back within 4 MB of the baseline.
    io:format(standard_error, "info: memory(processes) ~p -> ~p~n", [M0, M1]),
    io:format("memory(processes) back to baseline: ~p~n", [M1 - M0 < 4000000]).

wave(W, Base) ->
    T0 = erlang:monotonic_time(millisecond),
    Me = self(),
    Procs = spawn_all(?PER_WAVE, Me, []),
    Ready = wait_ready(?PER_WAVE, 0),
    Alive = erlang:system_info(process_count) - Base >= ?PER_WAVE,
    [P ! exit || {P, _} <- Procs],
    Downs = wait_downs(?PER_WAVE, 0),
    Gone = all_gone(Base, 2000),
    %% Shrink the main process's heap (it held 100,000 {Pid, Ref} pairs and as many
    %% messages) so that RSS at the marks reflects the VM, not this process's peak.
    erlang:garbage_collect(),
    T1 = erlang:monotonic_time(millisecond),
    io:format("wave ~p: ready ~p, all alive ~p, DOWNs ~p, all gone ~p~n",
              [W, Ready, Alive, Downs, Gone]),
    io:format(standard_error, "info: wave ~p ~p ms~n", [W, T1 - T0]),
    Downs.

spawn_all(0, _Me, Acc) -> Acc;
spawn_all(K, Me, Acc) ->
    spawn_all(K - 1, Me, [spawn_monitor(fun() -> child(Me) end) | Acc]).

child(Main) ->
    Main ! ready,
    receive exit -> ok end.

wait_ready(0, N) -> N;
wait_ready(K, N) -> receive ready -> wait_ready(K - 1, N + 1) after 30000 -> N end.

wait_downs(0, N) -> N;
wait_downs(K, N) ->
    receive {'DOWN', _, process, _, normal} -> wait_downs(K - 1, N + 1)
    after 30000 -> N
    end.

%% The exited processes have left the process table (polls for up to Ms ms).
all_gone(Base, Ms) ->
    case erlang:system_info(process_count) =< Base of
        true -> true;
        false when Ms =< 0 -> false;
        false -> receive after 10 -> all_gone(Base, Ms - 10) end
    end.

%% The VM is idle for half a second first: both VMs hand freed memory back to the OS
%% lazily (oxbeam's schedulers after 50 ms asleep), and the check is about what stays
%% resident, not about a moment mid-release.
mark(Label) ->
    receive after 500 -> ok end,
    io:format(standard_error, "mark: ~p ~s~n", [Label, os:getpid()]),
    receive after 2000 -> ok end.
