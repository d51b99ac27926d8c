-module(lists_sort).
-export([main/0]).
-define(T(E), t(??E, fun() -> E end)).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~p~n", [Label, R]).

lcg(0, _, Acc) -> Acc;
lcg(N, S, Acc) -> S1 = (S * 1103515245 + 12345) rem 2147483648, lcg(N - 1, S1, [S1 rem 1000 | Acc]).

main() ->
    R = lcg(2000, 42, []),
    ?T(lists:sort([3, 1, 2])),
    ?T(lists:sort([])),
    ?T(lists:sort([b, a, c, a])),
    ?T(lists:sort(fun(A, B) -> A > B end, [3, 1, 2])),
    ?T(lists:sort(fun(A, B) -> A >= B end, [3, 1, 2, 3])),
    ?T(lists:sort([{2, a}, {1, b}, {2, 0}, {1, a}])),
    ?T(lists:sort(["banana", "apple", "cherry", "app"])),
    ?T(lists:sort([1.0, 1, 0.5, 2])),
    ?T(lists:sort([1, 1.0])),
    ?T(lists:sort([1.0, 1])),
    ?T(lists:usort([1.0, 1])),
    ?T(lists:usort([1, 1.0])),
    ?T(lists:usort([3, 1, 2, 3, 1])),
    ?T(lists:usort(fun(A, B) -> A >= B end, [3, 1, 2, 3, 1])),
    ?T(lists:sort(x)),
    ?T(lists:sort([1 | 2])),
    ?T(lists:sublist(lists:sort(R), 20)),
    ?T(lists:sublist(lists:reverse(lists:sort(R)), 20)),
    ?T(length(lists:usort(R))),
    ?T(lists:sum(lists:sort(R))),
    ?T(lists:sort(R) =:= lists:sort(lists:reverse(R))),
    ?T(lists:sort(fun(A, B) -> A rem 10 =< B rem 10 end, lists:sublist(R, 30))),
    ?T(lists:merge([1, 3, 5], [2, 4, 6])),
    ?T(lists:merge([[1, 4], [2, 5], [3, 6]])),
    ?T(lists:merge(fun(A, B) -> A > B end, [5, 3, 1], [6, 4, 2])),
    ?T(lists:merge3([1, 4], [2, 5], [3, 6])),
    ?T(lists:umerge([1, 2, 3], [2, 3, 4])),
    ?T(lists:umerge([[1, 2], [2, 3], [3, 4]])),
    ?T(lists:umerge3([1], [1, 2], [2, 3])),
    ?T(lists:rmerge([5, 3, 1], [6, 4, 2])),
    ?T(lists:keymerge(2, [{a, 1}, {b, 3}], [{c, 2}, {d, 3}])),
    ?T(lists:ukeymerge(2, [{a, 1}, {b, 3}], [{c, 2}, {d, 3}])),
    ?T(lists:ukeysort(2, [{a, 1}, {b, 3}, {c, 2}, {d, 3}])),
    ?T(lists:keysort(2, [{a, 1}, {b, 3}, {c, 2}, {d, 3}])),
    ?T(lists:sort([[b], [a, c], [a], [], [a, b]])),
    ?T(lists:sort([<<2>>, <<1, 2>>, <<1>>, <<>>])),
    ?T(lists:sort([{}, [], a, 1, <<>>, #{}, {a}])),
    ?T(lists:sort(lists:seq(100, 1, -1)) =:= lists:seq(1, 100)),
    ?T(stable_check()),
    ok.

stable_check() ->
    L = [{K rem 5, K} || K <- lists:seq(1, 40)],
    S = lists:sort(fun({A, _}, {B, _}) -> A =< B end, L),
    K = lists:keysort(1, L),
    {S =:= K, lists:sublist(S, 10)}.
