-module(maps_errors).
-export([main/0]).
-define(T(E), t(??E, fun() -> E end)).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~p~n", [Label, R]).

id(X) -> X.

main() ->
    M = id(#{a => 1}),
    ?T(M#{b := 2}),
    ?T((id(x))#{b := 2}),
    ?T((id([]))#{b => 2}),
    ?T(maps:get(b, M)),
    ?T(maps:get(b, id(x))),
    ?T(maps:update(b, 2, M)),
    ?T(maps:update(b, 2, id(x))),
    ?T(maps:keys(id(x))),
    ?T(maps:values(id([]))),
    ?T(maps:to_list(id(<<>>))),
    ?T(maps:from_list(id(x))),
    ?T(maps:from_list([{a, 1} | id(b)])),
    ?T(maps:merge(id(x), M)),
    ?T(maps:remove(a, id(x))),
    ?T(maps:find(a, id(x))),
    ?T(maps:is_key(a, id(x))),
    ?T(maps:size(id(x))),
    ?T(maps:fold(fun(_, _, A) -> A end, 0, id(x))),
    ?T(maps:map(id(notafun), M)),
    ?T(maps:filter(fun(_, _) -> notbool end, M)),
    ?T(maps:with(id(x), M)),
    ?T(maps:without([a], id(x))),
    ?T(maps:update_with(b, fun(V) -> V end, M)),
    ?T(maps:take(a, id(x))),
    ?T(maps:iterator(id(x))),
    ?T(maps:next(id(x))),
    ?T(map_get(b, M)),
    ?T(map_size(id([]))),
    ?T(is_map_key(a, id([]))),
    ?T(begin #{b := V} = M, V end),
    ?T(case M of #{b := V} -> V end),
    ?T(fm(M)),
    ?T(fm(#{b => 2})),
    ok.

fm(#{a := A}) -> A.
