-module(term_equality).
-export([main/0]).

id(X) -> X.

main() ->
    Pairs = [{1, 1}, {1, 1.0}, {1.0, 1.0}, {0, -0.0}, {0.0, -0.0}, {1 bsl 64, 1 bsl 64},
             {1 bsl 64, float(1 bsl 64)}, {a, a}, {a, b}, {"abc", "abc"}, {"abc", <<"abc">>},
             {[1, 2], [1.0, 2]}, {{1, 2}, {1, 2.0}}, {#{1 => 2}, #{1 => 2.0}}, {#{1 => 2}, #{1.0 => 2}},
             {<<1, 2>>, <<1, 2>>}, {<<1:1>>, <<1:1>>}, {<<1:1>>, <<1:2>>}, {[], []}, {[], ""},
             {{}, {}}, {[a | b], [a | b]}, {#{}, #{}}, {<<>>, <<0:0>>},
             {make_big(), make_big()}, {make_tree(8), make_tree(8)}, {make_tree(8), make_tree(7)}],
    lists:foreach(
      fun({A, B}) ->
              X = id(A), Y = id(B),
              io:format("~w vs ~w: == ~w, /= ~w, =:= ~w, =/= ~w, < ~w, >= ~w~n",
                        [trim(X), trim(Y), X == Y, X /= Y, X =:= Y, X =/= Y, X < Y, X >= Y])
      end, Pairs),
    io:format("match 1 vs 1.0: ~p~n", [case id(1.0) of 1 -> matched; _ -> nomatch end]),
    One = id(1),
    io:format("guard ==: ~p~n", [if One == 1.0 -> yes; true -> no end]),
    io:format("guard =:=: ~p~n", [if One =:= 1.0 -> yes; true -> no end]),
    io:format("lists:delete 1.0: ~p~n", [lists:delete(1.0, [1, 1.0, 2])]),
    io:format("-- with floats: ~p~n", [[1, 1.0, 2] -- [1.0]]),
    io:format("lists:member: ~p~n", [[lists:member(X, [1, a, "s"]) || X <- [1.0, 1, a, "s", <<"s">>]]]),
    io:format("keyfind ==?: ~p~n", [lists:keyfind(2.0, 1, [{2, int}])]),
    io:format("proplists: ~p~n", [proplists:get_value(1.0, [{1, int}, {1.0, flt}])]),
    ok.

trim(X) when is_tuple(X), tuple_size(X) > 3 -> big_tuple;
trim(X) -> X.

make_big() -> list_to_tuple(lists:seq(1, 100)).
make_tree(0) -> leaf;
make_tree(N) -> {node, N, make_tree(N - 1), make_tree(N - 1)}.
