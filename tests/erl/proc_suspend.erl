%% erlang:suspend_process/1,2 and erlang:resume_process/1 (issue 3).
-module(proc_suspend).
-export([main/0, wake/1]).

main() ->
    lists:foreach(fun section/1,
                  [fun basic_tests/0,
                   fun nesting_tests/0,
                   fun option_tests/0,
                   fun busy_tests/0,
                   fun suspender_tests/0,
                   fun signal_tests/0,
                   fun error_tests/0]),
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

try_it(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R -> {C, R}
    end.

pinger() ->
    receive
        {ping, From} -> From ! {pong, self()}, pinger();
        stop -> ok
    end.

ping(P, Timeout) ->
    P ! {ping, self()},
    receive {pong, P} -> pong after Timeout -> no_answer end.

%% Polls until P waits in a receive (gives up after about 2 s, or if P is dead).
wait_until_waiting(P) -> wait_until_waiting(P, 2000).

wait_until_waiting(_P, 0) -> gave_up;
wait_until_waiting(P, Tries) ->
    case process_info(P, status) of
        {status, waiting} -> ok;
        undefined -> dead;
        _ -> timer:sleep(1), wait_until_waiting(P, Tries - 1)
    end.

my_suspending(P) ->
    {suspending, L} = process_info(self(), suspending),
    [{A, O} || {S, A, O} <- L, S =:= P].

basic_tests() ->
    P = spawn(fun pinger/0),
    io:format("ping before: ~p~n", [ping(P, 1000)]),
    io:format("suspend: ~p~n", [erlang:suspend_process(P)]),
    io:format("status: ~p~n", [process_info(P, status)]),
    io:format("alive: ~p~n", [is_process_alive(P)]),
    io:format("ping while suspended: ~p~n", [ping(P, 100)]),
    io:format("queued: ~p~n", [process_info(P, message_queue_len)]),
    P ! {ping, self()},
    io:format("queued after second: ~p~n", [process_info(P, message_queue_len)]),
    io:format("my suspending: ~p~n", [my_suspending(P)]),
    io:format("resume: ~p~n", [erlang:resume_process(P)]),
    %% The two queued pings are answered now.
    Pongs = [receive {pong, P} -> pong after 1000 -> none end || _ <- [1, 2]],
    io:format("answers after resume: ~p~n", [Pongs]),
    wait_until_waiting(P),
    io:format("status after resume: ~p~n", [process_info(P, status)]),
    io:format("my suspending after resume: ~p~n", [my_suspending(P)]),
    P ! stop,
    ok.

nesting_tests() ->
    P = spawn(fun pinger/0),
    io:format("suspend 1: ~p~n", [erlang:suspend_process(P)]),
    io:format("suspend 2: ~p~n", [erlang:suspend_process(P)]),
    io:format("suspend 3: ~p~n", [erlang:suspend_process(P)]),
    io:format("count: ~p~n", [my_suspending(P)]),
    io:format("resume 1: ~p~n", [erlang:resume_process(P)]),
    io:format("status: ~p, ping: ~p~n", [process_info(P, status), ping(P, 50)]),
    io:format("resume 2: ~p~n", [erlang:resume_process(P)]),
    io:format("status: ~p~n", [process_info(P, status)]),
    io:format("count: ~p~n", [my_suspending(P)]),
    io:format("resume 3: ~p~n", [erlang:resume_process(P)]),
    io:format("queued ping answered: ~p~n", [receive {pong, P} -> pong after 1000 -> none end]),
    io:format("resume 4: ~p~n", [try_it(fun() -> erlang:resume_process(P) end)]),
    %% Two suspenders: each holds it suspended until it resumes.
    Self = self(),
    Other = spawn(fun() ->
                          true = erlang:suspend_process(P),
                          Self ! other_suspended,
                          receive resume -> Self ! {other_resumed, erlang:resume_process(P)} end,
                          receive stop -> ok end
                  end),
    receive other_suspended -> ok end,
    io:format("me too: ~p~n", [erlang:suspend_process(P)]),
    io:format("my count: ~p~n", [my_suspending(P)]),
    io:format("i resume: ~p~n", [erlang:resume_process(P)]),
    io:format("still suspended by other: ~p, ping: ~p~n", [process_info(P, status), ping(P, 50)]),
    io:format("cannot resume for it: ~p~n", [try_it(fun() -> erlang:resume_process(P) end)]),
    Other ! resume,
    receive {other_resumed, R} -> io:format("other resumes: ~p~n", [R]) end,
    io:format("queued ping answered: ~p~n", [receive {pong, P} -> pong after 1000 -> none end]),
    Other ! stop,
    P ! stop,
    ok.

option_tests() ->
    P = spawn(fun pinger/0),
    io:format("unless_suspending first: ~p~n",
              [erlang:suspend_process(P, [unless_suspending])]),
    io:format("unless_suspending again: ~p~n",
              [erlang:suspend_process(P, [unless_suspending])]),
    io:format("count: ~p~n", [my_suspending(P)]),
    io:format("plain suspend then: ~p~n", [erlang:suspend_process(P, [])]),
    io:format("count: ~p~n", [my_suspending(P)]),
    true = erlang:resume_process(P),
    true = erlang:resume_process(P),
    io:format("not suspended: ~p~n", [process_info(P, status) =/= {status, suspended}]),
    %% asynchronous: returns at once; the process is suspended by the time it would
    %% next run.
    io:format("asynchronous: ~p~n", [erlang:suspend_process(P, [asynchronous])]),
    io:format("ping after async suspend: ~p~n", [ping(P, 100)]),
    io:format("status: ~p~n", [process_info(P, status)]),
    io:format("count: ~p~n", [my_suspending(P)]),
    true = erlang:resume_process(P),
    receive {pong, P} -> ok end,
    %% {asynchronous, Tag}: a {Tag, State} reply.
    io:format("async tag: ~p~n", [erlang:suspend_process(P, [{asynchronous, my_tag}])]),
    io:format("reply: ~p~n", [receive {my_tag, S1} -> S1 after 1000 -> none end]),
    io:format("status: ~p~n", [process_info(P, status)]),
    io:format("async tag again: ~p~n", [erlang:suspend_process(P, [{asynchronous, my_tag}])]),
    io:format("reply: ~p~n", [receive {my_tag, S2} -> S2 after 1000 -> none end]),
    io:format("count: ~p~n", [my_suspending(P)]),
    io:format("async unless_suspending: ~p~n",
              [erlang:suspend_process(P, [unless_suspending, asynchronous])]),
    io:format("count: ~p~n", [my_suspending(P)]),
    true = erlang:resume_process(P),
    true = erlang:resume_process(P),
    io:format("not suspended: ~p~n", [process_info(P, status) =/= {status, suspended}]),
    io:format("tag + unless_suspending: ~p~n",
              [erlang:suspend_process(P, [{asynchronous, t2}, unless_suspending])]),
    io:format("reply: ~p~n", [receive {t2, S3} -> S3 after 1000 -> none end]),
    io:format("tag + unless_suspending again: ~p~n",
              [erlang:suspend_process(P, [{asynchronous, t2}, unless_suspending])]),
    io:format("reply: ~p~n", [receive {t2, S4} -> S4 after 1000 -> none end]),
    io:format("count: ~p~n", [my_suspending(P)]),
    true = erlang:resume_process(P),
    io:format("no more replies: ~p~n", [receive {t2, _} = X -> X after 50 -> none end]),
    P ! stop,
    ok.

spin(N) -> spin(N + 1).

%% A process computing on another scheduler stops making progress while suspended.
busy_tests() ->
    B = spawn(fun() -> spin(0) end),
    timer:sleep(20),
    true = erlang:suspend_process(B),
    io:format("busy status: ~p~n", [process_info(B, status)]),
    %% (the reference adds the last time slice's reductions just after suspending)
    timer:sleep(20),
    {reductions, R1} = process_info(B, reductions),
    timer:sleep(50),
    {reductions, R2} = process_info(B, reductions),
    io:format("no progress while suspended: ~p~n", [R1 =:= R2]),
    true = erlang:resume_process(B),
    timer:sleep(50),
    {reductions, R3} = process_info(B, reductions),
    io:format("progress after resume: ~p~n", [R3 > R2]),
    {St, _} = {process_info(B, status), ok},
    io:format("status after resume running or runnable: ~p~n",
              [St =:= {status, running} orelse St =:= {status, runnable}]),
    exit(B, kill),
    %% A hibernating process can be suspended and resumed, and stays hibernated.
    Self = self(),
    H = spawn(fun() -> erlang:hibernate(?MODULE, wake, [Self]) end),
    wait_hibernating(H),
    true = erlang:suspend_process(H),
    io:format("hibernating suspended: ~p~n", [process_info(H, [status, current_function])]),
    H ! wake_up,
    io:format("not woken while suspended: ~p~n",
              [receive {woke, _} -> woke after 100 -> no end]),
    true = erlang:resume_process(H),
    io:format("woken after resume: ~p~n", [receive {woke, M} -> M after 1000 -> no end]),
    ok.

wake(Parent) -> receive M -> Parent ! {woke, M} end.

wait_hibernating(P) -> wait_hibernating(P, 2000).

wait_hibernating(_P, 0) -> gave_up;
wait_hibernating(P, Tries) ->
    case process_info(P, current_function) of
        {current_function, {erlang, hibernate, 3}} -> timer:sleep(10);
        undefined -> dead;
        _ -> timer:sleep(1), wait_hibernating(P, Tries - 1)
    end.

%% When the suspender exits, its suspensions are released.
suspender_tests() ->
    P = spawn(fun pinger/0),
    Self = self(),
    {S, M} = spawn_monitor(fun() ->
                                   true = erlang:suspend_process(P),
                                   true = erlang:suspend_process(P),
                                   Self ! {suspended, process_info(P, status)}
                           end),
    receive {suspended, St} -> io:format("suspended by helper: ~p~n", [St]) end,
    receive {'DOWN', M, process, S, R} -> io:format("helper ended: ~p~n", [R]) end,
    io:format("ping after suspender died: ~p~n", [ping(P, 1000)]),
    io:format("status: ~p~n", [process_info(P, status)]),
    P ! stop,
    ok.

signal_tests() ->
    %% Exit signals still act on a suspended process.
    {P, M} = spawn_monitor(fun pinger/0),
    true = erlang:suspend_process(P),
    exit(P, shutdown),
    receive {'DOWN', M, process, P, R} -> io:format("exit to suspended: ~p~n", [R]) end,
    io:format("my suspending cleared: ~p~n", [my_suspending(P)]),
    {P2, M2} = spawn_monitor(fun pinger/0),
    true = erlang:suspend_process(P2),
    exit(P2, kill),
    receive {'DOWN', M2, process, P2, R2} -> io:format("kill to suspended: ~p~n", [R2]) end,
    %% exit(P, normal) is ignored: it stays suspended.
    P3 = spawn(fun pinger/0),
    true = erlang:suspend_process(P3),
    exit(P3, normal),
    timer:sleep(20),
    io:format("exit normal to suspended: ~p~n", [process_info(P3, status)]),
    true = erlang:resume_process(P3),
    io:format("ping: ~p~n", [ping(P3, 1000)]),
    %% A trapping suspended process gets the 'EXIT' as a message after resume.
    Self = self(),
    P4 = spawn(fun() ->
                       process_flag(trap_exit, true),
                       Self ! trapping,
                       receive {'EXIT', From, Why} -> Self ! {trapped, From =:= Self, Why} end
               end),
    receive trapping -> ok end,
    true = erlang:suspend_process(P4),
    exit(P4, please),
    io:format("trapped while suspended: ~p~n",
              [receive {trapped, _, _} = T -> T after 100 -> not_yet end]),
    true = erlang:resume_process(P4),
    io:format("trapped after resume: ~p~n",
              [receive {trapped, _, _} = T2 -> T2 after 1000 -> none end]),
    P3 ! stop,
    ok.

error_tests() ->
    {D, M} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', M, process, D, _} -> ok end,
    P = spawn(fun pinger/0),
    Cases = [{"suspend self", fun() -> erlang:suspend_process(self()) end},
             {"suspend self async", fun() -> erlang:suspend_process(self(), [asynchronous]) end},
             {"suspend dead", fun() -> erlang:suspend_process(D) end},
             {"suspend dead unless_suspending", fun() -> erlang:suspend_process(D, [unless_suspending]) end},
             {"suspend dead async", fun() -> erlang:suspend_process(D, [asynchronous]) end},
             {"suspend atom", fun() -> erlang:suspend_process(some_name) end},
             {"suspend bad option", fun() -> erlang:suspend_process(P, [bogus]) end},
             {"suspend options not list", fun() -> erlang:suspend_process(P, asynchronous) end},
             {"resume not suspended", fun() -> erlang:resume_process(P) end},
             {"resume self", fun() -> erlang:resume_process(self()) end},
             {"resume dead", fun() -> erlang:resume_process(D) end},
             {"resume atom", fun() -> erlang:resume_process(some_name) end}],
    [io:format("~s: ~p~n", [N, try_it(F)]) || {N, F} <- Cases],
    io:format("suspend dead async tag: ~p~n",
              [erlang:suspend_process(D, [{asynchronous, dead_tag}])]),
    io:format("reply: ~p~n", [receive {dead_tag, S} -> S after 1000 -> none end]),
    io:format("ping still works: ~p~n", [ping(P, 1000)]),
    P ! stop,
    ok.
