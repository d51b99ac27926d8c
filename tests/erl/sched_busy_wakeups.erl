%% Fairness: with a process looping without ever waiting on every scheduler, processes
%% woken from outside the schedulers still run: one coming back from a dirty I/O
%% scheduler (file operations), one woken by a port's output (os:cmd), one loading a
%% module through the code server (which reads the file on a dirty scheduler), one
%% waking from a receive timeout. A VM that only ever runs its own queue while it is
%% non-empty hangs here (the runner's timeout).
-module(sched_busy_wakeups).
-export([main/0]).

main() ->
    N = erlang:system_info(schedulers),
    Busy = [spawn_monitor(fun() -> busy(0) end) || _ <- lists:seq(1, N)],
    File = filename:join(tmp_dir(), "sched_busy_wakeups." ++ os:getpid()),
    io:format("write_file: ~p~n", [file:write_file(File, <<"under load">>)]),
    io:format("read_file: ~p~n", [file:read_file(File)]),
    io:format("delete: ~p~n", [file:delete(File)]),
    io:format("os:cmd: ~p~n", [os:cmd("echo from a port")]),
    io:format("loaded digraph before: ~p~n", [erlang:module_loaded(digraph)]),
    G = digraph:new(),
    io:format("digraph vertex: ~p~n", [digraph:add_vertex(G, v)]),
    io:format("loaded digraph after: ~p~n", [erlang:module_loaded(digraph)]),
    T0 = erlang:monotonic_time(millisecond),
    receive after 50 -> ok end,
    io:format("slept at least 50 ms: ~p~n", [erlang:monotonic_time(millisecond) - T0 >= 50]),
    io:format("busy loops alive: ~p~n",
              [lists:all(fun({P, _}) -> is_process_alive(P) end, Busy)]),
    [exit(P, kill) || {P, _} <- Busy],
    Down = [receive {'DOWN', R, process, _, Why} -> Why end || {_, R} <- Busy],
    io:format("busy loops killed: ~p~n", [lists:all(fun(W) -> W =:= killed end, Down)]).

busy(K) -> busy(K + 1).

tmp_dir() ->
    case os:getenv("TMPDIR") of
        false -> "/tmp";
        D -> D
    end.
