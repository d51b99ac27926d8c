-module(sieve).
-export([main/0]).

primes_list(N) -> sieve(lists:seq(2, N)).
sieve([]) -> [];
sieve([P | Xs]) -> [P | sieve([X || X <- Xs, X rem P =/= 0])].

%% tuple/array based sieve
primes_arr(N) ->
    A0 = array:new(N + 1, {default, true}),
    A1 = mark(2, N, A0),
    [I || I <- lists:seq(2, N), array:get(I, A1)].
mark(P, N, A) when P * P > N -> A;
mark(P, N, A) ->
    case array:get(P, A) of
        true -> mark(P + 1, N, strike(P * P, P, N, A));
        false -> mark(P + 1, N, A)
    end.
strike(I, _, N, A) when I > N -> A;
strike(I, P, N, A) -> strike(I + P, P, N, array:set(I, false, A)).

%% binary-based sieve
primes_bin(N) ->
    B = strike_bin(2, N, <<0, 0, (binary:copy(<<1>>, N - 1))/binary>>),
    [I || I <- lists:seq(2, N), binary:at(B, I) =:= 1].
strike_bin(P, N, B) when P * P > N -> B;
strike_bin(P, N, B) ->
    case binary:at(B, P) of
        1 -> strike_bin(P + 1, N, clear_multiples(P * P, P, N, B));
        0 -> strike_bin(P + 1, N, B)
    end.
clear_multiples(I, _, N, B) when I > N -> B;
clear_multiples(I, P, N, B) ->
    <<Pre:I/binary, _, Post/binary>> = B,
    clear_multiples(I + P, P, N, <<Pre/binary, 0, Post/binary>>).

main() ->
    P1 = primes_list(5000),
    io:format("count<=5000: ~p~n", [length(P1)]),
    io:format("first 30: ~p~n", [lists:sublist(P1, 30)]),
    io:format("last 5: ~p~n", [lists:nthtail(length(P1) - 5, P1)]),
    P2 = primes_arr(100000),
    io:format("count<=100000: ~p sum ~p~n", [length(P2), lists:sum(P2)]),
    io:format("array agrees: ~p~n", [lists:sublist(P2, length(P1)) =:= P1]),
    P3 = primes_bin(20000),
    io:format("binary agrees: ~p count ~p~n", [P3 =:= [P || P <- P2, P =< 20000], length(P3)]),
    Twins = [{P, P + 2} || P <- P2, P < 1000, lists:member(P + 2, P1)],
    io:format("twin primes < 1000: ~p~n", [length(Twins)]),
    io:format("goldbach 100..120: ~p~n", [[{N, hd([{P, N - P} || P <- P1, P =< N div 2, lists:member(N - P, P1)])} || N <- lists:seq(100, 120, 2)]]),
    ok.
