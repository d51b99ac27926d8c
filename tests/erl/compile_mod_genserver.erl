-module(compile_mod_genserver).
-export([main/0]).

%% A gen_server-like callback module compiled at runtime, driven by a
%% synchronous in-process "server loop" (no spawning).
src() ->
    "-module(dyn_counter).\n"
    "-behaviour(dyn_behaviour).\n"
    "-export([init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2]).\n"
    "-record(state, {count = 0, log = [], name}).\n"
    "init(Name) -> {ok, #state{name = Name}}.\n"
    "handle_call(get, _From, S) -> {reply, S#state.count, S};\n"
    "handle_call({add, N}, _From, S = #state{count = C}) when is_integer(N) -> {reply, ok, S#state{count = C + N}};\n"
    "handle_call({add, _}, _From, S) -> {reply, {error, badarg}, S};\n"
    "handle_call(history, _From, S) -> {reply, lists:reverse(S#state.log), S};\n"
    "handle_call(stop, _From, S) -> {stop, normal, stopped, S};\n"
    "handle_call(Other, _From, S) -> {reply, {unknown, Other}, S}.\n"
    "handle_cast({log, Msg}, S = #state{log = L}) -> {noreply, S#state{log = [Msg | L]}};\n"
    "handle_cast(reset, S) -> {noreply, S#state{count = 0}}.\n"
    "handle_info(Info, S) -> {noreply, S#state{log = [{info, Info} | S#state.log]}}.\n"
    "terminate(Reason, #state{name = N, count = C}) -> {terminated, N, Reason, C}.\n".

forms(Src) ->
    {ok, Toks, _} = erl_scan:string(Src),
    split(Toks, [], []).

split([], [], Acc) -> lists:reverse(Acc);
split([{dot, _} = D | R], Cur, Acc) ->
    {ok, F} = erl_parse:parse_form(lists:reverse([D | Cur])),
    split(R, [], [F | Acc]);
split([T | R], Cur, Acc) -> split(R, [T | Cur], Acc).

%% minimal synchronous driver
call(Mod, Req, {running, S}) ->
    case Mod:handle_call(Req, {self(), make_ref()}, S) of
        {reply, R, S2} -> {R, {running, S2}};
        {stop, Reason, R, S2} -> {R, {stopped, Mod:terminate(Reason, S2)}}
    end;
call(_, _, Stopped) -> {{error, not_running}, Stopped}.

cast(Mod, Msg, {running, S}) -> {noreply, S2} = Mod:handle_cast(Msg, S), {running, S2}.

info(Mod, Msg, {running, S}) -> {noreply, S2} = Mod:handle_info(Msg, S), {running, S2}.

main() ->
    {ok, Mod, Bin, Ws} = compile:forms(forms(src()), [binary, deterministic, return_warnings]),
    io:format("compiled: ~p warnings: ~p~n", [Mod, [W || {_, L} <- Ws, {_, _, W} <- L]]),
    io:format("md5: ~p~n", [erlang:md5(Bin)]),
    {ok, {Mod, [{attributes, Attrs}]}} = beam_lib:chunks(Bin, [attributes]),
    io:format("attributes: ~p~n", [Attrs]),
    {module, Mod} = code:load_binary(Mod, "dyn_counter.erl", Bin),
    {ok, S0} = Mod:init(my_counter),
    St0 = {running, S0},
    {R1, St1} = call(Mod, get, St0),
    {R2, St2} = call(Mod, {add, 5}, St1),
    {R3, St3} = call(Mod, {add, x}, St2),
    St4 = cast(Mod, {log, first}, St3),
    St5 = info(Mod, timeout_tick, St4),
    St6 = cast(Mod, {log, second}, St5),
    {R4, St7} = call(Mod, {add, 37}, St6),
    {R5, St8} = call(Mod, get, St7),
    {R6, St9} = call(Mod, history, St8),
    {R7, St10} = call(Mod, what, St9),
    {R8, St11} = call(Mod, stop, St10),
    {R9, St12} = call(Mod, get, St11),
    io:format("replies: ~p~n", [[R1, R2, R3, R4, R5, R6, R7, R8, R9]]),
    io:format("final: ~p~n", [St12]),
    Loop = lists:foldl(fun(I, St) -> element(2, call(Mod, {add, I}, St)) end, {running, element(2, Mod:init(loop))}, lists:seq(1, 1000)),
    io:format("loop count: ~p~n", [element(1, call(Mod, get, Loop))]),
    io:format("function_clause in callback: ~p~n", [try Mod:handle_cast(bogus, S0) catch C:R -> {C, R} end]),
    ok.
