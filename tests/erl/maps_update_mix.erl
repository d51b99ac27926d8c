-module(maps_update_mix).
-export([main/0]).

%% Map updates (`M#{K => V}`, `M#{K := V}`) with keys of every kind mixed, inserted
%% and replaced in a pseudo-random order, across the flatmap/trie limit: the maps must
%% print, compare and iterate in the reference's key order.

keys() ->
    [0, 1, -1, 2, 1.0, 2.0, -0.5, a, b, zz, 'A', [], [a], {1}, {a, 1}, {a, 2}, {b, 1},
     {1.0}, <<"x">>, <<>>, "str", #{}, #{a => 1}, 16#FFFFFFFFFFFFFFFFFF, self(), make_ref(),
     fun erlang:abs/1, {b_var, 1}, {b_var, 2}, {b_var, x}, {b_var, 1.0}, [1 | 2],
     {{nested, 1}, 2}, {{nested, 1}, 1}, 3, 4, 5, c, d, e].

main() ->
    rand:seed(exsss, {1, 2, 3}),
    Ks = keys(),
    N = length(Ks),
    Final = lists:foldl(
              fun(I, M) ->
                      K = lists:nth(rand:uniform(N), Ks),
                      M1 = M#{K => I},
                      case I rem 7 of
                          0 -> check(M1, I);
                          _ -> ok
                      end,
                      M1
              end, #{}, lists:seq(1, 300)),
    io:format("size ~p~n", [map_size(Final)]),
    %% A trie's iteration order hashes atoms by their table index, which differs
    %% between VMs (see docs/compatibility.md): its keys are printed sorted.
    io:format("~p~n", [lists:sort(fun exact_le/2,
                                  [K || K <- maps:keys(Final), not is_reference(K), not is_pid(K)])]),
    %% := on existing keys keeps the keys; on a missing one fails with badkey.
    Small = maps:from_list([{K, 0} || K <- lists:sublist(Ks, 10)]),
    Up = Small#{a := 1, 1.0 := 2, zz := 3},
    io:format("~p~n", [Up]),
    io:format("~p~n", [catch Small#{nope := 1}]),
    io:format("~p~n", [[Small < Up, Up < Small, Small == Small#{a => 0}]]),
    %% Updating many keys at once, some new, some old.
    Many = Small#{a => x, q => y, 2 => z, 2.0 => w, {a, 1} => v},
    io:format("~p~n", [Many]),
    io:format("~p~n", [lists:sort([Many, Small, Up, #{}, #{a => 1}])]).

check(M, I) ->
    L = maps:to_list(M),
    Sorted = lists:sort(fun({A, _}, {B, _}) -> exact_le(A, B) end, L),
    Same = (map_size(M) > 32) orelse (L =:= Sorted) orelse {order_differs, I},
    Same =:= true orelse io:format("~p~n", [Same]),
    Fetched = [maps:get(K, M) =:= V || {K, V} <- L],
    lists:all(fun(X) -> X end, Fetched) orelse io:format("get differs at ~p~n", [I]).

%% Map key order: term order with integers before floats (1 < 1.0).
exact_le(A, B) -> erts_internal:cmp_term(A, B) =< 0.
