-module(large_data).
-export([main/0]).

tree(0, V) -> {leaf, V};
tree(D, V) -> {node, tree(D - 1, 2 * V), tree(D - 1, 2 * V + 1)}.

tsum({leaf, V}) -> V;
tsum({node, L, R}) -> tsum(L) + tsum(R).

tcount({leaf, _}) -> 1;
tcount({node, L, R}) -> tcount(L) + tcount(R).

main() ->
    L = lists:seq(1, 1000000),
    io:format("sum 1M: ~p~n", [lists:sum(L)]),
    io:format("foldl sq: ~p~n", [lists:foldl(fun(X, A) -> A + X * X end, 0, L)]),
    io:format("len rev: ~p~n", [length(lists:reverse(L))]),
    io:format("filter: ~p~n", [length([X || X <- L, X rem 3 =:= 0])]),
    T = tree(18, 1),
    io:format("tree leaves: ~p sum: ~p~n", [tcount(T), tsum(T)]),
    Tup = list_to_tuple(L),
    io:format("big tuple: ~p ~p ~p~n", [tuple_size(Tup), element(1, Tup), element(1000000, Tup)]),
    Bin = list_to_binary([X band 255 || X <- lists:seq(1, 1000000)]),
    io:format("big binary: ~p ~p~n", [byte_size(Bin), erlang:crc32(Bin)]),
    M = maps:from_list([{X, X} || X <- lists:seq(1, 100000)]),
    io:format("big map: ~p ~p~n", [map_size(M), lists:sum(maps:values(M))]),
    Sorted = lists:sort([(X * 7919) rem 1000003 || X <- lists:seq(1, 200000)]),
    io:format("sorted: ~p ~p ~p~n", [hd(Sorted), lists:last(Sorted), lists:nth(100000, Sorted)]),
    Str = lists:flatten(lists:duplicate(10000, "abcdefghij")),
    io:format("long string: ~p ~p~n", [length(Str), erlang:md5(Str)]),
    Big = lists:foldl(fun(X, A) -> A * X end, 1, lists:seq(1, 2000)),
    io:format("2000!: digits ~p~n", [length(integer_to_list(Big))]),
    io:format("t2b big list: ~p~n", [byte_size(term_to_binary(lists:seq(1, 100000)))]),
    ok.
