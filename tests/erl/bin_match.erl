-module(bin_match).
-export([main/0]).
-define(T(E), t(??E, fun() -> E end)).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~w~n", [Label, R]).

id(X) -> X.

main() ->
    B = id(<<1, 2, 3, 4, 5, 6, 7, 8, 9, 10>>),
    ?T(case B of <<A:8, Rest/binary>> -> {A, Rest} end),
    ?T(case B of <<A:16, _/binary>> -> A end),
    ?T(case B of <<A:16/little, _/binary>> -> A end),
    ?T(case B of <<A:32/signed, _/binary>> -> A end),
    ?T(case id(<<255, 254>>) of <<A:16/signed>> -> A end),
    ?T(case id(<<255, 254>>) of <<A:16/little-signed>> -> A end),
    ?T(case id(<<255, 254>>) of <<A:16/unsigned>> -> A end),
    ?T(case B of <<A:3, C:5, _/binary>> -> {A, C} end),
    ?T(case B of <<_:4, A:12, _/bits>> -> A end),
    ?T(case B of <<A:2/binary, C:3/binary, _/binary>> -> {A, C} end),
    ?T(case B of <<_:9/binary, Last>> -> Last end),
    ?T(case B of <<_:10/binary, _>> -> yes; _ -> no end),
    ?T(case B of <<A:80>> -> A end),
    ?T(case B of <<A:80/little>> -> A end),
    ?T(case B of <<A:72/signed, _/binary>> -> A end),
    ?T(case id(<<1.5:64/float>>) of <<F:64/float>> -> F end),
    ?T(case id(<<1.5:32/float>>) of <<F:32/float>> -> F end),
    ?T(case id(<<1.5:16/float>>) of <<F:16/float>> -> F end),
    ?T(case id(<<1.5:64/float-little>>) of <<F:64/float-little>> -> F end),
    ?T(case id(<<16#7FF0000000000000:64>>) of <<F:64/float>> -> {float, F}; <<X:64>> -> {nan_or_inf, X} end),
    ?T(case id(<<16#7F800000:32>>) of <<F:32/float>> -> {float, F}; <<X:32>> -> {inf, X} end),
    ?T(case id(<<16#7C00:16>>) of <<F:16/float>> -> {float, F}; <<X:16>> -> {inf, X} end),
    ?T(case id(<<0:64>>) of <<F:64/float>> -> F end),
    ?T(case id(<<1:1, 0:63>>) of <<F:64/float>> -> F end),
    ?T(case B of <<Sz:8, Data:Sz/binary, _/binary>> -> {Sz, Data} end),
    ?T(case B of <<Sz:8, Data:Sz/unit:16-binary, _/binary>> -> {Sz, Data} end),
    ?T(case id(<<3, "abcdef">>) of <<N, S:N/binary, R/binary>> -> {N, S, R} end),
    ?T(case id(<<"hello world">>) of <<"hello ", W/binary>> -> W end),
    ?T(case id(<<"hello world">>) of <<"help", _/binary>> -> help; <<"hel", _/binary>> -> hel end),
    ?T(case id(<<1:1, 1:1, 0:6>>) of <<1:1, X:7>> -> X end),
    ?T(case id(<<1:3>>) of <<X:3>> -> X end),
    ?T(case id(<<1:3>>) of <<_/binary>> -> bin; <<_/bitstring>> -> bits end),
    ?T(case id(<<1:3>>) of <<X:2, Y/bits>> -> {X, Y} end),
    ?T(parse_tlv(id(<<1, 2, $h, $i, 2, 0, 3, 1, 1, 0>>))),
    ?T(parse_tlv(id(<<1, 2, $h, $i, 2, 0, 3, 1, 1>>))),
    ?T(parse_ints(id(<<1:16, 2:16, 65535:16>>))),
    ?T(count_ones(id(<<16#DEADBEEF:32>>), 0)),
    ?T(f(<<1, 2>>)),
    ?T(f(<<1>>)),
    ?T(f(<<>>)),
    ?T(f(<<1, 2, 3, 4>>)),
    ?T(f(x)),
    ?T(begin <<X:8, _/binary>> = id(<<>>), X end),
    ?T(begin <<X:4>> = id(<<1>>), X end),
    ?T(begin <<_:8, Y/binary>> = id(<<1, 2:4>>), Y end),
    ?T(case id(<<1, 2, 3>>) of <<A, A, _>> -> same; <<A, _, C>> when C > A -> {inc, A, C} end),
    ?T(case id({<<5>>, 5}) of {<<N>>, N} -> same end),
    ?T(split_lines(id(<<"line1\nline2\n\nline4">>), <<>>, [])),
    ?T(binary_to_list(id(<<0:7, 1:1, 255>>))),
    ?T(matches_empty(id(<<>>))),
    ?T(case id(<<"λx"/utf8>>) of <<C/utf8, R/binary>> -> {C, R} end),
    ?T(case id(<<0, 0, 0, 42>>) of <<N:32/integer-unsigned-big>> -> N end),
    ?T(case id(<<0:1, 5:3, 6:4, 7>>) of <<A:1, Bb:3, C:4, D:8>> -> [A, Bb, C, D] end),
    ?T(begin Bin = id(<<"0123456789">>), [X || <<X:2/binary>> <= Bin] end),
    ?T(begin Bin = id(<<"0123456789">>), [X || <<X:3/binary>> <= Bin] end),
    ?T(sum_bytes(id(list_to_binary(lists:seq(1, 200))), 0)),
    ok.

f(<<A, B>>) -> {two, A, B};
f(<<A>>) -> {one, A};
f(<<>>) -> empty.

parse_tlv(<<>>) -> [];
parse_tlv(<<T, L, V:L/binary, Rest/binary>>) -> [{T, V} | parse_tlv(Rest)].

parse_ints(<<N:16, Rest/binary>>) -> [N | parse_ints(Rest)];
parse_ints(<<>>) -> [].

count_ones(<<>>, N) -> N;
count_ones(<<B:1, R/bits>>, N) -> count_ones(R, N + B).

split_lines(<<>>, Cur, Acc) -> lists:reverse([Cur | Acc]);
split_lines(<<$\n, R/binary>>, Cur, Acc) -> split_lines(R, <<>>, [Cur | Acc]);
split_lines(<<C, R/binary>>, Cur, Acc) -> split_lines(R, <<Cur/binary, C>>, Acc).

matches_empty(<<>>) -> empty;
matches_empty(_) -> nonempty.

sum_bytes(<<B, R/binary>>, A) -> sum_bytes(R, A + B);
sum_bytes(<<>>, A) -> A.
