-module(binary_trees).
-export([main/0]).

make(0) -> {nil, nil};
make(D) -> {make(D - 1), make(D - 1)}.

check({nil, nil}) -> 1;
check({L, R}) -> 1 + check(L) + check(R).

insert(K, V, nil) -> {K, V, nil, nil};
insert(K, V, {K2, V2, L, R}) when K < K2 -> {K2, V2, insert(K, V, L), R};
insert(K, V, {K2, V2, L, R}) when K > K2 -> {K2, V2, L, insert(K, V, R)};
insert(K, V, {K, _, L, R}) -> {K, V, L, R}.

lookup(_, nil) -> none;
lookup(K, {K, V, _, _}) -> {ok, V};
lookup(K, {K2, _, L, _}) when K < K2 -> lookup(K, L);
lookup(K, {_, _, _, R}) -> lookup(K, R).

to_list(nil) -> [];
to_list({K, V, L, R}) -> to_list(L) ++ [{K, V}] ++ to_list(R).

height(nil) -> 0;
height({_, _, L, R}) -> 1 + max(height(L), height(R)).

main() ->
    MaxD = 14,
    Stretch = make(MaxD + 1),
    io:format("stretch tree of depth ~p check: ~p~n", [MaxD + 1, check(Stretch)]),
    Long = make(MaxD),
    lists:foreach(
      fun(D) ->
              N = 1 bsl (MaxD - D + 4),
              C = lists:sum([check(make(D)) || _ <- lists:seq(1, N)]),
              io:format("~p trees of depth ~p check: ~p~n", [N, D, C])
      end, lists:seq(4, MaxD, 2)),
    io:format("long lived tree of depth ~p check: ~p~n", [MaxD, check(Long)]),
    Keys = [(I * 7919) rem 10007 || I <- lists:seq(1, 3000)],
    T = lists:foldl(fun(K, Acc) -> insert(K, K * K, Acc) end, nil, Keys),
    io:format("bst size ~p height ~p~n", [length(to_list(T)), height(T)]),
    io:format("bst lookups: ~p~n", [[lookup(K, T) || K <- [7919, 1, 5000, 10006]]]),
    io:format("bst sorted: ~p~n", [[K || {K, _} <- to_list(T)] =:= lists:usort(Keys)]),
    io:format("bst first 5: ~p~n", [lists:sublist(to_list(T), 5)]),
    ok.
