-module(int_boundary).
-export([main/0]).

id(X) -> X.

show(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~s: ~p~n", [Label, R]).

main() ->
    Bs = [27, 28, 31, 32, 58, 59, 60, 61, 62, 63, 64, 65],
    lists:foreach(fun(B) -> boundary(B) end, Bs),
    show("wrap add", fun() -> id(576460752303423487) + id(1) end),
    show("wrap sub", fun() -> id(-576460752303423488) - id(1) end),
    show("mul 2^31*2^31", fun() -> id(2147483648) * id(2147483648) end),
    show("mul 2^32*2^32", fun() -> id(4294967296) * id(4294967296) end),
    show("mul 2^30*2^29", fun() -> id(1 bsl 30) * id(1 bsl 29) end),
    show("mul (2^59-1)*2", fun() -> id((1 bsl 59) - 1) * id(2) end),
    show("mul -2^59*-1", fun() -> id(-(1 bsl 59)) * id(-1) end),
    show("mul -2^63*-1", fun() -> id(-(1 bsl 63)) * id(-1) end),
    show("div -2^59 by -1", fun() -> id(-(1 bsl 59)) div id(-1) end),
    show("div -2^63 by -1", fun() -> id(-(1 bsl 63)) div id(-1) end),
    show("rem -2^63 by -1", fun() -> id(-(1 bsl 63)) rem id(-1) end),
    show("abs -2^59", fun() -> abs(id(-(1 bsl 59))) end),
    show("abs -2^63", fun() -> abs(id(-(1 bsl 63))) end),
    show("neg -2^59", fun() -> -id(-(1 bsl 59)) end),
    show("neg 2^59", fun() -> -id(1 bsl 59) end),
    show("big-1 to small", fun() -> id(1 bsl 64) - id((1 bsl 64) - 5) end),
    show("big back to small mul", fun() -> (id(1 bsl 70) div id(1 bsl 69)) * 3 end),
    show("bsl overflow 59", fun() -> id(1) bsl id(59) end),
    show("bsl neg overflow", fun() -> id(-1) bsl id(59) end),
    show("bsl 3 58", fun() -> id(3) bsl id(58) end),
    show("big eq small", fun() -> (id(1 bsl 65) bsr 65) =:= 1 end),
    show("is_integer big", fun() -> is_integer(id(1 bsl 65)) end),
    show("sequence of squares", fun() -> [X * X || X <- [id(1 bsl 29), id(1 bsl 30), id(1 bsl 31), id(1 bsl 32), -id(1 bsl 31)]] end),
    show("compare mix", fun() -> lists:sort([1 bsl 64, 1 bsl 59, -(1 bsl 59), (1 bsl 60) - 1, 0, -(1 bsl 64), 1 bsl 63]) end),
    show("float of 2^63", fun() -> float(id(1 bsl 63)) end),
    show("float of 2^63-1", fun() -> float(id((1 bsl 63) - 1)) end),
    show("float of 2^53+1", fun() -> float(id((1 bsl 53) + 1)) end),
    show("2^53+1 == float", fun() -> id((1 bsl 53) + 1) == float(id((1 bsl 53) + 1)) end),
    show("2^53+1 < 2^53+2.0", fun() -> id((1 bsl 53) + 1) < id(9007199254740994.0) end),
    show("2^53+1 > 2^53.0", fun() -> id((1 bsl 53) + 1) > id(9007199254740992.0) end),
    show("2^64 vs 1.8446744073709552e19", fun() -> {id(1 bsl 64) == id(1.8446744073709552e19), id(1 bsl 64) < id(1.8446744073709552e19)} end),
    show("(2^64)+1 vs float", fun() -> {id((1 bsl 64) + 1) == id(1.8446744073709552e19), id((1 bsl 64) + 1) > id(1.8446744073709552e19)} end),
    show("trunc 2^63 float", fun() -> trunc(id(9.223372036854775808e18)) end),
    show("round 2^64 float", fun() -> round(id(1.8446744073709552e19)) end),
    ok.

boundary(B) ->
    P = 1 bsl B,
    L = [P - 2, P - 1, P, P + 1, -P - 1, -P, -P + 1],
    Ops = [{P - 1, '+', 1}, {-P, '-', 1}, {P, '*', 2}, {P - 1, '*', -1}, {-P, '*', -1},
           {P, 'div', 2}, {P + 1, 'rem', 2}, {P, 'band', P - 1}, {P, 'bor', P - 1},
           {-P, 'bxor', P}],
    io:format("B=~p ~p~n", [B, L]),
    io:format("  ops: ~p~n", [[erlang:apply(erlang, Op, [id(X), id(Y)]) || {X, Op, Y} <- Ops]]),
    io:format("  sum: ~p bnot: ~p~n", [lists:sum(L), [bnot X || X <- L]]),
    io:format("  shifts: ~p~n", [[X bsr 1 || X <- L] ++ [X bsl 1 || X <- L]]),
    io:format("  hex: ~s~n", [string:join([integer_to_list(X, 16) || X <- L], ",")]).
