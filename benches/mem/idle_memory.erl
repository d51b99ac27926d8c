-module(idle_memory).
-export([main/0]).

%% Memory of an idle process: spawns 10,000 processes that each report in and then wait
%% in `receive`, and prints
%%   process_info_memory: <bytes>        process_info(P, memory) of one of them
%%   memory_processes_per_proc: <bytes>  (erlang:memory(processes) after - before) / N
%% Either value is printed as n/a if the VM lacks the BIF or it fails. Before spawning
%% and after, it writes `mark: start|spawned OSPID` to stderr and pauses 500 ms so that
%% benches/memory.sh can read the VM's VmRSS (stderr: oxbeam's stdout to a pipe is
%% block-buffered, so a mark there would arrive only at exit). The spawning
%% process keeps no list of the children (only the first pid), so its own heap hardly
%% grows between the two readings; it garbage-collects itself before each one.
-define(N, 10000).

main() ->
    Me = self(),
    erlang:garbage_collect(),
    Before = mem(),
    mark(start),
    First = spawn(fun() -> idle(Me) end),
    spawn_rest(?N - 1, Me),
    wait_ready(?N),
    erlang:garbage_collect(),
    After = mem(),
    mark(spawned),
    PI = case catch erlang:process_info(First, memory) of
             {memory, B} when is_integer(B) -> integer_to_list(B);
             _ -> "n/a"
         end,
    PerProc = case {Before, After} of
                  {B0, B1} when is_integer(B0), is_integer(B1) -> integer_to_list((B1 - B0) div ?N);
                  _ -> "n/a"
              end,
    io:format("process_info_memory: ~s~n", [PI]),
    io:format("memory_processes_per_proc: ~s~n", [PerProc]).

mark(Label) ->
    io:format(standard_error, "mark: ~p ~s~n", [Label, os:getpid()]),
    receive after 500 -> ok end.

mem() ->
    case catch erlang:memory(processes) of
        B when is_integer(B) -> B;
        _ -> undefined
    end.

spawn_rest(0, _Me) -> ok;
spawn_rest(K, Me) -> spawn(fun() -> idle(Me) end), spawn_rest(K - 1, Me).

idle(Main) ->
    Main ! ready,
    receive stop -> ok end.

wait_ready(0) -> ok;
wait_ready(K) -> receive ready -> wait_ready(K - 1) end.
