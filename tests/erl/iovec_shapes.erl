-module(iovec_shapes).
-export([main/0]).

%% erlang:iolist_to_iovec/1: how bytes and binaries are gathered into the result's
%% binaries (sizes of the elements), for runs of bytes, small and big binaries in every
%% order, sub-binaries (aligned or not), deep lists and binary tails; and its errors.

sizes(L) ->
    try erlang:iolist_to_iovec(L) of
        V -> {[byte_size(B) || B <- V], iolist_to_binary(V) =:= iolist_to_binary(L)}
    catch
        C:E -> {C, E}
    end.

x(N) -> binary:copy(<<"x">>, N).

unaligned(N) -> <<_:3, B:N/binary, _:5>> = <<0:3, (x(N))/binary, 0:5>>, B.

main() ->
    Cases =
        [{a, lists:duplicate(8192, <<"x">>)},
         {b, lists:duplicate(8193, <<"x">>)},
         {c, lists:duplicate(200, x(100))},
         {d, [x(255), x(256), x(257), <<"a">>]},
         {e, [lists:duplicate(10000, $a), <<"b">>]},
         {f, [<<"b">>, lists:duplicate(10000, $a)]},
         {g, [lists:duplicate(5000, <<"x">>), lists:duplicate(5000, $a)]},
         {h, [x(100), x(300), x(100)]},
         {i, [x(8000), x(100)]},
         {j, [x(65)]},
         {k, [x(300)]},
         {l, [binary:part(x(300), 1, 200)]},
         {m, [binary:part(x(300), 1, 200), binary:part(x(300), 1, 200)]},
         {n, [<<"a">>, x(300), <<"b">>]},
         {o, lists:duplicate(300, x(255))},
         {p, [x(10), x(1000), x(10)]},
         {q, [x(200), x(400)]},
         {r, [x(255), x(257)]},
         {s, [x(100), x(1000)]},
         {t, [lists:duplicate(8000, $a), lists:duplicate(500, $b)]},
         {u, [lists:duplicate(8000, $a), [lists:duplicate(100, $b), lists:duplicate(100, $c)]]},
         {v, [[1, 2], [3], 4, [], 5 | <<"tail">>]},
         {w, [unaligned(10), unaligned(300), unaligned(2000)]},
         {y, [<<>>, [], [<<>>], x(300), <<>>]},
         {z, lists:duplicate(40, [x(100), 1, 2, 3])},
         {aa, [lists:duplicate(4000, $a), x(4000), lists:duplicate(300, $b)]},
         {ab, [x(1) | x(600)]},
         {ac, x(300)},
         {ad, x(3)},
         {ae, <<>>},
         {af, []},
         {ag, [[], []]},
         {ah, lists:duplicate(3, lists:duplicate(3000, $q))},
         {ai, [x(8191), <<"a">>, <<"b">>]},
         {aj, [x(255), <<"a">>, x(300)]},
         {ak, [256]},
         {al, [-1]},
         {am, [a]},
         {an, [<<1:1>>]},
         {ao, <<1:1>>},
         {ap, [$a | b]},
         {aq, [x(300) | 7]},
         {ar, abc}],
    lists:foreach(fun({N, L}) -> io:format("~p ~w~n", [N, sizes(L)]) end, Cases),
    ok.
