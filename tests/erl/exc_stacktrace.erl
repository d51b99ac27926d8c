-module(exc_stacktrace).
-export([main/0, ext_crash/1]).

id(X) -> X.

own(St) ->
    [{F, A, Loc} || {M, F, A, Loc} <- St, M =:= ?MODULE].

show(Label, F) ->
    try F() of
        V -> io:format("~s: value ~p~n", [Label, V])
    catch
        C:R:St -> io:format("~s: ~p:~p~n  ~p~n", [Label, C, R, own(St)])
    end.

main() ->
    show("error in local", fun() -> a(id(1)) end),
    show("function_clause args", fun() -> fc(id(1), id("two"), id({three})) end),
    show("function_clause ext", fun() -> ?MODULE:ext_crash(id(bad)) end),
    show("deep", fun() -> deep(id(5)) end),
    show("throw", fun() -> thrower(id(x)) end),
    show("exit", fun() -> exiter() end),
    show("badarith line", fun() -> arith(id(1), id(0)) end),
    show("badmatch line", fun() -> matcher(id(error)) end),
    show("case_clause line", fun() -> caser(id(z)) end),
    show("if_clause line", fun() -> iffer(id(0)) end),
    show("raise preserves", fun() -> raiser() end),
    show("error/2 args", fun() -> err2(id(a), id(b)) end),
    show("bif args", fun() -> bif_crash(id(notatuple)) end),
    show("fun in stack", fun() -> (fun(X) -> X + id(a) end)(1) end),
    show("lists:map callback", fun() -> lists:map(fun(X) -> X / id(0) end, [1]) end),
    show("tail call frames", fun() -> tail1(id(0)) end),
    show("stacktrace depth", fun() -> length_st() end),
    io:format("current stacktrace own: ~p~n", [own(cur())]),
    io:format("catch stacktrace own: ~p~n", [case catch a(id(1)) of {'EXIT', {R, St}} -> {R, own(St)} end]),
    ok.

a(X) -> b(X) + 1.
b(X) -> c(X) * 2.
c(X) -> X + id(undefined).

fc(1, 2, 3) -> ok.

ext_crash(good) -> ok.

deep(0) -> error(bottom);
deep(N) -> 1 + deep(N - 1).

thrower(X) -> throw({thrown, X}).
exiter() -> exit(leaving).

arith(A, B) ->
    A div B.

matcher(X) ->
    {ok, _} = X.

caser(X) ->
    case X of
        a -> 1
    end.

iffer(X) ->
    if X > 0 -> pos
    end.

raiser() ->
    try a(id(1))
    catch error:R:St -> erlang:raise(error, {reraised, R}, St)
    end.

err2(A, B) -> error(custom, [A, B]).

bif_crash(X) -> element(1, X).

tail1(X) -> tail2(X).
tail2(X) -> tail3(X).
tail3(X) -> 1 / X.

length_st() ->
    try deep(id(20)) catch error:_:St -> {length(St) =< 10, length(own(St))} end.

cur() ->
    try throw(x) catch throw:x:St -> St end.
