-module(maps_put_paths).
-export([main/0]).

%% Single- and multi-key map updates whose keys are tuples, lists, floats and
%% integers: lookups that find the very key term, an equal copy, or nothing;
%% insertions at the front, middle and end; updates that change nothing.
main() ->
    Keys = [{b_var, 3}, {b_var, {'@ssa_ret', 4}}, {b_var, 1}, {x, 0}, [a, b], 1, 1.0,
            2.5, {1}, {1.0}, <<"k">>, {b_var, {'@ssa_ret', 2}}, -0.0, 0.0, {{}}, {[]}],
    M0 = lists:foldl(fun(K, M) -> put1(M, K, K) end, #{}, Keys),
    io:format("~p~n", [M0]),
    %% Copies of keys (not the same terms) find the same entries.
    Copies = binary_to_term(term_to_binary(Keys)),
    io:format("~p~n", [[maps:get(K, M0) || K <- Copies]]),
    %% Same value again: an equal map.
    M1 = lists:foldl(fun(K, M) -> put1(M, K, K) end, M0, Copies),
    io:format("~p ~p~n", [M1 =:= M0, M1]),
    %% Exact updates with the same and with new values.
    M2 = lists:foldl(fun(K, M) -> M#{K := K} end, M0, Copies),
    M3 = lists:foldl(fun(K, M) -> M#{K := {new, K}} end, M0, Copies),
    io:format("~p ~p~n", [M2 =:= M0, M3]),
    %% Multi-key updates: some new, some the same, some changed.
    M4 = two(M0, {b_var, 2}, {b_var, 3}),
    M5 = two(M0, {b_var, 3}, {b_var, 1}),
    M6 = M0#{{b_var, 1} := {b_var, 1}, 1 := 1},
    io:format("~p~n~p~n~p~n", [M4, M5, M6 =:= M0]),
    %% Missing keys in exact updates still raise.
    io:format("~p~n", [catch M0#{{b_var, 9} := x}]),
    io:format("~p~n", [catch M0#{{b_var, 3} := x, {nope} := y}]),
    %% Insertion positions in small maps of tuple keys.
    Small = #{{k, 2} => a, {k, 4} => b},
    io:format("~p~n", [[put1(Small, K, new) || K <- [{k, 1}, {k, 3}, {k, 5}, {k, 2}, {k, 2.0}]]]),
    %% Equality of nested terms that are equal but not the same.
    A = {t, [1, 2, {x, "abc"}], #{a => {1.0}}},
    B = binary_to_term(term_to_binary(A)),
    C = {t, [1, 2, {x, "abd"}], #{a => {1.0}}},
    D = {t, [1, 2, {x, "abc"}], #{a => {1}}},
    io:format("~p~n", [[A =:= B, A == B, A =:= C, A == C, A =:= D, A == D, [1|2] == [1|2.0],
                        [1|2] =:= [1|2.0], {1, a} == {1.0, a}, {a, 1} =:= {a, 1.0}]]),
    merges(Keys),
    halt().

%% maps:merge/2 of flatmaps (same keys, subsets, interleaved, overlapping, a union
%% just at and just past 32 keys) and of tries.
merges(Keys) ->
    A = maps:from_list([{K, a} || K <- Keys]),
    B = maps:from_list([{K, b} || K <- lists:sublist(Keys, 3, 5)]),
    Evens = maps:from_list([{I, e} || I <- lists:seq(0, 30, 2)]),
    Odds = maps:from_list([{I, o} || I <- lists:seq(1, 31, 2)]),
    Odds17 = maps:from_list([{I, o} || I <- lists:seq(1, 33, 2)]),
    Big = maps:from_list([{I, big} || I <- lists:seq(1, 40)]),
    Copy = binary_to_term(term_to_binary(A)),
    io:format("~p~n", [[maps:merge(A, A), maps:merge(A, B), maps:merge(B, A),
                        maps:merge(A, Copy#{{x, 0} := c}), maps:merge(#{}, B),
                        maps:merge(B, #{}), maps:merge(Evens, Odds),
                        maps:merge(Evens, Odds17), maps:merge(Big, Evens),
                        maps:merge(Evens, Big), maps:merge(#{1 => x, 1.0 => y}, #{1.0 => z}),
                        maps:merge(#{-0.0 => a, x => 1}, #{0.0 => b}),
                        maps:merge(#{0.0 => a, x => 1}, #{0.0 => b, x => 1})]]),
    io:format("~p~n", [[maps:size(maps:merge(Evens, Odds)), maps:size(maps:merge(Evens, Odds17)),
                        catch maps:merge(A, not_a_map), catch maps:merge(x, A)]]).

put1(M, K, V) -> M#{K => V}.
two(M, K1, K2) -> M#{K1 => x, K2 => K2}.
