-module(maps_module).
-export([main/0]).
-define(T(E), t(??E, fun() -> E end)).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~p~n", [Label, R]).

main() ->
    M = #{a => 1, b => 2, c => 3},
    ?T(maps:get(a, M)),
    ?T(maps:get(z, M)),
    ?T(maps:get(z, M, default)),
    ?T(maps:get(a, notamap)),
    ?T(maps:get(a, notamap, d)),
    ?T(maps:find(a, M)),
    ?T(maps:find(z, M)),
    ?T(maps:put(d, 4, M)),
    ?T(maps:put(a, 0, M)),
    ?T(maps:put(a, 0, [])),
    ?T(maps:remove(a, M)),
    ?T(maps:remove(z, M)),
    ?T(maps:take(a, M)),
    ?T(maps:take(z, M)),
    ?T(maps:merge(M, #{c => 30, d => 40})),
    ?T(maps:merge(#{}, #{})),
    ?T(maps:merge(M, x)),
    ?T(maps:merge_with(fun(_K, V1, V2) -> V1 + V2 end, M, #{c => 30, d => 40})),
    ?T(maps:keys(M)),
    ?T(maps:values(M)),
    ?T(maps:to_list(M)),
    ?T(maps:from_list([{x, 1}, {y, 2}, {x, 3}])),
    ?T(maps:from_list([])),
    ?T(maps:from_list([bad])),
    ?T(maps:from_keys([a, b, c], 0)),
    ?T(maps:fold(fun(K, V, Acc) -> [{K, V} | Acc] end, [], M)),
    ?T(maps:fold(fun(_, V, Acc) -> V + Acc end, 0, M)),
    ?T(maps:map(fun(_K, V) -> V * 100 end, M)),
    ?T(maps:map(fun(K, V) -> {K, V} end, #{})),
    ?T(maps:filter(fun(_K, V) -> V > 1 end, M)),
    ?T(maps:filter(fun(K, _) -> K =:= b end, M)),
    ?T(maps:filtermap(fun(a, _) -> false; (b, V) -> {true, V * 10}; (_, _) -> true end, M)),
    ?T(maps:with([a, c, z], M)),
    ?T(maps:without([a, c, z], M)),
    ?T(maps:update(a, 100, M)),
    ?T(maps:update(z, 100, M)),
    ?T(maps:update_with(a, fun(V) -> V + 1 end, M)),
    ?T(maps:update_with(z, fun(V) -> V + 1 end, M)),
    ?T(maps:update_with(z, fun(V) -> V + 1 end, 0, M)),
    ?T(maps:is_key(a, M)),
    ?T(maps:is_key(z, M)),
    ?T(maps:size(M)),
    ?T(maps:new()),
    ?T(maps:groups_from_list(fun(X) -> X rem 3 end, lists:seq(1, 10))),
    ?T(maps:groups_from_list(fun(X) -> X rem 2 end, fun(X) -> X * X end, lists:seq(1, 6))),
    ?T(maps:intersect(M, #{a => x, z => y})),
    ?T(maps:intersect_with(fun(_K, A, B) -> {A, B} end, M, #{a => x, z => y})),
    ?T(iter_all(maps:iterator(M))),
    ?T(iter_all(maps:iterator(#{}))),
    ?T(maps:next(maps:iterator(#{only => 1}))),
    ?T(maps:next(none)),
    ?T(iter_all(maps:iterator(maps:from_list([{I, I * I} || I <- lists:seq(1, 40)])))),
    ?T(maps:foreach(fun(K, V) -> put(K, V) end, M)),
    ?T([get(a), get(b), get(c)]),
    ?T(maps:get(nested, maps:put(nested, #{deep => M}, #{}))),
    ?T(maps:fold(fun(K, V, A) -> A#{V => K} end, #{}, M)),
    ok.

iter_all(I) ->
    case maps:next(I) of
        none -> [];
        {K, V, I2} -> [{K, V} | iter_all(I2)]
    end.
