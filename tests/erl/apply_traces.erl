%% Stack traces of exceptions raised through apply: apply/3 (body, tail, known and unknown
%% argument counts), apply/2 and fun calls of BIFs' external funs, erlang:apply/2,3 called
%% through their exports, bad arguments to apply, undefined functions, and the BIF frames
%% (with error_info) of BIFs failing under apply.
-module(apply_traces).
-export([main/0, crash/1, ext/3]).

id(X) -> X.

%% Frames up to the harness `show/2` (included).
upto([{?MODULE, show, _, _} = F | _]) -> [F];
upto([F | T]) -> [F | upto(T)];
upto([]) -> [].

show(Label, F) ->
    try F() of
        V -> io:format("~s: value ~p~n", [Label, V])
    catch
        C:R:St -> io:format("~s: ~p:~p~n  ~p~n", [Label, C, R, upto(St)])
    end.

%% apply/3 with an unknown argument count: tail (no frame, with a frame), body.
ta(M, F, A) -> apply(M, F, A).
ta2(M, F, A) -> X = id(M), apply(X, F, A).
ba(M, F, A) -> R = apply(M, F, A), {ok, R}.
%% apply/3 with a known argument count.
tk(M, F, X) -> apply(M, F, [X]).
tk2(M, F, X) -> Y = id(X), apply(M, F, [Y]).
bk(M, F, X) -> R = apply(M, F, [X]), {ok, R}.
%% apply/2 and fun calls.
tf(Fun, A) -> apply(Fun, A).
tf2(Fun, A) -> B = id(A), apply(Fun, B).
bf(Fun, A) -> R = apply(Fun, A), {ok, R}.
tc(Fun, X) -> Fun(X).
bc(Fun, X) -> R = Fun(X), {ok, R}.
%% erlang:apply/3 as a function value.
ext(M, F, A) -> erlang:apply(M, F, A).

crash(X) -> X + id(a).

main() ->
    Cases = [{erlang, error, [oops]}, {erlang, exit, [bye]}, {erlang, throw, [ball]},
             {erlang, error, [e2, [1, 2]]}, {erlang, error, [e3, [1], [{error_info, #{}}]]},
             {erlang, error, [e2none, none]},
             {erlang, raise, [error, r, []]}, {erlang, atom_to_list, [1]},
             {erlang, element, [5, {a}]}, {erlang, hd, [[]]}, {erlang, length, [a]},
             {maps, get, [k, #{}]}, {lists, reverse, [a, b]}, {erlang, list_to_atom, [self]},
             {nomod_qq, nofun, [1]}, {?MODULE, nofun, [1]}, {lists, nofun_qq, []},
             {?MODULE, crash, [1]}, {erlang, apply, [erlang, error, [inner]]},
             {erlang, apply, [erlang, atom_to_list, [2]]}, {erlang, apply, [2, f, []]},
             {erlang, apply, [fun erlang:error/1, [via2]]},
             {erlang, atom_to_list, [abc]}, {erlang, node, []}],
    lists:foreach(
      fun({M, F, A}) ->
              L = lists:flatten(io_lib:format("~p:~p/~p", [M, F, length(A)])),
              show("ta " ++ L, fun() -> ta(M, F, id(A)) end),
              show("ta2 " ++ L, fun() -> ta2(M, F, id(A)) end),
              show("ba " ++ L, fun() -> ba(M, F, id(A)) end),
              show("ext " ++ L, fun() -> ?MODULE:ext(M, F, id(A)) end),
              EA = fun erlang:apply/3,
              show("fun apply/3 " ++ L, fun() -> EA(M, F, id(A)) end),
              show("apply apply " ++ L, fun() -> apply(erlang, apply, [M, F, id(A)]) end),
              case A of
                  [X] ->
                      show("tk " ++ L, fun() -> tk(M, F, id(X)) end),
                      show("tk2 " ++ L, fun() -> tk2(M, F, id(X)) end),
                      show("bk " ++ L, fun() -> bk(M, F, id(X)) end),
                      Fun = fun M:F/1,
                      show("tc " ++ L, fun() -> tc(Fun, id(X)) end),
                      show("bc " ++ L, fun() -> bc(Fun, id(X)) end);
                  _ -> ok
              end,
              Fn = erlang:make_fun(M, F, length(A)),
              show("tf " ++ L, fun() -> tf(Fn, id(A)) end),
              show("tf2 " ++ L, fun() -> tf2(Fn, id(A)) end),
              show("bf " ++ L, fun() -> bf(Fn, id(A)) end)
      end, Cases),
    show("bad module", fun() -> ta(id(1), f, []) end),
    show("bad function", fun() -> ba(m, id(1), []) end),
    show("improper args", fun() -> ta(erlang, error, id([a | b])) end),
    show("args not list", fun() -> ba(erlang, error, id(notalist)) end),
    show("bad fun", fun() -> tf(id(notafun), [1]) end),
    show("badarity", fun() -> bf(fun erlang:error/1, id([a, b])) end),
    show("local fun error", fun() -> tf(fun(X) -> error(X) end, id([lf])) end),
    show("apply2 args not list", fun() -> tf(fun erlang:error/1, id(notalist)) end),
    show("apply2 improper", fun() -> bf(fun erlang:error/1, id([a | b])) end),
    show("tk bad module", fun() -> tk(id(1), f, x) end),
    show("bk bad function", fun() -> bk(m, id(1), x) end),
    show("apply/2 fun badfun", fun() -> tf(fun erlang:apply/2, id([notafun, []])) end),
    show("apply/2 fun badfun body", fun() -> bf(fun erlang:apply/2, id([notafun, []])) end),
    show("apply/2 fun args", fun() -> tf(fun erlang:apply/2, id([fun erlang:error/1, notalist])) end),
    show("apply/3 fun bad args", fun() -> tf(fun erlang:apply/3, id([erlang, error, notalist])) end),
    show("apply/3 fun nested", fun() -> bf(fun erlang:apply/3, id([erlang, apply, [erlang, throw, [nest]]])) end),
    show("maps:get direct", fun() -> maps:get(k, id(#{})) end),
    show("maps:get fun", fun() -> bc(fun maps:get/2, id(#{})) end),
    show("current_function ta", fun() -> ta(erlang, process_info, [self(), current_function]) end),
    show("current_function ba", fun() -> ba(erlang, process_info, [self(), current_function]) end),
    show("current_function tf", fun() -> tf(fun erlang:process_info/2, [self(), current_function]) end),
    show("current_stacktrace ba", fun() -> ba(erlang, process_info, [self(), current_stacktrace]) end),
    show("apply/2 fun error/2", fun() -> tf(fun erlang:apply/2, id([fun erlang:error/2, [e, [1]]])) end),
    show("apply/2 fun error/2 body", fun() -> bf(fun erlang:apply/2, id([fun erlang:error/2, [e, [1]]])) end),
    show("apply apply/2 error/2", fun() -> ta(erlang, apply, id([fun erlang:error/2, [e, [1]]])) end),
    show("apply apply/2 error/2 body", fun() -> ba(erlang, apply, id([fun erlang:error/2, [e, [1]]])) end),
    show("apply/3 fun error/2", fun() -> tf(fun erlang:apply/3, id([erlang, error, [e, [1]]])) end),
    show("apply/3 fun error/2 body", fun() -> bf(fun erlang:apply/3, id([erlang, error, [e, [1]]])) end),
    show("apply apply/2 error/1 body", fun() -> ba(erlang, apply, id([fun erlang:error/1, [e]])) end),
    show("apply apply/2 badarg body", fun() -> ba(erlang, apply, id([fun erlang:atom_to_list/1, [1]])) end),
    show("apply/3 fun badarg", fun() -> tf(fun erlang:apply/3, id([erlang, atom_to_list, [1]])) end),
    show("apply/3 fun undef", fun() -> tf(fun erlang:apply/3, id([nomod_qq, f, [1]])) end),
    show("apply apply/3 undef", fun() -> ta(erlang, apply, id([nomod_qq, f, [1]])) end),
    show("apply/2 fun undef", fun() -> tf(fun erlang:apply/2, id([fun nomod_qq:f/1, [1]])) end),
    show("apply apply/2 apply/3 fun", fun() -> ba(erlang, apply, id([fun erlang:apply/3, [erlang, error, [z]]])) end),
    show("apply apply/2 badfun", fun() -> ta(erlang, apply, id([notafun, []])) end),
    show("apply apply/3 apply/2 badfun", fun() -> ta(erlang, apply, id([erlang, apply, [notafun, []]])) end),
    show("apply yield", fun() -> ba(erlang, yield, []) end),
    show("apply dirty_cpu", fun() -> ta(erts_debug, dirty_cpu, id([scheduler, type])) end),
    show("apply dirty_io body", fun() -> ba(erts_debug, dirty_io, id([scheduler, type])) end),
    show("apply garbage_collect", fun() -> ta(erlang, garbage_collect, []) end),
    lists:foreach(
      fun({M, F, A}) ->
              {Pid, Ref} = spawn_monitor(M, F, A),
              receive {'DOWN', Ref, process, Pid, R} -> io:format("spawn ~p:~p: ~p~n", [M, F, R]) end
      end, [{erlang, apply, [erlang, atom_to_list, [abc]]}, {erlang, apply, [erlang, exit, [normal]]},
            {erlang, apply, [erlang, exit, [{shutdown, x}]]}, {erlang, apply, [fun erlang:exit/1, [normal]]},
            {erlang, exit, [normal]}, {erlang, apply, [erlang, apply, [erlang, exit, [{shutdown, y}]]]}]),
    io:format("catch: ~p~n", [catch erlang:apply(erlang, error, id([x]))]),
    io:format("catch throw: ~p~n", [catch erlang:apply(erlang, throw, id([x]))]),
    io:format("catch exit: ~p~n", [catch erlang:apply(erlang, exit, id([x]))]),
    io:format("catch badarg: ~p~n", [catch erlang:apply(erlang, atom_to_list, id([1]))]),
    io:format("catch undef: ~p~n", [catch erlang:apply(nomod_qq, f, id([1]))]),
    ok.
