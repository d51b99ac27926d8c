%% erlang:process_info/1,2 on other processes, waiting, suspended, registered, dead and busy
%% on another scheduler (issue 3).
-module(proc_info).
-export([main/0, loop/0, a/0, gc_loop/0]).

loop() ->
    receive
        stop -> ok;
        {From, info, Items} -> From ! {info, process_info(self(), Items)}, loop()
    end.

%% A chain of non-tail calls that ends waiting in a receive.
a() -> X = b(), {X}.
b() -> X = c(), {X}.
c() -> receive stop -> ok end, done.

gc_loop() -> receive stop -> ok end.

main() ->
    lists:foreach(fun section/1,
                  [fun keys_tests/0,
                   fun single_item_tests/0,
                   fun link_monitor_tests/0,
                   fun dictionary_tests/0,
                   fun gc_tests/0,
                   fun misc_item_tests/0,
                   fun error_tests/0,
                   fun busy_tests/0]),
    ok.

%% Runs each section in a fresh process and waits for it; on a broken VM a crash or a
%% hang is reported and the next section still runs.
section(F) ->
    {name, Name} = erlang:fun_info(F, name),
    {Pid, Ref} = spawn_monitor(fun() ->
                        try F()
                        catch C:R -> io:format("section ~p crashed: ~p~n", [Name, {C, R}])
                        end
                end),
    receive
        {'DOWN', Ref, process, Pid, normal} -> ok;
        {'DOWN', Ref, process, Pid, Why} -> io:format("section ~p ended: ~p~n", [Name, Why])
    after 5000 ->
            exit(Pid, kill),
            receive {'DOWN', Ref, process, Pid, _} -> ok end,
            io:format("section ~p timed out~n", [Name])
    end.

%% Polls until P waits in a receive (gives up after about 2 s, or if P is dead).
wait_until_waiting(P) -> wait_until_waiting(P, 2000).

wait_until_waiting(_P, 0) -> gave_up;
wait_until_waiting(P, Tries) ->
    case process_info(P, status) of
        {status, waiting} -> ok;
        undefined -> dead;
        _ -> timer:sleep(1), wait_until_waiting(P, Tries - 1)
    end.

keys(L) -> [K || {K, _} <- L].

keys_tests() ->
    P = spawn(fun() -> receive stop -> ok end end),
    wait_until_waiting(P),
    I1 = process_info(P),
    io:format("info/1 keys: ~p~n", [keys(I1)]),
    register(proc_info_reg, P),
    I2 = process_info(P),
    io:format("info/1 keys registered: ~p~n", [keys(I2)]),
    io:format("registered_name value: ~p~n", [proplists_get(registered_name, I2)]),
    io:format("status/queue/links/dict/trap: ~p~n",
              [[proplists_get(K, I1) || K <- [status, message_queue_len, links, dictionary,
                                              trap_exit, error_handler, priority]]]),
    io:format("group leader is mine: ~p~n", [proplists_get(group_leader, I1) =:= group_leader()]),
    io:format("initial_call fun: ~p~n", [proplists_get(initial_call, I1)]),
    io:format("suspending: ~p~n", [proplists_get(suspending, I1)]),
    io:format("gc keys: ~p~n", [keys(proplists_get(garbage_collection, I1))]),
    Ints = [proplists_get(K, I1) || K <- [total_heap_size, heap_size, stack_size, reductions]],
    io:format("sizes positive ints: ~p~n", [[is_integer(V) andalso V > 0 || V <- Ints]]),
    P ! stop,
    %% spawn/3 gives an initial_call of the MFA.
    Q = spawn(?MODULE, loop, []),
    wait_until_waiting(Q),
    io:format("spawn/3 initial_call: ~p~n", [process_info(Q, initial_call)]),
    io:format("spawn/3 current_function: ~p~n", [process_info(Q, current_function)]),
    io:format("info/1 keys spawn/3: ~p~n", [keys(process_info(Q))]),
    Q ! stop.

proplists_get(K, L) ->
    case lists:keyfind(K, 1, L) of
        {K, V} -> V;
        false -> {missing, K}
    end.

single_item_tests() ->
    P = spawn(?MODULE, loop, []),
    wait_until_waiting(P),
    io:format("status: ~p~n", [process_info(P, status)]),
    io:format("self status: ~p~n", [process_info(self(), status)]),
    io:format("registered_name unregistered: ~p~n", [process_info(P, registered_name)]),
    io:format("registered_name in list: ~p~n", [process_info(P, [registered_name])]),
    register(proc_info_named, P),
    io:format("registered_name: ~p~n", [process_info(P, registered_name)]),
    io:format("registered_name in list: ~p~n", [process_info(P, [registered_name])]),
    unregister(proc_info_named),
    io:format("empty list: ~p~n", [process_info(P, [])]),
    io:format("repeated items: ~p~n", [process_info(P, [priority, priority, trap_exit])]),
    io:format("list order kept: ~p~n",
              [keys(process_info(P, [trap_exit, status, priority, message_queue_len]))]),
    %% Messages the process does not match stay queued and are visible.
    P ! {one, 1}, P ! <<"two">>, P ! [three],
    timer:sleep(10),
    io:format("message_queue_len: ~p~n", [process_info(P, message_queue_len)]),
    io:format("messages: ~p~n", [process_info(P, messages)]),
    io:format("both: ~p~n", [process_info(P, [message_queue_len, messages])]),
    %% Status of a suspended process.
    erlang:suspend_process(P),
    io:format("suspended status: ~p~n", [process_info(P, status)]),
    io:format("my suspending: ~p~n",
              [[{S =:= P, A, O} || {S, A, O} <- element(2, process_info(self(), suspending))]]),
    true = erlang:resume_process(P),
    io:format("resumed status: ~p~n", [process_info(P, status)]),
    io:format("my suspending after resume: ~p~n", [process_info(self(), suspending)]),
    %% The process answers about itself.
    P ! {self(), info, [status, message_queue_len, current_function]},
    receive {info, Own} -> io:format("own view: ~p~n", [Own]) end,
    P ! stop.

in_proc(F) ->
    Self = self(),
    Ref = make_ref(),
    spawn(fun() -> Self ! {Ref, F()} end),
    receive {Ref, R} -> R end.

link_monitor_tests() ->
    Target = spawn(?MODULE, loop, []),
    wait_until_waiting(Target),
    register(proc_info_target, Target),
    Res = in_proc(
            fun() ->
                    Me = self(),
                    L0 = process_info(Me, [links, monitors, monitored_by]),
                    link(Target),
                    M1 = monitor(process, Target),
                    L1 = process_info(Me, [links, monitors]),
                    T1 = process_info(Target, [links, monitored_by]),
                    demonitor(M1),
                    M2 = monitor(process, proc_info_target),
                    L2 = process_info(Me, monitors),
                    T2 = process_info(Target, monitored_by),
                    M3 = monitor(process, Target),
                    L3 = process_info(Me, monitors),
                    demonitor(M2), demonitor(M3),
                    unlink(Target),
                    L4 = process_info(Me, [links, monitors]),
                    T4 = process_info(Target, [links, monitored_by]),
                    [{empty, L0},
                     {mine_after_link_monitor, subst(L1, Me, Target)},
                     {target_sees, subst(T1, Me, Target)},
                     {by_name, subst(L2, Me, Target)},
                     {target_by_name, subst(T2, Me, Target)},
                     {both, lists:sort(element(2, subst(L3, Me, Target)))},
                     {cleared, L4},
                     {target_cleared, T4}]
            end),
    [io:format("~p: ~p~n", [K, V]) || {K, V} <- Res],
    %% Monitor of a name that is not registered: no entry, immediate DOWN noproc.
    Res2 = in_proc(fun() ->
                           M = monitor(process, no_such_proc_info_name),
                           D = receive {'DOWN', M, process, Who, Why} -> {Who, Why} end,
                           {D, process_info(self(), monitors)}
                   end),
    io:format("monitor unknown name: ~p~n", [subst(Res2, none, none)]),
    unregister(proc_info_target),
    Target ! stop.

%% Replaces the given pids by atoms so output does not show pids.
subst(T, Me, Other) when is_pid(T) ->
    if T =:= Me -> me; T =:= Other -> target; true -> other_pid end;
subst(T, Me, Other) when is_tuple(T) ->
    list_to_tuple(subst(tuple_to_list(T), Me, Other));
subst([H | T], Me, Other) -> [subst(H, Me, Other) | subst(T, Me, Other)];
subst(T, _, _) when T =:= node() -> this_node;
subst(T, _, _) -> T.

dictionary_tests() ->
    P = spawn(fun() ->
                      put(alpha, 1), put({b, 2}, "bee"),
                      receive stop -> ok end
              end),
    wait_until_waiting(P),
    {dictionary, D} = process_info(P, dictionary),
    io:format("dictionary: ~p~n", [lists:sort(D)]),
    %% {dictionary, Key} is OTP 26+: badarg on OTP 25.
    io:format("{dictionary, Key}: ~p~n",
              [catch_it(fun() -> process_info(P, {dictionary, alpha}) end)]),
    P ! stop,
    Q = spawn(fun() -> receive stop -> ok end end),
    wait_until_waiting(Q),
    io:format("empty dictionary: ~p~n", [process_info(Q, dictionary)]),
    Q ! stop.

gc_tests() ->
    P = spawn_opt(?MODULE, gc_loop, [], [{min_heap_size, 1000}, {fullsweep_after, 5},
                                          {min_bin_vheap_size, 100000}]),
    wait_until_waiting(P),
    {garbage_collection, GC} = process_info(P, garbage_collection),
    io:format("gc keys: ~p~n", [keys(GC)]),
    io:format("gc fullsweep_after: ~p~n", [proplists_get(fullsweep_after, GC)]),
    MHS = proplists_get(min_heap_size, GC),
    io:format("gc min_heap_size at least asked: ~p~n", [MHS >= 1000]),
    io:format("gc min_bin_vheap_size at least asked: ~p~n",
              [proplists_get(min_bin_vheap_size, GC) >= 100000]),
    io:format("gc max_heap_size: ~p~n", [proplists_get(max_heap_size, GC)]),
    {heap_size, HS} = process_info(P, heap_size),
    io:format("heap_size >= min_heap_size: ~p~n", [HS >= MHS]),
    [{min_heap_size, MH2}, {min_bin_vheap_size, MB2}, {fullsweep_after, _}] = process_info(P, [min_heap_size, min_bin_vheap_size, fullsweep_after]),
    io:format("separate items agree: ~p~n", [MH2 =:= MHS andalso MB2 =:= proplists_get(min_bin_vheap_size, GC)]),
    P ! stop,
    Q = spawn(?MODULE, gc_loop, []),
    wait_until_waiting(Q),
    {garbage_collection, GC2} = process_info(Q, garbage_collection),
    io:format("default gc fullsweep_after: ~p~n", [proplists_get(fullsweep_after, GC2)]),
    io:format("default gc min_heap_size below asked: ~p~n",
              [proplists_get(min_heap_size, GC2) < 1000]),
    [io:format("~p: ~p~n", [K, case process_info(Q, K) of
                                   {K, V} -> is_integer(V) andalso V > 0
                               end])
     || K <- [heap_size, total_heap_size, stack_size, memory, reductions]],
    Q ! stop.

misc_item_tests() ->
    Self = self(),
    P = spawn(?MODULE, loop, []),
    wait_until_waiting(P),
    Items = [catchlevel, trap_exit, error_handler, priority, message_queue_data,
             suspending, last_calls, trace, sequential_trace_token, links, monitors,
             monitored_by, message_queue_len],
    [io:format("~p: ~p~n", [I, process_info(P, I)]) || I <- Items],
    io:format("parent is me: ~p~n", [process_info(P, parent) =:= {parent, Self}]),
    io:format("group_leader is mine: ~p~n",
              [process_info(P, group_leader) =:= {group_leader, group_leader()}]),
    P ! stop,
    %% catchlevel inside a catch and a try.
    C = spawn(fun() -> catch (try receive stop -> ok end after ok end) end),
    wait_until_waiting(C),
    io:format("catchlevel in catch+try: ~p~n", [process_info(C, catchlevel)]),
    C ! stop,
    %% Current function and stack trace of a process in a chain of calls.
    S = spawn(?MODULE, a, []),
    wait_until_waiting(S),
    io:format("current_function: ~p~n", [process_info(S, current_function)]),
    {current_stacktrace, ST} = process_info(S, current_stacktrace),
    io:format("current_stacktrace: ~p~n", [ST]),
    io:format("current_location: ~p~n", [process_info(S, current_location)]),
    S ! stop,
    %% Options given at spawn show up.
    O = spawn_opt(?MODULE, loop, [], [{message_queue_data, off_heap}, {priority, low}]),
    wait_until_waiting(O),
    io:format("off_heap spawn: ~p~n", [process_info(O, [message_queue_data, priority])]),
    O ! stop,
    T = spawn(fun() -> process_flag(trap_exit, true),
                       process_flag(error_handler, my_handler),
                       receive stop -> ok end end),
    wait_until_waiting(T),
    io:format("flags set by process: ~p~n", [process_info(T, [trap_exit, error_handler])]),
    T ! stop,
    %% A process linked from both sides and monitored.
    L = spawn_link(?MODULE, loop, []),
    wait_until_waiting(L),
    {links, Links} = process_info(L, links),
    io:format("spawn_link links: ~p~n", [Links =:= [Self]]),
    unlink(L),
    L ! stop.

error_tests() ->
    {P, M} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', M, process, P, _} -> ok end,
    io:format("dead info/1: ~p~n", [process_info(P)]),
    io:format("dead item: ~p~n", [process_info(P, status)]),
    io:format("dead list: ~p~n", [process_info(P, [status, links])]),
    io:format("dead registered_name: ~p~n", [process_info(P, registered_name)]),
    Cases = [{"non-pid info/1", fun() -> process_info(self) end},
             {"atom info/2", fun() -> process_info(foo, status) end},
             {"port-like info/2", fun() -> process_info(make_ref(), status) end},
             {"unknown item", fun() -> process_info(self(), bogus_item) end},
             {"unknown item in list", fun() -> process_info(self(), [status, bogus_item]) end},
             {"unknown item dead", fun() -> process_info(P, bogus_item) end},
             {"improper list", fun() -> process_info(self(), [status | links]) end},
             {"integer item", fun() -> process_info(self(), 42) end},
             {"dictionary key", fun() -> process_info(self(), {dictionary, k}) end}],
    [io:format("~s: ~p~n", [N, catch_it(F)]) || {N, F} <- Cases],
    ok.

catch_it(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R -> {C, R}
    end.

%% A process busy computing (on another scheduler, or queued behind us).
busy_tests() ->
    Self = self(),
    B = spawn(fun() ->
                      Self ! started,
                      End = erlang:monotonic_time(millisecond) + 1000,
                      spin(End, 0),
                      receive stop -> ok end
              end),
    receive started -> ok end,
    Statuses = [begin
                    {status, St} = process_info(B, status),
                    timer:sleep(5),
                    St
                end || _ <- lists:seq(1, 5)],
    io:format("busy status running or runnable: ~p~n",
              [lists:all(fun(St) -> St =:= running orelse St =:= runnable end, Statuses)]),
    {reductions, R1} = process_info(B, reductions),
    timer:sleep(30),
    {reductions, R2} = process_info(B, reductions),
    io:format("busy reductions grow: ~p~n", [is_integer(R1) andalso R2 > R1]),
    io:format("busy message_queue_len: ~p~n", [process_info(B, message_queue_len)]),
    wait_until_waiting(B),
    io:format("then waiting: ~p~n", [process_info(B, status)]),
    B ! stop,
    ok.

spin(End, N) ->
    case erlang:monotonic_time(millisecond) >= End of
        true -> N;
        false -> spin(End, N + 1)
    end.
