-module(int_to_list_base).
-export([main/0]).
-define(T(E), t(??E, fun() -> E end)).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~p~n", [Label, R]).

id(X) -> X.

main() ->
    Ns = [0, 1, -1, 35, 36, 255, -255, 1295, 123456789, -987654321, 1 bsl 64, -(1 bsl 100) + 7],
    lists:foreach(
      fun(B) ->
              io:format("base ~p: ~p~n", [B, [integer_to_list(N, B) || N <- Ns]]),
              Back = [list_to_integer(integer_to_list(N, B), B) || N <- Ns],
              io:format("  roundtrip ok: ~p~n", [Back =:= Ns]),
              io:format("  bin: ~p~n", [[integer_to_binary(N, B) || N <- lists:sublist(Ns, 6)]])
      end, lists:seq(2, 36)),
    ?T(integer_to_list(id(10), 1)),
    ?T(integer_to_list(id(10), 37)),
    ?T(integer_to_list(id(10), 0)),
    ?T(integer_to_list(id(1.0), 10)),
    ?T(integer_to_list(id(10), a)),
    ?T(integer_to_list(id(-0))),
    ?T(list_to_integer("ff", 16)),
    ?T(list_to_integer("FF", 16)),
    ?T(list_to_integer("fF", 16)),
    ?T(list_to_integer("-ZZ", 36)),
    ?T(list_to_integer("+zz", 36)),
    ?T(list_to_integer("+12")),
    ?T(list_to_integer("-0")),
    ?T(list_to_integer("0012")),
    ?T(list_to_integer("12", 2)),
    ?T(list_to_integer("", 10)),
    ?T(list_to_integer("-", 10)),
    ?T(list_to_integer("+", 10)),
    ?T(list_to_integer(" 12")),
    ?T(list_to_integer("12 ")),
    ?T(list_to_integer("1_000")),
    ?T(list_to_integer("1.0")),
    ?T(list_to_integer("x")),
    ?T(list_to_integer("10", 37)),
    ?T(list_to_integer("10", 1)),
    ?T(list_to_integer(id(<<"10">>))),
    ?T(list_to_integer(id('10'))),
    ?T(list_to_integer([$1 | id($2)])),
    ?T(list_to_integer([$1, id(-1)])),
    ?T(list_to_integer("--1")),
    ?T(binary_to_integer(<<"-123">>)),
    ?T(binary_to_integer(<<"7fffffffffffffffffff">>, 16)),
    ?T(binary_to_integer(<<"">>)),
    ?T(binary_to_integer(<<"12a">>)),
    ?T(binary_to_integer(id("12"))),
    ?T(binary_to_integer(<<"zz">>, 36)),
    ?T(binary_to_integer(<<"1">>, 40)),
    ?T(integer_to_binary(id(-255), 16)),
    ?T(integer_to_binary(id(1 bsl 70))),
    ?T(integer_to_binary(id(a))),
    ?T(list_to_integer(lists:duplicate(100, $9))),
    ?T(list_to_integer([$1 | lists:duplicate(300, $0)], 2)),
    ?T(length(integer_to_list(1 bsl 3000, 2))),
    ?T(length(integer_to_list(1 bsl 3000, 36))),
    ok.
