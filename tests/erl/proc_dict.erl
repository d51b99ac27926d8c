-module(proc_dict).
-export([main/0]).

main() ->
    Initial = [K || K <- get_keys(), is_atom(K), lists:member(K, [a, b, c, counter])],
    io:format("initial: ~p~n", [Initial]),
    io:format("put a: ~p~n", [put(a, 1)]),
    io:format("put a again: ~p~n", [put(a, 2)]),
    io:format("get a: ~p~n", [get(a)]),
    io:format("get missing: ~p~n", [get(missing)]),
    put(b, [list, value]),
    put({tuple, key}, "tuple keyed"),
    put(<<"bin">>, bin_val),
    put(42, int_val),
    io:format("get tuple key: ~p~n", [get({tuple, key})]),
    io:format("get bin key: ~p~n", [get(<<"bin">>)]),
    Mine = [a, b, {tuple, key}, <<"bin">>, 42],
    io:format("get_keys mine: ~p~n", [lists:sort([K || K <- get_keys(), lists:member(K, Mine)])]),
    io:format("get_keys(val): ~p~n", [lists:sort(get_keys(int_val))]),
    io:format("get/0 mine: ~p~n", [lists:sort([KV || {K, _} = KV <- get(), lists:member(K, Mine)])]),
    io:format("erase a: ~p~n", [erase(a)]),
    io:format("erase a again: ~p~n", [erase(a)]),
    io:format("get a after erase: ~p~n", [get(a)]),
    [put({n, I}, I * I) || I <- lists:seq(1, 100)],
    io:format("sum of 100: ~p~n", [lists:sum([get({n, I}) || I <- lists:seq(1, 100)])]),
    [erase({n, I}) || I <- lists:seq(1, 100)],
    io:format("after erase all n: ~p~n", [[K || {n, _} = K <- get_keys()]]),
    put(counter, 0),
    [put(counter, get(counter) + 1) || _ <- lists:seq(1, 1000)],
    io:format("counter: ~p~n", [get(counter)]),
    io:format("memoized fib 90: ~p~n", [mfib(90)]),
    io:format("put undefined: ~p ~p~n", [put(u, undefined), get(u)]),
    Mine2 = [b, {tuple, key}, <<"bin">>, 42, counter, u],
    [erase(K) || K <- Mine2],
    io:format("erase/0 result has no mine: ~p~n", [[K || {K, _} <- get(), lists:member(K, Mine2)]]),
    ok.

mfib(N) when N < 2 -> N;
mfib(N) ->
    case get({fib, N}) of
        undefined -> V = mfib(N - 1) + mfib(N - 2), put({fib, N}, V), V;
        V -> V
    end.
