%% Ordering of messages and exit signals between a pair of processes, and exit/link/
%% monitor semantics (issue 3). Everything printed follows from the signal-ordering
%% guarantee, whatever the number of schedulers.
-module(proc_exit_order).
-export([main/0]).

-define(N, 1000).

main() ->
    lists:foreach(fun section/1,
                  [fun trapping_order_tests/0,
                   fun non_trapping_order_tests/0,
                   fun down_after_messages_tests/0,
                   fun exit_self_tests/0,
                   fun exit_other_tests/0,
                   fun link_tests/0,
                   fun monitor_tests/0,
                   fun demonitor_tests/0,
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
        V when is_reference(V) -> {ok, ref};
        V -> {ok, V}
    catch
        C:R -> {C, R}
    end.

%% B traps exits; A sends m1..mN then exit(B, some_reason): B gets all N messages,
%% in order, and then the 'EXIT' message.
trapping_order_tests() ->
    Self = self(),
    B = spawn(fun() ->
                      process_flag(trap_exit, true),
                      Self ! {b_ready, self()},
                      Self ! {b_result, take_all([])}
              end),
    receive {b_ready, B} -> ok end,
    A = spawn(fun() ->
                      [B ! {m, I} || I <- lists:seq(1, ?N)],
                      exit(B, some_reason),
                      receive never -> ok end
              end),
    receive
        {b_result, {Msgs, {'EXIT', From, Why}}} ->
            io:format("trapping: ~p messages, in order ~p, then EXIT from A: ~p ~p~n",
                      [length(Msgs), Msgs =:= lists:seq(1, ?N), From =:= A, Why])
    end,
    exit(A, kill),
    %% The same with a message after the exit: it comes after the 'EXIT'.
    B2 = spawn(fun() ->
                       process_flag(trap_exit, true),
                       Self ! b2_ready,
                       L = [receive X -> tag(X) end || _ <- lists:seq(1, 5)],
                       Self ! {b2_result, L}
               end),
    receive b2_ready -> ok end,
    B2 ! {m, 1}, exit(B2, r1), B2 ! {m, 2}, exit(B2, r2), B2 ! {m, 3},
    receive {b2_result, L2} -> io:format("interleaved: ~p~n", [L2]) end,
    ok.

tag({m, I}) -> I;
tag({'EXIT', _, R}) -> {exit, R}.

take_all(Acc) ->
    receive
        {m, I} -> take_all([I | Acc]);
        {'EXIT', _, _} = E -> {lists:reverse(Acc), E}
    end.

%% B does not trap exits. It handles messages one by one and reports each to C; then
%% A's exit signal kills it. How many B handled is not fixed, but C sees a prefix of
%% 1..N in order, then B's DOWN with A's reason, and nothing from B after that.
non_trapping_order_tests() ->
    Self = self(),
    C = spawn(fun() ->
                      receive {watch, B} -> ok end,
                      M = monitor(process, B),
                      Self ! c_watching,
                      Seen = c_collect(M, []),
                      Late = receive {seen, _} -> late after 100 -> none end,
                      Self ! {c_result, Seen, Late}
              end),
    B = spawn(fun() ->
                      receive {report_to, C} -> ok end,
                      b_loop(C)
              end),
    C ! {watch, B},
    receive c_watching -> ok end,
    B ! {report_to, C},
    A = spawn(fun() ->
                      [B ! {m, I} || I <- lists:seq(1, ?N)],
                      exit(B, some_reason),
                      Self ! a_done
              end),
    receive a_done -> ok end,
    receive
        {c_result, {Seen, Why}, Late} ->
            K = length(Seen),
            io:format("non-trapping: reports are a prefix in order: ~p, at most N: ~p~n",
                      [Seen =:= lists:seq(1, K), K =< ?N]),
            io:format("non-trapping: DOWN reason ~p, report after DOWN: ~p~n", [Why, Late])
    end,
    _ = A,
    %% B waits only for go, which never comes: the messages stay queued, it dies with
    %% A's reason.
    W = spawn(fun() -> receive go -> ok end end),
    WM = monitor(process, W),
    Self2 = self(),
    spawn(fun() ->
                  [W ! {m, I} || I <- lists:seq(1, ?N)],
                  Self2 ! {queued, process_info(W, message_queue_len)},
                  exit(W, some_reason)
          end),
    receive {queued, Q} -> io:format("queued before the exit signal: ~p~n", [Q]) end,
    receive {'DOWN', WM, process, W, WR} -> io:format("selective waiter died: ~p~n", [WR]) end,
    ok.

b_loop(C) ->
    receive {m, I} -> C ! {seen, I}, b_loop(C) end.

c_collect(M, Acc) ->
    receive
        {seen, I} -> c_collect(M, [I | Acc]);
        {'DOWN', M, process, _, Why} -> {lists:reverse(Acc), Why}
    end.

%% Messages a process sends before it dies arrive before its DOWN and 'EXIT'.
down_after_messages_tests() ->
    Self = self(),
    {P, M} = spawn_monitor(fun() ->
                                   [Self ! {d, I} || I <- lists:seq(1, ?N)],
                                   exit(done_sending)
                           end),
    {Got, Why} = collect_until_down(M, []),
    io:format("before DOWN: ~p in order ~p, reason ~p~n",
              [length(Got), Got =:= lists:seq(1, ?N), Why]),
    _ = P,
    R = spawn(fun() ->
                      process_flag(trap_exit, true),
                      L = spawn_link(fun() ->
                                             [Self ! {e, I} || I <- lists:seq(1, 10)],
                                             exit(linked_done)
                                     end),
                      receive {'EXIT', L, LR} -> Self ! {relay_exit, LR} end
              end),
    Es = [receive {e, I} -> I end || _ <- lists:seq(1, 10)],
    receive {relay_exit, LR} -> io:format("linked: ~p then EXIT ~p~n", [Es, LR]) end,
    _ = R,
    ok.

collect_until_down(M, Acc) ->
    receive
        {d, I} -> collect_until_down(M, [I | Acc]);
        {'DOWN', M, process, _, Why} -> {lists:reverse(Acc), Why}
    end.

exit_self_tests() ->
    Self = self(),
    {P1, M1} = spawn_monitor(fun() -> exit(self(), normal), Self ! still_alive end),
    receive
        still_alive -> io:format("exit(self(), normal): still alive~n");
        {'DOWN', M1, process, P1, R1} -> io:format("exit(self(), normal): ~p~n", [R1])
    end,
    {P2, M2} = spawn_monitor(fun() ->
                                     process_flag(trap_exit, true),
                                     exit(self(), normal),
                                     Self ! {trapped_self, receive {'EXIT', F, W} -> {F =:= self(), W} after 1000 -> none end}
                             end),
    receive {trapped_self, T2} -> io:format("trapping exit(self(), normal): ~p~n", [T2]) end,
    receive {'DOWN', M2, process, P2, R2} -> io:format("then ended: ~p~n", [R2]) end,
    {P3, M3} = spawn_monitor(fun() -> exit(self(), my_reason), Self ! still_alive end),
    receive
        still_alive -> io:format("exit(self(), my_reason): still alive~n");
        {'DOWN', M3, process, P3, R3} -> io:format("exit(self(), my_reason): ~p~n", [R3])
    end,
    {P4, M4} = spawn_monitor(fun() ->
                                     process_flag(trap_exit, true),
                                     exit(self(), kill),
                                     Self ! still_alive
                             end),
    receive
        still_alive -> io:format("trapping exit(self(), kill): still alive~n");
        {'DOWN', M4, process, P4, R4} -> io:format("trapping exit(self(), kill): ~p~n", [R4])
    end,
    {P5, M5} = spawn_monitor(fun() -> exit(normal) end),
    receive {'DOWN', M5, process, P5, R5} -> io:format("exit(normal): ~p~n", [R5]) end,
    ok.

exit_other_tests() ->
    Self = self(),
    P = spawn(fun() -> receive stop -> Self ! {stopped, self()} end end),
    M = monitor(process, P),
    exit(P, normal),
    P ! stop,
    receive
        {stopped, P} -> io:format("exit(P, normal) ignored, process ran on~n");
        {'DOWN', M, process, P, R} -> io:format("exit(P, normal) killed it: ~p~n", [R])
    end,
    receive {'DOWN', M, process, P, R0} -> io:format("then: ~p~n", [R0]) end,
    T = spawn(fun() -> process_flag(trap_exit, true), receive never -> ok end end),
    TM = monitor(process, T),
    exit(T, kill),
    receive {'DOWN', TM, process, T, R1} -> io:format("exit(trapping, kill): ~p~n", [R1]) end,
    T2 = spawn(fun() ->
                       process_flag(trap_exit, true),
                       Self ! t2_ready,
                       receive {'EXIT', F, W} -> Self ! {t2, F =:= Self, W} end
               end),
    receive t2_ready -> ok end,
    exit(T2, normal),
    receive {t2, FromMe, W2} -> io:format("trapping gets exit(P, normal): ~p ~p~n", [FromMe, W2]) end,
    T3 = spawn(fun() ->
                       process_flag(trap_exit, true),
                       Self ! t3_ready,
                       receive {'EXIT', _, W} -> Self ! {t3, W} end
               end),
    receive t3_ready -> ok end,
    exit(T3, killed),
    receive {t3, W3} -> io:format("trapping gets exit(P, killed): ~p~n", [W3]) end,
    N = spawn(fun() -> receive never -> ok end end),
    NM = monitor(process, N),
    exit(N, killed),
    receive {'DOWN', NM, process, N, R4} -> io:format("exit(P, killed): ~p~n", [R4]) end,
    ok.

link_tests() ->
    Self = self(),
    %% Linked process exits normal: no effect on a non-trapping partner.
    {P, M} = spawn_monitor(fun() ->
                                   L = spawn_link(fun() -> ok end),
                                   timer:sleep(50),
                                   Self ! {partner_alive, is_process_alive(L)},
                                   receive never -> ok end
                           end),
    receive {partner_alive, A} -> io:format("after linked normal exit, partner dead: ~p~n", [not A]) end,
    io:format("non-trapping survivor alive: ~p~n", [is_process_alive(P)]),
    exit(P, kill),
    receive {'DOWN', M, process, P, _} -> ok end,
    %% Trapping: an 'EXIT' normal message.
    spawn(fun() ->
                  process_flag(trap_exit, true),
                  L = spawn_link(fun() -> ok end),
                  receive {'EXIT', L, R} -> Self ! {trap_normal, R} end
          end),
    receive {trap_normal, R1} -> io:format("trapping, linked exits normal: ~p~n", [R1]) end,
    %% Non-normal reason kills a non-trapping partner with the same reason.
    {P2, M2} = spawn_monitor(fun() ->
                                     _ = spawn_link(fun() -> exit(partner_failed) end),
                                     receive never -> ok end
                             end),
    receive {'DOWN', M2, process, P2, R2} -> io:format("propagated: ~p~n", [R2]) end,
    %% kill through a link arrives as killed.
    {P3, M3} = spawn_monitor(fun() ->
                                     L = spawn_link(fun() -> receive never -> ok end end),
                                     Self ! {victim, L},
                                     receive never -> ok end
                             end),
    receive {victim, V} -> exit(V, kill) end,
    receive {'DOWN', M3, process, P3, R3} -> io:format("kill of linked partner: ~p~n", [R3]) end,
    %% A chain: kill the end, killed travels along.
    {P4, M4} = spawn_monitor(fun() ->
                                     Mid = spawn_link(fun() ->
                                                              E = spawn_link(fun() -> receive never -> ok end end),
                                                              Self ! {chain_end, E},
                                                              receive never -> ok end
                                                      end),
                                     _ = Mid,
                                     receive never -> ok end
                             end),
    receive {chain_end, E} -> exit(E, kill) end,
    receive {'DOWN', M4, process, P4, R4} -> io:format("chain head: ~p~n", [R4]) end,
    %% unlink stops propagation.
    {P5, M5} = spawn_monitor(fun() ->
                                     L = spawn_link(fun() -> receive go -> exit(unlinked_failure) end end),
                                     true = unlink(L),
                                     LM = monitor(process, L),
                                     L ! go,
                                     receive {'DOWN', LM, process, L, LR} -> Self ! {unlinked_down, LR} end,
                                     Self ! survived,
                                     receive never -> ok end
                             end),
    receive {unlinked_down, UR} -> io:format("unlinked partner died: ~p~n", [UR]) end,
    receive survived -> io:format("survived after unlink~n") end,
    exit(P5, kill),
    receive {'DOWN', M5, process, P5, R5} -> io:format("then killed: ~p~n", [R5]) end,
    %% An 'EXIT' message already queued stays queued after unlink.
    spawn(fun() ->
                  process_flag(trap_exit, true),
                  L = spawn_link(fun() -> exit(early) end),
                  wait_queue_len(1),
                  true = unlink(L),
                  Self ! {after_unlink, receive {'EXIT', L, Why} -> {queued, Why} after 0 -> none end}
          end),
    receive {after_unlink, AU} -> io:format("EXIT queued before unlink: ~p~n", [AU]) end,
    %% link to a dead process.
    {D, DM} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', DM, process, D, _} -> ok end,
    spawn(fun() -> Self ! {link_dead, try_it(fun() -> link(D) end)} end),
    receive {link_dead, LD} -> io:format("link to dead, not trapping: ~p~n", [strip(LD)]) end,
    spawn(fun() ->
                  process_flag(trap_exit, true),
                  R = link(D),
                  Self ! {link_dead_trap, R, receive {'EXIT', D, W} -> W after 1000 -> none end}
          end),
    receive {link_dead_trap, LR1, LR2} -> io:format("link to dead, trapping: ~p ~p~n", [LR1, LR2]) end,
    io:format("link self: ~p~n", [link(self())]),
    io:format("unlink not linked: ~p~n", [unlink(D)]),
    ok.

strip({error, {R, _}}) -> {error, R};
strip(X) -> X.

monitor_tests() ->
    {D, DM} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', DM, process, D, R0} -> io:format("DOWN normal: ~p~n", [R0]) end,
    M = monitor(process, D),
    receive {'DOWN', M, process, D, R1} -> io:format("DOWN of dead: ~p~n", [R1]) end,
    {P, PM} = spawn_monitor(fun() -> exit({crashed, [with, data]}) end),
    receive {'DOWN', PM, process, P, R2} -> io:format("DOWN crash reason: ~p~n", [R2]) end,
    {K, KM} = spawn_monitor(fun() -> receive never -> ok end end),
    exit(K, kill),
    receive {'DOWN', KM, process, K, R3} -> io:format("DOWN kill: ~p~n", [R3]) end,
    %% Two monitors on one process: two DOWNs.
    T = spawn(fun() -> receive go -> ok end end),
    T1 = monitor(process, T),
    T2 = monitor(process, T),
    T ! go,
    D1 = receive {'DOWN', T1, process, T, W1} -> W1 end,
    D2 = receive {'DOWN', T2, process, T, W2} -> W2 end,
    io:format("two monitors: ~p ~p~n", [D1, D2]),
    %% Monitor by name.
    N = spawn(fun() -> receive go -> exit(by_name_bye) end end),
    register(proc_exit_order_name, N),
    NM = monitor(process, proc_exit_order_name),
    N ! go,
    receive {'DOWN', NM, process, Who, R4} -> io:format("by name: ~p ~p~n", [node_free(Who), R4]) end,
    NM2 = monitor(process, proc_exit_order_name),
    receive {'DOWN', NM2, process, Who2, R5} -> io:format("by name, gone: ~p ~p~n", [node_free(Who2), R5]) end,
    ok.

node_free({Name, Node}) when Node =:= node() -> {Name, this_node};
node_free(X) -> X.

demonitor_tests() ->
    P = spawn(fun() -> receive go -> ok end end),
    M = monitor(process, P),
    P ! go,
    wait_queue_len(1),
    io:format("DOWN queued: ~p~n", [process_info(self(), message_queue_len)]),
    io:format("demonitor flush: ~p~n", [demonitor(M, [flush])]),
    io:format("queue after flush: ~p~n", [process_info(self(), message_queue_len)]),
    P2 = spawn(fun() -> receive go -> ok end end),
    M2 = monitor(process, P2),
    P2 ! go,
    wait_queue_len(1),
    io:format("demonitor flush info (already fired): ~p~n", [demonitor(M2, [flush, info])]),
    io:format("queue: ~p~n", [process_info(self(), message_queue_len)]),
    P3 = spawn(fun() -> receive go -> ok end end),
    M3 = monitor(process, P3),
    io:format("demonitor info (active): ~p~n", [demonitor(M3, [info])]),
    P3 ! go,
    io:format("no DOWN after demonitor: ~p~n", [receive {'DOWN', M3, _, _, _} -> got after 100 -> none end]),
    P4 = spawn(fun() -> receive go -> ok end end),
    M4 = monitor(process, P4),
    P4 ! go,
    wait_queue_len(1),
    io:format("demonitor without flush: ~p~n", [demonitor(M4)]),
    io:format("DOWN still queued: ~p~n",
              [receive {'DOWN', M4, process, P4, R} -> {yes, R} after 0 -> no end]),
    io:format("demonitor unknown ref: ~p~n", [demonitor(make_ref())]),
    io:format("demonitor unknown ref info: ~p~n", [demonitor(make_ref(), [info])]),
    io:format("demonitor []: ~p~n", [demonitor(make_ref(), [])]),
    ok.

wait_queue_len(N) -> wait_queue_len(N, 2000).

wait_queue_len(_N, 0) -> gave_up;
wait_queue_len(N, Tries) ->
    case process_info(self(), message_queue_len) of
        {message_queue_len, L} when L >= N -> ok;
        _ -> timer:sleep(1), wait_queue_len(N, Tries - 1)
    end.

error_tests() ->
    Cases = [{"exit atom pid", fun() -> exit(foo, x) end},
             {"link atom", fun() -> link(foo) end},
             {"unlink atom", fun() -> unlink(foo) end},
             {"monitor integer", fun() -> monitor(process, 1) end},
             {"monitor bad type", fun() -> monitor(bogus, self()) end},
             {"demonitor atom", fun() -> demonitor(foo) end},
             {"demonitor bad option", fun() -> demonitor(make_ref(), [bogus]) end},
             {"demonitor options not list", fun() -> demonitor(make_ref(), flush) end}],
    [io:format("~s: ~p~n", [N, strip(try_it(F))]) || {N, F} <- Cases],
    ok.
