-module(list_comp).
-export([main/0]).
-define(T(E), t(??E, fun() -> E end)).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~p~n", [Label, R]).

id(X) -> X.

main() ->
    ?T([X * X || X <- lists:seq(1, 10)]),
    ?T([X || X <- lists:seq(1, 20), X rem 3 =:= 0]),
    ?T([X || X <- lists:seq(1, 20), X rem 3 =:= 0, X rem 2 =:= 0]),
    ?T([{X, Y} || X <- [1, 2, 3], Y <- [a, b]]),
    ?T([{X, Y} || X <- [1, 2, 3], Y <- lists:seq(1, X)]),
    ?T([{X, Y, Z} || X <- lists:seq(1, 20), Y <- lists:seq(X, 20), Z <- lists:seq(Y, 20), X * X + Y * Y =:= Z * Z]),
    ?T([X || {ok, X} <- [{ok, 1}, error, {ok, 2}, {error, 3}, {ok, 3, extra}]]),
    ?T([X || [X | _] <- ["abc", "", "de"]]),
    ?T([X || X <- [1, a, 2.0, "s", {t}], is_number(X)]),
    ?T([X || X <- [1, 2, 3], true]),
    ?T([X || X <- [1, 2, 3], false]),
    ?T([x || _ <- [1, 2, 3]]),
    ?T([X || X <- []]),
    ?T([X || X <- id(notalist)]),
    ?T([X || X <- [1, 2 | 3]]),
    ?T([X || X <- [1, 2, 3], id(notabool)]),
    ?T([X || X <- [1, 2, 3], X > 1 andalso X < 3]),
    ?T([X || X <- [1, 2, 3], X =:= 1 orelse X =:= 3]),
    ?T([{X, Y} || X <- [1, 2], Y <- [X + 1, X + 2], Y > 2]),
    ?T([[Y || Y <- lists:seq(1, X)] || X <- lists:seq(1, 4)]),
    ?T([X || <<X>> <= <<1, 2, 3>>, X > 1]),
    ?T([{K, V} || {K, V} <- maps:to_list(#{a => 1, b => 2, c => 3}), V > 1]),
    ?T(qsort([5, 3, 8, 1, 9, 2, 7])),
    ?T(perms([a, b, c])),
    ?T(length(perms(lists:seq(1, 6)))),
    ?T(pythag(30)),
    ?T([X || X <- lists:seq(2, 60), lists:all(fun(D) -> X rem D =/= 0 end, lists:seq(2, X - 1))]),
    ?T(begin Y = 10, [X + Y || X <- [1, 2, 3]] end),
    ?T(begin X = 5, [X || X <- [1, 2, 3]] end),
    ?T([F(2) || F <- [fun(X) -> X + 1 end, fun(X) -> X * 10 end]]),
    ?T([catch 1 / X || X <- [1, 0, 2]] =/= []),
    ?T(lists:sum([X || X <- lists:seq(1, 100000), X rem 7 =:= 0])),
    ?T([case X of 1 -> one; _ -> other end || X <- [1, 2]]),
    ?T([{I, C} || {I, C} <- lists:zip(lists:seq(1, 5), "hello")]),
    ?T(string:join([[C] || C <- "abc"], "-")),
    ?T([X || X <- "hello", X =/= $l]),
    ?T(<< <<C>> || C <- "hello", C =/= $l >>),
    ?T([{X, Y} || X <- [1, 2, 3], X > 1, Y <- [X * 10], Y < 30]),
    ok.

qsort([]) -> [];
qsort([P | T]) -> qsort([X || X <- T, X < P]) ++ [P] ++ qsort([X || X <- T, X >= P]).

perms([]) -> [[]];
perms(L) -> [[H | T] || H <- L, T <- perms(L -- [H])].

pythag(N) ->
    [{A, B, C} || A <- lists:seq(1, N), B <- lists:seq(1, N), C <- lists:seq(1, N), A + B + C =< N, A * A + B * B =:= C * C].
