-module(jit_deep_calls).
%% Body recursion far deeper than the machine stack native calls may use (it is
%% dropped and refilled), returns through fun calls, and an exception thrown from
%% deep inside: results and stack traces as on the reference.
-export([main/0]).
len([]) -> 0;
len([_|T]) -> 1 + len(T).
sum_map(F, [H|T]) -> F(H) + sum_map(F, T);
sum_map(_, []) -> 0.
main() ->
    L = lists:seq(1, 200000),
    io:format("~p~n", [len(L)]),
    io:format("~p~n", [sum_map(fun(X) -> X * 2 end, L)]),
    io:format("~p~n", [length(lists:map(fun(X) -> {X} end, L))]),
    io:format("~p~n", [catch len(lists:seq(1, 100000) ++ x)]),
    halt().
