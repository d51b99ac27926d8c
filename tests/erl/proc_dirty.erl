%% Dirty schedulers: system_info counts, the erts_debug dirty test BIFs (which run on dirty
%% CPU / dirty IO schedulers), ordinary processes making progress while every dirty CPU
%% scheduler is busy, messages and exit signals to a process executing dirty work, and a
%% large heap (whose collections run on a dirty CPU scheduler in the reference).
%%
%% Nothing here depends on timing: the dirty workers loop until they are told to stop, so
%% the ping-pong always happens while dirty work is in progress, however loaded the machine.
-module(proc_dirty).
-export([main/0]).

main() ->
    lists:foreach(fun section/1,
                  [fun info_tests/0,
                   fun debug_bif_tests/0,
                   fun badarg_tests/0,
                   fun executing_dirty_tests/0,
                   fun pingpong_tests/0,
                   fun message_tests/0,
                   fun kill_tests/0,
                   fun large_heap_tests/0]),
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

catch_it(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R -> {C, R}
    end.

%% Polls until Pred() holds, giving up after 3 s. It polls with erlang:yield/0 rather than
%% timer:sleep/1: on an overloaded machine the reference's sleeping schedulers can end up
%% waking only when the dirty process moves between schedulers, so a sleeping poller kept
%% missing a process that was executing dirty nearly all of the time.
wait_for(Pred) ->
    wait_for(Pred, erlang:monotonic_time(millisecond) + 3000).

wait_for(Pred, Deadline) ->
    case Pred() of
        true -> true;
        false ->
            case erlang:monotonic_time(millisecond) > Deadline of
                true -> false;
                false -> erlang:yield(), wait_for(Pred, Deadline)
            end
    end.

info_tests() ->
    S = erlang:system_info(schedulers),
    SO = erlang:system_info(schedulers_online),
    D = erlang:system_info(dirty_cpu_schedulers),
    DO = erlang:system_info(dirty_cpu_schedulers_online),
    IO = erlang:system_info(dirty_io_schedulers),
    %% By default there are as many dirty CPU schedulers as normal ones, but never more
    %% (with +S above the number of cores there are fewer), so only the bounds are printed.
    io:format("dirty_cpu_schedulers positive integer: ~p~n", [is_integer(D) andalso D >= 1]),
    io:format("dirty_cpu_schedulers =< schedulers: ~p~n", [D =< S]),
    io:format("dirty_cpu_schedulers_online =:= dirty_cpu_schedulers: ~p~n", [DO =:= D]),
    io:format("dirty_cpu_schedulers_online =< schedulers_online: ~p~n", [DO =< SO]),
    io:format("dirty_io_schedulers =:= 10: ~p~n", [IO =:= 10]),
    io:format("dirty_io_schedulers: ~p~n", [IO]).

debug_bif_tests() ->
    io:format("dirty_cpu(scheduler, type): ~p~n", [erts_debug:dirty_cpu(scheduler, type)]),
    io:format("dirty_io(scheduler, type): ~p~n", [erts_debug:dirty_io(scheduler, type)]),
    [io:format("dirty(~p, scheduler, type): ~p~n", [T, erts_debug:dirty(T, scheduler, type)])
     || T <- [normal, dirty_cpu, dirty_io]],
    io:format("dirty_cpu(wait, 10): ~p~n", [erts_debug:dirty_cpu(wait, 10)]),
    io:format("dirty_io(wait, 10): ~p~n", [erts_debug:dirty_io(wait, 10)]),
    io:format("dirty(normal, wait, 5): ~p~n", [erts_debug:dirty(normal, wait, 5)]),
    io:format("dirty_cpu(wait, 0): ~p~n", [erts_debug:dirty_cpu(wait, 0)]),
    %% A negative wait is not an error: it returns at once.
    io:format("dirty_cpu(wait, -1): ~p~n", [catch_it(fun() -> erts_debug:dirty_cpu(wait, -1) end)]),
    %% Many processes asking at once all get the right kind of scheduler.
    Self = self(),
    Kinds = [dirty_cpu, dirty_io, normal],
    Ps = [spawn(fun() -> Self ! {kind, self(), erts_debug:dirty(K, scheduler, type)} end)
          || _ <- lists:seq(1, 8), K <- Kinds],
    Got = [receive {kind, P, X} -> X end || P <- Ps],
    Expected = [K || _ <- lists:seq(1, 8), K <- Kinds],
    io:format("24 concurrent scheduler type queries: ~p~n", [Got =:= Expected]).

badarg_tests() ->
    Cases =
        [{"dirty_cpu(foo, bar)", fun() -> erts_debug:dirty_cpu(foo, bar) end},
         {"dirty_cpu(scheduler, id)", fun() -> erts_debug:dirty_cpu(scheduler, id) end},
         {"dirty_io(scheduler, id)", fun() -> erts_debug:dirty_io(scheduler, id) end},
         {"dirty(bad, scheduler, type)", fun() -> erts_debug:dirty(bad, scheduler, type) end},
         {"dirty_cpu(wait, foo)", fun() -> erts_debug:dirty_cpu(wait, foo) end},
         {"dirty_io(wait, 1.5)", fun() -> erts_debug:dirty_io(wait, 1.5) end},
         {"is_process_executing_dirty(foo)",
          fun() -> erts_internal:is_process_executing_dirty(foo) end}],
    [io:format("~s: ~p~n", [Name, catch_it(F)]) || {Name, F} <- Cases],
    ok.

executing_dirty_tests() ->
    io:format("is_process_executing_dirty(self()): ~p~n",
              [erts_internal:is_process_executing_dirty(self())]),
    {Dead, M} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', M, process, Dead, _} -> ok end,
    io:format("is_process_executing_dirty(dead): ~p~n",
              [erts_internal:is_process_executing_dirty(Dead)]),
    Waiter = spawn(fun() -> receive stop -> ok end end),
    io:format("is_process_executing_dirty(waiting): ~p~n",
              [erts_internal:is_process_executing_dirty(Waiter)]),
    Waiter ! stop,
    %% A process busy in a dirty BIF is seen executing dirty from outside.
    Self = self(),
    {Busy, BM} = spawn_monitor(fun() -> Self ! entering, dirty_loop(Self, 0) end),
    receive entering -> ok end,
    Seen = wait_for(fun() -> erts_internal:is_process_executing_dirty(Busy) end),
    io:format("busy process seen executing dirty: ~p~n", [Seen]),
    Busy ! stop,
    receive {looped, Busy, N} -> io:format("dirty loop iterations positive: ~p~n", [N > 0]) end,
    receive {'DOWN', BM, process, Busy, R} -> io:format("dirty looper exit: ~p~n", [R]) end.

%% Repeats a 20 ms dirty CPU wait until told to stop, then reports how many it did.
dirty_loop(Parent, N) ->
    ok = erts_debug:dirty_cpu(wait, 20),
    receive
        stop -> Parent ! {looped, self(), N + 1}
    after 0 -> dirty_loop(Parent, N + 1)
    end.

echo() ->
    receive
        {ping, From, I} -> From ! {pong, I}, echo();
        stop -> ok
    end.

pingpong(_Partner, 0) -> ok;
pingpong(Partner, I) ->
    Partner ! {ping, self(), I},
    receive {pong, I} -> pingpong(Partner, I - 1) end.

%% One more dirty CPU worker than there are dirty CPU schedulers, so every dirty CPU
%% scheduler is busy and one worker queues; the normal schedulers still run the main
%% process and its ping-pong partner.
pingpong_tests() ->
    N = erlang:system_info(dirty_cpu_schedulers) + 1,
    Self = self(),
    Ws = [spawn_link(fun() -> Self ! {started, self()}, dirty_loop(Self, 0) end)
          || _ <- lists:seq(1, N)],
    [receive {started, W} -> ok end || W <- Ws],
    Seen = wait_for(fun() ->
                            lists:any(fun erts_internal:is_process_executing_dirty/1, Ws)
                    end),
    io:format("a worker seen executing dirty: ~p~n", [Seen]),
    Partner = spawn_link(fun echo/0),
    R = pingpong(Partner, 20),
    %% The workers only finish when told to, so nothing of theirs may be here yet.
    NoneBefore = receive {looped, _, _} -> false after 0 -> true end,
    io:format("20 round trips while dirty CPU schedulers busy: ~p, no worker done yet: ~p~n",
              [R, NoneBefore]),
    Partner ! stop,
    [W ! stop || W <- Ws],
    Counts = [receive {looped, W, C} -> C end || W <- Ws],
    io:format("all dirty workers done: ~p~n",
              [length(Counts) =:= N andalso lists:all(fun(C) -> C >= 1 end, Counts)]),
    %% Dirty IO works the same way alongside.
    IOs = [spawn_link(fun() -> ok = erts_debug:dirty_io(wait, 30), Self ! {io_done, self()} end)
           || _ <- lists:seq(1, 4)],
    R2 = pingpong(spawn_link(fun echo/0), 20),
    io:format("round trips with dirty IO waits: ~p~n", [R2]),
    io:format("dirty IO waiters done: ~p~n",
              [[receive {io_done, P} -> done end || P <- IOs]]).

%% Messages sent while a process executes dirty work are received afterwards.
message_tests() ->
    Self = self(),
    {P, M} = spawn_monitor(fun() ->
                                   Self ! entering,
                                   ok = erts_debug:dirty_cpu(wait, 50),
                                   receive {ping, From} -> From ! {pong, self()} end,
                                   receive {ping2, From2} -> From2 ! {pong2, self()} end
                           end),
    receive entering -> ok end,
    P ! {ping, self()},
    io:format("message sent during dirty work answered: ~p~n",
              [receive {pong, P} -> true after 3000 -> false end]),
    P ! {ping2, self()},
    io:format("later message answered: ~p~n",
              [receive {pong2, P} -> true after 3000 -> false end]),
    receive {'DOWN', M, process, P, R} -> io:format("dirty worker exit: ~p~n", [R]) end,
    %% Same on a dirty IO scheduler, with a queue of messages kept in order.
    {P2, M2} = spawn_monitor(fun() ->
                                     Self ! entering,
                                     ok = erts_debug:dirty_io(wait, 50),
                                     L = [receive {n, I} -> I end || _ <- lists:seq(1, 5)],
                                     Self ! {got, self(), L}
                             end),
    receive entering -> ok end,
    [P2 ! {n, I} || I <- lists:seq(1, 5)],
    io:format("dirty io worker got: ~p~n",
              [receive {got, P2, L} -> L after 3000 -> timeout end]),
    receive {'DOWN', M2, process, P2, R2} -> io:format("dirty io worker exit: ~p~n", [R2]) end.

%% A kill signal to a process inside a dirty BIF takes effect once the BIF returns. The
%% victims repeat their dirty waits forever, so they are always in (or between) dirty calls
%% when the signal comes, however late that is.
dirty_forever(cpu) -> erts_debug:dirty_cpu(wait, 200), dirty_forever(cpu);
dirty_forever(io) -> erts_debug:dirty_io(wait, 100), dirty_forever(io).

kill_tests() ->
    Self = self(),
    {P, M} = spawn_monitor(fun() -> Self ! entering, dirty_forever(cpu) end),
    receive entering -> ok end,
    Seen = wait_for(fun() -> erts_internal:is_process_executing_dirty(P) end),
    io:format("victim seen executing dirty: ~p~n", [Seen]),
    exit(P, kill),
    receive {'DOWN', M, process, P, R} -> io:format("killed in dirty_cpu wait: ~p~n", [R]) end,
    io:format("alive after DOWN: ~p~n", [is_process_alive(P)]),
    io:format("executing dirty after DOWN: ~p~n",
              [erts_internal:is_process_executing_dirty(P)]),
    %% A linked process trapping exits gets the killed reason too.
    process_flag(trap_exit, true),
    P2 = spawn_link(fun() -> Self ! entering, dirty_forever(io) end),
    receive entering -> ok end,
    Seen2 = wait_for(fun() -> erts_internal:is_process_executing_dirty(P2) end),
    io:format("dirty io victim seen executing dirty: ~p~n", [Seen2]),
    exit(P2, kill),
    receive {'EXIT', P2, R2} -> io:format("killed in dirty_io wait (link): ~p~n", [R2]) end,
    %% Any other reason kills a process not trapping exits just the same, mid-dirty.
    {P3, M3} = spawn_monitor(fun() -> Self ! entering, dirty_forever(cpu) end),
    receive entering -> ok end,
    _ = wait_for(fun() -> erts_internal:is_process_executing_dirty(P3) end),
    exit(P3, shutdown),
    receive {'DOWN', M3, process, P3, R3} -> io:format("exit shutdown mid-dirty: ~p~n", [R3]) end,
    %% A normal exit signal is ignored by a process not trapping exits, even mid-dirty.
    {P4, M4} = spawn_monitor(fun() ->
                                     Self ! entering,
                                     erts_debug:dirty_cpu(wait, 50),
                                     Self ! {returned4, self()}
                             end),
    receive entering -> ok end,
    exit(P4, normal),
    io:format("normal exit signal ignored: ~p~n",
              [receive {returned4, P4} -> true after 3000 -> false end]),
    receive {'DOWN', M4, process, P4, R4} -> io:format("then exits: ~p~n", [R4]) end.

large_heap_tests() ->
    Self = self(),
    F = fun() ->
                L = lists:seq(1, 300000),
                %% More allocation while L stays live forces collections that copy it.
                Junk = churn(20, 0),
                true = erlang:garbage_collect(),
                Rev = lists:reverse(L),
                true = erlang:garbage_collect(self()),
                {heap_size, H} = process_info(self(), heap_size),
                Self ! {big, length(L), lists:sum(L), hd(Rev), Junk,
                        is_integer(H) andalso H >= 300000}
        end,
    {P, M} = spawn_monitor(F),
    receive
        {big, Len, Sum, Last, Junk, HeapOk} ->
            io:format("large list length: ~p, sum: ~p, last: ~p~n", [Len, Sum, Last]),
            io:format("churn result: ~p, heap holds the list: ~p~n", [Junk, HeapOk])
    end,
    receive {'DOWN', M, process, P, R} -> io:format("large heap process exit: ~p~n", [R]) end,
    %% A big heap from the start (min_heap_size), collected from outside.
    {P2, M2} = spawn_opt(fun() ->
                                 T = list_to_tuple(lists:seq(1, 200000)),
                                 receive go -> ok end,
                                 _ = churn(5, 0),
                                 Self ! {tuple, tuple_size(T), element(123456, T)}
                         end, [monitor, {min_heap_size, 500000}]),
    io:format("garbage_collect(other): ~p~n", [erlang:garbage_collect(P2)]),
    P2 ! go,
    receive {tuple, Sz, E} -> io:format("tuple size ~p, element ~p~n", [Sz, E]) end,
    receive {'DOWN', M2, process, P2, R2} -> io:format("min_heap_size process exit: ~p~n", [R2]) end.

%% Allocates and drops 20 lists of 50,000 elements, returning a checksum.
churn(0, Acc) -> Acc;
churn(N, Acc) ->
    L = [X * N || X <- lists:seq(1, 50000)],
    churn(N - 1, (Acc + lists:sum(L)) rem 1000003).
