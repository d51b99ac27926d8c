-module(int_bitwise).
-export([main/0]).
-define(T(E), t(??E, fun() -> E end)).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~p~n", [Label, R]).

id(X) -> X.

main() ->
    ?T(id(12) band id(10)),
    ?T(id(12) bor id(10)),
    ?T(id(12) bxor id(10)),
    ?T(bnot id(12)),
    ?T(bnot id(-1)),
    ?T(bnot id(0)),
    ?T(id(-12) band id(10)),
    ?T(id(-12) bor id(10)),
    ?T(id(-12) bxor id(10)),
    ?T(id(-12) band id(-10)),
    ?T(id(-12) bor id(-10)),
    ?T(id(-12) bxor id(-10)),
    ?T(id(1) bsl id(10)),
    ?T(id(1) bsl id(59)),
    ?T(id(1) bsl id(60)),
    ?T(id(1) bsl id(63)),
    ?T(id(1) bsl id(64)),
    ?T(id(1) bsl id(200)),
    ?T(id(-1) bsl id(64)),
    ?T(id(1024) bsr id(3)),
    ?T(id(1024) bsr id(11)),
    ?T(id(-1024) bsr id(3)),
    ?T(id(-1) bsr id(10)),
    ?T(id(-1) bsr id(1000)),
    ?T(id(1) bsr id(1000)),
    ?T(id(5) bsl id(-1)),
    ?T(id(5) bsr id(-1)),
    ?T(id(-5) bsr id(1)),
    ?T(id(-5) bsl id(1)),
    ?T((id(1) bsl id(100)) bsr id(98)),
    ?T((id(1) bsl id(100)) bsr id(200)),
    ?T((-(id(1) bsl id(100))) bsr id(200)),
    ?T((id(1) bsl id(100)) band (id(1) bsl id(100))),
    ?T((id(1) bsl id(100)) bor id(1)),
    ?T((id(1) bsl id(100)) bxor (id(1) bsl id(99))),
    ?T(bnot (id(1) bsl id(100))),
    ?T((id(1) bsl id(100)) band id(-1)),
    ?T(-(id(1) bsl id(100)) band id(16#FFFF)),
    ?T(-(id(1) bsl id(100)) bor id(16#FFFF)),
    ?T(-(id(1) bsl id(100)) bxor -(id(1) bsl id(70))),
    ?T(id(16#FFFFFFFFFFFFFFFF) band id(16#0F0F0F0F0F0F0F0F0F)),
    ?T(id(16#FFFFFFFFFFFFFFFF) bxor id(-1)),
    ?T(id(16#7FFFFFFFFFFFFFFF) + id(1)),
    ?T(id(1.0) band id(1)),
    ?T(id(1) bor id(a)),
    ?T(id(1) bsl id(1.0)),
    ?T(bnot id(1.5)),
    ?T(id(1) bsl id(1 bsl 70)),
    ?T(id(0) bsl id(1 bsl 70)),
    ?T(id(1) bsr id(1 bsl 70)),
    ?T(id(-1) bsr id(1 bsl 70)),
    ?T([id(1) bsl N || N <- lists:seq(55, 66)]),
    ?T([-(id(1) bsl N) bsr 3 || N <- lists:seq(58, 66)]),
    ?T(popcount(16#DEADBEEFCAFEBABE1234, 0)),
    ?T(lists:foldl(fun(X, A) -> A bxor (X * 2654435761) end, 0, lists:seq(1, 1000))),
    ok.

popcount(0, A) -> A;
popcount(N, A) -> popcount(N bsr 1, A + (N band 1)).
