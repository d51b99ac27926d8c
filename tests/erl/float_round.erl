-module(float_round).
-export([main/0]).

id(X) -> X.

r(F, X) -> try F(id(X)) catch C:E -> {C, E} end.

main() ->
    Xs = [0.0, -0.0, 0.4, 0.5, 0.6, 1.5, 2.5, -0.5, -1.5, -2.5, -0.4, 1.49999999999999994,
          0.49999999999999994, 3.7, -3.7, 1.0e15 + 0.5, 4503599627370495.5, 4503599627370497.0,
          1.0e20, -1.0e20, 1.0e300, 123456789.987654321, 7, -7, 12345678901234567890],
    lists:foreach(
      fun(X) ->
              io:format("~p: round=~p trunc=~p floor=~p ceil=~p~n",
                        [X, r(fun erlang:round/1, X), r(fun erlang:trunc/1, X),
                         r(fun erlang:floor/1, X), r(fun erlang:ceil/1, X)])
      end, Xs),
    io:format("~p~n", [[r(F, a) || F <- [fun erlang:round/1, fun erlang:trunc/1, fun erlang:floor/1, fun erlang:ceil/1]]]),
    io:format("~p~n", [[r(F, "1.0") || F <- [fun erlang:round/1, fun erlang:trunc/1, fun erlang:floor/1, fun erlang:ceil/1]]]),
    io:format("~p~n", [[r(fun erlang:float/1, X) || X <- [0, 1, -1, 1 bsl 62, 1 bsl 64, (1 bsl 53) + 1, 2.5, x]]]),
    io:format("guards: ~p~n", [[g(X) || X <- [1.4, 1.6, -2.5, 3]]]),
    io:format("is_integer(round): ~p~n", [is_integer(round(id(2.5)))]),
    io:format("trunc big: ~p~n", [trunc(id(1.0e100))]),
    io:format("round neg big: ~p~n", [round(id(-9.87654321e40))]),
    io:format("floor/ceil big: ~p ~p~n", [floor(id(-1.5e30)), ceil(id(1.5e30))]),
    ok.

g(X) when round(X) > 1 -> {big, trunc(X)};
g(X) when trunc(X) < -1 -> {neg, round(X)};
g(X) -> {other, float(X)}.
