-module(pattern_match).
-export([main/0]).

id(X) -> X.

m1({point, X, Y}) -> {pt, X + Y};
m1({circle, {X, Y}, R}) when R > 0 -> {circ, X, Y, R};
m1([H | T]) when is_list(T) -> {cons, H, length(T)};
m1([]) -> empty_list;
m1(#{type := T, value := V}) -> {typed, T, V};
m1(<<Tag:8, Rest/binary>>) -> {bin, Tag, byte_size(Rest)};
m1(X) when is_atom(X) -> {atom, X};
m1(_) -> other.

same({X, X}) -> same;
same({_, _}) -> different.

same3(X, X, X) -> all_same;
same3(X, X, _) -> first_two;
same3(_, Y, Y) -> last_two;
same3(_, _, _) -> none.

prefix("GET " ++ Path) -> {get, Path};
prefix("POST " ++ Path) -> {post, Path};
prefix([$# | Comment]) -> {comment, Comment};
prefix(Other) -> {unknown, Other}.

deep({a, [b, {c, [d, {e, X}]}], _}) -> {found, X};
deep(_) -> notfound.

alias_pat(L = [First | _]) -> {L, First};
alias_pat(X) -> X.

main() ->
    Ins = [{point, 1, 2}, {circle, {0, 0}, 5}, {circle, {0, 0}, -1}, [1, 2, 3], [], #{type => t, value => 1},
           #{type => t}, <<1, 2, 3>>, <<>>, foo, 42, "abc", [a | b]],
    [io:format("m1(~p) = ~p~n", [I, m1(I)]) || I <- Ins],
    io:format("same: ~p~n", [[same(T) || T <- [{1, 1}, {1, 2}, {1, 1.0}, {a, a}, {[x], [x]}]]]),
    io:format("same3: ~p~n", [[same3(A, B, C) || {A, B, C} <- [{1, 1, 1}, {1, 1, 2}, {2, 1, 1}, {1, 2, 1}]]]),
    io:format("prefix: ~p~n", [[prefix(S) || S <- ["GET /index", "POST /form", "#note", "PUT x", ""]]]),
    io:format("deep: ~p~n", [[deep(T) || T <- [{a, [b, {c, [d, {e, 42}]}], z}, {a, [b, {c, [d]}], z}]]]),
    io:format("alias: ~p~n", [[alias_pat(X) || X <- [[1, 2], [], x]]]),
    {A, B, C} = id({1, 2, 3}),
    io:format("tuple destructure: ~p~n", [A + B + C]),
    [H1, H2 | T1] = id([a, b, c, d]),
    io:format("list destructure: ~p~n", [{H1, H2, T1}]),
    #{k1 := V1, k2 := V2} = id(#{k1 => x, k2 => y, k3 => z}),
    io:format("map destructure: ~p~n", [{V1, V2}]),
    <<X1:4, X2:4, Rest/binary>> = id(<<16#AB, 1, 2>>),
    io:format("bin destructure: ~p~n", [{X1, X2, Rest}]),
    {ok, {nested, [_, Second | _]}} = id({ok, {nested, [1, 2, 3]}}),
    io:format("nested: ~p~n", [Second]),
    io:format("match returns value: ~p~n", [(Z = id(5)) + 1]),
    io:format("chained match: ~p~n", [begin P = Q = id(7), P + Q end]),
    io:format("string literal match: ~p~n", [case id("hello") of "hel" ++ R -> R end]),
    io:format("char match: ~p~n", [case id("x=1") of [K, $= | Vv] -> {K, Vv} end]),
    io:format("float pattern: ~p~n", [case id(2.0) of 2 -> int; 2.0 -> float end]),
    io:format("big int pattern: ~p~n", [case id(1 bsl 70) of 1180591620717411303424 -> big end]),
    io:format("neg pattern: ~p~n", [case id(-5) of -5 -> neg5 end]),
    io:format("atom vs string: ~p~n", [case id("abc") of abc -> atom; "abc" -> string end]),
    io:format("underscore vars: ~p~n", [case id({1, 2}) of {_X, _X} -> same; {_, _} -> diff end]),
    io:format("bound var in pattern: ~p~n", [begin V = id(3), [case Y of V -> match; _ -> nomatch end || Y <- [1, 3]] end]),
    io:format("tuple size mismatch: ~p~n", [case id({1, 2, 3}) of {_, _} -> two; {_, _, _, _} -> four; _ -> other end]),
    io:format("empty patterns: ~p~n", [[case X of {} -> et; [] -> el; <<>> -> eb; #{} -> em end || X <- [{}, [], <<>>, #{}]]]),
    io:format("map nonempty matches #{}: ~p~n", [case id(#{a => 1}) of #{} -> matches end]),
    io:format("case order: ~p~n", [[case X of 1 -> one; _ when X > 0 -> pos; _ -> nonpos end || X <- [1, 2, 0]]]),
    io:format("fun head patterns: ~p~n", [lists:map(fun({K, V}) -> K; ([E]) -> E; (E) -> E end, [{a, 1}, [b], c])]),
    io:format("large clause select: ~p~n", [[sel(I) || I <- lists:seq(0, 12)]]),
    io:format("atom select: ~p~n", [[asel(A2) || A2 <- [mon, tue, wed, thu, fri, sat, sun, xxx]]]),
    ok.

sel(0) -> zero; sel(1) -> one; sel(2) -> two; sel(3) -> three; sel(4) -> four; sel(5) -> five;
sel(6) -> six; sel(7) -> seven; sel(8) -> eight; sel(9) -> nine; sel(10) -> ten; sel(N) -> {many, N}.

asel(mon) -> 1; asel(tue) -> 2; asel(wed) -> 3; asel(thu) -> 4; asel(fri) -> 5;
asel(sat) -> 6; asel(sun) -> 7; asel(_) -> 0.
