-module(deep_recursion).
-export([main/0]).

build(0) -> [];
build(N) -> [N | build(N - 1)].

sum([]) -> 0;
sum([H | T]) -> H + sum(T).

len([]) -> 0;
len([_ | T]) -> 1 + len(T).

map(_, []) -> [];
map(F, [H | T]) -> [F(H) | map(F, T)].

app([], L) -> L;
app([H | T], L) -> [H | app(T, L)].

nest(0) -> leaf;
nest(N) -> {node, nest(N - 1)}.

depth(leaf) -> 0;
depth({node, X}) -> 1 + depth(X).

even(0) -> true;
even(N) -> odd(N - 1).
odd(0) -> false;
odd(N) -> even(N - 1).

main() ->
    L = build(1000000),
    io:format("built: ~p first ~p last ~p~n", [length(L), hd(L), lists:last(L)]),
    io:format("non-tail sum: ~p~n", [sum(L)]),
    io:format("non-tail len: ~p~n", [len(L)]),
    M = map(fun(X) -> X * 2 end, L),
    io:format("non-tail map: ~p ~p~n", [hd(M), lists:nth(500000, M)]),
    A = app(L, [end_marker]),
    io:format("non-tail append: ~p ~p~n", [length(A), lists:last(A)]),
    T = nest(200000),
    io:format("nested tuple depth: ~p~n", [depth(T)]),
    io:format("mutual recursion: ~p ~p~n", [even(1000001), odd(1000001)]),
    io:format("lists:foldr deep: ~p~n", [lists:foldr(fun(X, Acc) -> X + Acc end, 0, L)]),
    D = lists:foldl(fun(_, Acc) -> [Acc] end, [], lists:seq(1, 50000)),
    io:format("deep nested list flatten: ~p~n", [length(lists:flatten([D, D]))]),
    io:format("deep list compare: ~p~n", [D =:= lists:foldl(fun(_, Acc) -> [Acc] end, [], lists:seq(1, 50000))]),
    io:format("deep term_to_binary: ~p~n", [byte_size(term_to_binary(T))]),
    io:format("deep phash2: ~p~n", [erlang:phash2(T)]),
    io:format("catch deep: ~p~n", [catch_deep(20000)]),
    ok.

catch_deep(0) -> throw(bottom);
catch_deep(N) ->
    try catch_deep(N - 1) of V -> V catch throw:bottom when N =:= 10000 -> {caught_at, N} end.
