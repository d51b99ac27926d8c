%% Links, monitors, exit signals and registration between processes (issue 3).
-module(proc_signals).
-export([main/0]).

main() ->
    process_flag(trap_exit, true),
    %% Exit reasons through links, trapped as messages.
    [begin
         P = spawn_link(fun() -> exit(R) end),
         receive {'EXIT', P, Got} -> io:format("link exit ~p -> ~p~n", [R, Got]) end
     end || R <- [normal, shutdown, {shutdown, x}, boom]],
    %% kill is untrappable and arrives as killed.
    P2 = spawn_link(fun() -> process_flag(trap_exit, true), receive _ -> ok end end),
    exit(P2, kill),
    receive {'EXIT', P2, R2} -> io:format("kill -> ~p~n", [R2]) end,
    %% A trapping process gets exit/2 as a message.
    Self = self(),
    P3 = spawn(fun() ->
                       process_flag(trap_exit, true),
                       Self ! ready,
                       receive M -> Self ! {got, M} end
               end),
    receive ready -> ok end,
    exit(P3, please),
    receive {got, M3} -> io:format("trapped exit/2: ~p~n", [M3 =:= {'EXIT', Self, please}]) end,
    %% exit(P, normal) does not kill a non-trapping process.
    P4 = spawn(fun() -> receive stop -> ok end end),
    exit(P4, normal),
    io:format("alive after exit normal: ~p~n", [is_process_alive(P4)]),
    P4 ! stop,
    %% Monitors.
    {P5, R5} = spawn_monitor(fun() -> exit(bye) end),
    receive {'DOWN', R5, process, P5, Why5} -> io:format("DOWN ~p~n", [Why5]) end,
    R6 = monitor(process, P5),
    receive {'DOWN', R6, process, P5, Why6} -> io:format("DOWN of dead: ~p~n", [Why6]) end,
    P7 = spawn(fun() -> receive stop -> ok end end),
    R7 = monitor(process, P7),
    io:format("demonitor: ~p~n", [demonitor(R7, [flush, info])]),
    io:format("demonitor again: ~p~n", [demonitor(R7, [info])]),
    P7 ! stop,
    %% Registration.
    P8 = spawn(fun() -> receive {From, ping} -> From ! pong end end),
    true = register(pinger, P8),
    io:format("whereis: ~p~n", [whereis(pinger) =:= P8]),
    io:format("register twice: ~p~n", [reason(catch register(pinger, self()))]),
    io:format("register undefined: ~p~n", [reason(catch register(undefined, self()))]),
    pinger ! {self(), ping},
    receive pong -> io:format("pong from registered~n") end,
    timer:sleep(10),
    io:format("whereis after exit: ~p~n", [whereis(pinger)]),
    io:format("send to unregistered: ~p~n", [catch nobody_here ! hi]),
    io:format("unregister unknown: ~p~n", [catch unregister(nobody_here)]),
    %% Messages between one pair arrive in order.
    Me = self(),
    S = spawn(fun() -> [Me ! {n, I} || I <- lists:seq(1, 1000)] end),
    L = [receive {n, I} -> I end || _ <- lists:seq(1, 1000)],
    io:format("ordered: ~p~n", [L =:= lists:seq(1, 1000)]),
    _ = S,
    %% Selective receive leaves other messages queued in order.
    self() ! a, self() ! b, self() ! c,
    receive b -> ok end,
    io:format("left: ~p~n", [[receive X -> X end, receive Y -> Y end]]),
    io:format("after 0: ~p~n", [receive nothing -> got after 0 -> timeout end]),
    ok.

reason({'EXIT', {R, _}}) -> R;
reason(Other) -> {no_error, Other}.
