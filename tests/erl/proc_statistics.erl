%% erlang:statistics/1 (run queues, active tasks, reductions, context switches, runtime,
%% wall clock, scheduler wall time) and erlang:system_flag/2 for scheduler_wall_time and
%% schedulers_online. Only shapes and monotonic growth are printed, never the values, and
%% list lengths are compared with the scheduler counts (which depend on the machine).
-module(proc_statistics).
-export([main/0]).

main() ->
    lists:foreach(fun section/1,
                  [fun queue_tests/0,
                   fun reductions_tests/0,
                   fun context_switch_tests/0,
                   fun time_tests/0,
                   fun scheduler_wall_time_tests/0,
                   fun bad_item_tests/0,
                   fun schedulers_online_tests/0]),
    ok.

%% Runs each section in a fresh process and waits for it; on a broken VM a crash or a
%% hang is reported and the next section still runs.
section(F) ->
    {name, Name} = erlang:fun_info(F, name),
    {Pid, Ref} = spawn_monitor(fun() ->
                        try F()
                        catch C:R -> io:format("section ~p crashed: ~p~n", [Name, {C, R}])
                        end
                end),
    receive
        {'DOWN', Ref, process, Pid, normal} -> ok;
        {'DOWN', Ref, process, Pid, Why} -> io:format("section ~p ended: ~p~n", [Name, Why])
    after 5000 ->
            exit(Pid, kill),
            receive {'DOWN', Ref, process, Pid, _} -> ok end,
            io:format("section ~p timed out~n", [Name])
    end.

catch_it(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R -> {C, R}
    end.

nonneg(X) -> is_integer(X) andalso X >= 0.

nonneg_list(L) -> is_list(L) andalso lists:all(fun nonneg/1, L).

nonneg_pair({A, B}) -> nonneg(A) andalso nonneg(B);
nonneg_pair(_) -> false.

%% A loop doing at least two reductions per iteration (a call and a BIF).
busy(0, Acc) -> Acc;
busy(N, Acc) -> busy(N - 1, Acc bxor erlang:phash2(N)).

queue_tests() ->
    [io:format("~p non-negative integer: ~p~n", [I, nonneg(erlang:statistics(I))])
     || I <- [run_queue, total_run_queue_lengths, total_run_queue_lengths_all,
              total_active_tasks, total_active_tasks_all]],
    S = erlang:system_info(schedulers),
    %% The lists have one entry per normal run queue, then the dirty CPU run queue
    %% (and the dirty IO run queue for the _all variants).
    [begin
         L = erlang:statistics(I),
         io:format("~p: non-negative integers ~p, length schedulers+~p~n",
                   [I, nonneg_list(L), length(L) - S])
     end || I <- [run_queue_lengths, run_queue_lengths_all, active_tasks, active_tasks_all]],
    %% The caller itself is an active task.
    io:format("total_active_tasks >= 1: ~p~n", [erlang:statistics(total_active_tasks) >= 1]),
    io:format("total_active_tasks_all >= 1: ~p~n",
              [erlang:statistics(total_active_tasks_all) >= 1]),
    Sums = [lists:sum(erlang:statistics(run_queue_lengths_all)),
            lists:sum(erlang:statistics(run_queue_lengths))],
    io:format("run queue sums non-negative: ~p~n", [nonneg_list(Sums)]).

reductions_tests() ->
    [begin
         {T0, _} = V0 = erlang:statistics(I),
         io:format("~p shape: ~p~n", [I, nonneg_pair(V0)]),
         _ = busy(100000, 0),
         {T1, Since} = V1 = erlang:statistics(I),
         io:format("~p after 100,000 iterations: shape ~p, total grew by >= 100000: ~p, "
                   "since last >= 100000: ~p~n",
                   [I, nonneg_pair(V1), T1 - T0 >= 100000, Since >= 100000])
     end || I <- [reductions, exact_reductions]],
    %% Reductions of other processes count too.
    {T2, _} = erlang:statistics(exact_reductions),
    Self = self(),
    Ps = [spawn(fun() -> Self ! {busy, self(), busy(50000, 0)} end) || _ <- lists:seq(1, 4)],
    [receive {busy, P, _} -> ok end || P <- Ps],
    {T3, _} = erlang:statistics(exact_reductions),
    io:format("exact_reductions counts other processes: ~p~n", [T3 - T2 >= 200000]).

context_switch_tests() ->
    {N0, Z0} = erlang:statistics(context_switches),
    io:format("context_switches shape: ~p, second element: ~p~n",
              [is_integer(N0) andalso N0 > 0, Z0]),
    [erlang:yield() || _ <- lists:seq(1, 100)],
    %% A message round trip with another process switches for sure.
    Self = self(),
    P = spawn(fun() -> receive ping -> Self ! pong end end),
    P ! ping,
    receive pong -> ok end,
    {N1, Z1} = erlang:statistics(context_switches),
    io:format("context_switches grew: ~p, second element: ~p~n", [N1 > N0, Z1]).

time_tests() ->
    R0 = erlang:statistics(runtime),
    W0 = erlang:statistics(wall_clock),
    io:format("runtime shape: ~p~n", [nonneg_pair(R0)]),
    io:format("wall_clock shape: ~p~n", [nonneg_pair(W0)]),
    timer:sleep(20),
    {W1, WS1} = erlang:statistics(wall_clock),
    io:format("wall_clock total grew by >= 20 after sleep(20): ~p~n", [W1 - element(1, W0) >= 20]),
    io:format("wall_clock since last >= 20: ~p~n", [WS1 >= 20]),
    {W2, WS2} = erlang:statistics(wall_clock),
    io:format("wall_clock non-decreasing: ~p, since last non-negative: ~p~n",
              [W2 >= W1, nonneg(WS2)]),
    _ = busy(200000, 0),
    {Rt1, RS1} = erlang:statistics(runtime),
    io:format("runtime non-decreasing: ~p, since last non-negative: ~p~n",
              [Rt1 >= element(1, R0), nonneg(RS1)]).

%% Sum of the active time of the normal schedulers (ids 1..S).
normal_active(SWT, S) ->
    lists:sum([A || {Id, A, _} <- SWT, Id =< S]).

swt_ok(SWT) ->
    lists:all(fun({Id, A, T}) -> nonneg(Id) andalso nonneg(A) andalso nonneg(T) andalso A =< T;
                 (_) -> false
              end, SWT).

scheduler_wall_time_tests() ->
    S = erlang:system_info(schedulers),
    D = erlang:system_info(dirty_cpu_schedulers),
    IO = erlang:system_info(dirty_io_schedulers),
    io:format("scheduler_wall_time before enabling: ~p~n",
              [erlang:statistics(scheduler_wall_time)]),
    io:format("scheduler_wall_time_all before enabling: ~p~n",
              [erlang:statistics(scheduler_wall_time_all)]),
    io:format("enable: ~p~n", [erlang:system_flag(scheduler_wall_time, true)]),
    SWT0 = erlang:statistics(scheduler_wall_time),
    %% The list is not sorted by scheduler id.
    Ids0 = lists:sort([element(1, E) || E <- SWT0]),
    io:format("scheduler_wall_time ids are 1..schedulers+dirty_cpu_schedulers: ~p~n",
              [Ids0 =:= lists:seq(1, S + D)]),
    io:format("scheduler_wall_time entries {Id, Active, Total}, 0 =< Active =< Total: ~p~n",
              [swt_ok(SWT0)]),
    All = erlang:statistics(scheduler_wall_time_all),
    IdsAll = lists:sort([element(1, E) || E <- All]),
    io:format("scheduler_wall_time_all ids are 1..schedulers+dirty_cpu+dirty_io: ~p~n",
              [IdsAll =:= lists:seq(1, S + D + IO)]),
    io:format("scheduler_wall_time_all entries well formed: ~p~n", [swt_ok(All)]),
    _ = busy(300000, 0),
    SWT1 = erlang:statistics(scheduler_wall_time),
    io:format("normal schedulers' active time grew: ~p~n",
              [normal_active(SWT1, S) > normal_active(SWT0, S)]),
    Tot = fun(L) -> lists:sum([T || {_, _, T} <- L]) end,
    io:format("total time grew: ~p~n", [Tot(SWT1) > Tot(SWT0)]),
    io:format("second enable: ~p~n", [erlang:system_flag(scheduler_wall_time, true)]),
    io:format("first disable: ~p~n", [erlang:system_flag(scheduler_wall_time, false)]),
    %% Enabling is counted per process: still on after one of two disables.
    io:format("still enabled: ~p~n", [is_list(erlang:statistics(scheduler_wall_time))]),
    io:format("second disable: ~p~n", [erlang:system_flag(scheduler_wall_time, false)]),
    io:format("scheduler_wall_time after disabling: ~p~n",
              [erlang:statistics(scheduler_wall_time)]),
    io:format("scheduler_wall_time_all after disabling: ~p~n",
              [erlang:statistics(scheduler_wall_time_all)]),
    io:format("disable when disabled: ~p~n", [erlang:system_flag(scheduler_wall_time, false)]),
    %% A process that enables it and exits leaves it disabled.
    Self = self(),
    {P, M} = spawn_monitor(fun() ->
                                   Self ! {enabled, erlang:system_flag(scheduler_wall_time, true)}
                           end),
    receive {enabled, E} -> io:format("enable in other process: ~p~n", [E]) end,
    receive {'DOWN', M, process, P, _} -> ok end,
    io:format("disabled again after it exits: ~p~n", [wait_undefined(2000)]).

%% The enabling process' exit is processed asynchronously; poll until it is off.
wait_undefined(0) -> false;
wait_undefined(N) ->
    case erlang:statistics(scheduler_wall_time) of
        undefined -> true;
        _ -> timer:sleep(1), wait_undefined(N - 1)
    end.

bad_item_tests() ->
    Cases =
        [{"statistics(foo)", fun() -> erlang:statistics(foo) end},
         {"statistics(\"runtime\")", fun() -> erlang:statistics("runtime") end},
         {"statistics(42)", fun() -> erlang:statistics(42) end},
         {"system_flag(scheduler_wall_time, maybe)",
          fun() -> erlang:system_flag(scheduler_wall_time, maybe) end},
         {"system_flag(scheduler_wall_time, 1)",
          fun() -> erlang:system_flag(scheduler_wall_time, 1) end},
         {"system_flag(schedulers_online, 0)",
          fun() -> erlang:system_flag(schedulers_online, 0) end},
         {"system_flag(schedulers_online, foo)",
          fun() -> erlang:system_flag(schedulers_online, foo) end},
         {"system_flag(schedulers_online, schedulers+1)",
          fun() ->
                  erlang:system_flag(schedulers_online, erlang:system_info(schedulers) + 1)
          end},
         {"system_flag(no_such_flag, true)", fun() -> erlang:system_flag(no_such_flag, true) end}],
    [io:format("~s: ~p~n", [Name, catch_it(F)]) || {Name, F} <- Cases],
    ok.

schedulers_online_tests() ->
    Cur = erlang:system_info(schedulers_online),
    Old = erlang:system_flag(schedulers_online, Cur),
    io:format("schedulers_online set to itself returns it: ~p~n", [Old =:= Cur]),
    io:format("schedulers_online unchanged: ~p~n",
              [erlang:system_info(schedulers_online) =:= Cur]).
