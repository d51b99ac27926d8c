%% ETS under concurrency: 8 workers (spread over every scheduler) hammer one public
%% table: each bumps shared counters with update_counter, inserts and deletes its own
%% keys, and reads the others' keys with lookup and member, for 200,000 operations each.
%% Passes when no update is lost (every counter total is exact), each worker's own keys
%% are exactly what it left, and the table's size adds up. Run for a set with and
%% without write_concurrency, and for an ordered_set. stdout: the checks (booleans and
%% totals); stderr: time per variant.
-module(ets_concurrent).
-export([main/0]).

-define(WORKERS, 8).
-define(OPS, 200000).
-define(COUNTERS, 16).

main() ->
    lists:foreach(fun variant/1,
                  [[set, public],
                   [set, public, {write_concurrency, true}, {read_concurrency, true}],
                   [ordered_set, public, {write_concurrency, true}],
                   [set, public, {write_concurrency, auto}]]),
    ok.

variant(Opts) ->
    T = ets:new(stress, Opts),
    [ets:insert(T, {{counter, C}, 0}) || C <- lists:seq(1, ?COUNTERS)],
    Self = self(),
    T0 = erlang:monotonic_time(millisecond),
    Pids = [spawn_opt(fun() -> Self ! {done, self(), worker(T, W, 0, 0)} end,
                      [link]) || W <- lists:seq(1, ?WORKERS)],
    Results = [receive {done, P, R} -> R end || P <- Pids],
    T1 = erlang:monotonic_time(millisecond),
    io:format(standard_error, "info: ~p: ~p ms~n", [Opts, T1 - T0]),
    Total = lists:sum([ets:lookup_element(T, {counter, C}, 2) || C <- lists:seq(1, ?COUNTERS)]),
    Expected = lists:sum([Bumps || {Bumps, _} <- Results]),
    io:format("~p: counters exact: ~p (~p)~n", [Opts, Total =:= Expected, Expected]),
    OwnOk = lists:all(fun(W) ->
                              Keys = lists:sort([K || {{own, W2, K}, _} <- ets:tab2list(T), W2 =:= W]),
                              {_, Left} = lists:nth(W, Results),
                              Keys =:= lists:sort(Left)
                      end, lists:seq(1, ?WORKERS)),
    io:format("~p: own keys exact: ~p~n", [Opts, OwnOk]),
    Size = ?COUNTERS + lists:sum([length(L) || {_, L} <- Results]),
    io:format("~p: size adds up: ~p~n", [Opts, ets:info(T, size) =:= Size]),
    ets:delete(T).

%% Returns {CounterBumps, OwnKeysLeft}.
worker(T, W, Bumps, _) ->
    loop(T, W, ?OPS, Bumps, #{}).

loop(_, _, 0, Bumps, Own) ->
    {Bumps, maps:keys(Own)};
loop(T, W, N, Bumps, Own) ->
    case N rem 5 of
        0 ->
            C = 1 + (N rem ?COUNTERS),
            ets:update_counter(T, {counter, C}, {2, 3}),
            loop(T, W, N - 1, Bumps + 3, Own);
        1 ->
            K = N rem 1000,
            true = ets:insert(T, {{own, W, K}, N}),
            loop(T, W, N - 1, Bumps, Own#{K => true});
        2 ->
            K = (N * 7) rem 1000,
            ets:delete(T, {own, W, K}),
            loop(T, W, N - 1, Bumps, maps:remove(K, Own));
        3 ->
            Other = 1 + (N rem ?WORKERS),
            _ = ets:lookup(T, {own, Other, N rem 1000}),
            loop(T, W, N - 1, Bumps, Own);
        4 ->
            C = 1 + (N rem ?COUNTERS),
            [_, _, _] = ets:update_counter(T, {counter, C}, [{2, 1}, {2, -1}, {2, 1}]),
            loop(T, W, N - 1, Bumps + 1, Own)
    end.
