-module(maps_large).
-export([main/0]).

main() ->
    io:setopts([{encoding, unicode}]),
    Sizes = [31, 32, 33, 64, 100, 1000],
    lists:foreach(fun(N) -> run(N) end, Sizes),
    Mixed = maps:from_list([{K, K} || K <- mixed_keys()]),
    io:format("mixed map:~n~p~n", [Mixed]),
    io:format("mixed keys: ~p~n", [maps:keys(Mixed)]),
    io:format("mixed to_list == sorted? ~p~n", [maps:to_list(Mixed) =:= lists:sort(maps:to_list(Mixed))]),
    %% NOTE: iteration order of maps with more than 32 keys depends on the
    %% VM-internal hash; for keys containing atoms that hash depends on the
    %% atom table index (not deterministic across runs), so only keys built
    %% from numbers, binaries, lists and tuples of those are printed in order.
    A = maps:from_list([{{k, I}, I} || I <- lists:seq(1, 50)]),
    B = maps:from_list([{{k, I}, I} || I <- lists:reverse(lists:seq(1, 50))]),
    io:format("insertion order independent: ~p ~p~n", [A =:= B, maps:to_list(A) =:= maps:to_list(B)]),
    C = lists:foldl(fun(I, Acc) -> maps:remove({k, I}, Acc) end, A, lists:seq(1, 50, 2)),
    io:format("after removes: ~p~n~p~n", [map_size(C), lists:sort(maps:to_list(C))]),
    D = maps:merge(A, maps:from_list([{{k, I}, -I} || I <- lists:seq(40, 60)])),
    io:format("merged size ~p sum ~p~n", [map_size(D), lists:sum(maps:values(D))]),
    io:format("compare: ~p ~p ~p~n", [A < D, D < A, lists:sort([D, A, C]) =:= [C, A, D]]),
    io:format("small vs large compare: ~p~n", [#{a => 1} < A]),
    Big = maps:from_list([{I, I} || I <- lists:seq(1, 33)]),
    Big2 = maps:from_list([{I, I} || I <- lists:seq(1, 32)] ++ [{34, 34}]),
    io:format("big cmp: ~p ~p~n", [Big < Big2, Big == Big2]),
    Big3 = Big#{33 := 33.0},
    io:format("big == float: ~p =:= ~p~n", [Big == Big3, Big =:= Big3]),
    io:format("large atom keys (sorted): ~p~n", [lists:sort(maps:to_list(maps:from_list([{list_to_atom("k" ++ integer_to_list(I)), I} || I <- lists:seq(1, 40)])))]),
    io:format("tuple/list/binary keys: ~p~n", [maps:keys(maps:from_list([{{I, [I], <<I>>}, I} || I <- lists:seq(1, 40)]))]),
    io:format("large string keys: ~p~n", [maps:keys(maps:from_list([{integer_to_list(I), I} || I <- lists:seq(1, 40)]))]),
    io:format("binary keys: ~p~n", [maps:keys(maps:from_list([{integer_to_binary(I), I} || I <- lists:seq(1, 35)]))]),
    io:format("float keys: ~p~n", [maps:keys(maps:from_list([{I / 4, I} || I <- lists:seq(1, 35)]))]),
    io:format("neg/big keys: ~p~n", [maps:keys(maps:from_list([{(I - 20) * (1 bsl 60), I} || I <- lists:seq(1, 40)]))]),
    io:format("fold order: ~p~n", [maps:fold(fun(K, _, Acc) -> [K | Acc] end, [], maps:from_list([{I, x} || I <- lists:seq(1, 40)]))]),
    ok.

run(N) ->
    M = maps:from_list([{I, I * I} || I <- lists:seq(1, N)]),
    M2 = lists:foldl(fun(I, Acc) -> Acc#{I => I * I} end, #{}, lists:seq(N, 1, -1)),
    io:format("N=~p size=~p equal=~p~n", [N, map_size(M), M =:= M2]),
    io:format("  get ~p ~p ~p~n", [maps:get(1, M), maps:get(N, M), maps:get(N + 1, M, none)]),
    io:format("  sum ~p~n", [lists:sum(maps:values(M))]),
    io:format("  first keys ~p~n", [lists:sublist(maps:keys(M), 40)]),
    io:format("  iter ~p~n", [lists:sublist(iter(maps:iterator(M)), 10)]),
    io:format("  updated ~p~n", [maps:get(N, M#{N := updated})]),
    io:format("  filter even count ~p~n", [map_size(maps:filter(fun(K, _) -> K rem 2 =:= 0 end, M))]),
    io:format("  phash2 ~p~n", [erlang:phash2(M)]),
    io:format("  t2b size ~p md5 ~p~n", [byte_size(term_to_binary(M)), erlang:md5(term_to_binary(M))]),
    io:format("  roundtrip ~p~n", [binary_to_term(term_to_binary(M)) =:= M]),
    case N =< 64 of
        true -> io:format("  ~p~n", [M]);
        false -> ok
    end.

iter(I) ->
    case maps:next(I) of
        none -> [];
        {K, V, I2} -> [{K, V} | iter(I2)]
    end.

mixed_keys() ->
    [1, 2.5, -3, "str", <<"bin">>, {1, 2}, [1.5], 1 bsl 65, {}, [], #{}, <<>>, 0.0, -0.0,
     <<1:3>>, #{1 => 2}, {[], <<>>}, 1 bsl 200, -(1 bsl 70)] ++ lists:seq(100, 120).
