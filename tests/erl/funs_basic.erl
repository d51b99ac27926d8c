-module(funs_basic).
-export([main/0, add/2, twice/1, apply_n/3]).
-define(T(E), t(??E, fun() -> E end)).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~p~n", [Label, R]).

id(X) -> X.

add(A, B) -> A + B.
twice(F) -> fun(X) -> F(F(X)) end.
apply_n(_F, 0, X) -> X;
apply_n(F, N, X) -> apply_n(F, N - 1, F(X)).

main() ->
    Inc = fun(X) -> X + 1 end,
    N = id(10),
    AddN = fun(X) -> X + N end,
    ?T(Inc(1)),
    ?T(AddN(5)),
    ?T((fun(X, Y) -> X * Y end)(6, 7)),
    ?T((fun() -> no_args end)()),
    ?T((twice(Inc))(5)),
    ?T((twice(twice(Inc)))(0)),
    ?T(apply_n(fun(X) -> X * 2 end, 10, 1)),
    ?T((fun ?MODULE:add/2)(2, 3)),
    ?T((fun funs_basic:add/2)(2, 3)),
    ?T((fun add/2)(2, 3)),
    ?T(lists:map(fun erlang:integer_to_list/1, [1, 22, 333])),
    ?T(begin M = id(lists), F = id(reverse), (fun M:F/1)([1, 2, 3]) end),
    ?T(erlang:apply(fun add/2, [1, 2])),
    ?T(erlang:apply(?MODULE, add, [1, 2])),
    ?T(apply(lists, seq, [1, 5])),
    ?T(apply(fun() -> ok end, [])),
    ?T(apply(id(lists), id(sum), [[1, 2, 3]])),
    ?T(apply(Inc, [1, 2])),
    ?T(apply(id(nomodule_xyz), foo, [])),
    ?T(apply(?MODULE, nofunction, [])),
    ?T(apply(?MODULE, add, [1])),
    ?T(apply(id(notafun), [])),
    ?T(apply(Inc, notalist)),
    ?T((id(notafun))(1)),
    ?T((id(Inc))(1, 2)),
    ?T((id(Inc))()),
    ?T(Inc(a)),
    ?T(counter_demo()),
    ?T(fact_y(10)),
    ?T(begin Fib = fun F(0) -> 0; F(1) -> 1; F(K) -> F(K - 1) + F(K - 2) end, Fib(20) end),
    ?T(begin Len = fun L([]) -> 0; L([_ | T]) -> 1 + L(T) end, Len([a, b, c]) end),
    ?T((compose_all([fun(X) -> X + 1 end, fun(X) -> X * 3 end, fun(X) -> X - 2 end]))(5)),
    ?T((curry(fun add/2, 3))(4)),
    ?T([F(10) || F <- make_adders([1, 2, 3])]),
    ?T(begin X = 1, F = fun() -> X end, X2 = 2, {F(), X2} end),
    ?T(begin F = fun(X) -> fun(Y) -> fun(Z) -> X + Y + Z end end end, ((F(1))(2))(3) end),
    ?T(lists:foldl(fun(F, Acc) -> F(Acc) end, 1, lists:duplicate(10, fun(X) -> X * 2 end))),
    ?T(is_function(Inc)),
    ?T(is_function(Inc, 1)),
    ?T(is_function(Inc, 2)),
    ?T(is_function(fun lists:map/2, 2)),
    ?T(is_function(id(x))),
    ?T(is_function(Inc, id(-1))),
    ?T(Inc =:= Inc),
    ?T(fun add/2 =:= fun add/2),
    ?T(fun lists:map/2 =:= fun lists:map/2),
    ?T(fun lists:map/2 == fun lists:filter/2),
    ?T(make_closure(1) =:= make_closure(1)),
    ?T(make_closure(1) =:= make_closure(2)),
    ?T(erlang:fun_to_list(fun lists:map/2)),
    ?T(sort_by_len(["ccc", "a", "bb", ""])),
    ?T(run_callbacks([{ok, fun() -> 1 end}, {ok, fun() -> throw(x) end}, {ok, fun() -> error(y) end}])),
    ?T(tail_loop(fun(X) -> X + 1 end, 1000000, 0)),
    ok.

counter_demo() ->
    Counter = fun C(0, Acc) -> Acc; C(K, Acc) -> C(K - 1, [K | Acc]) end,
    Counter(5, []).

fact_y(N) ->
    Y = fun(F) -> (fun(X) -> F(fun(V) -> (X(X))(V) end) end)(fun(X) -> F(fun(V) -> (X(X))(V) end) end) end,
    Fact = Y(fun(Self) -> fun(0) -> 1; (K) -> K * Self(K - 1) end end),
    Fact(N).

compose_all(Fs) -> fun(X) -> lists:foldl(fun(F, A) -> F(A) end, X, Fs) end.
curry(F, A) -> fun(B) -> F(A, B) end.
make_adders(L) -> [fun(X) -> X + N end || N <- L].
make_closure(N) -> fun() -> N end.
sort_by_len(L) -> lists:sort(fun(A, B) -> length(A) =< length(B) end, L).
run_callbacks(L) -> [try F() catch C:R -> {C, R} end || {ok, F} <- L].
tail_loop(_F, 0, Acc) -> Acc;
tail_loop(F, N, Acc) -> tail_loop(F, N - 1, F(Acc)).
