%% 10,000,000 messages through a ring of 1,000 processes, 100 tokens in flight at once,
%% with a sequence number checked at every hop so that loss, duplication or reordering
%% is detected.
%%
%% Every process receives from exactly one sender (its predecessor) and must see the
%% sequence numbers 0, 1, 2, ... in that order. Process 1 injects the 100 tokens with
%% sequence numbers 0..99 and, for each message that comes back round the ring with
%% number S, sends S + 100 on (while that is below 10,000); every other process
%% forwards what it receives unchanged. So each process receives and sends exactly
%% 10,000 messages (1,000 x 10,000 = 10,000,000 hops). Each message also carries its
%% token (S rem 100, checked at every hop) and a hop counter, summed by the receivers:
%% token T's hop counters run 1..100,000, so the grand sum is known in advance.
%% stdout: counts and ok (compared with ring_10m.out); stderr: timing.
-module(ring_10m).
-export([main/0]).

-define(PROCS, 1000).
-define(TOKENS, 100).
-define(PER_PROC, 10000).   % messages each process receives (and sends)

main() ->
    Me = self(),
    Pids = [spawn(fun() -> init(Me) end) || _ <- lists:seq(1, ?PROCS)],
    Ring = list_to_tuple(Pids),
    T0 = erlang:monotonic_time(millisecond),
    [element(I, Ring) ! {init, I, element(I rem ?PROCS + 1, Ring)}
     || I <- lists:seq(1, ?PROCS)],
    Reports = [receive {done, I, Got, Errs, Sum} -> {Got, Errs, Sum}
               after 120000 -> {0, missing, 0} end
               || I <- lists:seq(1, ?PROCS)],
    T1 = erlang:monotonic_time(millisecond),
    Received = lists:sum([G || {G, _, _} <- Reports]),
    Errors = lists:sum([E || {_, E, _} <- Reports, is_integer(E)]),
    Missing = length([x || {_, missing, _} <- Reports]),
    Sum = lists:sum([S || {_, _, S} <- Reports]),
    H = ?PROCS * ?PER_PROC div ?TOKENS,
    SumOk = Sum =:= ?TOKENS * H * (H + 1) div 2,
    io:format("hops: ~p~n", [Received]),
    io:format("sequence errors: ~p, processes not reporting: ~p~n", [Errors, Missing]),
    io:format("hop-counter sum ok: ~p~n", [SumOk]),
    io:format("~s~n", [case {Received, Errors, Missing, SumOk} of
                           {10000000, 0, 0, true} -> "ok";
                           _ -> "FAILED"
                       end]),
    io:format(standard_error, "info: ~p hops in ~p ms~n", [Received, T1 - T0]).

init(Main) ->
    receive
        {init, 1, Next} ->
            [Next ! {S, S, 1} || S <- lists:seq(0, ?TOKENS - 1)],
            first(Next, Main, 0, 0, 0);
        {init, I, Next} ->
            relay(I, Next, Main, 0, 0, 0)
    end.

%% Process 1: re-injects each returning message with its sequence number + TOKENS.
first(_Next, Main, ?PER_PROC, Errs, Sum) ->
    Main ! {done, 1, ?PER_PROC, Errs, Sum};
first(Next, Main, Exp, Errs, Sum) ->
    receive
        {S, Tok, Hops} ->
            Errs1 = Errs + check(S, Exp, Tok),
            S1 = S + ?TOKENS,
            if S1 < ?PER_PROC -> Next ! {S1, Tok, Hops + 1};
               true -> ok
            end,
            first(Next, Main, S + 1, Errs1, Sum + Hops)
    end.

relay(I, _Next, Main, ?PER_PROC, Errs, Sum) ->
    Main ! {done, I, ?PER_PROC, Errs, Sum};
relay(I, Next, Main, Exp, Errs, Sum) ->
    receive
        {S, Tok, Hops} ->
            Errs1 = Errs + check(S, Exp, Tok),
            Next ! {S, Tok, Hops + 1},
            relay(I, Next, Main, S + 1, Errs1, Sum + Hops)
    end.

check(S, S, Tok) when Tok =:= S rem ?TOKENS -> 0;
check(_S, _Exp, _Tok) -> 1.
