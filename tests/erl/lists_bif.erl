-module(lists_bif).
-export([main/0]).
-define(T(E), t(??E, fun() -> E end)).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~p~n", [Label, R]).

id(X) -> X.

main() ->
    L = id([1, 2, 3, 4, 5]),
    ?T(length(L)),
    ?T(length(id([]))),
    ?T(length(id([a | b]))),
    ?T(length(id(notalist))),
    ?T(length(lists:seq(1, 100000))),
    ?T(hd(L)),
    ?T(tl(L)),
    ?T(hd(id([]))),
    ?T(tl(id([]))),
    ?T(hd(id([a | b]))),
    ?T(tl(id([a | b]))),
    ?T(hd(id(x))),
    ?T(L ++ [6, 7]),
    ?T([] ++ L),
    ?T(L ++ []),
    ?T(L ++ id(tail)),
    ?T(id([1 | 2]) ++ [3]),
    ?T(id(a) ++ [1]),
    ?T([1, 2] ++ id(3)),
    ?T(L -- [2, 4]),
    ?T(L -- [6]),
    ?T([1, 2, 1, 2, 1] -- [1, 1]),
    ?T([a, b, c] -- [c, b, a, d]),
    ?T(L -- id(notlist)),
    ?T(id([1 | 2]) -- [1]),
    ?T([1, 2, 3] -- id([1 | 2])),
    ?T(length(lists:seq(1, 10000) -- lists:seq(1, 10000, 2))),
    ?T(lists:reverse(L)),
    ?T(lists:reverse(L, [x, y])),
    ?T(lists:reverse(id([]))),
    ?T(lists:reverse(id([a | b]))),
    ?T(erlang:list_to_tuple(L)),
    ?T(lists:member(3, L)),
    ?T(lists:member(6, L)),
    ?T(lists:member(3, id([1, 2 | 3]))),
    ?T(lists:member(1, id([1, 2 | 3]))),
    ?T(lists:member(3, id(x))),
    ?T([H || [H | _] <- [[1, 2], [], [3], x]]),
    ?T(is_list(id([]))),
    ?T(is_list(id([a | b]))),
    ?T(is_list(id("s"))),
    ?T(is_list(id(<<"s">>))),
    ?T(io_lib:printable_list([104, 105])),
    ?T(io_lib:printable_list([104, 105 | x])),
    ?T(improper_len(id([1, 2, 3 | four]), 0)),
    ?T([X * 2 || X <- L]),
    ?T(erlang:length([[], [], []])),
    ?T([[1], [2, [3, [4]]]]),
    ?T([a | [b | [c | []]]]),
    ?T([a | [b | [c | d]]]),
    ?T(lists:nthtail(3, [a, b, c | d])),
    ?T(lists:last(id([a, b | c]))),
    ?T("abc" ++ [$d | "ef"]),
    ?T("abc" -- "b"),
    ?T([$a, $b] =:= "ab"),
    ?T(list_to_binary(id([1, 2, [3, <<4>>]]))),
    ?T(list_to_tuple(id([a, b]))),
    ok.

improper_len([_ | T], N) -> improper_len(T, N + 1);
improper_len([], N) -> {proper, N};
improper_len(Tail, N) -> {improper, N, Tail}.
