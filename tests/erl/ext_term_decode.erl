-module(ext_term_decode).
-export([main/0]).

c(F) -> try F() catch C:E -> {caught, C, E} end.

main() ->
    Good = [<<131, 97, 42>>, <<131, 98, 255, 255, 255, 255>>, <<131, 100, 0, 3, "abc">>,
            <<131, 115, 3, "abc">>, <<131, 118, 0, 2, 206, 187>>, <<131, 119, 2, 206, 187>>,
            <<131, 106>>, <<131, 107, 0, 3, 1, 2, 3>>, <<131, 108, 0, 0, 0, 2, 97, 1, 97, 2, 106>>,
            <<131, 108, 0, 0, 0, 1, 97, 1, 97, 2>>, <<131, 104, 2, 97, 1, 97, 2>>,
            <<131, 105, 0, 0, 0, 1, 97, 1>>, <<131, 109, 0, 0, 0, 2, 1, 2>>, <<131, 77, 0, 0, 0, 1, 3, 224>>,
            <<131, 70, 63, 248, 0, 0, 0, 0, 0, 0>>,
            <<131, 99, "1.50000000000000000000e+00", 0, 0, 0, 0, 0>>,
            <<131, 110, 2, 0, 1, 1>>, <<131, 110, 2, 1, 1, 1>>, <<131, 111, 0, 0, 0, 1, 0, 7>>,
            <<131, 116, 0, 0, 0, 1, 97, 1, 97, 2>>, <<131, 113, 100, 0, 5, "lists", 100, 0, 3, "map", 97, 2>>,
            <<131, 110, 0, 0>>, <<131, 98, 0, 0, 0, 5>>],
    lists:foreach(fun(B) -> io:format("~w -> ~p~n", [B, c(fun() -> binary_to_term(B) end)]) end, Good),
    Bad = [<<>>, <<131>>, <<130, 97, 1>>, <<131, 97>>, <<131, 98, 0, 0>>, <<131, 100, 0, 5, "ab">>,
           <<131, 107, 0, 5, 1, 2>>, <<131, 108, 0, 0, 0, 3, 97, 1, 106>>, <<131, 104, 3, 97, 1>>,
           <<131, 109, 0, 0, 0, 9, 1>>, <<131, 70, 1, 2, 3>>, <<131, 70, 127, 240, 0, 0, 0, 0, 0, 0>>,
           <<131, 255>>, <<131, 97, 1, 2>>, <<131, 116, 0, 0, 0, 2, 97, 1, 97, 2>>,
           <<131, 80, 0, 0, 0, 10, 1, 2, 3>>, <<131, 80, 0, 0, 0, 0, 120, 156>>,
           <<131, 119, 2, 255, 255>>, <<131, 118, 0, 1, 255>>, <<131, 77, 0, 0, 0, 1, 9, 0>>,
           <<131, 110, 2, 5, 1, 1>>, <<131, 99, "garbage", 0>>,
           <<1, 2>>, <<131, 100, 1, 0, 97>>],
    lists:foreach(fun(B) -> io:format("bad ~w -> ~p~n", [B, c(fun() -> binary_to_term(B) end)]) end, Bad),
    T = {a, [1, 2, 3], <<"bin">>, #{k => 1.5}},
    Enc = term_to_binary(T),
    Truncs = [binary:part(Enc, 0, N) || N <- lists:seq(0, byte_size(Enc) - 1)],
    io:format("all truncations fail: ~p~n", [lists:usort([c(fun() -> binary_to_term(B) end) || B <- Truncs])]),
    Flips = [flip(Enc, I) || I <- lists:seq(1, byte_size(Enc) - 1)],
    io:format("bit flips: ~p~n", [[short(c(fun() -> binary_to_term(B) end)) || B <- Flips]]),
    io:format("trailing garbage binary_to_term/1: ~p~n", [c(fun() -> binary_to_term(<<Enc/binary, 1, 2, 3>>) end)]),
    io:format("used option: ~p~n", [c(fun() -> binary_to_term(<<Enc/binary, 1, 2, 3>>, [used]) end)]),
    io:format("safe existing: ~p~n", [c(fun() -> binary_to_term(term_to_binary(hello), [safe]) end)]),
    NewAtom = <<131, 100, 0, 20, "no_such_atom_q9z8x7w">>,
    io:format("safe new atom: ~p~n", [c(fun() -> binary_to_term(NewAtom, [safe]) end)]),
    io:format("safe bad option: ~p~n", [c(fun() -> binary_to_term(Enc, [bogus]) end)]),
    io:format("non-binary: ~p~n", [c(fun() -> binary_to_term("list") end)]),
    io:format("bitstring: ~p~n", [c(fun() -> binary_to_term(<<131, 97, 1, 1:1>>) end)]),
    Comp = term_to_binary(lists:duplicate(200, abc), [compressed]),
    io:format("compressed ok: ~p~n", [length(binary_to_term(Comp))]),
    io:format("compressed truncated: ~p~n", [c(fun() -> binary_to_term(binary:part(Comp, 0, byte_size(Comp) - 3)) end)]),
    ok.

flip(B, I) ->
    <<Pre:I/binary, X, Post/binary>> = B,
    <<Pre/binary, (X bxor 16#55), Post/binary>>.

short({caught, C, E}) -> {C, E};
short(_) -> decoded.
