%% Process priorities (issue 3). Only properties that hold for any number of schedulers:
%% priority values, every priority level runs to completion, busy high-priority work
%% does not keep the rest from finishing, and messages between levels work.
-module(proc_priority).
-export([main/0]).

-define(LEVELS, [max, high, normal, low]).

main() ->
    lists:foreach(fun section/1,
                  [fun values_tests/0,
                   fun completion_tests/0,
                   fun busy_high_tests/0,
                   fun mixed_tests/0,
                   fun self_priority_tests/0]),
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

%% A bounded amount of CPU work with a fixed result.
work(N) -> work(N, 0).
work(0, Acc) -> Acc;
work(N, Acc) -> work(N - 1, (Acc + N * N) rem 1000003).

values_tests() ->
    Self = self(),
    [begin
         P = spawn_opt(fun() -> receive stop -> ok end end, [{priority, L}]),
         io:format("spawned ~p: ~p~n", [L, process_info(P, priority)]),
         P ! stop
     end || L <- ?LEVELS],
    %% Priority is not inherited by children.
    spawn_opt(fun() -> spawn(fun() -> Self ! {child, process_info(self(), priority)} end) end,
              [{priority, high}]),
    receive {child, C} -> io:format("child of high: ~p~n", [C]) end,
    spawn_opt(fun() ->
                      spawn_opt(fun() -> Self ! {child, process_info(self(), priority)} end,
                                [{priority, low}])
              end, [{priority, max}]),
    receive {child, C2} -> io:format("low child of max: ~p~n", [C2]) end,
    %% Changing priority from inside, seen from outside.
    P = spawn(fun() ->
                      receive {set, L, From} -> From ! {old, process_flag(priority, L)} end,
                      receive stop -> ok end
              end),
    P ! {set, low, self()},
    receive {old, Old} -> io:format("old priority: ~p~n", [Old]) end,
    io:format("now: ~p~n", [process_info(P, priority)]),
    P ! stop,
    ok.

%% Every level runs to completion, many processes of each.
completion_tests() ->
    Self = self(),
    Procs = [{L, I} || L <- ?LEVELS, I <- lists:seq(1, 8)],
    [spawn_opt(fun() -> Self ! {done, L, I, work(20000 + I)} end, [{priority, L}])
     || {L, I} <- Procs],
    Results = [receive {done, L, I, R} -> {L, I, R} end || {L, I} <- Procs],
    io:format("all levels finished: ~p~n", [length(Results)]),
    Expected = [{L, I, work(20000 + I)} || {L, I} <- Procs],
    io:format("results right: ~p~n", [Results =:= Expected]),
    ok.

%% High and max priority processes busy for a while (bounded) do not stop
%% normal and low processes from finishing afterwards.
busy_high_tests() ->
    Self = self(),
    Busy = [spawn_opt(fun() -> Self ! {busy_done, L, work(3000000)} end, [{priority, L}])
            || L <- [max, high, high]],
    Lows = [spawn_opt(fun() -> Self ! {low_done, I, work(1000)} end, [{priority, low}])
            || I <- lists:seq(1, 4)],
    Normals = [spawn_opt(fun() -> Self ! {normal_done, I, work(1000)} end, [{priority, normal}])
               || I <- lists:seq(1, 4)],
    B = lists:sort([receive {busy_done, L, R} -> {L, R} end || _ <- Busy]),
    Lo = lists:sort([receive {low_done, I, R} -> {I, R} end || _ <- Lows]),
    No = lists:sort([receive {normal_done, I, R} -> {I, R} end || _ <- Normals]),
    io:format("busy high finished: ~p~n", [B]),
    io:format("lows finished: ~p~n", [length(Lo)]),
    io:format("normals finished: ~p~n", [length(No)]),
    %% A high-priority process that yields in its loop also lets the test finish.
    Y = spawn_opt(fun() -> yield_loop(200000), Self ! yielded end, [{priority, high}]),
    receive yielded -> io:format("yielding high finished~n") end,
    _ = Y,
    ok.

yield_loop(0) -> ok;
yield_loop(N) ->
    case N rem 1000 of
        0 -> true = erlang:yield();
        _ -> ok
    end,
    yield_loop(N - 1).

%% Messages between levels: a low-priority server answering max-priority clients,
%% and a ping-pong chain through all levels.
mixed_tests() ->
    Self = self(),
    Server = spawn_opt(fun() -> server(0) end, [{priority, low}]),
    Clients = [spawn_opt(fun() ->
                                 Rs = [call(Server, {add, K}) || K <- lists:seq(1, 50)],
                                 Self ! {client_done, L, length(Rs)}
                         end, [{priority, L}])
               || L <- ?LEVELS],
    Done = lists:sort([receive {client_done, L, N} -> {L, N} end || _ <- Clients]),
    io:format("clients: ~p~n", [Done]),
    io:format("server total: ~p~n", [call(Server, total)]),
    Server ! stop,
    %% Token passed round a ring of processes of every level.
    Ring = lists:foldl(fun(L, Next) ->
                               spawn_opt(fun() -> relay(Next) end, [{priority, L}])
                       end, Self, lists:append(lists:duplicate(5, ?LEVELS))),
    Ring ! {token, 0, 100},
    Hops = relay_until_done(Ring),
    io:format("ring hops: ~p~n", [Hops]),
    Ring ! stop,
    ok.

call(Server, Req) ->
    Ref = make_ref(),
    Server ! {self(), Ref, Req},
    receive {Ref, R} -> R end.

server(Total) ->
    receive
        {From, Ref, {add, K}} -> From ! {Ref, ok}, server(Total + K);
        {From, Ref, total} -> From ! {Ref, Total}, server(Total);
        stop -> ok
    end.

relay(Next) ->
    receive
        {token, C, Laps} -> Next ! {token, C + 1, Laps}, relay(Next);
        stop -> Next ! stop
    end.

relay_until_done(Ring) ->
    receive
        {token, C, 1} -> C;
        {token, C, Laps} -> Ring ! {token, C, Laps - 1}, relay_until_done(Ring)
    end.

%% The test process itself at each level: still receives, spawns and finishes.
self_priority_tests() ->
    Self = self(),
    spawn(fun() ->
                  Res = [begin
                             Old = process_flag(priority, L),
                             Me = self(),
                             spawn(fun() -> Me ! {w, work(5000)} end),
                             R = receive {w, X} -> X end,
                             {L, Old, R}
                         end || L <- ?LEVELS ++ [normal]],
                  Self ! {self_res, Res}
          end),
    receive {self_res, Res} -> [io:format("as ~p (was ~p): ~p~n", T) || T <- [tuple_to_list(E) || E <- Res]] end,
    ok.
