-module(float_arith).
-export([main/0]).
-define(T(E), t(??E, fun() -> E end)).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~p~n", [Label, R]).

id(X) -> X.

main() ->
    ?T(id(0.1) + id(0.2)),
    ?T(id(0.1) * id(3)),
    ?T(id(1.0) - id(0.9)),
    ?T(id(1.5) * id(2)),
    ?T(id(2) * id(1.5)),
    ?T(id(7.0) / id(2)),
    ?T(id(1.0) / id(3.0)),
    ?T(id(2.0) / id(3.0)),
    ?T(id(1.0e308) * id(10)),
    ?T(id(1.0e308) + id(1.0e308)),
    ?T(id(-1.0e308) * id(10)),
    ?T(id(1.0e-308) / id(1.0e10)),
    ?T(id(5.0e-324)),
    ?T(id(5.0e-324) / id(2)),
    ?T(id(2.2250738585072014e-308)),
    ?T(id(1.7976931348623157e308)),
    ?T(id(1.0) / id(0)),
    ?T(id(1.0) / id(0.0)),
    ?T(id(0.0) / id(0.0)),
    ?T(id(1) / id(0.0)),
    ?T(id(1.0) / id(-0.0)),
    ?T(id(1.0e200) * id(1.0e200)),
    ?T(id(-0.0)),
    ?T(id(0.0) * id(-1)),
    ?T(-id(0.0)),
    ?T(id(-0.0) + id(0.0)),
    ?T(id(-0.0) - id(0.0)),
    ?T(id(-0.0) * id(-0.0)),
    ?T(abs(id(-0.0))),
    ?T(abs(id(-3.5))),
    ?T(-id(3.5)),
    ?T(id(3.5) + id(a)),
    ?T(float(id(3))),
    ?T(float(id(-3))),
    ?T(float(id(3.25))),
    ?T(float(id(12345678901234567890))),
    ?T(float(id(a))),
    ?T(float(id("3"))),
    ?T(id(1.0e15) + id(0.3)),
    ?T(id(1.0e16) + id(1)),
    ?T(id(123456789.123456789)),
    ?T(id(1.0e23)),
    ?T(id(9007199254740993.0)),
    ?T(id(0.1) + id(0.7)),
    ?T(id(3.0) * id(1.1)),
    ?T(lists:sum([0.1 || _ <- lists:seq(1, 10)])),
    ?T(lists:foldl(fun(X, A) -> A + 1 / X end, 0, lists:seq(1, 1000))),
    ?T(lists:foldl(fun(X, A) -> A * 1.01 + X end, 0.0, lists:seq(1, 500))),
    ?T(sqrt_newton(2.0, 1.0, 30)),
    ?T(pi_leibniz(100000)),
    ?T(id(1.0) == id(1)),
    ?T(id(1.0) =:= id(1)),
    ?T(id(0.0) == id(-0.0)),
    ?T(id(0.0) =:= id(-0.0)),
    ?T(id(0.0) < id(-0.0)),
    ?T(id(-0.0) < id(0.0)),
    ?T(id(0.0) > id(-0.0)),
    ?T(lists:sort([id(0.0), id(-0.0), id(0), id(-0.0)])),
    ?T(max(id(0.0), id(-0.0))),
    ?T(min(id(0.0), id(-0.0))),
    ?T({id(2.5) > id(2), id(2) > id(2.5), id(3) > id(2.5)}),
    ?T(is_float(id(1.0))),
    ?T(is_float(id(1))),
    ?T(is_number(id(1.0))),
    ?T(id(1.0e10)),
    ?T(id(1.0e-10)),
    ?T(id(123.0)),
    ?T(id(0.5e-5)),
    ?T(id(1.0e21)),
    ?T(id(1.0e22)),
    ?T([math:pow(10, N) || N <- lists:seq(-5, 25, 3)]),
    ?T([1 / N || N <- lists:seq(1, 12)]),
    ok.

sqrt_newton(_, X, 0) -> X;
sqrt_newton(A, X, N) -> sqrt_newton(A, (X + A / X) / 2, N - 1).

pi_leibniz(N) -> 4 * pl(0, N, 0.0).
pl(N, N, A) -> A;
pl(K, N, A) -> pl(K + 1, N, A + (if K rem 2 =:= 0 -> 1; true -> -1 end) / (2 * K + 1)).
