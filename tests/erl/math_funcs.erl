-module(math_funcs).
-export([main/0]).

c(F) -> try F() catch C:E -> {C, E} end.

main() ->
    Xs = [0, 0.5, 1, -1, 2, 3.0, 10, 0.001, 100.5, -0.75, 1.0e-10, 1.0e10],
    Fns = [sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, asinh, acosh, atanh,
           exp, log, log2, log10, sqrt, ceil, floor, erf, erfc],
    lists:foreach(
      fun(F) ->
              io:format("~p: ~p~n", [F, [c(fun() -> math:F(X) end) || X <- Xs]])
      end, Fns),
    Pairs = [{2, 10}, {2.0, 0.5}, {10, -2}, {0, 0}, {-8, 3}, {1.5, 2.5}, {3, 1000}, {-2, 0.5}, {0, -1}],
    io:format("pow: ~p~n", [[c(fun() -> math:pow(A, B) end) || {A, B} <- Pairs]]),
    io:format("atan2: ~p~n", [[c(fun() -> math:atan2(A, B) end) || {A, B} <- [{1, 1}, {-1, -1}, {0, -1}, {0.0, 0.0}, {1, 0}, {-0.0, -1}]]]),
    io:format("fmod: ~p~n", [[c(fun() -> math:fmod(A, B) end) || {A, B} <- [{10, 3}, {-10, 3}, {10.5, 0.5}, {1, 0.3}, {5, 0}]]]),
    io:format("pi: ~p~n", [math:pi()]),
    io:format("identities: ~p~n", [[math:sin(X) * math:sin(X) + math:cos(X) * math:cos(X) || X <- [0.1, 1.0, 2.5, 100.0]]]),
    io:format("exp(log): ~p~n", [[math:exp(math:log(X)) || X <- [1.0, 2.0, 10.0, 0.5]]]),
    io:format("sqrt squares: ~p~n", [[math:sqrt(X * X) || X <- [3, 1.5, 1.0e100, 12345]]]),
    io:format("sum series e: ~p~n", [lists:foldl(fun(K, A) -> A + 1 / fact(K) end, 0.0, lists:seq(0, 20))]),
    io:format("float ops: ~p~n", [[X * 1.1 / 3.3 + 0.7 - X || X <- Xs]]),
    io:format("trig table: ~p~n", [[{D, round6(math:sin(D * math:pi() / 180))} || D <- lists:seq(0, 360, 30)]]),
    io:format("precise: ~p~n", [[X / 7 || X <- lists:seq(1, 7)]]),
    io:format("~~f: ~s~n", [string:join([io_lib:format("~.15f", [math:sqrt(N)]) || N <- lists:seq(2, 6)], " ")]),
    io:format("~~e: ~s~n", [string:join([io_lib:format("~.12e", [math:exp(N)]) || N <- lists:seq(-3, 3)], " ")]),
    io:format("bad args: ~p~n", [[c(fun() -> math:F(a) end) || F <- [sin, sqrt, log]]]),
    ok.

fact(0) -> 1;
fact(N) -> N * fact(N - 1).

round6(X) -> round(X * 1000000) / 1000000.
