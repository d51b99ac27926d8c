-module(arith_traces).
-export([main/0]).

%% Which arithmetic errors carry an {erlang, Op, Args, _} frame: the reference omits it
%% for + and - with a small literal operand, and keeps it otherwise.
main() ->
    X = id(foo),
    Y = id(3),
    Cases = [catch X + 1, catch 1 + X, catch X - 2, catch X + Y, catch Y - X,
             catch X * 2, catch X div 2, catch -X, catch X band 1, catch X / 2,
             catch X + 100000000000000000000, catch X + 1.5],
    [io:format("~p~n", [top(E)]) || E <- Cases],
    io:format("~p ~p ~p~n", [id(576460752303423487) + 1, id(-576460752303423488) - 1,
                             id(1.5) + 1]).

top({'EXIT', {Reason, [Frame | _]}}) -> {Reason, Frame};
top(Other) -> Other.

id(X) -> X.
