%% Message and process tracing: erlang:trace/3 with send, 'receive', procs,
%% set_on_spawn / set_on_first_spawn / set_on_link, timestamps; trace_info/2 on
%% processes; send/receive trace patterns; trace_delivered/1; bad arguments; the
%% sequential trace token functions when no sequential tracing is going on.
%% Trace messages are collected by a tracer process and printed with pids replaced.
-module(trace_messages).
-export([main/0]).

tracer() ->
    spawn(fun() -> tracer_loop([]) end).

tracer_loop(Acc) ->
    receive
        {get, From} -> From ! {trace_list, lists:reverse(Acc)}, tracer_loop([]);
        stop -> ok;
        M -> tracer_loop([M | Acc])
    end.

collect(Tracer, Tracee) ->
    Ref = erlang:trace_delivered(Tracee),
    receive {trace_delivered, Tracee, Ref} -> ok end,
    Tracer ! {get, self()},
    receive {trace_list, L} -> L end.

%% Prints the trace messages, grouped by traced process in the order of Names.
show(Label, Tracer, Tracee, Names) ->
    L = collect(Tracer, Tracee),
    io:format("~s:~n", [Label]),
    [begin
         case [M || M <- L, element(2, M) =:= P] of
             [] -> ok;
             Ms ->
                 io:format(" ~p:~n", [N]),
                 [io:format("  ~p~n", [mask(M, Names)]) || M <- Ms]
         end
     end || {P, N} <- Names],
    ok.

mask(T, Names) when is_pid(T) ->
    case lists:keyfind(T, 1, Names) of
        {_, N} -> N;
        false -> other_pid
    end;
mask(T, _) when is_reference(T) -> ref;
mask(T, _) when is_function(T) -> 'fun';
mask({trace_ts, P, Tag, A, TS}, Names) ->
    {trace_ts, mask(P, Names), Tag, mask(A, Names), ts(TS)};
mask({trace_ts, P, Tag, A, B, TS}, Names) ->
    {trace_ts, mask(P, Names), Tag, mask(A, Names), mask(B, Names), ts(TS)};
mask(T, Names) when is_tuple(T) -> list_to_tuple(mask(tuple_to_list(T), Names));
mask([H | T], Names) -> [mask(H, Names) | mask(T, Names)];
mask(T, _) -> T.

ts({A, B, C}) when is_integer(A), is_integer(B), is_integer(C) -> now_ts;
ts(N) when is_integer(N) -> monotonic_ts;
ts({N, U}) when is_integer(N), is_integer(U) -> strict_ts;
ts(_) -> bad_ts.

c(F) -> try F() catch C:R -> {C, R} end.

%% A process that waits for {run, Fun}, runs it and reports back.
worker(Parent) ->
    receive
        {run, F} -> Parent ! {done, self(), c(F)}, worker(Parent);
        stop -> ok
    end.

run(W, F) ->
    W ! {run, F},
    receive {done, W, R} -> R end.

echo() ->
    receive
        {From, M} -> From ! {echo, M}, echo();
        stop -> ok
    end.

dead_pid() ->
    P = spawn(fun() -> ok end),
    Ref = monitor(process, P),
    receive {'DOWN', Ref, _, _, _} -> P end.

main() ->
    Self = self(),
    T = tracer(),
    Echo = spawn(fun echo/0),
    register(trace_messages_echo, Echo),
    Dead = dead_pid(),
    W = spawn(fun() -> worker(Self) end),
    Names = [{Self, self}, {W, worker}, {Echo, echo}, {T, tracer}, {Dead, dead}],

    %% send and receive
    io:format("trace pid: ~p~n", [erlang:trace(W, true, [send, 'receive', {tracer, T}])]),
    io:format("flags: ~p~n", [erlang:trace_info(W, flags)]),
    io:format("tracer: ~p~n", [mask(erlang:trace_info(W, tracer), Names)]),
    run(W, fun() ->
                   Echo ! {self(), hello},
                   receive {echo, _} -> ok end,
                   self() ! to_self,
                   receive to_self -> ok end,
                   Dead ! to_dead,
                   trace_messages_echo ! {self(), by_name},
                   receive {echo, by_name} -> ok end,
                   {trace_messages_echo, node()} ! {self(), by_name_node},
                   receive {echo, by_name_node} -> ok end,
                   {no_such_name, node()} ! to_missing_name_node,
                   catch no_such_name ! to_missing_name,
                   erlang:send(Echo, {self(), via_send}),
                   receive {echo, via_send} -> ok end,
                   receive after 0 -> ok end,
                   receive after 5 -> ok end,
                   receive nothing -> ok after 5 -> ok end
           end),
    show("send/receive", T, W, Names),

    %% only send, then only receive
    erlang:trace(W, false, ['receive']),
    run(W, fun() -> Echo ! {self(), only_send}, receive {echo, _} -> ok end end),
    show("only send", T, W, Names),
    erlang:trace(W, false, [send]),
    erlang:trace(W, true, ['receive', {tracer, T}]),
    run(W, fun() -> Echo ! {self(), only_receive}, receive {echo, _} -> ok end end),
    show("only receive", T, W, Names),
    erlang:trace(W, false, [all]),
    io:format("flags off: ~p ~p~n", [erlang:trace_info(W, flags), erlang:trace_info(W, tracer)]),
    run(W, fun() -> Echo ! {self(), untraced}, receive {echo, _} -> ok end end),
    show("off", T, W, Names),

    %% exit signals, monitors and links seen as messages
    erlang:trace(W, true, ['receive', {tracer, T}]),
    run(W, fun() ->
                   process_flag(trap_exit, true),
                   P = spawn_link(fun() -> exit(bye) end),
                   receive {'EXIT', P, bye} -> ok end,
                   {P2, Ref} = spawn_monitor(fun() -> ok end),
                   receive {'DOWN', Ref, process, P2, normal} -> ok end,
                   process_flag(trap_exit, false)
           end),
    show("signals as messages", T, W, [{W, worker}]),
    erlang:trace(W, false, [all]),

    %% send/receive trace patterns (the arguments are [To, Msg] and [Node, From, Msg])
    erlang:trace(W, true, [send, 'receive', {tracer, T}]),
    io:format("send pattern: ~p~n", [erlang:trace_pattern(send, [{['_', {'_', keep}], [], []}], [])]),
    io:format("receive pattern: ~p~n",
              [erlang:trace_pattern('receive', [{['_', '_', {echo, '$1'}], [{'==', '$1', keep}], []}], [])]),
    io:format("info: ~p ~p~n", [erlang:trace_info(send, match_spec), erlang:trace_info('receive', match_spec)]),
    run(W, fun() ->
                   Echo ! {self(), keep}, receive {echo, _} -> ok end,
                   Echo ! {self(), drop}, receive {echo, _} -> ok end
           end),
    show("patterns", T, W, [{W, worker}]),
    io:format("send false: ~p~n", [erlang:trace_pattern(send, false, [])]),
    io:format("info: ~p~n", [erlang:trace_info(send, match_spec)]),
    run(W, fun() -> Echo ! {self(), keep}, receive {echo, _} -> ok end end),
    show("send false", T, W, [{W, worker}]),
    io:format("reset: ~p ~p~n", [erlang:trace_pattern(send, true, []), erlang:trace_pattern('receive', true, [])]),
    io:format("info: ~p ~p~n", [erlang:trace_info(send, match_spec), erlang:trace_info('receive', match_spec)]),
    erlang:trace(W, false, [all]),

    %% timestamps
    lists:foreach(
      fun(TF) ->
              erlang:trace(W, true, [send, TF, {tracer, T}]),
              run(W, fun() -> Echo ! {self(), TF}, receive {echo, _} -> ok end end),
              erlang:trace(W, false, [all]),
              show(atom_to_list(TF), T, W, [{W, worker}])
      end, [timestamp, monotonic_timestamp, strict_monotonic_timestamp]),

    %% process events
    erlang:trace(W, true, [procs, {tracer, T}]),
    run(W, fun() ->
                   process_flag(trap_exit, true),
                   P1 = spawn(fun() -> receive go -> ok end end),
                   put(p1, P1),
                   P2 = spawn_link(fun() -> receive go -> exit(crashed) end end),
                   put(p2, P2),
                   link(P1),
                   unlink(P1),
                   register(trace_messages_reg, self()),
                   unregister(trace_messages_reg),
                   register(trace_messages_reg2, P1),
                   P2 ! go,
                   receive {'EXIT', P2, crashed} -> ok end,
                   link(Dead),
                   receive {'EXIT', Dead, noproc} -> ok end,
                   P1 ! go,
                   process_flag(trap_exit, false)
           end),
    P1 = run(W, fun() -> get(p1) end),
    P2 = run(W, fun() -> get(p2) end),
    show("procs", T, W, [{W, worker}, {P1, p1}, {P2, p2}, {Dead, dead}]),
    erlang:trace(W, false, [all]),

    %% set_on_spawn: children inherit, and their children too
    erlang:trace(W, true, [procs, send, set_on_spawn, {tracer, T}]),
    run(W, fun() ->
                   Me = self(),
                   C = spawn(fun() ->
                                     G = spawn(fun() -> Me ! {grandchild, self()} end),
                                     Me ! {child, self(), G}
                             end),
                   G = receive {child, C, G0} -> put(kids, {C, G0}), G0 end,
                   receive {grandchild, G} -> ok end
           end),
    {C1, G1} = run(W, fun() -> get(kids) end),
    timer:sleep(20),
    show("set_on_spawn", T, W, [{W, worker}, {C1, child}, {G1, grandchild}]),
    erlang:trace(W, false, [all]),

    %% set_on_first_spawn: only the first child inherits (without the flag)
    erlang:trace(W, true, [procs, set_on_first_spawn, {tracer, T}]),
    run(W, fun() ->
                   Me = self(),
                   K1 = spawn(fun() -> receive go -> Me ! {k, self(), erlang:trace_info(self(), flags)} end end),
                   K2 = spawn(fun() -> receive go -> Me ! {k, self(), erlang:trace_info(self(), flags)} end end),
                   K1 ! go, K2 ! go,
                   F1 = receive {k, K1, Fl1} -> Fl1 end,
                   F2 = receive {k, K2, Fl2} -> Fl2 end,
                   put(ks, {K1, K2, F1, F2})
           end),
    {K1, K2, KF1, KF2} = run(W, fun() -> get(ks) end),
    io:format("first child flags: ~p, second: ~p~n", [KF1, KF2]),
    io:format("parent flags after: ~p~n", [erlang:trace_info(W, flags)]),
    timer:sleep(20),
    show("set_on_first_spawn", T, W, [{W, worker}, {K1, k1}, {K2, k2}]),
    erlang:trace(W, false, [all]),

    %% set_on_link: passed on by spawn_link only; set_on_first_link to the first one
    erlang:trace(W, true, [procs, set_on_link, {tracer, T}]),
    L1 = spawn(fun() -> receive go -> ok end end),
    L2 = run(W, fun() -> link(L1), spawn_link(fun() -> receive go -> ok end end) end),
    io:format("linked process flags: ~p ~p~n", [erlang:trace_info(L1, flags), erlang:trace_info(L2, flags)]),
    %% One after the other: the order in which two processes' exit signals reach the
    %% worker is otherwise a race (on the reference as here).
    L1 ! go, timer:sleep(10), L2 ! go,
    timer:sleep(20),
    show("set_on_link", T, W, [{W, worker}, {L1, l1}, {L2, l2}]),
    erlang:trace(W, false, [all]),
    erlang:trace(W, true, [procs, set_on_first_link, {tracer, T}]),
    {L3, L4} = run(W, fun() -> {spawn_link(fun() -> receive go -> ok end end),
                                spawn_link(fun() -> receive go -> ok end end)} end),
    io:format("first link flags: ~p ~p ~p~n",
              [erlang:trace_info(L3, flags), erlang:trace_info(L4, flags), erlang:trace_info(W, flags)]),
    %% One after the other, so that the worker sees their exits in a fixed order.
    R3 = monitor(process, L3),
    L3 ! go,
    receive {'DOWN', R3, _, _, _} -> ok end,
    L4 ! go,
    timer:sleep(20),
    show("set_on_first_link", T, W, [{W, worker}, {L3, l3}, {L4, l4}]),
    erlang:trace(W, false, [all]),

    %% a traced process that is killed, and one that crashes
    V1 = spawn(fun() -> receive _ -> ok end end),
    V2 = spawn(fun() -> receive X -> exit({crash, X}) end end),
    register(trace_messages_victim, V1),
    erlang:trace(V1, true, [procs, 'receive', {tracer, T}]),
    erlang:trace(V2, true, [procs, 'receive', {tracer, T}]),
    exit(V1, kill),
    V2 ! boom,
    timer:sleep(20),
    show("exits", T, V1, [{V1, v1}, {V2, v2}]),
    io:format("dead process info: ~p ~p~n", [erlang:trace_info(V1, flags), erlang:trace_info(V1, tracer)]),

    %% all flags
    erlang:trace(W, true, [all, {tracer, T}]),
    io:format("all: ~p~n", [erlang:trace_info(W, flags)]),
    erlang:trace(W, false, [all]),
    io:format("none: ~p~n", [erlang:trace_info(W, flags)]),

    %% new processes
    io:format("new: ~p~n", [erlang:trace(new, true, [send, {tracer, T}])]),
    io:format("new info: ~p ~p~n", [erlang:trace_info(new, flags), mask(erlang:trace_info(new, tracer), Names)]),
    N1 = spawn(fun() -> receive go -> Echo ! {self(), from_new}, receive stop -> ok end end end),
    io:format("new process flags: ~p~n", [erlang:trace_info(N1, flags)]),
    io:format("new off: ~p~n", [erlang:trace(new_processes, false, [send])]),
    io:format("new info off: ~p ~p~n", [erlang:trace_info(new, flags), erlang:trace_info(new_processes, tracer)]),
    N2 = spawn(fun() -> ok end),
    io:format("later process flags: ~p~n", [erlang:trace_info(N2, flags)]),
    N1 ! go,
    timer:sleep(20),
    show("new", T, N1, [{N1, n1}]),
    erlang:trace(N1, false, [all]),
    N1 ! stop,

    %% existing processes: the count is the number of processes
    NP = length(processes()),
    E = erlang:trace(existing_processes, true, [arity, {tracer, T}]),
    E2 = erlang:trace(existing_processes, false, [arity]),
    %% (system processes may come and go meanwhile: only the coherence is checked)
    io:format("existing: ~p~n", [is_integer(E) andalso E > 1 andalso E =:= E2 andalso E =< NP + 1]),
    io:format("existing ports: ~p~n", [is_integer(erlang:trace(existing_ports, false, [send]))]),

    %% a process traced by a tracer that exits is no longer traced
    T2 = tracer(),
    erlang:trace(W, true, [send, {tracer, T2}]),
    T2 ! stop,
    timer:sleep(20),
    run(W, fun() -> Echo ! {self(), after_tracer_died}, receive {echo, _} -> ok end end),
    io:format("after tracer died: ~p ~p~n", [erlang:trace_info(W, flags), erlang:trace_info(W, tracer)]),
    erlang:trace(W, false, [all]),
    %% a dead tracer given to trace/3
    io:format("dead tracer: ~p~n", [erlang:trace(W, true, [send, {tracer, Dead}])]),
    erlang:trace(W, false, [all]),

    %% trace_delivered
    DR = erlang:trace_delivered(W),
    receive {trace_delivered, W, DR} -> io:format("delivered ~p~n", [mask(DR, Names)]) end,
    DA = erlang:trace_delivered(all),
    receive {trace_delivered, all, DA} -> io:format("delivered all~n") end,
    DD = erlang:trace_delivered(Dead),
    receive {trace_delivered, Dead, DD} -> io:format("delivered dead~n") end,

    %% bad arguments
    BadTrace = [{W, maybe, [send]}, {W, true, [bad_flag]}, {W, true, send},
                {W, true, [send | bad]}, {W, true, [{tracer, not_a_pid}]},
                {W, true, [{tracer, T, state}]}, {W, true, [cpu_timestamp]},
                {Dead, true, [send]}, {not_a_pid, true, [send]}, {"pid", true, [send]}],
    [io:format("trace(~p, ~p, ~p): ~p~n",
               [mask(A, Names), B, mask(Fl, Names), c(fun() -> erlang:trace(A, B, Fl) end)])
     || {A, B, Fl} <- BadTrace],
    BadInfo = [{W, all}, {W, traced}, {W, bad}, {new, traced}, {existing, flags},
               {all, flags}, {not_a_pid, flags}, {Dead, traced}],
    [io:format("trace_info(~p, ~p): ~p~n", [mask(A, Names), B, c(fun() -> erlang:trace_info(A, B) end)])
     || {A, B} <- BadInfo],
    io:format("trace_delivered(bad): ~p~n", [c(fun() -> erlang:trace_delivered(bad) end)]),

    %% the sequential trace token, with no sequential tracing going on
    io:format("seq_trace: ~p~n", [seq_trace_values()]),
    io:format("seq system tracer: ~p~n", [seq_trace:get_system_tracer()]),
    io:format("reset: ~p~n", [seq_trace:reset_trace()]),
    io:format("seq bad: ~p~n",
              [[c(fun() -> erlang:seq_trace(bad, 1) end),
                c(fun() -> erlang:seq_trace(send, 1) end),
                c(fun() -> erlang:seq_trace(serial, bad) end),
                c(fun() -> erlang:seq_trace(sequential_trace_token, bad) end),
                c(fun() -> erlang:seq_trace_info(bad) end),
                c(fun() -> seq_trace:get_token(bad) end),
                c(fun() -> seq_trace:print(atom_label, x) end)]]),

    W ! stop, Echo ! stop, T ! stop,
    ok.

%% Values of the token functions (no I/O in between: the reference's token would change
%% with the messages of io requests).
seq_trace_values() ->
    Self = self(),
    M = fun(Tok) when is_tuple(Tok), element(4, Tok) =:= Self -> setelement(4, Tok, self);
           (X) -> X end,
    V0 = [seq_trace:get_token(), seq_trace:get_token(label), seq_trace:get_token(serial),
          seq_trace:get_token(send), seq_trace:get_token('receive'), seq_trace:get_token(print),
          seq_trace:get_token(timestamp), seq_trace:get_token(monotonic_timestamp),
          seq_trace:get_token(strict_monotonic_timestamp),
          erlang:seq_trace_print(x), erlang:seq_trace_print(0, x),
          seq_trace:set_token([]), process_info(self(), sequential_trace_token)],
    V1 = [seq_trace:set_token(label, 17), M(seq_trace:get_token()), seq_trace:get_token(label),
          seq_trace:set_token(send, true), seq_trace:get_token(send),
          seq_trace:set_token(send, false), seq_trace:set_token(print, true),
          erlang:seq_trace_print(x), erlang:seq_trace_print(17, x), erlang:seq_trace_print(16, x),
          seq_trace:print(x), seq_trace:print(17, x),
          seq_trace:set_token(serial, {3, 4}), seq_trace:get_token(serial),
          M(seq_trace:get_token()),
          M(element(2, process_info(self(), sequential_trace_token))),
          M(seq_trace:set_token([])), seq_trace:get_token()],
    V2 = [seq_trace:set_token({5, lbl, 7, self(), 6}), M(seq_trace:get_token()),
          seq_trace:get_token(label), seq_trace:get_token(print), seq_trace:get_token(send),
          seq_trace:get_token('receive'), M(erlang:seq_trace(sequential_trace_token, [])),
          seq_trace:get_token()],
    {V0, V1, V2}.
