%% gen_server-style calls (make_ref/monitor + receive {Ref, Reply}) from a process with a
%% long queue of unrelated messages (issue 3): the answers are right and the unrelated
%% messages all stay queued, in their original order.
-module(proc_recv_marker).
-export([main/0]).

-define(JUNK, 100000).
-define(CALLS, 1000).

main() ->
    Self = self(),
    Server = spawn(fun() -> server(0) end),
    _ = spawn(fun() -> Self ! {worker, worker(Server)} end),
    receive {worker, Res} -> [io:format("~s: ~p~n", [K, V]) || {K, V} <- Res] end,
    Server ! stop,
    ok.

server(N) ->
    receive
        {call, From, Ref, {square, K}} -> From ! {Ref, K * K}, server(N + 1);
        {call, From, Ref, count} -> From ! {Ref, N}, server(N + 1);
        {call, From, Ref, {slow, K}} -> timer:sleep(5), From ! {Ref, {slow, K}}, server(N + 1);
        {call, From, Ref, {twice, K}} ->
            %% A stale reply with a fresh ref first, then the real one.
            From ! {make_ref(), stale}, From ! {Ref, K + K}, server(N + 1);
        {call, From, Ref, die} -> _ = From, _ = Ref, exit(normal);
        stop -> ok
    end.

%% Plain make_ref call.
call(S, Req) ->
    Ref = make_ref(),
    S ! {call, self(), Ref, Req},
    receive {Ref, R} -> R end.

%% gen:call style: monitor, send, wait for the reply or DOWN.
mcall(S, Req) ->
    Mref = monitor(process, S),
    S ! {call, self(), Mref, Req},
    receive
        {Mref, R} -> demonitor(Mref, [flush]), {ok, R};
        {'DOWN', Mref, _, _, Why} -> {down, Why}
    end.

worker(Server) ->
    Self = self(),
    %% Half the junk sent by the worker itself, half by another process.
    [Self ! {junk, I} || I <- lists:seq(1, ?JUNK div 2)],
    spawn(fun() ->
                  [Self ! {junk, I} || I <- lists:seq(?JUNK div 2 + 1, ?JUNK)],
                  Self ! filler_done
          end),
    receive filler_done -> ok end,
    {message_queue_len, Q0} = process_info(self(), message_queue_len),
    Squares = [call(Server, {square, K}) || K <- lists:seq(1, ?CALLS)],
    SquaresOk = Squares =:= [K * K || K <- lists:seq(1, ?CALLS)],
    MSquares = [mcall(Server, {square, K}) || K <- lists:seq(1, ?CALLS)],
    MSquaresOk = MSquares =:= [{ok, K * K} || K <- lists:seq(1, ?CALLS)],
    Slow = [call(Server, {slow, K}) || K <- lists:seq(1, 5)],
    Twice = [call(Server, {twice, K}) || K <- lists:seq(1, 10)],
    Count = call(Server, count),
    {message_queue_len, Q1} = process_info(self(), message_queue_len),
    %% The ten stale replies are at the end of the queue, after all the junk.
    Junk = [receive {junk, _} = J -> J end || _ <- lists:seq(1, ?JUNK)],
    JunkOk = Junk =:= [{junk, I} || I <- lists:seq(1, ?JUNK)],
    Stale = drain(),
    StaleOk = length(Stale) =:= 10 andalso
        lists:all(fun({R, stale}) -> is_reference(R); (_) -> false end, Stale),
    %% A call to a dead server ends with DOWN (the mcall style).
    Dead = spawn(fun() -> ok end),
    DM = monitor(process, Dead),
    receive {'DOWN', DM, process, Dead, _} -> ok end,
    DeadCall = mcall(Dead, {square, 2}),
    %% The server dying during the call.
    Dying = spawn(fun() -> server(0) end),
    DyingCall = mcall(Dying, die),
    %% Again with the queue full, after the monitor DOWN paths.
    [Self ! {junk2, I} || I <- lists:seq(1, ?JUNK)],
    More = [mcall(Server, {square, K}) || K <- lists:seq(1, 100)],
    MoreOk = More =:= [{ok, K * K} || K <- lists:seq(1, 100)],
    Junk2 = [receive {junk2, I} -> I end || _ <- lists:seq(1, ?JUNK)],
    Junk2Ok = Junk2 =:= lists:seq(1, ?JUNK),
    {message_queue_len, Q2} = process_info(self(), message_queue_len),
    [{"queue before calls", Q0},
     {"make_ref calls right", SquaresOk},
     {"monitor calls right", MSquaresOk},
     {"slow replies", Slow},
     {"calls with a stale reply first", Twice},
     {"server count", Count},
     {"queue after calls (junk + stale)", Q1},
     {"junk all kept in order", JunkOk},
     {"stale replies kept", StaleOk},
     {"call to dead server", DeadCall},
     {"server dies during call", DyingCall},
     {"second round right", MoreOk},
     {"second junk in order", Junk2Ok},
     {"queue at end", Q2}].

drain() ->
    receive X -> [X | drain()] after 0 -> [] end.
