-module(conv_bifs).
-export([main/0]).
-define(T(E), t(??E, fun() -> E end)).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~p~n", [Label, R]).

id(X) -> X.

main() ->
    ?T(integer_to_list(id(12345))),
    ?T(integer_to_list(id(-12345))),
    ?T(integer_to_binary(id(12345))),
    ?T(integer_to_binary(id(255), 16)),
    ?T(integer_to_binary(id(-255), 36)),
    ?T(binary_to_integer(<<"  1">>)),
    ?T(binary_to_integer(<<"+1">>)),
    ?T(binary_to_integer(<<"1e3">>)),
    ?T(binary_to_integer(<<"FF">>, 16)),
    ?T(binary_to_integer(<<"ff">>, 15)),
    ?T(list_to_integer("z", 36)),
    ?T(float_to_list(id(1.0))),
    ?T(float_to_list(id(1.0), [short])),
    ?T(list_to_float("2.5e-3")),
    ?T(erlang:float_to_binary(id(0.1), [{decimals, 3}])),
    ?T(atom_to_list(id('mixed Case'))),
    ?T(list_to_atom("mixed Case")),
    ?T(tuple_to_list({a, {b}, [c]})),
    ?T(list_to_tuple([a, {b}, [c]])),
    ?T(binary_to_list(<<"abc">>)),
    ?T(list_to_binary("abc")),
    ?T(list_to_binary(["a", [<<"b">>, $c]])),
    ?T(list_to_binary(id("λ"))),
    ?T(list_to_binary(id(abc))),
    ?T(list_to_binary([id(-1)])),
    ?T(list_to_binary([<<1:4>>])),
    ?T(term_to_binary(id(x))),
    ?T(binary_to_term(term_to_binary({x, "y", <<"z">>}))),
    ?T(erlang:list_to_pid("<0.1.2>") =:= list_to_pid("<0.1.2>")),
    ?T(is_pid(list_to_pid("<0.1.2>"))),
    ?T(list_to_pid("garbage")),
    ?T(pid_to_list(list_to_pid("<0.1.2>"))),
    ?T(erlang:list_to_ref("garbage")),
    ?T(list_to_existing_atom("ok")),
    ?T(list_to_existing_atom("definitely_nonexistent_atom_zzz_999")),
    ?T(binary_to_existing_atom(<<"error">>, latin1)),
    ?T(number_to_list_checks()),
    ?T(io_lib:format("~w", [1.0e-5])),
    ?T(integer_to_list(id(1 bsl 100), 36)),
    ?T(list_to_integer(integer_to_list(id(1 bsl 100), 36), 36) =:= 1 bsl 100),
    ?T(erlang:binary_to_list(<<1, 2, 3, 4, 5>>, 2, 4)),
    ?T(erlang:bitstring_to_list(<<1, 2, 3:2>>)),
    ?T(erlang:list_to_bitstring([1, <<2:3>>])),
    ?T(erlang:tuple_to_list(erlang:make_tuple(3, z))),
    ?T(erlang:iolist_to_binary([[$a | <<"b">>] | <<"c">>])),
    ?T(unicode:characters_to_list(atom_to_binary('λ'))),
    ?T(erlang:atom_to_binary('λ', latin1)),
    ?T(erlang:float(id(7))),
    ?T(erlang:trunc(id(7.9))),
    ?T(erlang:round(id(-7.5))),
    ?T(erlang:floor(id(-7.5))),
    ?T(erlang:ceil(id(-7.5))),
    ?T(erlang:integer_to_list(id(0), 2)),
    ?T(erlang:list_to_integer("-0", 16)),
    ?T(erlang:binary_to_integer(<<"-10">>, 2)),
    ok.

number_to_list_checks() ->
    [{N, integer_to_list(N), float_to_list(float(N), [short])} || N <- [0, 7, -7, 100, 1 bsl 53]].
