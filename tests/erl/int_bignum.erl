-module(int_bignum).
-export([main/0]).
-define(T(E), t(??E, fun() -> E end)).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~p~n", [Label, R]).

id(X) -> X.

fact(0) -> 1;
fact(N) -> N * fact(N - 1).

pow(_, 0) -> 1;
pow(B, E) when E rem 2 =:= 0 -> H = pow(B, E div 2), H * H;
pow(B, E) -> B * pow(B, E - 1).

main() ->
    F50 = fact(50),
    F100 = fact(100),
    ?T(F50),
    ?T(F100),
    ?T(F100 div F50),
    ?T(F100 rem (F50 + 1)),
    ?T(-F100 div (F50 + 7)),
    ?T(-F100 rem (F50 + 7)),
    ?T(F100 div -(F50 + 7)),
    ?T(F100 rem -(F50 + 7)),
    ?T(F100 - F100),
    ?T(F100 + -F100),
    ?T(F50 * F50 - F50 * F50 + 1),
    ?T(pow(2, 521) - 1),
    ?T((pow(2, 521) - 1) rem 1000000007),
    ?T(pow(10, 60) div pow(10, 30)),
    ?T(pow(10, 60) div 7),
    ?T(pow(10, 60) rem 7),
    ?T(pow(-3, 101)),
    ?T(abs(pow(-3, 101))),
    ?T(-pow(2, 64)),
    ?T(pow(2, 64) * pow(2, 64)),
    ?T(pow(2, 128) - 1),
    ?T((pow(2, 128) - 1) div (pow(2, 64) - 1)),
    ?T((pow(2, 128) - 1) div (pow(2, 64) + 1)),
    ?T(pow(2, 200) div pow(2, 199)),
    ?T(pow(2, 200) div id(0)),
    ?T(pow(2, 200) rem id(0)),
    ?T(pow(2, 200) / pow(2, 100)),
    ?T(pow(2, 2000) / 3),
    ?T(float(pow(2, 1023))),
    ?T(float(pow(2, 1024))),
    ?T(pow(2, 1024) + 0.5),
    ?T(pow(2, 1023) + 0.5),
    ?T(pow(10, 30) > 1.0e30),
    ?T(pow(10, 30) == 1.0e30),
    ?T(pow(10, 30) < 1.0e31),
    ?T(pow(10, 400) > 1.0e308),
    ?T(-pow(10, 400) < -1.0e308),
    ?T(pow(10, 30) =:= pow(10, 30)),
    ?T(pow(10, 30) + 1 > pow(10, 30)),
    ?T(lists:sort([pow(10, 30), -pow(10, 30), 0, 1.0e29, -1.0e31, pow(2, 100)])),
    ?T(integer_to_list(fact(30))),
    ?T(length(integer_to_list(fact(1000)))),
    ?T(lists:sum([C - $0 || C <- integer_to_list(fact(500))])),
    ?T(list_to_integer("123456789012345678901234567890123456789")),
    ?T(list_to_integer("-123456789012345678901234567890123456789")),
    ?T(pow(7, 77) band pow(5, 55)),
    ?T(pow(7, 77) bor pow(5, 55)),
    ?T(pow(7, 77) bxor pow(5, 55)),
    ?T(-pow(7, 77) band pow(5, 55)),
    ?T(-pow(7, 77) bor -pow(5, 55)),
    ?T(bnot pow(7, 77)),
    ?T(pow(7, 77) bsr 100),
    ?T(-pow(7, 77) bsr 100),
    ?T(pow(7, 77) bsl 13),
    ?T(isqrt(pow(10, 101))),
    ?T(modpow(3, pow(10, 20), pow(10, 9) + 7)),
    ?T(fib(300)),
    ?T(trunc(1.0e20)),
    ?T(round(-1.5e25)),
    ?T(trunc(1.7976931348623157e308)),
    ?T(max(pow(2, 70), pow(2, 70) + 0.0)),
    ?T(min(-pow(2, 70), 1)),
    ?T(pow(2, 64) div pow(2, 32)),
    ?T(pow(2, 64) rem pow(2, 32)),
    ?T((pow(2, 64) + 5) rem pow(2, 32)),
    ok.

isqrt(N) -> isqrt(N, N, (N + 1) div 2).
isqrt(_, X, Y) when Y >= X -> X;
isqrt(N, _, Y) -> isqrt(N, Y, (Y + N div Y) div 2).

modpow(_, 0, _) -> 1;
modpow(B, E, M) when E rem 2 =:= 0 -> H = modpow(B, E div 2, M), (H * H) rem M;
modpow(B, E, M) -> (B * modpow(B, E - 1, M)) rem M.

fib(N) -> fib(N, 0, 1).
fib(0, A, _) -> A;
fib(N, A, B) -> fib(N - 1, B, A + B).
