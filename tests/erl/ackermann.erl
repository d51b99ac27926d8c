-module(ackermann).
-export([main/0]).

ack(0, N) -> N + 1;
ack(M, 0) -> ack(M - 1, 1);
ack(M, N) -> ack(M - 1, ack(M, N - 1)).

tak(X, Y, Z) when Y < X -> tak(tak(X - 1, Y, Z), tak(Y - 1, Z, X), tak(Z - 1, X, Y));
tak(_, _, Z) -> Z.

fib(0) -> 0;
fib(1) -> 1;
fib(N) -> fib(N - 1) + fib(N - 2).

hanoi(0, _, _, _, Acc) -> Acc;
hanoi(N, From, To, Via, Acc) ->
    Acc1 = hanoi(N - 1, From, Via, To, Acc),
    hanoi(N - 1, Via, To, From, [{From, To} | Acc1]).

main() ->
    [io:format("ack(~p,~p) = ~p~n", [M, N, ack(M, N)]) || M <- lists:seq(0, 3), N <- lists:seq(0, 4)],
    io:format("ack(3,7) = ~p~n", [ack(3, 7)]),
    io:format("ack(4,0) = ~p~n", [ack(4, 0)]),
    io:format("tak(18,12,6) = ~p~n", [tak(18, 12, 6)]),
    io:format("fib(25) = ~p~n", [fib(25)]),
    Moves = lists:reverse(hanoi(10, a, c, b, [])),
    io:format("hanoi(10) moves = ~p first ~p last ~p~n", [length(Moves), lists:sublist(Moves, 3), lists:last(Moves)]),
    ok.
