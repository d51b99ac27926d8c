%% Iteration order of large (hash-trie) maps: above 32 keys the reference VM stores
%% maps as a hash array mapped trie and maps:to_list/keys/values/fold/iterator,
%% printing and term_to_binary all follow the trie's order, which depends on the
%% internal hash of the keys. This program prints those orders for many kinds of keys
%% and many ways of building maps, plus equality and term order of large maps.
%% Atom, pid, ref and fun keys are only checked order-independently: their hash depends
%% on VM-internal numbering (so no atoms appear in keys whose order is printed).
-module(maps_large_order).
-export([main/0]).

main() ->
    kinds(),
    building(),
    shrinking(),
    collisions(),
    operations(),
    comparisons(),
    printing(),
    order_independent(),
    encoding(),
    ok.

out(Label, Term) ->
    io:format("~s: ~w~n", [Label, Term]).

%% ---------------------------------------------------------------- key kinds

kinds() ->
    Seq = lists:seq(1, 40),
    show("ints 1..40", [{I, I} || I <- Seq]),
    show("ints 0..99", [{I, I * 2} || I <- lists:seq(0, 99)]),
    show("negative ints", [{-I * 7919, I} || I <- Seq]),
    show("mixed sign ints", [{(I - 20) * 1000003, I} || I <- Seq]),
    show("small int edges", [{(1 bsl 59) - I, I} || I <- lists:seq(1, 20)]
                            ++ [{-(1 bsl 59) + I, I} || I <- lists:seq(0, 19)]),
    show("bignums", [{(1 bsl 64) + I * 12345678901, I} || I <- Seq]),
    show("negative bignums", [{-(1 bsl 100) - I, I} || I <- Seq]),
    show("floats", [{I / 8, I} || I <- Seq]),
    show("float specials", [{F, I} || {F, I} <- lists:zip([0.0, 1.0e300, -1.0e-300, 3.14159, 2.0e10 | [I * 1.5 || I <- lists:seq(1, 35)]], lists:seq(1, 40))]),
    show("int and float", [{I, I} || I <- lists:seq(1, 20)] ++ [{float(I), 100 + I} || I <- lists:seq(1, 20)]),
    show("binaries", [{integer_to_binary(I), I} || I <- Seq]),
    show("binary lengths", [{binary:copy(<<"ab">>, I), I} || I <- lists:seq(0, 39)]),
    show("long binaries", [{list_to_binary(lists:duplicate(100 + I, $x)), I} || I <- Seq]),
    show("bitstrings", [{<<I:I>>, I} || I <- lists:seq(1, 40)]),
    show("sub binaries", [{binary:part(<<"0123456789abcdefghijklmnopqrstuvwxyz0123456789">>, I, 5), I} || I <- Seq]),
    show("strings", [{integer_to_list(I), I} || I <- Seq]),
    show("long strings", [{lists:duplicate(I, $a), I} || I <- Seq]),
    show("unicode strings", [{[I + 1000, I], I} || I <- Seq]),
    show("lists", [{[I, [I], {I}], I} || I <- Seq]),
    show("improper lists", [{[I | I + 1], I} || I <- Seq]),
    show("nil and nested nil", [{lists:duplicate(I, []), I} || I <- Seq]),
    show("tuples", [{{I, I * 2}, I} || I <- Seq]),
    show("nested tuples", [{{{I}, {}, [I]}, I} || I <- Seq]),
    show("empty tuple mix", [{list_to_tuple(lists:seq(1, I rem 7)), 100 + I} || I <- lists:seq(0, 6)]
                            ++ [{I, I} || I <- Seq]),
    show("small maps as keys", [{#{I => I, "a" => [I]}, I} || I <- Seq]),
    show("large maps as keys", [{maps:from_list([{J, I} || J <- lists:seq(1, 33 + I)]), I} || I <- lists:seq(1, 35)]),
    show("mixed", mixed()),
    ok.

mixed() ->
    Ks = [1, -1, 2.5, -0.5, 1 bsl 70, -(1 bsl 70), <<>>, <<"b">>, <<1:3>>, [], "s", [1.0 | 2],
          {}, {1}, {1, 2}, #{}, #{1 => 2}, [[]], <<"long binary key over twelve bytes">>,
          0, 0.0, 100, 1000, 10000, 100000, 1000000, 3.0e-10, "", [0], [255], [256],
          {[]}, {<<>>}, {#{}}, [1.5], [-1], {-1}],
    lists:zip(Ks, lists:seq(1, length(Ks))).

show(Label, Pairs) ->
    M = maps:from_list(Pairs),
    %% The values identify the keys compactly, so they show the order; the keys
    %% themselves are checked through a hash of the list.
    io:format("~s (~p keys)~n", [Label, map_size(M)]),
    io:format("  values ~w~n", [maps:values(M)]),
    io:format("  keys hash ~w~n", [erlang:phash2(maps:keys(M))]),
    io:format("  to_list matches keys/values ~w~n",
              [maps:to_list(M) =:= lists:zip(maps:keys(M), maps:values(M))]),
    io:format("  fold ~w~n", [maps:fold(fun(_, V, A) -> [V | A] end, [], M)]),
    io:format("  iterator ~w~n", [[maps:get(K, M) || K <- iter_keys(maps:iterator(M))]]),
    Inc = lists:foldl(fun({K, V}, Acc) -> Acc#{K => V} end, #{}, Pairs),
    Rev = lists:foldl(fun({K, V}, Acc) -> maps:put(K, V, Acc) end, #{}, lists:reverse(Pairs)),
    io:format("  same by insertion ~w ~w ~w~n",
              [Inc =:= M, maps:keys(Inc) =:= maps:keys(M), maps:keys(Rev) =:= maps:keys(M)]),
    io:format("  lookups ~w~n", [lists:all(fun({K, _}) -> maps:is_key(K, M) end, Pairs)]).

iter_keys(I) ->
    case maps:next(I) of
        none -> [];
        {K, _, I2} -> [K | iter_keys(I2)]
    end.

%% ---------------------------------------------------------------- construction

building() ->
    Lit = #{1 => a, 2 => b, 3 => c, 4 => d, 5 => e, 6 => f, 7 => g, 8 => h, 9 => i,
            10 => j, 11 => k, 12 => l, 13 => m, 14 => n, 15 => o, 16 => p, 17 => q,
            18 => r, 19 => s, 20 => t, 21 => u, 22 => v, 23 => w, 24 => x, 25 => y,
            26 => z, 27 => aa, 28 => bb, 29 => cc, 30 => dd, 31 => ee, 32 => ff,
            33 => gg, 34 => hh, <<"bin">> => 1, "str" => 2, {"tup"} => 3, 1.5 => 4},
    out("literal keys", maps:keys(Lit)),
    X = 7,
    Built = #{X => 1, X + 1 => 2, X + 2 => 3, X + 3 => 4, X + 4 => 5, X + 5 => 6,
              X + 6 => 7, X + 7 => 8, X + 8 => 9, X + 9 => 10, X + 10 => 11, X + 11 => 12,
              X + 12 => 13, X + 13 => 14, X + 14 => 15, X + 15 => 16, X + 16 => 17,
              X + 17 => 18, X + 18 => 19, X + 19 => 20, X + 20 => 21, X + 21 => 22,
              X + 22 => 23, X + 23 => 24, X + 24 => 25, X + 25 => 26, X + 26 => 27,
              X + 27 => 28, X + 28 => 29, X + 29 => 30, X + 30 => 31, X + 31 => 32,
              X + 32 => 33, X + 33 => 34},
    out("constructed keys", maps:keys(Built)),
    %% Duplicates collapse below the limit: the result is a small (sorted) map again.
    Dups = maps:from_list([{I rem 30, I} || I <- lists:seq(1, 60)]),
    out("from_list with duplicates", {map_size(Dups), maps:keys(Dups), maps:values(Dups)}),
    Dups2 = maps:from_list([{I rem 35, I} || I <- lists:seq(1, 70)]),
    out("from_list with duplicates, large", {map_size(Dups2), maps:to_list(Dups2)}),
    out("from_keys", maps:keys(maps:from_keys(lists:seq(100, 140), 0))),
    %% Growing a 32-key map by one key.
    F32 = maps:from_list([{I, I} || I <- lists:seq(1, 32)]),
    out("32 keys", maps:keys(F32)),
    out("33rd key", maps:keys(F32#{33 => 33})),
    out("33rd key via put", maps:keys(maps:put(0, 0, F32))),
    out("two at once", maps:keys(F32#{"a" => 1, <<"b">> => 2})),
    ok.

%% ---------------------------------------------------------------- removal

shrinking() ->
    M = maps:from_list([{I, I} || I <- lists:seq(1, 40)]),
    lists:foldl(
      fun(K, Acc) ->
              Acc2 = maps:remove(K, Acc),
              io:format("remove ~w -> ~w~n", [K, maps:keys(Acc2)]),
              Acc2
      end, M, [40, 1, 39, 2, 38, 3, 37, 4, 36, 5]),
    out("remove absent", maps:keys(maps:remove(999, M)) =:= maps:keys(M)),
    {V, M2} = maps:take(20, M),
    out("take", {V, maps:keys(M2)}),
    out("without", maps:keys(maps:without(lists:seq(1, 10), M))),
    out("with", maps:keys(maps:with(lists:seq(1, 35), M))),
    Big = maps:from_list([{I, I} || I <- lists:seq(1, 5000)]),
    Small = lists:foldl(fun maps:remove/2, Big, lists:seq(1, 4990)),
    out("shrunk from 5000", maps:to_list(Small)),
    Mid = lists:foldl(fun maps:remove/2, Big, lists:seq(1, 4950)),
    out("shrunk to 50", maps:keys(Mid)),
    ok.

%% ---------------------------------------------------------------- hash collisions

collisions() ->
    %% 40660 and 59671 share all 32 bits of the reference's hash; so do the other pairs.
    Pairs = [{40660, 59671}, {22575, 119693}, {121236, 167527}, {169647, 178740}],
    Ks = lists:append([[A, B] || {A, B} <- Pairs]),
    M = maps:from_list([{K, K} || K <- Ks ++ lists:seq(1, 30)]),
    out("colliding keys", maps:keys(M)),
    Inc = lists:foldl(fun(K, A) -> A#{K => K} end, #{}, lists:seq(1, 30) ++ Ks),
    out("colliding keys by insertion", maps:keys(Inc) =:= maps:keys(M)),
    out("colliding lookups", [maps:get(K, M) || K <- Ks]),
    R = maps:remove(40660, M),
    out("colliding removal", {maps:is_key(59671, R), maps:keys(R)}),
    ok.

%% ---------------------------------------------------------------- other operations

operations() ->
    A = maps:from_list([{I, I} || I <- lists:seq(1, 50)]),
    B = maps:from_list([{I, -I} || I <- lists:seq(40, 90)]),
    S = maps:from_list([{I, small} || I <- lists:seq(45, 55)]),
    out("merge large large", maps:to_list(maps:merge(A, B))),
    out("merge large small", maps:to_list(maps:merge(A, S))),
    out("merge small large", maps:to_list(maps:merge(S, A))),
    out("merge small small", maps:keys(maps:merge(maps:from_list([{I, 1} || I <- lists:seq(1, 20)]),
                                                  maps:from_list([{I, 2} || I <- lists:seq(15, 35)])))),
    out("update", maps:to_list(A#{1 := one, 50 := fifty})),
    out("maps:update", maps:values(maps:update(25, x, A))),
    out("map", maps:to_list(maps:map(fun(K, V) -> K * V end, A))),
    out("filter", maps:keys(maps:filter(fun(K, _) -> K rem 3 =:= 0 end, A))),
    out("filter to large", maps:keys(maps:filter(fun(K, _) -> K > 10 end, A))),
    out("filtermap", maps:to_list(maps:filtermap(fun(K, V) when K rem 2 =:= 0 -> {true, V + 1};
                                                    (_, _) -> false end, A))),
    out("fold sum", maps:fold(fun(_, V, Acc) -> V + Acc end, 0, A)),
    out("foreach", begin put(seen, []), maps:foreach(fun(K, _) -> put(seen, [K | get(seen)]) end, A), get(seen) end),
    out("find", {maps:find(33, A), maps:find(99, A)}),
    out("get default", {maps:get(33, A, none), maps:get(99, A, none)}),
    #{10 := Ten, 45 := FortyFive} = A,
    out("match", {Ten, FortyFive}),
    out("size", {map_size(A), maps:size(B)}),
    out("groups_from_list", maps:to_list(maps:groups_from_list(fun(X) -> X rem 40 end, lists:seq(1, 80)))),
    I = maps:iterator(A),
    {K1, V1, I1} = maps:next(I),
    {K2, V2, _} = maps:next(I1),
    out("first two", [{K1, V1}, {K2, V2}]),
    ok.

%% ---------------------------------------------------------------- equality and order

comparisons() ->
    A = maps:from_list([{I, 0} || I <- lists:seq(1, 40)]),
    B = A#{1 := 1},
    C = A#{40 := 2},
    D = maps:remove(40, A#{41 => 0}),
    E = maps:remove(1, A#{0 => 0}),
    F = A#{40 := 0.0},
    out("eq", {A =:= A#{}, A == F, A =:= F, A =/= F}),
    out("order values", {A < B, B < C, C < B, A < C}),
    out("order keys", {A < D, D < A, E < A, E < D}),
    out("sorted", [maps:get(0, X, maps:get(41, X, x)) || X <- lists:sort([D, C, B, A, E])]),
    Small = maps:from_list([{I, 0} || I <- lists:seq(1, 32)]),
    out("small vs large", {Small < A, A > Small, #{a => 1} < A}),
    G = maps:from_list([{I, 0} || I <- lists:seq(1, 39)] ++ [{40.0, 0}]),
    out("int vs float key", {A == G, A < G, G < A}),
    H = maps:from_list([{float(I), 0} || I <- lists:seq(1, 40)]),
    out("all float keys", {A == H, A < H}),
    out("as elements", lists:sort([{C, 1}, {B, 2}, {A, 3}])
                            =:= [{A, 3}, {B, 2}, {C, 1}]),
    %% Map key order puts every integer before every float, at any depth.
    out("small map key order", maps:keys(#{2 => a, 1.5 => b, 1 => c, 1.0 => d, 1 bsl 80 => e, -5.0 => f,
                                           {2, x} => g, {1.5, x} => h, [3] => i, [2.5] => j})),
    out("int before float", {#{2 => a} < #{1.5 => a}, #{{2, x} => a} < #{{1.5, x} => a},
                             #{[1 | 2.0] => a} < #{[1.0 | 2] => a}, #{a => 2} < #{a => 1.5}}),
    out("large int before float", {A#{41 => 0} < A#{0.5 => 0}, maps:remove(1, A#{0.5 => 0}) < A}),
    Mix = maps:from_list(mixed()),
    Mix2 = maps:from_list(lists:reverse(mixed())),
    out("mixed equal", {Mix =:= Mix2, Mix == Mix2, lists:usort([Mix, Mix2]) =:= [Mix]}),
    ok.

%% ---------------------------------------------------------------- printing

printing() ->
    M = maps:from_list([{I, I * I} || I <- lists:seq(1, 40)]),
    io:format("~p~n", [M]),
    io:format("~w~n", [M]),
    io:format("~P~n", [M, 10]),
    io:format("~W~n", [M, 5]),
    io:format("~p~n", [maps:from_list([{integer_to_list(I), <<I>>} || I <- lists:seq(60, 100)])]),
    io:format("~p~n", [#{nested => maps:from_list([{{I}, [I]} || I <- lists:seq(1, 35)])}]),
    io:format("~s~n", [io_lib:write(maps:from_list([{I, []} || I <- lists:seq(-20, 20)]))]),
    ok.

%% ---------------------------------------------------------------- external format

encoding() ->
    M = maps:from_list([{I, I} || I <- lists:seq(1, 33)]),
    out("t2b", term_to_binary(M)),
    Mix = maps:from_list(mixed()),
    Bin = term_to_binary(Mix),
    out("t2b mixed md5", erlang:md5(Bin)),
    out("roundtrip", {binary_to_term(Bin) =:= Mix, maps:keys(binary_to_term(Bin)) =:= maps:keys(Mix)}),
    Big = maps:from_list([{I, I} || I <- lists:seq(1, 2000)]),
    out("t2b 2000 md5", erlang:md5(term_to_binary(Big))),
    out("phash2", {erlang:phash2(M), erlang:phash2(Mix), erlang:phash2(Big)}),
    ok.

%% ---------------------------------------------------------------- hash-independent checks

order_independent() ->
    Atoms = maps:from_list([{list_to_atom("key_" ++ integer_to_list(I)), I} || I <- lists:seq(1, 60)]),
    out("atom keys sorted", lists:sort(maps:to_list(Atoms))),
    out("atom lookups", [maps:get(list_to_atom("key_" ++ integer_to_list(I)), Atoms) || I <- lists:seq(1, 60, 7)]),
    Pids = maps:from_list([{self(), a} | [{make_ref(), I} || I <- lists:seq(1, 40)]]),
    out("ref keys", {map_size(Pids), maps:get(self(), Pids), lists:sort(maps:values(Pids))}),
    Funs = maps:from_list([{fun() -> I end, I} || I <- lists:seq(1, 40)]),
    out("fun keys", lists:sort([(K)() - V || {K, V} <- maps:to_list(Funs)]) =:= lists:duplicate(40, 0)),
    %% A big map built by repeated insertion.
    Huge = lists:foldl(fun(I, Acc) -> Acc#{I => I} end, #{}, lists:seq(1, 200000)),
    out("huge", {map_size(Huge), maps:get(123456, Huge), lists:sum(maps:values(Huge)),
                 lists:sublist(maps:keys(Huge), 20)}),
    ok.
