-module(int_arith).
-export([main/0]).
-define(T(E), t(??E, fun() -> E end)).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~p~n", [Label, R]).

id(X) -> X.

main() ->
    ?T(id(1) + id(2)),
    ?T(id(7) - id(10)),
    ?T(id(-7) * id(6)),
    ?T(id(7) div id(2)),
    ?T(id(-7) div id(2)),
    ?T(id(7) div id(-2)),
    ?T(id(-7) div id(-2)),
    ?T(id(7) rem id(2)),
    ?T(id(-7) rem id(2)),
    ?T(id(7) rem id(-2)),
    ?T(id(-7) rem id(-2)),
    ?T(id(0) div id(5)),
    ?T(id(5) div id(0)),
    ?T(id(5) rem id(0)),
    ?T(id(a) + id(1)),
    ?T(id(1) + id("1")),
    ?T(id(5) div id(2.0)),
    ?T(id(5) rem id(2.0)),
    ?T(-id(5)),
    ?T(+id(5)),
    ?T(-id(-5)),
    ?T(+id(a)),
    ?T(-id(a)),
    ?T(abs(id(-17))),
    ?T(abs(id(17))),
    ?T(abs(id(0))),
    ?T(id(3) * id(0)),
    ?T(id(100) * id(100) * id(100)),
    ?T(id(1000000) * id(1000000)),
    ?T(id(123456789) * id(987654321)),
    ?T(id(999) div id(1000)),
    ?T(id(1000) div id(999)),
    ?T(lists:sum([id(X) || X <- lists:seq(1, 100)])),
    ?T(id(10) - id(10) - id(10)),
    ?T(id(2) * id(3) + id(4) * id(5)),
    ?T(id(2) * (id(3) + id(4)) * id(5)),
    ?T(id(17) div id(5) * id(5) + id(17) rem id(5)),
    ?T(id(-17) div id(5) * id(5) + id(-17) rem id(5)),
    ?T(max(id(3), id(4))),
    ?T(min(id(3), id(4))),
    ?T(max(id(3), id(3.0))),
    ?T(min(id(3), id(3.0))),
    ?T(max(id(3.0), id(3))),
    ?T(min(id(3.0), id(3))),
    ?T(id(1) < id(2)),
    ?T(id(2) =< id(2)),
    ?T(id(-1) > id(-2)),
    ?T(id(5) >= id(6)),
    ?T(id(5) =:= id(5)),
    ?T(id(5) =/= id(5)),
    ?T(id(5) /= id(6)),
    ?T(id(5) / id(2)),
    ?T(id(4) / id(2)),
    ?T(id(1) / id(3)),
    ?T(id(-1) / id(3)),
    ?T(id(0) / id(5)),
    ?T(id(5) / id(0)),
    ?T(id(0) / id(0)),
    ?T(is_integer(id(5) div id(1))),
    ?T(is_float(id(4) / id(2))),
    ?T(loop_sum(1000000, 0)),
    ?T(fact(20)),
    ?T(fib(80)),
    ?T(gcd(1071, 462)),
    ?T(pow(3, 40)),
    ?T(pow(-2, 63)),
    ?T(collatz(27, 0)),
    ok.

loop_sum(0, Acc) -> Acc;
loop_sum(N, Acc) -> loop_sum(N - 1, Acc + N).
fact(0) -> 1;
fact(N) -> N * fact(N - 1).
fib(N) -> fib(N, 0, 1).
fib(0, A, _) -> A;
fib(N, A, B) -> fib(N - 1, B, A + B).
gcd(A, 0) -> A;
gcd(A, B) -> gcd(B, A rem B).
pow(_, 0) -> 1;
pow(B, E) -> B * pow(B, E - 1).
collatz(1, S) -> S;
collatz(N, S) when N rem 2 =:= 0 -> collatz(N div 2, S + 1);
collatz(N, S) -> collatz(3 * N + 1, S + 1).
