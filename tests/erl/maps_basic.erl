-module(maps_basic).
-export([main/0]).
-define(T(E), t(??E, fun() -> E end)).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~p~n", [Label, R]).

id(X) -> X.

main() ->
    M = id(#{a => 1, b => 2, c => 3}),
    ?T(M),
    ?T(#{}),
    ?T(M#{d => 4}),
    ?T(M#{a => 10}),
    ?T(M#{a := 10}),
    ?T(M#{z := 10}),
    ?T((id(notamap))#{a => 1}),
    ?T((id(notamap))#{a := 1}),
    ?T(M#{a := 1, b => 20, e => 5}),
    ?T(#{a => 1, a => 2}),
    ?T(#{1 => one, 1.0 => onef, "1" => str, <<"1">> => bin, '1' => atom, [1] => list, {1} => tuple}),
    ?T(case M of #{a := A} -> A end),
    ?T(case M of #{a := 1, b := B} -> B end),
    ?T(case M of #{a := 2} -> two; #{} -> other end),
    ?T(case M of #{z := _} -> z; _ -> noz end),
    ?T(case id(#{}) of #{} -> empty_matches end),
    ?T(case id([]) of #{} -> map; _ -> notmap end),
    ?T(begin #{b := X} = M, X end),
    ?T(begin #{q := X} = M, X end),
    ?T(begin K = b, #{K := V} = M, V end),
    ?T(map_size(M)),
    ?T(map_size(#{})),
    ?T(map_size(id(x))),
    ?T(is_map(M)),
    ?T(is_map(id([]))),
    ?T(is_map_key(a, M)),
    ?T(is_map_key(q, M)),
    ?T(map_get(a, M)),
    ?T(map_get(q, M)),
    ?T(map_get(a, id(x))),
    ?T(get_guard(M)),
    ?T(get_guard(#{a => "x"})),
    ?T(get_guard(#{})),
    ?T(get_guard(nomap)),
    ?T(#{{a, b} => [1, 2], #{inner => map} => nested}),
    ?T(maps:get({a, b}, #{{a, b} => found})),
    ?T(#{#{k => v} => 1} =:= #{#{k => v} => 1}),
    ?T(M =:= #{c => 3, b => 2, a => 1}),
    ?T(M == #{a => 1.0, b => 2, c => 3}),
    ?T(M =:= #{a => 1.0, b => 2, c => 3}),
    ?T(maps:to_list(M)),
    ?T(lists:sort(maps:keys(#{3 => a, 1 => b, 2 => c}))),
    ?T(maps:keys(#{3 => a, 1 => b, 2 => c, a => 1, "s" => 2, {t} => 3, 1.5 => f})),
    ?T(#{3 => a, 1 => b, 2 => c, a => 1, "s" => 2, {t} => 3, 1.5 => f}),
    ?T(update_counter(a, update_counter(a, update_counter(b, #{})))),
    ?T(nested_update(#{l1 => #{l2 => #{l3 => 0}}})),
    ok.

get_guard(M) when is_map_key(a, M), is_integer(map_get(a, M)) -> {int, map_get(a, M)};
get_guard(M) when is_map(M), map_size(M) > 0 -> nonempty;
get_guard(M) when is_map(M) -> empty;
get_guard(_) -> notmap.

update_counter(K, M) ->
    case M of
        #{K := V} -> M#{K := V + 1};
        _ -> M#{K => 1}
    end.

nested_update(#{l1 := #{l2 := #{l3 := V} = L2} = L1} = M) ->
    M#{l1 := L1#{l2 := L2#{l3 := V + 1, new => true}}}.
