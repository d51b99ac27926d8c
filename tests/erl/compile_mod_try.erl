-module(compile_mod_try).
-export([main/0]).

src() ->
    "-module(dyn_try).\n"
    "-export([safe_div/2, classify/1, collect/1, with_cleanup/1, ping/1, drain/0]).\n"
    "safe_div(A, B) -> try A div B of Q -> {ok, Q} catch error:badarith -> {error, div_by_zero} end.\n"
    "classify(F) -> try F() of V -> {value, V} catch throw:T -> {thrown, T}; error:E -> {error, E}; exit:X -> {exit, X} end.\n"
    "collect(N) -> [self() ! {n, I} || I <- lists:seq(1, N)], collect_loop([]).\n"
    "collect_loop(Acc) -> receive {n, I} -> collect_loop([I | Acc]) after 0 -> lists:reverse(Acc) end.\n"
    "with_cleanup(F) -> put(cleanup, false), R = (catch try F() after put(cleanup, true) end), {R, get(cleanup)}.\n"
    "ping(Ref) -> self() ! {pong, Ref}, receive {pong, Ref} -> pong after 100 -> timeout end.\n"
    "drain() -> receive _ -> 1 + drain() after 0 -> 0 end.\n".

forms(Src) ->
    {ok, Toks, _} = erl_scan:string(Src),
    split(Toks, [], []).

split([], [], Acc) -> lists:reverse(Acc);
split([{dot, _} = D | R], Cur, Acc) ->
    {ok, F} = erl_parse:parse_form(lists:reverse([D | Cur])),
    split(R, [], [F | Acc]);
split([T | R], Cur, Acc) -> split(R, [T | Cur], Acc).

main() ->
    {ok, Mod, Bin} = compile:forms(forms(src()), [binary, deterministic]),
    io:format("compiled: ~p md5: ~p~n", [Mod, erlang:md5(Bin)]),
    io:format("load: ~p~n", [code:load_binary(Mod, "dyn_try.erl", Bin)]),
    io:format("safe_div: ~p ~p~n", [Mod:safe_div(7, 2), Mod:safe_div(1, 0)]),
    io:format("classify: ~p~n", [[Mod:classify(F) || F <- [fun() -> 1 end, fun() -> throw(t) end, fun() -> error(e) end, fun() -> exit(x) end]]]),
    io:format("collect: ~p~n", [Mod:collect(5)]),
    io:format("with_cleanup ok: ~p~n", [Mod:with_cleanup(fun() -> done end)]),
    io:format("with_cleanup throw: ~p~n", [Mod:with_cleanup(fun() -> throw(oops) end)]),
    io:format("ping: ~p~n", [Mod:ping(make_ref())]),
    [self() ! junk || _ <- lists:seq(1, 4)],
    io:format("drain: ~p~n", [Mod:drain()]),
    %% reload a new version of the same module
    Src2 = "-module(dyn_try).\n-export([safe_div/2, version/0]).\nsafe_div(_, _) -> replaced.\nversion() -> 2.\n",
    {ok, Mod, Bin2} = compile:forms(forms(Src2), [binary, deterministic]),
    io:format("v2 md5: ~p~n", [erlang:md5(Bin2)]),
    io:format("reload: ~p~n", [code:load_binary(Mod, "dyn_try.erl", Bin2)]),
    io:format("after reload: ~p ~p~n", [Mod:safe_div(1, 0), Mod:version()]),
    io:format("old gone: ~p~n", [try Mod:ping(x) catch C:R -> {C, R} end]),
    io:format("purge: ~p delete: ~p~n", [code:purge(Mod), code:delete(Mod)]),
    io:format("after delete call: ~p~n", [try Mod:version() catch C2:R2 -> {C2, R2} end]),
    ok.
