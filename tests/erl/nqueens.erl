-module(nqueens).
-export([main/0]).

queens(N) -> queens(N, N).
queens(0, _) -> [[]];
queens(K, N) -> [[Q | Qs] || Qs <- queens(K - 1, N), Q <- lists:seq(1, N), safe(Q, Qs, 1)].

safe(_, [], _) -> true;
safe(Q, [Q1 | Qs], D) -> Q =/= Q1 andalso abs(Q - Q1) =/= D andalso safe(Q, Qs, D + 1).

show(Sol) ->
    N = length(Sol),
    [io:format("~s~n", [[if C =:= Q -> $Q; true -> $. end || C <- lists:seq(1, N)]]) || Q <- Sol],
    ok.

main() ->
    [io:format("~p-queens: ~p solutions~n", [N, length(queens(N))]) || N <- lists:seq(1, 9)],
    [First | _] = queens(8),
    io:format("first 8-queens solution: ~p~n", [First]),
    show(First),
    io:format("last 6-queens: ~p~n", [lists:last(queens(6))]),
    ok.
