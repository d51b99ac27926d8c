%% spawn_opt/2,3,4,5 options and process_flag/2 (issue 3).
-module(proc_spawn_opt).
-export([main/0, echo/1, wait/0]).

echo(To) -> To ! {echo, self()}.

wait() -> receive stop -> ok end.

main() ->
    lists:foreach(fun section/1,
                  [fun arity_tests/0,
                   fun link_monitor_tests/0,
                   fun priority_tests/0,
                   fun heap_tests/0,
                   fun max_heap_tests/0,
                   fun mqd_tests/0,
                   fun bad_option_tests/0,
                   fun process_flag_tests/0]),
    io:format("yield: ~p~n", [erlang:yield()]),
    ok.

%% Runs each section in a fresh process and waits for it; on a broken VM a crash or a
%% hang is reported and the next section still runs.
section(F) ->
    {name, Name} = erlang:fun_info(F, name),
    {Pid, Ref} = spawn_monitor(fun() ->
                        process_flag(trap_exit, true),
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

try_it(F) ->
    try F() of
        V -> {ok, shape(V)}
    catch
        C:R -> {C, R}
    end.

%% Hides pids and refs.
shape(P) when is_pid(P) -> pid;
shape(R) when is_reference(R) -> ref;
shape(T) when is_tuple(T) -> list_to_tuple([shape(E) || E <- tuple_to_list(T)]);
shape(L) when is_list(L) -> [shape(E) || E <- L];
shape(X) -> X.

%% Polls until P waits in a receive (gives up after about 2 s, or if P is dead).
wait_until_waiting(P) -> wait_until_waiting(P, 2000).

wait_until_waiting(_P, 0) -> gave_up;
wait_until_waiting(P, Tries) ->
    case process_info(P, status) of
        {status, waiting} -> ok;
        undefined -> dead;
        _ -> timer:sleep(1), wait_until_waiting(P, Tries - 1)
    end.

arity_tests() ->
    Self = self(),
    P2 = spawn_opt(fun() -> Self ! {two, self()} end, []),
    receive {two, P2} -> io:format("spawn_opt/2 ran~n") end,
    P3 = spawn_opt(node(), fun() -> Self ! {three, self()} end, []),
    receive {three, P3} -> io:format("spawn_opt/3 ran~n") end,
    P4 = spawn_opt(?MODULE, echo, [Self], []),
    receive {echo, P4} -> io:format("spawn_opt/4 ran~n") end,
    P5 = spawn_opt(node(), ?MODULE, echo, [Self], []),
    receive {echo, P5} -> io:format("spawn_opt/5 ran~n") end,
    io:format("initial_call of spawn_opt/4: ~p~n",
              [begin
                   W = spawn_opt(?MODULE, wait, [], []),
                   wait_until_waiting(W),
                   I = process_info(W, initial_call),
                   W ! stop,
                   I
               end]),
    ok.

link_monitor_tests() ->
    Self = self(),
    %% link
    L = spawn_opt(fun() -> receive go -> exit(linked_bye) end end, [link]),
    {links, Ls} = process_info(self(), links),
    io:format("link set at spawn: ~p~n", [lists:member(L, Ls)]),
    L ! go,
    receive {'EXIT', L, R1} -> io:format("linked exit: ~p~n", [R1]) end,
    %% monitor
    Res = spawn_opt(fun() -> receive go -> exit(mon_bye) end end, [monitor]),
    {MP, MR} = Res,
    io:format("monitor result shape: ~p~n", [shape(Res)]),
    MP ! go,
    receive {'DOWN', MR, process, MP, R2} -> io:format("monitor DOWN: ~p~n", [R2]) end,
    %% link and monitor
    {LMP, LMR} = spawn_opt(fun() -> exit(both_bye) end, [link, monitor]),
    receive {'DOWN', LMR, process, LMP, R3} -> io:format("link+monitor DOWN: ~p~n", [R3]) end,
    receive {'EXIT', LMP, R4} -> io:format("link+monitor EXIT: ~p~n", [R4]) end,
    %% spawn_opt/4,5 with monitor
    {P4, M4} = spawn_opt(?MODULE, echo, [Self], [monitor]),
    receive {echo, P4} -> ok end,
    receive {'DOWN', M4, process, P4, R5} -> io:format("spawn_opt/4 monitor: ~p~n", [R5]) end,
    {P5, M5} = spawn_opt(node(), ?MODULE, echo, [Self], [monitor]),
    receive {echo, P5} -> ok end,
    receive {'DOWN', M5, process, P5, R6} -> io:format("spawn_opt/5 monitor: ~p~n", [R6]) end,
    %% {monitor, MonitorOpts} (OTP 24+)
    {P6, M6} = spawn_opt(fun() -> exit(opts_bye) end, [{monitor, []}]),
    receive {'DOWN', M6, process, P6, R7} -> io:format("{monitor, []}: ~p~n", [R7]) end,
    {P7, M7} = spawn_opt(fun() -> exit(tag_bye) end, [{monitor, [{tag, my_tag}]}]),
    receive
        {my_tag, M7, process, P7, R8} -> io:format("{monitor, [{tag, my_tag}]}: ~p~n", [R8])
    end,
    {P8, M8} = spawn_opt(fun() -> receive go -> exit(alias_bye) end end,
                         [{monitor, [{alias, demonitor}]}]),
    P8 ! go,
    receive {'DOWN', M8, process, P8, R9} -> io:format("{monitor, [{alias, demonitor}]}: ~p~n", [R9]) end,
    io:format("{monitor, bad}: ~p~n",
              [try_it(fun() -> spawn_opt(fun() -> ok end, [{monitor, [bogus]}]) end)]),
    io:format("{monitor, notlist}: ~p~n",
              [try_it(fun() -> spawn_opt(fun() -> ok end, [{monitor, bogus}]) end)]),
    %% Neither: a plain pid.
    io:format("no options result: ~p~n", [shape(spawn_opt(fun() -> ok end, []))]),
    ok.

priority_tests() ->
    Self = self(),
    [begin
         P = spawn_opt(fun() ->
                               {priority, Pr} = process_info(self(), priority),
                               Self ! {prio, self(), Pr}
                       end, [{priority, Prio}]),
         receive {prio, P, Got} -> io:format("spawn priority ~p -> ~p~n", [Prio, Got]) end
     end || Prio <- [max, high, normal, low]],
    W = spawn_opt(?MODULE, wait, [], [{priority, low}]),
    wait_until_waiting(W),
    io:format("seen from outside: ~p~n", [process_info(W, priority)]),
    W ! stop,
    ok.

heap_tests() ->
    P = spawn_opt(?MODULE, wait, [], [{min_heap_size, 1000}, {min_bin_vheap_size, 100000},
                                      {fullsweep_after, 0}]),
    wait_until_waiting(P),
    {garbage_collection, GC} = process_info(P, garbage_collection),
    [io:format("gc ~p: ~p~n", [K, V]) || {K, V} <- GC, K =/= minor_gcs],
    [{heap_size, H}, {min_heap_size, MH}] = process_info(P, [heap_size, min_heap_size]),
    io:format("heap_size >= min_heap_size >= 1000: ~p~n", [H >= MH andalso MH >= 1000]),
    P ! stop,
    D = spawn_opt(?MODULE, wait, [], []),
    wait_until_waiting(D),
    {garbage_collection, GCD} = process_info(D, garbage_collection),
    [io:format("default gc ~p: ~p~n", [K, V]) || {K, V} <- GCD, K =/= minor_gcs],
    D ! stop,
    %% A big min_heap_size process still works.
    Self = self(),
    spawn_opt(fun() -> Self ! {sum, lists:sum(lists:seq(1, 10000))} end,
              [{min_heap_size, 100000}, {fullsweep_after, 10}]),
    receive {sum, S} -> io:format("big heap process: ~p~n", [S]) end,
    ok.

max_heap_tests() ->
    Limits = [{max_heap_size, 100000},
              {max_heap_size, #{size => 100000}},
              {max_heap_size, #{size => 100000, kill => false}},
              {max_heap_size, #{size => 100000, error_logger => false}},
              {max_heap_size, #{size => 0}},
              {max_heap_size, 0}],
    [begin
         P = spawn_opt(?MODULE, wait, [], [Opt]),
         wait_until_waiting(P),
         {max_heap_size, V} = process_info(P, max_heap_size),
         io:format("~p -> ~p~n", [Opt, V]),
         P ! stop
     end || Opt <- Limits],
    %% A process exceeding its limit with kill => true dies with reason killed.
    {K, KM} = spawn_opt(fun() ->
                                L = lists:seq(1, 1000000),
                                exit({survived, length(L)})
                        end,
                        [monitor, {max_heap_size,
                                   #{size => 10000, kill => true, error_logger => false}}]),
    receive {'DOWN', KM, process, K, KR} -> io:format("over limit, kill: ~p~n", [KR]) end,
    %% kill => false: it keeps running.
    {N, NM} = spawn_opt(fun() ->
                                L = lists:seq(1, 100000),
                                exit({survived, length(L)})
                        end,
                        [monitor, {max_heap_size,
                                   #{size => 10000, kill => false, error_logger => false}}]),
    receive {'DOWN', NM, process, N, NR} -> io:format("over limit, no kill: ~p~n", [NR]) end,
    %% Set by the process itself.
    {F, FM} = spawn_opt(fun() ->
                                process_flag(max_heap_size,
                                             #{size => 10000, kill => true, error_logger => false}),
                                L = lists:seq(1, 1000000),
                                exit({survived, length(L)})
                        end, [monitor]),
    receive {'DOWN', FM, process, F, FR} -> io:format("flag limit, kill: ~p~n", [FR]) end,
    %% Linked: the parent (trapping) gets an EXIT killed and keeps running.
    LP = spawn_opt(fun() ->
                           L = lists:seq(1, 1000000),
                           exit({survived, length(L)})
                   end,
                   [link, {max_heap_size, #{size => 10000, error_logger => false}}]),
    receive {'EXIT', LP, LR} -> io:format("linked over limit: ~p~n", [LR]) end,
    %% A limit the process stays under.
    {U, UM} = spawn_opt(fun() -> exit({ok, lists:sum(lists:seq(1, 100))}) end,
                        [monitor, {max_heap_size, #{size => 100000, error_logger => false}}]),
    receive {'DOWN', UM, process, U, UR} -> io:format("under limit: ~p~n", [UR]) end,
    io:format("parent still running: ~p~n", [is_process_alive(self())]),
    ok.

mqd_tests() ->
    [begin
         P = spawn_opt(?MODULE, wait, [], [{message_queue_data, M}]),
         wait_until_waiting(P),
         P ! a, P ! b,
         io:format("message_queue_data ~p: ~p ~p~n",
                   [M, process_info(P, message_queue_data), process_info(P, messages)]),
         P ! stop
     end || M <- [off_heap, on_heap]],
    ok.

bad_option_tests() ->
    F = fun() -> ok end,
    Bad = [[bogus], bogus, [link | x], [{priority, urgent}], [{priority, 1}],
           [{min_heap_size, -1}], [{min_heap_size, big}], [{min_bin_vheap_size, -1}],
           [{fullsweep_after, -1}], [{max_heap_size, -1}], [{max_heap_size, #{}}],
           [{max_heap_size, #{kill => true}}], [{max_heap_size, #{size => 100, kill => maybe}}],
           [{max_heap_size, #{size => 1000, error_logger => 1}}],
           [{min_heap_size, 5000}, {max_heap_size, 1000}],
           [{message_queue_data, middle}], [sensitive], [{sensitive, true}],
           [{link, true}], [monitor, {monitor, x}]],
    [io:format("spawn_opt ~p: ~p~n", [O, try_it(fun() -> spawn_opt(F, O) end)]) || O <- Bad],
    io:format("spawn_opt/4 bad: ~p~n",
              [try_it(fun() -> spawn_opt(?MODULE, wait, [], [bogus]) end)]),
    io:format("spawn_opt/4 args not list: ~p~n",
              [try_it(fun() -> spawn_opt(?MODULE, wait, notlist, []) end)]),
    io:format("spawn_opt/4 module not atom: ~p~n",
              [try_it(fun() -> spawn_opt("m", wait, [], []) end)]),
    io:format("spawn_opt/2 not fun: ~p~n", [try_it(fun() -> spawn_opt(notfun, []) end)]),
    io:format("spawn_opt/5 bad: ~p~n",
              [try_it(fun() -> spawn_opt(node(), ?MODULE, wait, [], [{priority, x}]) end)]),
    ok.

process_flag_tests() ->
    Self = self(),
    spawn_opt(fun() -> Self ! {flags, flag_steps()} end, []),
    receive {flags, Steps} -> [io:format("~s: ~p~n", [N, V]) || {N, V} <- Steps] end,
    ok.

flag_steps() ->
    [{"priority high (old)", process_flag(priority, high)},
     {"priority max (old)", process_flag(priority, max)},
     {"priority low (old)", process_flag(priority, low)},
     {"priority normal (old)", process_flag(priority, normal)},
     {"priority now", process_info(self(), priority)},
     {"trap_exit true (old)", process_flag(trap_exit, true)},
     {"trap_exit false (old)", process_flag(trap_exit, false)},
     {"max_heap_size 100000 (old)", process_flag(max_heap_size, 100000)},
     {"max_heap_size map (old)",
      process_flag(max_heap_size, #{size => 200000, kill => false})},
     {"max_heap_size 0 (old)", process_flag(max_heap_size, 0)},
     {"max_heap_size now", process_info(self(), max_heap_size)},
     {"min_heap_size 1000 (old)", process_flag(min_heap_size, 1000)},
     {"min_heap_size 233 (old) >= 1000",
      case process_flag(min_heap_size, 233) of
          V when is_integer(V) -> V >= 1000;
          V -> V
      end},
     {"min_bin_vheap_size (old)", process_flag(min_bin_vheap_size, 46422)},
     {"message_queue_data off_heap (old)", process_flag(message_queue_data, off_heap)},
     {"message_queue_data on_heap (old)", process_flag(message_queue_data, on_heap)},
     {"sensitive true (old)", process_flag(sensitive, true)},
     {"sensitive false (old)", process_flag(sensitive, false)},
     {"error_handler (old)", process_flag(error_handler, my_handler)},
     {"error_handler back (old)", process_flag(error_handler, error_handler)},
     {"save_calls 0 (old)", process_flag(save_calls, 0)},
     {"bad flag", try_it(fun() -> process_flag(bogus_flag, true) end)},
     {"trap_exit bad value", try_it(fun() -> process_flag(trap_exit, maybe) end)},
     {"priority bad value", try_it(fun() -> process_flag(priority, urgent) end)},
     {"max_heap_size bad", try_it(fun() -> process_flag(max_heap_size, -5) end)},
     {"max_heap_size bad map", try_it(fun() -> process_flag(max_heap_size, #{kill => true}) end)},
     {"min_heap_size bad", try_it(fun() -> process_flag(min_heap_size, -1) end)},
     {"message_queue_data bad", try_it(fun() -> process_flag(message_queue_data, x) end)},
     {"sensitive bad", try_it(fun() -> process_flag(sensitive, 1) end)},
     {"error_handler bad", try_it(fun() -> process_flag(error_handler, "h") end)},
     {"process_flag/3 priority", try_it(fun() -> process_flag(self(), priority, high) end)},
     {"yield in child", erlang:yield()}].
