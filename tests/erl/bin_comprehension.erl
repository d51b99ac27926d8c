-module(bin_comprehension).
-export([main/0]).
-define(T(E), t(??E, fun() -> E end)).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~w~n", [Label, R]).

id(X) -> X.

main() ->
    io:setopts([{encoding, unicode}]),
    Bin = id(<<1, 2, 3, 4, 5, 6, 7, 8>>),
    ?T(<< <<(X * 2)>> || <<X>> <= Bin >>),
    ?T(<< <<X>> || <<X>> <= Bin, X rem 2 =:= 0 >>),
    ?T(<< <<X:16>> || <<X>> <= Bin >>),
    ?T(<< <<X:4>> || <<X>> <= Bin >>),
    ?T([X || <<X:16>> <= Bin]),
    ?T([X || <<X:16/little>> <= Bin]),
    ?T([X || <<X:24>> <= Bin]),
    ?T([{X, Y} || <<X:4, Y:4>> <= <<16#AB, 16#CD>>]),
    ?T(<< <<Y:4, X:4>> || <<X:4, Y:4>> <= <<16#AB, 16#CD>> >>),
    ?T(<< <<X, Y>> || <<X>> <= <<1, 2>>, <<Y>> <= <<3, 4>> >>),
    ?T(<< <<X, Y>> || X <- [1, 2], Y <- [a_is_not_int] >>),
    ?T(<< <<X/binary>> || X <- [<<"ab">>, <<"cd">>] >>),
    ?T(<< <<X/bits>> || X <- [<<1:1>>, <<0:1>>, <<1:1>>] >>),
    ?T(<< <<(byte_size(X))>> || X <- [<<>>, <<1>>, <<1, 2>>] >>),
    ?T([X || <<X:8/signed>> <= <<255, 1, 128>>]),
    ?T([F || <<F:32/float>> <= <<1.5:32/float, 2.5:32/float>>]),
    ?T([F || <<F:64/float>> <= <<1.5:64/float, 16#7FF0000000000000:64, 2.5:64/float>>]),
    ?T([C || <<C/utf8>> <= <<"añb"/utf8>>]),
    ?T(<< <<C/utf8>> || C <- [97, 955, 26085] >>),
    ?T([B || <<B:3/binary>> <= <<"abcdefgh">>]),
    ?T([B || <<B:1/binary-unit:16>> <= <<"abcdef">>]),
    ?T([{K, V} || <<K:8, V:8>> <= <<1, 10, 2, 20, 3>>]),
    ?T(<< <<(X + Y)>> || <<X>> <= <<1, 2, 3>>, Y <- [10, 20] >>),
    ?T([X || <<X>> <= <<>>]),
    ?T(<< <<>> || _ <- [1, 2, 3] >>),
    ?T(<< <<X>> || {X} <- [{1}, x, {2}, {3, 3}] >>),
    ?T(<< <<X>> || <<X:7>> <= <<255, 255>> >>),
    ?T(byte_size(<< <<X:32>> || X <- lists:seq(1, 10000) >>)),
    ?T(lists:sum([X || <<X:32>> <= << <<X:32>> || X <- lists:seq(1, 10000) >>])),
    ?T(<< <<X>> || <<X>> <= id(not_a_binary) >>),
    ?T(<< <<X>> || X <- id(not_a_list) >>),
    ?T(<< <<X>> || X <- [300, -1] >>),
    ?T(<< <<X>> || X <- [a] >>),
    ?T(hex(<<"Hello">>)),
    ?T(unhex(<<"48656C6C6F">>)),
    ?T(xor_bins(<<1, 2, 3>>, <<255, 255, 255>>)),
    ok.

hex(B) -> << <<(hd(integer_to_list(N, 16)))>> || <<N:4>> <= B >>.
unhex(H) -> << <<(list_to_integer([A, B], 16))>> || <<A, B>> <= H >>.
xor_bins(A, B) -> list_to_binary([X bxor Y || {X, Y} <- lists:zip(binary_to_list(A), binary_to_list(B))]).
