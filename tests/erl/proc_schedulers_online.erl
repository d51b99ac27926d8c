%% erlang:system_flag(schedulers_online, N): schedulers beyond N stop running
%% processes (every process then reports a scheduler_id =< N) until they are brought
%% back; bad values raise badarg. Printed relative to the machine's scheduler count so
%% that the output does not depend on the number of cores.
-module(proc_schedulers_online).
-export([main/0]).

main() ->
    S = erlang:system_info(schedulers),
    Online = erlang:system_info(schedulers_online),
    io:format("online =< schedulers: ~p~n", [Online =< S]),
    io:format("scheduler_id in range: ~p~n", [in_range(erlang:system_info(scheduler_id), S)]),
    %% Down to one.
    Old = erlang:system_flag(schedulers_online, 1),
    io:format("old value returned: ~p~n", [Old =:= Online]),
    io:format("now online: ~p~n", [erlang:system_info(schedulers_online)]),
    io:format("busy processes all on scheduler 1: ~p~n", [ids_of_busy_processes(8) =:= [1]]),
    %% Back to all of them: work still completes (and may use every scheduler).
    1 = erlang:system_flag(schedulers_online, S),
    io:format("back online: ~p~n", [erlang:system_info(schedulers_online) =:= S]),
    Ids = ids_of_busy_processes(8),
    io:format("ids in range afterwards: ~p~n", [lists:all(fun(I) -> in_range(I, S) end, Ids)]),
    %% Bad values.
    [io:format("system_flag(schedulers_online, ~s): ~p~n", [L, catch_class(V)])
     || {L, V} <- [{"0", 0}, {"-1", -1}, {"schedulers + 1", S + 1}, {"a", a},
                   {"1.0", 1.0}, {"\"1\"", "1"}]],
    io:format("unchanged after bad values: ~p~n",
              [erlang:system_info(schedulers_online) =:= S]),
    %% Repeated changes while processes are busy: nothing is lost.
    Me = self(),
    Ps = [spawn(fun() -> Me ! {done, self(), spin(200000)} end) || _ <- lists:seq(1, 20)],
    [erlang:system_flag(schedulers_online, N) || N <- [1, S, 1, S, 1]],
    Done = length([receive {done, P, _} -> ok end || P <- Ps]),
    io:format("busy processes finished while flipping: ~p~n", [Done]),
    erlang:system_flag(schedulers_online, S),
    ok.

in_range(I, S) -> is_integer(I) andalso I >= 1 andalso I =< S.

catch_class(V) ->
    try erlang:system_flag(schedulers_online, V) of
        R -> {ok, R}
    catch
        C:R -> {C, R}
    end.

%% Spawns N processes that each loop for a while and report the schedulers they ran
%% on; returns the sorted distinct ids.
ids_of_busy_processes(N) ->
    Me = self(),
    Ps = [spawn(fun() -> Me ! {ids, self(), busy_ids(20, [])} end) || _ <- lists:seq(1, N)],
    lists:usort(lists:append([receive {ids, P, L} -> L end || P <- Ps])).

busy_ids(0, Acc) -> Acc;
busy_ids(K, Acc) ->
    spin(20000),
    busy_ids(K - 1, [erlang:system_info(scheduler_id) | Acc]).

spin(0) -> 0;
spin(K) -> spin(K - 1).
