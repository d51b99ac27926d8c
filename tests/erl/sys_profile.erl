-module(sys_profile).
-export([main/0, waiter/0, quick/0]).

%% erlang:system_profile/0,2: settings, badargs, and the runnable_procs events of a
%% process that blocks in receive (only their deterministic parts), timestamps, the
%% scheduler events, and the setting going away with the profiler.

c(F) -> try F() of V -> {ok, norm(V)} catch C:E -> {C, E} end.

norm(T) -> norm(T, [{self(), self}]).
norm(T, Names) when is_pid(T) ->
    case lists:keyfind(T, 1, Names) of
        {_, N} -> N;
        false -> other_pid
    end;
norm([H | T], Names) -> [norm(H, Names) | norm(T, Names)];
norm(T, Names) when is_tuple(T) -> list_to_tuple(norm(tuple_to_list(T), Names));
norm(T, _) -> T.

show(Label, F) -> io:format("~s: ~p~n", [Label, c(F)]).

waiter() ->
    receive go -> ok end,
    receive stop -> ok end.

quick() -> ok.

%% A profiler that keeps what it gets until asked.
collector() -> collect([]).
collect(Acc) ->
    receive
        {get, P} -> P ! {events, lists:reverse(Acc)}, collect([]);
        M -> collect([M | Acc])
    end.

events(Prof) ->
    Prof ! {get, self()},
    receive {events, Es} -> Es end.

dead_pid() ->
    P = spawn(fun() -> ok end),
    R = monitor(process, P),
    receive {'DOWN', R, _, _, _} -> P end.

ts_kind({A, B, C}) when is_integer(A), is_integer(B), is_integer(C) -> now;
ts_kind({A, B}) when is_integer(A), is_integer(B) -> strict_monotonic;
ts_kind(A) when is_integer(A) -> monotonic;
ts_kind(_) -> bad.

main() ->
    S = self(),
    D = dead_pid(),
    Prof = spawn(fun collector/0),
    Names = [{S, self}, {Prof, profiler}],
    P = fun(F) -> fun() -> norm(F(), Names) end end,
    show("initial", P(fun() -> erlang:system_profile() end)),
    show("set", P(fun() -> erlang:system_profile(Prof, [runnable_procs]) end)),
    show("get", P(fun() -> erlang:system_profile() end)),
    show("all options", P(fun() -> erlang:system_profile(Prof, [runnable_procs, runnable_ports,
                                                               scheduler, exclusive,
                                                               strict_monotonic_timestamp]) end)),
    show("get", P(fun() -> erlang:system_profile() end)),
    show("empty list clears", P(fun() -> erlang:system_profile(Prof, []) end)),
    show("get", P(fun() -> erlang:system_profile() end)),
    show("timestamp only", P(fun() -> erlang:system_profile(Prof, [timestamp]) end)),
    show("get", P(fun() -> erlang:system_profile() end)),
    show("duplicates", P(fun() -> erlang:system_profile(Prof, [monotonic_timestamp, runnable_procs,
                                                              runnable_procs, exclusive]) end)),
    show("get", P(fun() -> erlang:system_profile() end)),
    Bad = [{Prof, [foo]}, {Prof, runnable_procs}, {Prof, [runnable_procs | x]}, {foo, [runnable_procs]},
           {D, [runnable_procs]}, {Prof, [{runnable_procs}]}, {Prof, [cpu_timestamp]}, {1, [scheduler]},
           {Prof, "x"}, {Prof, foo}],
    [show(io_lib:format("bad ~p", [norm(A, [{D, dead} | Names])]),
          P(fun() -> erlang:system_profile(Pr, O) end)) || {Pr, O} = A <- Bad],
    show("get", P(fun() -> erlang:system_profile() end)),
    show("undefined clears", P(fun() -> erlang:system_profile(undefined, [runnable_procs]) end)),
    show("undefined, foo", P(fun() -> erlang:system_profile(undefined, foo) end)),
    show("dead, []", P(fun() -> erlang:system_profile(D, []) end)),
    show("get", P(fun() -> erlang:system_profile() end)),
    events(Prof),

    %% runnable_procs: a process spawned while profiling, woken twice, then exiting.
    erlang:system_profile(Prof, [runnable_procs]),
    W = spawn(?MODULE, waiter, []),
    Q = spawn(?MODULE, quick, []),
    timer:sleep(100),
    W ! go,
    timer:sleep(100),
    W ! stop,
    timer:sleep(100),
    erlang:system_profile(undefined, []),
    Es = events(Prof),
    [io:format("waiter ~p ~p~n", [St, Mfa]) || {profile, Pid, St, Mfa, _} <- Es, Pid =:= W],
    [io:format("quick ~p ~p~n", [St, Mfa]) || {profile, Pid, St, Mfa, _} <- Es, Pid =:= Q],
    io:format("self reported: ~p~n", [[x || {profile, Pid, _, _, _} <- Es, Pid =:= S] =/= []]),
    io:format("profiler reported: ~p~n", [[x || {profile, Pid, _, _, _} <- Es, Pid =:= Prof]]),
    io:format("shapes: ~p~n", [lists:usort([{element(1, E), tuple_size(E), element(3, E),
                                             ts_kind(element(5, E))}
                                            || E <- Es, element(2, E) =:= W orelse element(2, E) =:= Q])]),

    %% Timestamps.
    Stamps = [{timestamp, [runnable_procs]}, {monotonic_timestamp, [runnable_procs]},
              {strict_monotonic_timestamp, [runnable_procs]}],
    lists:foreach(
      fun({Kind, Opts}) ->
              W2 = spawn(?MODULE, waiter, []),
              timer:sleep(50),
              erlang:system_profile(Prof, [Kind | Opts]),
              W2 ! go,
              timer:sleep(50),
              erlang:system_profile(undefined, []),
              W2 ! stop,
              Es2 = events(Prof),
              io:format("~p: ~p~n", [Kind, [{St, Mfa, ts_kind(T)}
                                            || {profile, Pid, St, Mfa, T} <- Es2, Pid =:= W2]])
      end, Stamps),

    %% Scheduler events.
    erlang:system_profile(Prof, [scheduler]),
    timer:sleep(100),
    erlang:system_profile(undefined, []),
    Es3 = events(Prof),
    io:format("scheduler events: ~p~n",
              [lists:usort([{profile, scheduler, is_integer(Id) andalso Id > 0, St,
                             is_integer(N) andalso N >= 0, ts_kind(T)}
                            || {profile, scheduler, Id, St, N, T} <- Es3])]),

    %% The setting goes with the profiler.
    Prof2 = spawn(fun() -> receive stop -> ok end end),
    erlang:system_profile(Prof2, [runnable_procs]),
    show("other profiler", fun() -> {element(1, erlang:system_profile()) =:= Prof2,
                                     element(2, erlang:system_profile())} end),
    R = monitor(process, Prof2),
    Prof2 ! stop,
    receive {'DOWN', R, _, _, _} -> ok end,
    show("after its exit", P(fun() -> erlang:system_profile() end)),
    ok.
