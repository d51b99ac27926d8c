%% The README's example: a sieve, a fold, some formatting, run by oxbeam with OTP's
%% own stdlib.
-module(primes).
-export([main/0]).

main() ->
    Primes = sieve(lists:seq(2, 100)),
    io:format("~b primes below 100: ~w~n", [length(Primes), Primes]),
    io:format("their sum is ~b~n", [lists:foldl(fun(X, Acc) -> X + Acc end, 0, Primes)]).

sieve([]) -> [];
sieve([P | Rest]) -> [P | sieve([X || X <- Rest, X rem P =/= 0])].
