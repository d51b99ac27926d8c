-module(code_purge).
-export([main/0]).

%% Two versions of a module compiled from source at run time; processes running the
%% old one, purging (erts_code_purger), funs of old code.

forms(Src) ->
    {ok, Toks, _} = erl_scan:string(Src),
    split(Toks, [], []).

split([], [], Acc) -> lists:reverse(Acc);
split([{dot, _} = D | R], Cur, Acc) ->
    {ok, F} = erl_parse:parse_form(lists:reverse([D | Cur])),
    split(R, [], [F | Acc]);
split([T | R], Cur, Acc) -> split(R, [T | Cur], Acc).

version(N) ->
    V = integer_to_list(N),
    Src = "-module(hot).\n"
        "-export([start/0, loop/1, vsn/0, block/0, wait_in/1, catching/1, mkfun/1, mkfun2/0, spin/1, hib/0, wake/0]).\n"
        "vsn() -> " ++ V ++ ".\n"
        "start() -> loop(0).\n"
        "loop(S) -> receive\n"
        "  {local, P} -> P ! {reply, local, vsn(), S}, loop(S + 1);\n"
        "  {ext, P} -> P ! {reply, ext, hot:vsn(), S}, hot:loop(S + 1);\n"
        "  {stop, P} -> P ! {reply, stop, vsn(), S}, done end.\n"
        "block() -> receive {go, P} -> P ! {reply, block, vsn()} end, ok.\n"
        "wait_in(P) -> P ! {ready, self()}, receive go_in -> ok end, R = hot:block(), P ! {reply, returned_to, vsn()}, R.\n"
        "catching(P) -> P ! {ready, self()}, receive go_in -> ok end, catch hot:block().\n"
        "mkfun(X) -> fun(A) -> {fun_of, " ++ V ++ ", X, A} end.\n"
        "mkfun2() -> fun() -> {fun2_of, " ++ V ++ "} end.\n"
        "spin(P) -> P ! {ready, self()}, spin_loop().\n"
        "spin_loop() -> spin_loop().\n"
        "hib() -> erlang:hibernate(hot, wake, []).\n"
        "wake() -> receive {wake, P} -> P ! {reply, woke, vsn()} end.\n",
    {ok, hot, Bin} = compile:forms(forms(Src), [binary, deterministic]),
    Bin.

ask(P, Tag) ->
    P ! {Tag, self()},
    receive {reply, _, _, _} = R -> R after 5000 -> timeout end.

got() ->
    receive {reply, _, _} = R -> R after 5000 -> timeout end.

show(Label, Value) -> io:format("~s: ~p~n", [Label, Value]).

try_call(F) ->
    try F() of V -> {ok, V} catch C:R:St -> {C, R, [hd(St)]} end.

ready(P) ->
    receive {ready, P} -> ok after 5000 -> io:format("not ready~n") end.

down(Ref) ->
    receive {'DOWN', Ref, process, _, Why} -> Why after 5000 -> no_down end.

main() ->
    V1 = version(1), V2 = version(2),
    show("load v1", erlang:load_module(hot, V1)),
    show("old after v1", erlang:check_old_code(hot)),
    F1 = hot:mkfun(x1),
    F1b = hot:mkfun2(),
    Ext = fun hot:vsn/0,
    show("external fun", Ext()),
    Looper = spawn(hot, start, []),
    Waiter = spawn(hot, wait_in, [self()]),
    Catcher = spawn(hot, catching, [self()]),
    ready(Waiter),
    ready(Catcher),
    Idle = spawn(fun() -> receive stop -> ok end end),
    show("looper", ask(Looper, local)),
    show("cpc before v2", [erlang:check_process_code(P, hot) || P <- [Looper, Waiter, Catcher, Idle]]),
    show("load v2", erlang:load_module(hot, V2)),
    show("old after v2", erlang:check_old_code(hot)),
    show("loaded", erlang:module_loaded(hot)),
    show("vsn", hot:vsn()),
    show("external fun", Ext()),
    %% Local calls stay in the old version; the waiters enter v2 from v1 frames.
    show("looper local", ask(Looper, local)),
    Waiter ! go_in,
    Catcher ! go_in,
    show("cpc", [erlang:check_process_code(P, hot) || P <- [Looper, Waiter, Catcher, Idle, self()]]),
    show("cpc self", erts_internal:check_process_code(hot)),
    show("current_function", erlang:process_info(Looper, current_function)),
    show("fun of v1", F1(a)),
    show("fun2 of v1", F1b()),
    F1c = binary_to_term(term_to_binary(F1)),
    show("fun of v1 through the external format", {F1c =:= F1, F1c(z)}),
    F2 = hot:mkfun(x2),
    show("fun of v2", F2(b)),
    show("load v1 again", erlang:load_module(hot, V1)),
    show("soft purge refused", erts_code_purger:soft_purge(hot)),
    show("old still", erlang:check_old_code(hot)),
    show("fun of v1 still", F1(a2)),
    %% A fully qualified call moves the looper to v2.
    show("looper ext", ask(Looper, ext)),
    show("looper local after ext", ask(Looper, local)),
    show("cpc looper", erlang:check_process_code(Looper, hot)),
    Waiter ! {go, self()},
    show("waiter block", got()),
    show("waiter returned", got()),
    show("cpc waiter gone", erlang:check_process_code(Waiter, hot)),
    show("soft purge still refused", erts_code_purger:soft_purge(hot)),
    RC = monitor(process, Catcher),
    show("purge", erts_code_purger:purge(hot)),
    show("catcher down", down(RC)),
    show("looper alive", is_process_alive(Looper)),
    show("old after purge", erlang:check_old_code(hot)),
    show("fun of purged v1", try_call(fun() -> F1(a) end)),
    show("fun2 of purged v1", try_call(F1b)),
    show("fun of v2", F2(c)),
    show("purge nothing", erts_code_purger:purge(hot)),
    show("soft nothing", erts_code_purger:soft_purge(hot)),
    show("purge_module nothing", try_call(fun() -> erlang:purge_module(hot) end)),
    %% The same binary loaded again: funs are shared by both instances; the looper
    %% runs the old instance.
    show("reload v2", erlang:load_module(hot, V2)),
    show("fun of v2 after reload", F2(d)),
    show("cpc looper", erlang:check_process_code(Looper, hot)),
    RL = monitor(process, Looper),
    show("purge_module", erlang:purge_module(hot)),
    show("looper down", down(RL)),
    show("fun of v2 after purge", F2(e)),
    %% A process spinning in old code is killed by a hard purge.
    Spinner = spawn(hot, spin, [self()]),
    ready(Spinner),
    show("load v1", erlang:load_module(hot, V1)),
    show("cpc spinner", erlang:check_process_code(Spinner, hot)),
    RS = monitor(process, Spinner),
    show("purge", erts_code_purger:purge(hot)),
    show("spinner down", down(RS)),
    show("idle alive", is_process_alive(Idle)),
    RI = monitor(process, Idle),
    Idle ! stop,
    show("idle down", down(RI)),
    %% delete_module: fully qualified calls fail, the old code stays until purged.
    F3 = hot:mkfun(x3),
    show("delete", erlang:delete_module(hot)),
    show("after delete", {erlang:module_loaded(hot), erlang:check_old_code(hot),
                          lists:member(hot, erlang:loaded())}),
    show("call deleted", try_call(fun() -> hot:vsn() end)),
    show("apply deleted", try_call(fun() -> apply(hot, vsn, []) end)),
    show("external fun deleted", try_call(Ext)),
    show("fun of deleted", F3(f)),
    show("purge deleted", erts_code_purger:purge(hot)),
    show("after purge", {erlang:module_loaded(hot), erlang:check_old_code(hot),
                         lists:member(hot, erlang:loaded())}),
    show("fun of purged, no current", try_call(fun() -> F3(g) end)),
    show("delete purged", erlang:delete_module(hot)),
    show("delete never loaded", erlang:delete_module(never_loaded_module)),
    show("load v2 after delete", erlang:load_module(hot, V2)),
    show("vsn", hot:vsn()),
    show("fun of v2 again", F2(h)),
    %% A hibernating process wakes up through the export, in the code current then.
    Sleeper = spawn(hot, hib, []),
    hibernating(Sleeper),
    show("load v1 over a hibernating process", erlang:load_module(hot, V1)),
    show("cpc hibernating", erlang:check_process_code(Sleeper, hot)),
    Sleeper ! {wake, self()},
    show("woke", got()),
    pending_purge(V1, V2),
    ok.

%% Calls of a fun of code being purged wait until the purge is done (the code purger's
%% test_purge request stops between its phases): then they fail (hard purge) or run
%% the old code that a soft purge left.
pending_purge(V1, V2) ->
    Main = self(),
    show("purge", erts_code_purger:purge(hot)),
    F = hot:mkfun(p1),
    show("load v2 over it", erlang:load_module(hot, V2)),
    Ref = make_ref(),
    erts_code_purger ! {test_purge, hot, Main, true, Ref},
    show("hard purge started", receive {started, Ref} -> started after 5000 -> timeout end),
    Caller = spawn(fun() -> Main ! {called, self(), catch F(a)} end),
    show("caller waits", receive {called, Caller, C1} -> C1 after 200 -> waiting end),
    erts_code_purger ! {continue, Ref},
    show("continued", receive {continued, Ref} -> continued after 5000 -> timeout end),
    erts_code_purger ! {complete, Ref},
    show("purge result", receive {test_purge, Res, Ref} -> Res after 5000 -> timeout end),
    show("caller", receive {called, Caller, {'EXIT', {R, _}}} -> R after 5000 -> timeout end),
    show("load v1", erlang:load_module(hot, V1)),
    show("purge", erts_code_purger:purge(hot)),
    G = hot:mkfun(p2),
    Holder = spawn(hot, start, []),
    show("holder", ask(Holder, local)),
    show("load v2 over it", erlang:load_module(hot, V2)),
    Ref2 = make_ref(),
    erts_code_purger ! {test_purge, hot, Main, false, Ref2},
    show("soft purge started", receive {started, Ref2} -> started after 5000 -> timeout end),
    Caller2 = spawn(fun() -> Main ! {called, self(), catch G(b)} end),
    show("caller waits", receive {called, Caller2, C2} -> C2 after 200 -> waiting end),
    erts_code_purger ! {continue, Ref2},
    show("continued", receive {continued, Ref2} -> continued after 5000 -> timeout end),
    erts_code_purger ! {complete, Ref2},
    show("soft purge result", receive {test_purge, Res2, Ref2} -> Res2 after 5000 -> timeout end),
    show("caller", receive {called, Caller2, V} -> V after 5000 -> timeout end),
    show("holder still in v1", ask(Holder, local)),
    Holder ! {stop, Main},
    show("holder stopped", got4()).

got4() ->
    receive {reply, _, _, _} = R -> R after 5000 -> timeout end.

hibernating(P) ->
    case erlang:process_info(P, current_function) of
        {current_function, {erlang, hibernate, 3}} -> ok;
        _ -> timer:sleep(1), hibernating(P)
    end.
