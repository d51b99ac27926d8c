-module(ets_select).
-export([main/0]).
-include_lib("stdlib/include/ms_transform.hrl").

show(Label, F) ->
    R = try F() of V -> V catch C:E -> {C, E} end,
    io:format("~s: ~p~n", [Label, R]).

sorted(L) when is_list(L) -> lists:sort(L);
sorted(X) -> X.

main() ->
    lists:foreach(fun kind/1, [set, ordered_set, bag, duplicate_bag]),
    chunks(),
    replace(),
    errors(),
    ok.

fill(T) ->
    ets:insert(T, [{N, N * N, if N rem 2 =:= 0 -> even; true -> odd end, [N]} || N <- lists:seq(1, 30)]),
    ets:insert(T, [{a, 1, atom, []}, {b, 2.0, atom, []}, {{tuple, 1}, 3, tuple, []}, {"str", <<"bin">>, string, []}]),
    case ets:info(T, type) of
        bag -> ets:insert(T, [{5, dup, odd, []}, {5, dup, odd, []}]);
        duplicate_bag -> ets:insert(T, [{5, dup, odd, []}, {5, dup, odd, []}]);
        _ -> ok
    end.

kind(Type) ->
    io:format("== ~p~n", [Type]),
    T = ets:new(t, [Type]),
    fill(T),
    S = case Type of ordered_set -> fun(X) -> X end; _ -> fun sorted/1 end,
    show("match", fun() -> S(ets:match(T, {'$1', '_', even, '_'})) end),
    show("match two vars", fun() -> S(ets:match(T, {'$2', '$1', odd, ['$2']})) end),
    show("match_object", fun() -> S(ets:match_object(T, {'_', '_', atom, '_'})) end),
    show("match_object key", fun() -> S(ets:match_object(T, {5, '_', '_', '_'})) end),
    show("match key absent", fun() -> ets:match(T, {999, '$1', '_', '_'}) end),
    show("select gt", fun() -> S(ets:select(T, [{{'$1', '$2', '_', '_'}, [{is_integer, '$2'}, {'>', '$2', 500}], ['$1']}])) end),
    show("select fun2ms", fun() -> S(ets:select(T, ets:fun2ms(fun({K, V, even, _}) when K > 20 -> {K, V} end))) end),
    show("select $_", fun() -> S(ets:select(T, [{{'$1', '_', tuple, '_'}, [], ['$_']}])) end),
    show("select $$", fun() -> S(ets:select(T, [{{'$1', '$2', string, '$3'}, [], ['$$']}])) end),
    show("select multi clause", fun() -> S(ets:select(T, [{{'$1', '_', atom, '_'}, [], [{{atom, '$1'}}]}, {{'$1', '_', tuple, '_'}, [], [{{tuple, '$1'}}]}])) end),
    show("select bound keys", fun() -> S(ets:select(T, [{{3, '$1', '_', '_'}, [], ['$1']}, {{4, '$1', '_', '_'}, [], ['$1']}, {{3, '$1', '_', '_'}, [], ['$1']}])) end),
    show("select float key", fun() -> S(ets:select(T, [{{'$1', 2.0, '_', '_'}, [], ['$1']}])) end),
    show("select body error", fun() -> S(ets:select(T, [{{'$1', '_', atom, '_'}, [], [{'+', '$1', 1}]}])) end),
    show("select guard error", fun() -> S(ets:select(T, [{{'$1', '_', '_', '_'}, [{'>', {'+', '$1', 1}, 25}], ['$1']}])) end),
    show("select const", fun() -> length(ets:select(T, [{'_', [], [{const, {x}}]}])) end),
    show("select none", fun() -> ets:select(T, []) end),
    show("select_reverse", fun() -> S(ets:select_reverse(T, [{{'$1', '_', even, '_'}, [{'<', '$1', 10}], ['$1']}])) end),
    show("select_count", fun() -> ets:select_count(T, [{{'_', '_', odd, '_'}, [], [true]}]) end),
    show("select_count non-true", fun() -> ets:select_count(T, [{{'_', '_', odd, '_'}, [], [yes]}]) end),
    show("tab2list", fun() -> length(ets:tab2list(T)) end),
    show("select_delete", fun() -> ets:select_delete(T, [{{'$1', '_', odd, '_'}, [{'>', '$1', 20}], [true]}]) end),
    show("after delete", fun() -> S(ets:match(T, {'$1', '_', odd, '_'})) end),
    show("match_delete", fun() -> ets:match_delete(T, {'_', '_', atom, '_'}) end),
    show("size", fun() -> ets:info(T, size) end),
    show("select_delete all", fun() -> ets:select_delete(T, [{'_', [], [true]}]) end),
    show("empty", fun() -> {ets:select(T, [{'_', [], ['$_']}]), ets:info(T, size)} end).

chunks() ->
    io:format("== chunks~n"),
    lists:foreach(fun(Type) ->
        T = ets:new(c, [Type]),
        ets:insert(T, [{N, N rem 3} || N <- lists:seq(1, 100)]),
        MS = [{{'$1', 0}, [], ['$1']}],
        All = collect(ets:select(T, MS, 7)),
        show(atom_to_list(Type) ++ " select/3", fun() -> {length(All), lists:sort(All) =:= lists:sort(ets:select(T, MS))} end),
        Rev = collect(ets:select_reverse(T, MS, 10)),
        show(atom_to_list(Type) ++ " select_reverse/3", fun() -> {length(Rev), lists:sort(Rev) =:= lists:sort(All)} end),
        M = collect(ets:match(T, {'$1', 1}, 5)),
        show(atom_to_list(Type) ++ " match/3", fun() -> length(M) end),
        MO = collect(ets:match_object(T, {'_', 2}, 50)),
        show(atom_to_list(Type) ++ " match_object/3", fun() -> length(MO) end),
        show(atom_to_list(Type) ++ " no match", fun() -> ets:select(T, [{{'_', 9}, [], ['$_']}], 5) end),
        show(atom_to_list(Type) ++ " end", fun() -> ets:select('$end_of_table') end),
        show(atom_to_list(Type) ++ " bad limit", fun() -> ets:select(T, MS, 0) end)
    end, [set, ordered_set, bag]),
    O = ets:new(o, [ordered_set]),
    ets:insert(O, [{N} || N <- lists:seq(1, 10)]),
    show("ordered chunk", fun() -> {L, _} = ets:select(O, [{{'$1'}, [], ['$1']}], 4), L end),
    show("ordered reverse chunk", fun() -> {L, _} = ets:select_reverse(O, [{{'$1'}, [], ['$1']}], 4), L end),
    show("ordered select_reverse", fun() -> ets:select_reverse(O, [{{'$1'}, [{'>', '$1', 6}], ['$1']}]) end),
    show("ordered last chunk", fun() -> {_, C} = ets:select(O, [{{'$1'}, [], ['$1']}], 8), ets:select(C) end).

collect('$end_of_table') -> [];
collect({L, C}) -> L ++ collect(ets:select(C)).

replace() ->
    io:format("== select_replace~n"),
    T = ets:new(r, [set]),
    ets:insert(T, [{N, N} || N <- lists:seq(1, 10)]),
    show("replace", fun() -> ets:select_replace(T, [{{'$1', '$2'}, [{'>', '$1', 5}], [{{'$1', {'*', '$2', 10}}}]}]) end),
    show("after", fun() -> lists:sort(ets:tab2list(T)) end),
    show("change key", fun() -> ets:select_replace(T, [{{'$1', '$2'}, [], [{{'$2', '$1'}}]}]) end),
    show("whole object", fun() -> ets:select_replace(T, [{{'$1', '$2'}, [], ['$_']}]) end),
    show("fun2ms", fun() -> ets:select_replace(T, ets:fun2ms(fun({K, V}) when V > 50 -> {K, V + 1} end)) end),
    show("after fun2ms", fun() -> lists:sort(ets:tab2list(T)) end),
    B = ets:new(b, [bag]),
    show("bag", fun() -> ets:select_replace(B, [{{'$1', '$2'}, [], ['$_']}]) end),
    O = ets:new(o, [ordered_set]),
    ets:insert(O, [{1, a}, {2, b}]),
    show("ordered", fun() -> ets:select_replace(O, [{{'$1', a}, [], [{{'$1', z}}]}]), ets:tab2list(O) end).

errors() ->
    io:format("== errors~n"),
    T = ets:new(e, []),
    ets:insert(T, {a, 1}),
    show("bad ms", fun() -> ets:select(T, foo) end),
    show("bad clause", fun() -> ets:select(T, [{a, b}]) end),
    show("unbound var", fun() -> ets:select(T, [{{'$1', '_'}, [], ['$2']}]) end),
    show("bad guard", fun() -> ets:select(T, [{{'$1', '_'}, [{foo, '$1'}], ['$1']}]) end),
    show("bad table", fun() -> ets:select(nope, [{'_', [], [true]}]) end),
    show("match bad table", fun() -> ets:match(nope, '_') end),
    show("select_count bad", fun() -> ets:select_count(T, bad) end),
    show("select_delete bad", fun() -> ets:select_delete(T, bad) end),
    show("select bad cont", fun() -> ets:select(foo) end),
    show("match pattern atom", fun() -> ets:match(T, '$1') end),
    show("match_object '_'", fun() -> ets:match_object(T, '_') end),
    show("private", fun() ->
        P = ets:new(p, [private]),
        Self = self(),
        spawn(fun() -> Self ! {r, catch ets:select(P, [{'_', [], [true]}])} end),
        receive {r, {'EXIT', {R, _}}} -> R end end).
