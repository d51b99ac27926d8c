-module(sys_monitor).
-export([main/0]).

%% erlang:system_monitor/0,1,2: settings, badargs, forced long_gc / large_heap events
%% (only their deterministic parts are printed), the monitor's own events, and the
%% setting going away with the monitor process.

c(F) -> try F() of V -> {ok, norm(V)} catch C:E -> {C, E} end.

%% Pids printed as names: the output must not depend on pid numbering.
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

flush() -> receive M -> [M | flush()] after 0 -> [] end.

dead_pid() ->
    P = spawn(fun() -> ok end),
    R = monitor(process, P),
    receive {'DOWN', R, _, _, _} -> P end.

main() ->
    S = self(),
    D = dead_pid(),
    erlang:system_monitor(undefined),
    show("initial", fun() -> erlang:system_monitor() end),
    show("set all", fun() -> erlang:system_monitor(S, [{long_gc, 100}, busy_port, {large_heap, 1000},
                                                      busy_dist_port, {long_schedule, 10}]) end),
    show("get", fun() -> erlang:system_monitor() end),
    show("later wins", fun() -> erlang:system_monitor(S, [{long_gc, 100}, {long_gc, 200}]) end),
    show("get", fun() -> erlang:system_monitor() end),
    show("empty list clears", fun() -> erlang:system_monitor(S, []) end),
    show("get", fun() -> erlang:system_monitor() end),
    show("tuple form", fun() -> erlang:system_monitor({S, [busy_port]}) end),
    show("get", fun() -> erlang:system_monitor() end),
    show("undefined/1", fun() -> erlang:system_monitor(undefined) end),
    show("get", fun() -> erlang:system_monitor() end),
    show("minimums", fun() -> erlang:system_monitor(S, [{long_gc, 0}, {long_schedule, 0},
                                                       {large_heap, 0}]) end),
    show("get", fun() -> erlang:system_monitor() end),
    show("big limits", fun() -> erlang:system_monitor(S, [{long_gc, 1 bsl 40},
                                                         {large_heap, 1 bsl 64 - 1}]) end),
    show("get", fun() -> erlang:system_monitor() end),
    show("limit 16385", fun() -> erlang:system_monitor(S, [{large_heap, 16385}, {long_schedule, 3}]) end),
    show("duplicates", fun() -> erlang:system_monitor(S, [busy_port, busy_port]) end),
    show("get", fun() -> erlang:system_monitor() end),
    %% Errors leave the setting as it was.
    Bad = [{foo}, {S, [busy_port], x}, {S}, foo, 1, [], {S, [foo]}],
    [show(io_lib:format("bad/1 ~p", [norm(A)]), fun() -> erlang:system_monitor(A) end) || A <- Bad],
    Bad2 = [{S, [foo]}, {S, [{long_gc, -1}]}, {S, [{long_gc, 1.0}]}, {S, [{long_gc, 1 bsl 64}]},
            {S, [{large_heap, 1 bsl 64}]}, {S, [{long_gc, false}]}, {S, [{busy_port, true}]},
            {S, [{busy_port}]}, {S, [{long_gc, 1, 2}]}, {S, [{long_gc, 1}, {long_gc, foo}]},
            {S, [{long_message_queue, {1, 2}}]}, {S, busy_port}, {S, [busy_port | x]},
            {foo, [busy_port]}, {D, [busy_port]}, {{S}, [busy_port]}, {S, foo}, {S, "x"}],
    [show(io_lib:format("bad/2 ~p", [norm(A)]), fun() -> erlang:system_monitor(P, O) end)
     || {P, O} = A <- Bad2],
    show("get", fun() -> erlang:system_monitor() end),
    %% Clearing needs no valid pid or options.
    show("dead pid, []", fun() -> erlang:system_monitor(D, []) end),
    show("undefined, [foo]", fun() -> erlang:system_monitor(undefined, [foo]) end),
    show("undefined, foo", fun() -> erlang:system_monitor(undefined, foo) end),
    show("{undefined, [foo]}", fun() -> erlang:system_monitor({undefined, [foo]}) end),
    show("get", fun() -> erlang:system_monitor() end),

    %% Events: a process with a large heap that collects.
    flush(),
    erlang:system_monitor(S, [{long_gc, 1}, {large_heap, 500000}]),
    W = spawn(fun() ->
                      L = lists:seq(1, 1500000),
                      erlang:garbage_collect(),
                      S ! {done, self()},
                      receive stop -> length(L) end
              end),
    receive {done, W} -> ok end,
    erlang:system_monitor(undefined),
    W ! stop,
    Msgs = flush(),
    Names = [{S, self}, {W, worker}],
    Events = [{Tag, [K || {K, _} <- Info]}
              || {monitor, P, Tag, Info} <- Msgs, P =:= W, Tag =/= long_schedule],
    io:format("worker long_gc: ~p~n", [lists:usort([E || {long_gc, _} = E <- Events])]),
    io:format("worker large_heap: ~p~n", [lists:usort([E || {large_heap, _} = E <- Events])]),
    io:format("long_gc timeouts > 1: ~p~n",
              [lists:usort([T > 1 || {monitor, P, long_gc, [{timeout, T} | _]} <- Msgs, P =:= W])]),
    io:format("large heaps >= limit: ~p~n",
              [lists:usort([proplists:get_value(heap_block_size, I)
                            + proplists:get_value(old_heap_block_size, I) >= 500000
                            || {monitor, P, large_heap, I} <- Msgs, P =:= W])]),
    io:format("others: ~p~n", [lists:usort([norm(element(3, M), Names) || M <- Msgs,
                                                                        element(1, M) =/= monitor])]),

    %% The monitor's own collections are not reported to it.
    erlang:system_monitor(S, [{long_gc, 1}, {large_heap, 100000}]),
    Big = lists:seq(1, 500000),
    erlang:garbage_collect(),
    erlang:system_monitor(undefined),
    io:format("own events: ~p (~p)~n", [[M || {monitor, P, _, _} = M <- flush(), P =:= S],
                                       length(Big)]),

    %% The setting goes with the monitor process.
    Mon = spawn(fun() ->
                        erlang:system_monitor(self(), [busy_port, {long_gc, 50}]),
                        S ! set,
                        receive stop -> ok end
                end),
    receive set -> ok end,
    show("other monitor", fun() -> {element(1, erlang:system_monitor()) =:= Mon,
                                    element(2, erlang:system_monitor())} end),
    R = monitor(process, Mon),
    Mon ! stop,
    receive {'DOWN', R, _, _, _} -> ok end,
    show("after its exit", fun() -> erlang:system_monitor() end),
    ok.
