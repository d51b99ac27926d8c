-module(float_compare).
-export([main/0]).

id(X) -> X.

main() ->
    Vals = [0, 0.0, -0.0, 1, 1.0, -1, -1.0, 2, 1.5, 1 bsl 53, float(1 bsl 53), (1 bsl 53) + 1,
            1 bsl 64, 1.8446744073709552e19, 1 bsl 1030, 1.0e300, -1.0e300, -(1 bsl 1030)],
    lists:foreach(
      fun(A) ->
              Row = [{cmp(id(A), id(B)), eq(id(A), id(B))} || B <- Vals],
              io:format("~w:~n  ~w~n", [A, Row])
      end, Vals),
    io:format("sorted: ~w~n", [lists:sort(Vals)]),
    io:format("rsorted: ~w~n", [lists:reverse(lists:sort(Vals))]),
    io:format("usort: ~w~n", [lists:usort(Vals)]),
    io:format("usort with ==: ~w~n", [lists:usort(fun(A, B) -> A =< B end, Vals)]),
    io:format("max: ~w min: ~w~n", [lists:max(Vals), lists:min(Vals)]),
    io:format("member 1.0: ~w ~w~n", [lists:member(1.0, [1]), lists:member(1, [1.0])]),
    io:format("keyfind 1.0: ~w~n", [lists:keyfind(1.0, 1, [{1, int}, {1.0, flt}])]),
    io:format("keyfind 1: ~w~n", [lists:keyfind(1, 1, [{1.0, flt}, {1, int}])]),
    io:format("map keys: ~w~n", [#{1 => int, 1.0 => flt}]),
    io:format("map get: ~w ~w~n", [maps:get(1, #{1.0 => a}, none), maps:get(1.0, #{1.0 => a}, none)]),
    io:format("match: ~w~n", [case id(1.0) of 1 -> int; 1.0 -> flt end]),
    io:format("-0.0 match 0.0: ~w~n", [case id(-0.0) of 0.0 -> pos; -0.0 -> neg; _ -> other end]),
    io:format("0.0 match: ~w~n", [case id(0.0) of -0.0 -> neg; 0.0 -> pos; _ -> other end]),
    io:format("tuples: ~w ~w~n", [{1, 2} == {1.0, 2}, {1, 2} =:= {1.0, 2}]),
    io:format("lists: ~w ~w~n", [[1, 2.0] == [1.0, 2], [1, 2.0] < [1.0, 3]]),
    ok.

cmp(A, B) when A < B -> lt;
cmp(A, B) when A > B -> gt;
cmp(_, _) -> eq.

eq(A, B) when A =:= B -> exact;
eq(A, B) when A == B -> equal;
eq(_, _) -> diff.
