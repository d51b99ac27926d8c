%% A port whose child does not read: what the pipe cannot take waits in the port's
%% queue (queue_size), the port is busy past its busy_limits_port high mark, and
%% port_command(..., [nosuspend]) then returns false; with the limits disabled it never
%% is. (A busy port's plain port_command suspends the caller in the reference; oxbeam
%% queues the data instead, so that is not tested.)
-module(ports_busy).
-export([main/0]).

main() ->
    process_flag(trap_exit, true),
    run("limits 1000..2000", [{busy_limits_port, {1000, 2000}}], 100000),
    run("default limits", [], 100000),
    run("disabled", [{busy_limits_port, disabled}], 100000),
    run("below the high mark", [{busy_limits_port, {40000, 50000}}], 100000),
    run("small write", [], 1000),
    ok.

run(Label, Opts, Size) ->
    P = open_port({spawn, "sleep 2"}, Opts),
    R1 = port_command(P, binary:copy(<<$a>>, Size), [nosuspend]),
    timer:sleep(300),
    %% The pipe takes about 64 KiB (its exact capacity depends on the kernel's page
    %% accounting), the rest waits in the port's queue.
    {queue_size, Q} = erlang:port_info(P, queue_size),
    R2 = port_command(P, "x", [nosuspend]),
    {queue_size, Q2} = erlang:port_info(P, queue_size),
    io:format("~s: ~p~n", [Label, {R1, queue(Q), R2, Q2 - Q}]),
    exit(P, kill),
    receive {'EXIT', P, _} -> ok end.

queue(0) -> empty;
queue(N) when N > 30000, N < 40000 -> about_35k;
queue(N) -> {unexpected, N}.
