-module(bench_ets_select).
-export([main/0, run/1]).

%% ets:select with a match specification over 1M rows (issue 4's second ETS target):
%% the table is filled before timing starts; the timed part runs three selects (a
%% guard on the value keeping a tenth of the rows, a pattern on a constant element,
%% and select_count), five times.

-define(N, 1000000).

run(T) ->
    A = length(ets:select(T, [{{'$1', '$2', '_'}, [{'>', '$2', 900000}], ['$1']}])),
    B = length(ets:select(T, [{{'$1', '_', seven}, [], [{{'$1'}}]}])),
    C = ets:select_count(T, [{{'_', '$1', '_'}, [{'=:=', {'rem', '$1', 2}, 0}], [true]}]),
    A + B + C.

main() ->
    T = ets:new(bench, [set, public]),
    [ets:insert(T, {N, N, case N rem 10 of 7 -> seven; _ -> other end}) || N <- lists:seq(1, ?N)],
    T0 = erlang:monotonic_time(),
    R = lists:sum([run(T) || _ <- lists:seq(1, 5)]),
    T1 = erlang:monotonic_time(),
    io:format("result: ~p~n", [R]),
    io:format("time_us: ~p~n", [erlang:convert_time_unit(T1 - T0, native, microsecond)]).
