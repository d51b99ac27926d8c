-module(funs_info).
-export([main/0, ext/1]).

ext(X) -> X.

show(Label, F) ->
    Items = [arity, module, name, type, env, pid_is_pid],
    Info = [item(F, I) || I <- Items],
    io:format("~s: ~p~n", [Label, Info]).

item(F, pid_is_pid) -> {pid_is_pid, is_pid(element(2, erlang:fun_info(F, pid)))};
item(F, name) ->
    {name, N} = erlang:fun_info(F, name),
    {name, N};
item(F, I) -> erlang:fun_info(F, I).

main() ->
    A = id(42),
    B = id("captured"),
    show("local 0 env", fun() -> ok end),
    show("local with env", fun(X) -> {X, A, B} end),
    show("external", fun lists:map/2),
    show("external own", fun ?MODULE:ext/1),
    show("local ref", fun ext/1),
    show("named", fun Self(0) -> 0; Self(N) -> Self(N - 1) end),
    F = fun(X) -> X + A end,
    io:format("fun_info/1 keys: ~p~n", [[K || {K, _} <- erlang:fun_info(F)]]),
    io:format("fun_info/1 ext keys: ~p~n", [[K || {K, _} <- erlang:fun_info(fun lists:map/2)]]),
    io:format("ext fun_info: ~p~n", [erlang:fun_info(fun lists:map/2)]),
    io:format("index/uniq types: ~p~n", [{is_integer(element(2, erlang:fun_info(F, index))),
                                            is_integer(element(2, erlang:fun_info(F, new_index))),
                                            is_binary(element(2, erlang:fun_info(F, new_uniq)))}]),
    io:format("bad item: ~p~n", [try erlang:fun_info(F, bogus) catch C1:R1 -> {C1, R1} end]),
    io:format("not a fun: ~p~n", [try erlang:fun_info(id(notfun), arity) catch C2:R2 -> {C2, R2} end]),
    io:format("badarity: ~p~n", [try F(1, 2) catch error:{badarity, {Fun, Args}} -> {badarity, is_function(Fun), Args} end]),
    io:format("badfun: ~p~n", [try (id(notfun))(1) catch error:E -> E end]),
    io:format("badfun tuple: ~p~n", [try (id({m, f}))(1) catch error:E2 -> E2 end]),
    io:format("fun_to_list ext: ~s~n", [erlang:fun_to_list(fun lists:map/2)]),
    io:format("is_function/2: ~p~n", [[is_function(X, Ar) || {X, Ar} <- [{F, 1}, {F, 0}, {fun lists:map/2, 2}, {fun ext/1, 1}]]]),
    io:format("env of nested: ~p~n", [erlang:fun_info(make(1, two), env)]),
    io:format("arity 5: ~p~n", [erlang:fun_info(fun(_, _, _, _, _) -> ok end, arity)]),
    io:format("apply 5: ~p~n", [apply(fun(P, Q, R, S, T) -> [P, Q, R, S, T] end, [1, 2, 3, 4, 5])]),
    ok.

id(X) -> X.
make(X, Y) -> fun() -> {X, Y} end.
