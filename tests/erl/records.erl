-module(records).
-export([main/0]).

-record(point, {x = 0, y = 0}).
-record(person, {name, age = 0 :: integer(), email = "none", tags = [] :: list()}).
-record(empty, {}).
-record(nested, {p = #point{}, label = <<"n">>}).

id(X) -> X.

c(F) -> try F() catch C:E -> {caught, C, E} end.

main() ->
    P = #point{x = 3, y = 4},
    io:format("p: ~p~n", [P]),
    io:format("default: ~p~n", [#point{}]),
    io:format("fields: ~p ~p~n", [P#point.x, P#point.y]),
    io:format("update: ~p~n", [P#point{y = 10}]),
    io:format("index: ~p ~p~n", [#point.x, #point.y]),
    io:format("info fields: ~p~n", [record_info(fields, point)]),
    io:format("info size: ~p~n", [record_info(size, point)]),
    io:format("person info: ~p ~p~n", [record_info(fields, person), record_info(size, person)]),
    io:format("empty: ~p ~p~n", [#empty{}, record_info(size, empty)]),
    Pe = #person{name = "Ann", tags = [x]},
    io:format("person: ~p~n", [Pe]),
    io:format("is_record: ~p ~p ~p ~p~n", [is_record(P, point), is_record(P, person), is_record(id({point, 1, 2}), point), is_record(id({point, 1}), point)]),
    io:format("is_record/3: ~p ~p~n", [is_record(P, point, 3), is_record(P, point, 4)]),
    io:format("guard: ~p ~p~n", [kind(P), kind(Pe)]),
    io:format("guard2: ~p~n", [kind(id(notrec))]),
    io:format("match: ~p~n", [case P of #point{x = X} when X > 2 -> {bigx, X}; _ -> other end]),
    io:format("match fields: ~p~n", [begin #point{x = X1, y = Y1} = P, X1 + Y1 end]),
    io:format("nested: ~p~n", [#nested{}]),
    N = #nested{p = #point{x = 1}},
    io:format("nested access: ~p~n", [N#nested.p#point.x]),
    io:format("nested update: ~p~n", [N#nested{p = (N#nested.p)#point{y = 99}}]),
    io:format("tuple form: ~p~n", [tuple_to_list(P)]),
    io:format("element: ~p~n", [element(#point.y, P)]),
    io:format("wildcard init: ~p~n", [#person{_ = wild}]),
    io:format("wildcard init partial: ~p~n", [#person{name = "N", _ = wild}]),
    io:format("bad access: ~p~n", [c(fun() -> (id({other, 1, 2}))#point.x end)]),
    io:format("bad update: ~p~n", [c(fun() -> (id({point, 1}))#point{x = 2} end)]),
    io:format("bad access atom: ~p~n", [c(fun() -> (id(atom))#person.name end)]),
    io:format("list of records: ~p~n", [lists:keysort(#point.y, [#point{x = I, y = -I} || I <- lists:seq(1, 5)])]),
    io:format("keyfind by field: ~p~n", [lists:keyfind(3, #point.x, [#point{x = I, y = I * I} || I <- lists:seq(1, 5)])]),
    io:format("sum: ~p~n", [lists:sum([X || #point{x = X} <- [#point{x = I} || I <- lists:seq(1, 10)]])]),
    io:format("record as map: ~p~n", [to_map(Pe)]),
    io:format("setelement record: ~p~n", [setelement(#person.age, Pe, 33)]),
    io:format("pattern in fn: ~p~n", [dist(#point{x = 3, y = 4})]),
    io:format("record compare: ~p~n", [#point{x = 1} < #point{x = 2}]),
    ok.

kind(R) when is_record(R, point) -> point;
kind(#person{age = A}) when A >= 0 -> {person, A};
kind(_) -> unknown.

to_map(#person{} = P) ->
    maps:from_list(lists:zip(record_info(fields, person), tl(tuple_to_list(P)))).

dist(#point{x = X, y = Y}) -> math:sqrt(X * X + Y * Y).
