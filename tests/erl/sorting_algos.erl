-module(sorting_algos).
-export([main/0]).

qsort([]) -> [];
qsort([P | T]) -> qsort([X || X <- T, X < P]) ++ [P] ++ qsort([X || X <- T, X >= P]).

msort([]) -> [];
msort([X]) -> [X];
msort(L) ->
    {A, B} = lists:split(length(L) div 2, L),
    merge(msort(A), msort(B)).

merge([], B) -> B;
merge(A, []) -> A;
merge([X | A], [Y | _] = B) when X =< Y -> [X | merge(A, B)];
merge(A, [Y | B]) -> [Y | merge(A, B)].

isort(L) -> lists:foldl(fun ins/2, [], L).
ins(X, []) -> [X];
ins(X, [H | T]) when X =< H -> [X, H | T];
ins(X, [H | T]) -> [H | ins(X, T)].

bsort(L) ->
    case pass(L, false) of
        {L2, true} -> bsort(L2);
        {L2, false} -> L2
    end.
pass([A, B | T], _) when A > B -> {R, _} = pass([A | T], true), {[B | R], true};
pass([A | T], S) -> {R, S2} = pass(T, S), {[A | R], S2};
pass([], S) -> {[], S}.

hsort(L) ->
    T = lists:foldl(fun(X, H) -> heap_insert(X, H) end, empty, L),
    heap_drain(T).
heap_insert(X, H) -> hmerge({X, empty, empty}, H).
hmerge(empty, H) -> H;
hmerge(H, empty) -> H;
hmerge({X, L1, R1}, {Y, _, _} = B) when X =< Y -> {X, hmerge(R1, B), L1};
hmerge(A, B) -> hmerge(B, A).
heap_drain(empty) -> [];
heap_drain({X, L, R}) -> [X | heap_drain(hmerge(L, R))].

rand_list(N, Seed) -> rand_list(N, Seed, []).
rand_list(0, _, Acc) -> Acc;
rand_list(N, S, Acc) -> S2 = (S * 6364136223846793005 + 1442695040888963407) band 16#FFFFFFFFFFFFFFFF,
                        rand_list(N - 1, S2, [(S2 bsr 33) rem 100000 | Acc]).

main() ->
    L = rand_list(5000, 12345),
    Ref = lists:sort(L),
    Algos = [{qsort, fun qsort/1}, {msort, fun msort/1}, {isort, fun isort/1}, {hsort, fun hsort/1}],
    [io:format("~p ok: ~p~n", [N, F(L) =:= Ref]) || {N, F} <- Algos],
    Small = rand_list(300, 99),
    io:format("bsort ok: ~p~n", [bsort(Small) =:= lists:sort(Small)]),
    io:format("first 20: ~p~n", [lists:sublist(Ref, 20)]),
    io:format("last 5: ~p~n", [lists:nthtail(length(Ref) - 5, Ref)]),
    io:format("qsort strings: ~p~n", [qsort(["pear", "apple", "fig", "banana", "cherry", "apple"])]),
    io:format("msort mixed: ~p~n", [msort([3, a, 2.5, "s", {t}, 1, b, [], <<"b">>])]),
    io:format("sort stability (keysort): ~p~n", [lists:keysort(1, [{K rem 3, K} || K <- lists:seq(1, 12)])]),
    io:format("sorted 50000: ~p~n", [begin B = rand_list(50000, 7), S = msort(B), {length(S), hd(S), lists:last(S), S =:= lists:sort(B)} end]),
    ok.
