-module(trace_erl_tracer).
-export([main/0, f/1]).

%% The default tracer module erl_tracer: its enabled/3 and trace/5 called directly, and
%% {tracer, erl_tracer, State} / {meta, erl_tracer, State} in erlang:trace/3 and
%% erlang:trace_pattern/3.

f(X) -> X.

c(F) -> try F() of V -> {ok, V} catch C:E -> {C, E} end.

%% Pids and timestamps printed as names.
norm(T, Names) when is_pid(T) ->
    case lists:keyfind(T, 1, Names) of
        {_, N} -> N;
        false -> other_pid
    end;
norm([H | T], Names) -> [norm(H, Names) | norm(T, Names)];
norm(T, Names) when is_tuple(T) -> list_to_tuple(norm(tuple_to_list(T), Names));
norm(T, _) -> T.

flush() -> receive M -> [M | flush()] after 0 -> [] end.

%% The messages erl_tracer:trace/5 sent to us, with the timestamp replaced by its kind.
got(Names) ->
    [norm(stamp(M), Names) || M <- flush()].

stamp(M) when element(1, M) =:= trace_ts; element(1, M) =:= seq_trace ->
    L = tuple_to_list(M),
    list_to_tuple(lists:droplast(L) ++ [ts_kind(lists:last(L))]);
stamp(M) -> M.

ts_kind({A, B, C}) when is_integer(A), is_integer(B), is_integer(C) -> now;
ts_kind({A, B}) when is_integer(A), is_integer(B) -> strict_monotonic;
ts_kind(A) when is_integer(A) -> monotonic;
ts_kind(A) -> A.

dead_pid() ->
    P = spawn(fun() -> ok end),
    R = monitor(process, P),
    receive {'DOWN', R, _, _, _} -> P end.

collector() -> collect([]).
collect(Acc) ->
    receive
        {get, P} -> P ! {events, lists:reverse(Acc)}, collect([]);
        M -> collect([M | Acc])
    end.

events(Tr) ->
    timer:sleep(50),
    Tr ! {get, self()},
    receive {events, Es} -> Es end.

worker() ->
    receive
        go -> trace_erl_tracer:f(1), worker();
        stop -> ok
    end.

main() ->
    S = self(),
    D = dead_pid(),
    O = spawn(fun() -> receive stop -> ok end end),
    Names = [{S, self}, {D, dead}, {O, other}],
    Show = fun(Label, F) -> io:format("~s: ~p~n", [Label, norm(c(F), Names)]) end,

    %% enabled/3
    Enabled = [{send, S, O}, {send, S, S}, {send, D, S}, {send, foo, S}, {send, {S}, S},
               {trace_status, S, O}, {trace_status, D, O}, {trace_status, S, S},
               {trace_status, foo, x}, {seq_trace, S, S}, {seq_trace, D, S}, {foo, S, undefined},
               {1, S, 2}, {'receive', O, S}, {call, S, undefined}],
    [Show(io_lib:format("enabled ~p", [norm(A, Names)]),
          fun() -> erl_tracer:enabled(T, St, Te) end) || {T, St, Te} = A <- Enabled],

    %% trace/5
    Traces = [{send, O, hello, #{}},
              {send, O, hello, #{extra => x}},
              {send, O, hello, #{extra => undefined}},
              {call, O, {m, f, []}, #{match_spec_result => r}},
              {call, O, {m, f, []}, #{match_spec_result => true}},
              {call, O, {m, f, []}, #{scheduler_id => 3}},
              {call, O, {m, f, []}, #{scheduler_id => undefined}},
              {seq_trace, 7, {m}, #{}},
              {seq_trace, 7, {m}, #{extra => e}},
              {seq_trace, 1, x, #{timestamp => monotonic, scheduler_id => 2}},
              {seq_trace, 1, x, #{timestamp => timestamp, extra => 2}},
              {call, O, x, #{timestamp => monotonic}},
              {call, O, x, #{timestamp => strict_monotonic}},
              {call, O, x, #{timestamp => timestamp}},
              {call, O, x, #{timestamp => cpu_timestamp}},
              {call, O, x, #{timestamp => foo}},
              {send, O, x, #{timestamp => undefined, scheduler_id => 5}},
              {send, O, x, #{foo => bar}},
              {send, O, x, #{extra => 1, timestamp => monotonic}},
              {call, O, x, #{extra => e, match_spec_result => m, scheduler_id => 1}},
              {S, O, x, #{}},
              {call, O, x, notamap},
              {call, O, x, [1]}],
    lists:foreach(
      fun({T, Te, M, Opts} = A) ->
              R = c(fun() -> erl_tracer:trace(T, S, Te, M, Opts) end),
              io:format("trace ~p: ~p ~p~n", [norm(A, Names), R, got(Names)])
      end, Traces),
    [io:format("trace to ~p: ~p ~p~n",
               [norm(St, Names), c(fun() -> erl_tracer:trace(send, St, O, x, #{}) end), got(Names)])
     || St <- [D, foo, [S], {S}]],
    Show("enabled/2", fun() -> apply(erl_tracer, enabled, [send, S]) end),
    Show("trace/4", fun() -> apply(erl_tracer, trace, [a, b, c, d]) end),

    %% {tracer, erl_tracer, State} in erlang:trace/3.
    Tr = spawn(fun collector/0),
    W = spawn(fun worker/0),
    N2 = [{Tr, tracer}, {W, worker} | Names],
    Show2 = fun(Label, F) -> io:format("~s: ~p~n", [Label, norm(c(F), N2)]) end,
    Show2("trace erl_tracer", fun() -> erlang:trace(W, true, [call, {tracer, erl_tracer, Tr}]) end),
    Show2("tracer", fun() -> erlang:trace_info(W, tracer) end),
    Show2("flags", fun() -> erlang:trace_info(W, flags) end),
    Show2("pattern", fun() -> erlang:trace_pattern({?MODULE, f, 1}, true, [local]) end),
    W ! go,
    io:format("traced: ~p~n", [norm(events(Tr), N2)]),
    Show2("same tracer as pid", fun() -> erlang:trace(W, true, [send, {tracer, Tr}]) end),
    %% (Another tracer for W is badarg, and the reference also logs "can only have one
    %% tracer per process", with a timestamp: not tried here.)
    Show2("off", fun() -> erlang:trace(W, false, [all]) end),
    Show2("non-pid state", fun() -> erlang:trace(W, true, [call, {tracer, erl_tracer, foo}]) end),
    Show2("flags", fun() -> erlang:trace_info(W, flags) end),
    Show2("tracer", fun() -> erlang:trace_info(W, tracer) end),
    W ! go,
    io:format("traced: ~p~n", [norm(events(Tr), N2)]),
    Show2("tuple state", fun() -> erlang:trace(W, true, [call, {tracer, erl_tracer, {state, Tr}}]) end),
    Show2("tracer", fun() -> erlang:trace_info(W, tracer) end),
    Show2("traces itself", fun() -> erlang:trace(W, true, [call, {tracer, erl_tracer, W}]) end),
    Show2("flags", fun() -> erlang:trace_info(W, flags) end),
    Show2("tracer", fun() -> erlang:trace_info(W, tracer) end),
    Show2("off", fun() -> erlang:trace(W, false, [all]) end),
    Show2("self", fun() -> erlang:trace(S, true, [procs, {tracer, erl_tracer, S}]) end),
    Show2("self flags", fun() -> erlang:trace_info(S, flags) end),
    Show2("self off", fun() -> erlang:trace(S, false, [all]) end),
    Bad = [[call, {tracer, lists, Tr}], [call, {tracer, "x", Tr}], [call, {tracer, erl_tracer, Tr, x}],
           [call, {tracer, erl_tracer}], [call, {tracer, 1, Tr}]],
    [Show2(io_lib:format("bad ~p", [norm(B, N2)]), fun() -> erlang:trace(W, true, B) end) || B <- Bad],
    Show2("new", fun() -> erlang:trace(new, true, [send, {tracer, erl_tracer, Tr}]) end),
    Show2("new tracer", fun() -> erlang:trace_info(new, tracer) end),
    Show2("new off", fun() -> erlang:trace(new, false, [send]) end),

    %% {meta, erl_tracer, State} in erlang:trace_pattern/3.
    Show2("pattern off", fun() -> erlang:trace_pattern({?MODULE, f, 1}, false, [local]) end),
    Show2("meta", fun() -> erlang:trace_pattern({?MODULE, f, 1}, true, [{meta, erl_tracer, Tr}]) end),
    Show2("meta info", fun() -> erlang:trace_info({?MODULE, f, 1}, meta) end),
    Show2("all info", fun() -> erlang:trace_info({?MODULE, f, 1}, all) end),
    W ! go,
    io:format("meta traced: ~p~n", [[norm(stamp(E), N2) || E <- events(Tr)]]),
    Show2("meta dead", fun() -> erlang:trace_pattern({?MODULE, f, 1}, true, [{meta, erl_tracer, D}]) end),
    Show2("meta info", fun() -> erlang:trace_info({?MODULE, f, 1}, meta) end),
    Show2("meta state", fun() -> erlang:trace_pattern({?MODULE, f, 1}, true,
                                                      [{meta, erl_tracer, {x, Tr}}]) end),
    Show2("meta info", fun() -> erlang:trace_info({?MODULE, f, 1}, meta) end),
    Show2("meta atom", fun() -> erlang:trace_pattern({?MODULE, f, 1}, true,
                                                     [{meta, erl_tracer, foo}]) end),
    Show2("meta info", fun() -> erlang:trace_info({?MODULE, f, 1}, meta) end),
    Show2("meta both", fun() -> erlang:trace_pattern({?MODULE, f, 1}, true,
                                                     [{meta, erl_tracer, O}, {meta, Tr}]) end),
    Show2("meta info", fun() -> erlang:trace_info({?MODULE, f, 1}, meta) end),
    BadM = [[{meta, lists, Tr}], [{meta, erl_tracer, Tr, x}], [{meta, "x", Tr}], [{meta, foo}]],
    [Show2(io_lib:format("bad meta ~p", [norm(B, N2)]),
           fun() -> erlang:trace_pattern({?MODULE, f, 1}, true, B) end) || B <- BadM],
    Show2("meta off", fun() -> erlang:trace_pattern({?MODULE, f, 1}, false, [meta]) end),
    Show2("meta info", fun() -> erlang:trace_info({?MODULE, f, 1}, meta) end),
    Show2("on_load meta", fun() -> erlang:trace_pattern(on_load, true, [{meta, erl_tracer, Tr}]) end),
    Show2("on_load info", fun() -> erlang:trace_info(on_load, meta) end),
    Show2("on_load off", fun() -> erlang:trace_pattern(on_load, false, [meta]) end),
    W ! stop,
    ok.
