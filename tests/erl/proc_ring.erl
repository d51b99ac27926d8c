%% A ring of processes passing a counter, and many processes alive at once (issue 3).
-module(proc_ring).
-export([main/0]).

main() ->
    %% 1,000 processes in a ring; the token goes round 200 times.
    N = 1000, Laps = 200,
    First = make_ring(N, self()),
    First ! {token, 0},
    Total = wait_laps(First, Laps, 0),
    io:format("hops: ~p~n", [Total]),
    First ! stop,
    %% 20,000 processes alive at once, each answering once.
    Me = self(),
    Pids = [spawn(fun() -> receive {go, K} -> Me ! {done, K * K} end end)
            || _ <- lists:seq(1, 20000)],
    io:format("alive: ~p~n", [length([P || P <- Pids, is_process_alive(P)])]),
    [P ! {go, K} || {P, K} <- lists:zip(Pids, lists:seq(1, 20000))],
    Sum = lists:sum([receive {done, V} -> V end || _ <- Pids]),
    io:format("sum of squares: ~p~n", [Sum]),
    %% Many senders to one receiver: every message arrives, each sender's in order.
    Senders = 50, PerSender = 2000,
    [spawn(fun() -> [Me ! {s, S, I} || I <- lists:seq(1, PerSender)] end)
     || S <- lists:seq(1, Senders)],
    Counts = collect(Senders * PerSender, #{}),
    io:format("per-sender order kept: ~p~n",
              [lists:all(fun(S) -> maps:get(S, Counts) =:= PerSender end,
                         lists:seq(1, Senders))]),
    ok.

make_ring(0, Next) -> Next;
make_ring(K, Next) -> make_ring(K - 1, spawn(fun() -> relay(Next) end)).

relay(Next) ->
    receive
        {token, C} -> Next ! {token, C + 1}, relay(Next);
        stop -> Next ! stop
    end.

wait_laps(_First, 1, _) ->
    receive {token, C} -> C end;
wait_laps(First, Laps, _) ->
    receive {token, C} -> First ! {token, C}, wait_laps(First, Laps - 1, C) end.

%% Counts messages per sender, checking each sender's sequence numbers arrive in order.
collect(0, Seen) -> Seen;
collect(K, Seen) ->
    receive
        {s, S, I} ->
            Prev = maps:get(S, Seen, 0),
            case I =:= Prev + 1 of
                true -> collect(K - 1, Seen#{S => I});
                false -> {out_of_order, S, Prev, I}
            end
    end.
