%% dbg (runtime_tools) on top of the trace BIFs: dbg:tracer/2 with a handler fun,
%% dbg:p/2 with call, message, send/receive and process flags, dbg:tp/tpl with the
%% built-in patterns (x, c, cx), saved patterns and explicit match specifications,
%% dbg:ctp/ctpl/ctpg, dbg:ltp, dbg:stop; and dbg's own formatting of trace messages
%% (dbg:dhandler/2, given messages whose pids are replaced by atoms).
-module(trace_dbg).
-export([main/0, f/1, g/1, loop/0, fact/1]).
-include_lib("stdlib/include/ms_transform.hrl").

f(X) -> g(X) + 1.
g(X) when X > 100 -> erlang:error(too_big);
g(X) -> X * 2.

fact(0) -> 1;
fact(N) -> N * fact(N - 1).

%% A server: {call, From, Fun} runs Fun and replies.
loop() ->
    receive
        {call, From, F} ->
            From ! {reply, self(), catch F()},
            loop();
        stop ->
            ok
    end.

call(W, F) ->
    W ! {call, self(), F},
    receive {reply, W, R} -> R end.

mask(T, Names) when is_pid(T) ->
    case lists:keyfind(T, 1, Names) of
        {_, N} -> N;
        false -> other_pid
    end;
mask(T, _) when is_reference(T) -> ref;
mask(T, _) when is_function(T) -> 'fun';
mask(T, Names) when is_tuple(T) -> list_to_tuple(mask(tuple_to_list(T), Names));
mask([H | T], Names) -> [mask(H, Names) | mask(T, Names)];
mask(T, _) -> T.

%% Waits until the dbg tracer has handled everything traced so far: a marker sent to
%% the tracer after the trace messages comes back through the handler.
sync(Tracees) ->
    [begin
         Ref = erlang:trace_delivered(P),
         receive {trace_delivered, P, Ref} -> ok end
     end || P <- Tracees],
    {ok, Tracer} = dbg:get_tracer(),
    Ref2 = make_ref(),
    Tracer ! {trace, self(), sync_marker, Ref2},
    receive {synced, Ref2} -> ok end.

%% The handler of the first tracer: forwards each trace message to the test process.
forward(Main) ->
    fun({trace, _, sync_marker, Ref}, N) -> Main ! {synced, Ref}, N;
       (Msg, N) -> Main ! {traced, N, Msg}, N + 1
    end.

show(Label, Tracees, Names) ->
    sync(Tracees),
    io:format("~s:~n", [Label]),
    show_all(Names).

show_all(Names) ->
    receive
        {traced, N, Msg} ->
            io:format("  ~p: ~p~n", [N, mask(Msg, Names)]),
            show_all(Names)
    after 0 ->
            ok
    end.

%% dbg:stop/0, then waits for the tracer process to be gone (it ends on its own once the
%% dbg server is gone).
stop_dbg() ->
    {ok, Tracer} = dbg:get_tracer(),
    Ref = monitor(process, Tracer),
    R = dbg:stop(),
    receive {'DOWN', Ref, _, _, _} -> ok end,
    R.

p(Label, R, Names) -> io:format("~s: ~p~n", [Label, mask(R, Names)]).

main() ->
    Main = self(),
    W = spawn(fun loop/0),
    W2 = spawn(fun loop/0),
    Names = [{Main, main}, {W, w}, {W2, w2}],
    p("tracer", dbg:tracer(process, {forward(Main), 0}), Names),
    p("tracer again", dbg:tracer(process, {forward(Main), 0}), Names),

    %% call tracing with global and local patterns
    p("p c", dbg:p(W, [c]), Names),
    p("tp", dbg:tp(trace_dbg, f, 1, []), Names),
    call(W, fun() -> f(1) end),
    call(W, fun() -> trace_dbg:f(2) end),
    show("global f/1", [W], Names),
    p("tpl", dbg:tpl(trace_dbg, g, '_', []), Names),
    call(W, fun() -> f(3) end),
    show("local g", [W], Names),

    %% built-in patterns: x (exception_trace), c (caller), cx
    p("tpl x", dbg:tpl(trace_dbg, g, 1, x), Names),
    call(W, fun() -> f(4) end),
    call(W, fun() -> f(200) end),
    show("x", [W], Names),
    p("tpl c", dbg:tpl(trace_dbg, g, 1, c), Names),
    call(W, fun() -> f(5) end),
    show("c", [W], Names),
    p("tpl cx", dbg:tpl(trace_dbg, g, 1, cx), Names),
    call(W, fun() -> f(6) end),
    show("cx", [W], Names),
    p("ctpl g", dbg:ctpl(trace_dbg, g), Names),
    p("ctp f", dbg:ctp(trace_dbg, f, 1), Names),

    %% explicit and saved match specifications
    MS = dbg:fun2ms(fun([N]) when N > 1 -> return_trace() end),
    p("fun2ms", MS, Names),
    p("tpl ms", dbg:tpl(trace_dbg, fact, 1, MS), Names),
    call(W, fun() -> fact(3) end),
    show("fact", [W], Names),
    {ok, [_, {saved, Saved}]} = dbg:tpl(trace_dbg, fact, 1, [{[0], [], [{message, zero}]}]),
    p("saved", Saved, Names),
    call(W, fun() -> fact(2) end),
    show("saved pattern", [W], Names),
    p("tp saved", dbg:tpl({trace_dbg, fact, 1}, Saved), Names),
    p("unknown pattern", dbg:tp(trace_dbg, fact, 1, no_such_pattern), Names),
    p("bad ms", dbg:tp(trace_dbg, fact, 1, [{bad}]), Names),
    dbg:ltp(),
    p("ctpl module", dbg:ctpl(trace_dbg), Names),
    p("ctpg module", dbg:ctpg(trace_dbg), Names),

    %% message tracing
    p("p m", dbg:p(W2, [m]), Names),
    call(W2, fun() -> W ! {call, self(), fun() -> ok end}, receive R -> R end end),
    show("m", [W2], Names),
    p("p -m +s", dbg:p(W2, [clear]), Names),
    p("p s", dbg:p(W2, [s]), Names),
    call(W2, fun() -> self() ! x, receive x -> ok end end),
    show("s", [W2], Names),
    p("p r", dbg:p(W2, [clear]), Names),
    p("p r", dbg:p(W2, [r]), Names),
    call(W2, fun() -> self() ! y, receive y -> ok end end),
    show("r", [W2], Names),
    dbg:p(W2, [clear]),

    %% process events and set_on_spawn
    p("p p sos", dbg:p(W2, [p, sos]), Names),
    Kid = call(W2, fun() -> K = spawn(fun() -> receive go -> ok end end), K ! go, K end),
    timer:sleep(20),
    show("procs", [W2, Kid], [{Kid, kid} | Names]),
    dbg:p(W2, [clear]),

    %% calls traced in a new process
    p("p new", dbg:p(new, [c]), Names),
    p("tp fact", dbg:tp(trace_dbg, fact, 1, []), Names),
    New = spawn(fun() -> trace_dbg:fact(1), receive stop -> ok end end),
    timer:sleep(20),
    show("new", [New], [{New, new} | Names]),
    New ! stop,
    dbg:p(new, [clear]),
    dbg:ctp(trace_dbg, fact, 1),

    p("p bad", dbg:p(W, [no_such_flag]), Names),
    p("p dead", dbg:p(list_to_pid("<0.9999.0>"), [c]), Names),
    p("stop", stop_dbg(), Names),
    p("after stop", erlang:trace_info(W, flags), Names),
    p("pattern after stop", erlang:trace_info({trace_dbg, f, 1}, traced), Names),

    %% dbg's own text for trace messages (pids given as atoms)
    Text = fun({trace, _, sync_marker, Ref}, Out) -> Main ! {synced, Ref}, Out;
              (Msg, Out) -> dbg:dhandler(mask(Msg, [{Main, main}, {W, w}, {W2, w2}]), Out)
           end,
    p("text tracer", dbg:tracer(process, {Text, user}), Names),
    dbg:p(W, [c, m, p]),
    dbg:tpl(trace_dbg, g, 1, x),
    dbg:tp(trace_dbg, fact, 1, c),
    call(W, fun() -> f(7) end),
    call(W, fun() -> f(300) end),
    call(W, fun() -> trace_dbg:fact(1) end),
    call(W, fun() -> exit(spawn(fun() -> receive after infinity -> ok end end), kill) end),
    sync([W]),
    stop_dbg(),
    W ! stop, W2 ! stop,
    ok.
