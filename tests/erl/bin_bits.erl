-module(bin_bits).
-export([main/0]).
-define(T(E), t(??E, fun() -> E end)).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~p~n", [Label, R]).

id(X) -> X.

main() ->
    io:setopts([{encoding, unicode}]),
    B = id(<<2#10110:5>>),
    ?T(B),
    ?T(bit_size(B)),
    ?T(byte_size(B)),
    ?T(is_binary(B)),
    ?T(is_bitstring(B)),
    ?T(is_binary(<<1:8>>)),
    ?T(bit_size(<<>>)),
    ?T(byte_size(<<1:9>>)),
    ?T(bit_size(id(abc))),
    ?T(byte_size(id([1]))),
    ?T(bitstring_to_list(B)),
    ?T(bitstring_to_list(<<1, 2, 3:4>>)),
    ?T(bitstring_to_list(<<1, 2>>)),
    ?T(list_to_bitstring([<<1:3>>, <<2:5>>, 7, [<<1:1>>]])),
    ?T(list_to_bitstring([<<1:3>>, a])),
    ?T(list_to_binary([<<1:3>>])),
    ?T(<<B/bits, B/bits>>),
    ?T(<<B/bits, 1:3>>),
    ?T(bit_size(<<B/bits, B/bits, B/bits>>)),
    ?T(<<1:1, 2:2, 3:3, 4:4, 5:5, 6:6>>),
    ?T([X || <<X:1>> <= <<16#A5>>]),
    ?T([X || <<X:3>> <= <<255, 0>>]),
    ?T(<< <<X:1>> || X <- [1, 0, 1, 1, 0, 1, 0, 1, 1] >>),
    ?T(<< <<(X + 1):2>> || <<X:2>> <= <<2#00011011>> >>),
    ?T(reverse_bits(id(<<2#10110:5>>))),
    ?T(reverse_bits(id(<<1, 2, 3>>))),
    ?T(case id(<<1:1, 0:1, 1:1>>) of <<A:1, Rest/bits>> -> {A, Rest, bit_size(Rest)} end),
    ?T(erlang:split_binary(<<1, 2, 3>>, 1)),
    ?T(erlang:split_binary(id(<<1, 2:4>>), 1)),
    ?T(binary_part(<<1, 2, 3>>, 1, 1)),
    ?T(binary_part(id(<<1, 2, 3:4>>), 0, 2)),
    ?T(term_to_binary(<<1:3>>)),
    ?T(binary_to_term(term_to_binary(<<5:7, 1:9>>))),
    ?T(<<5:7, 1:9>> =:= <<2, 129>>),
    ?T(<<5:7, 1:9>> == <<2, 129>>),
    ?T(lists:sort([<<1:1>>, <<1:2>>, <<0:1>>, <<1>>, <<>>, <<1:1, 1:1>>])),
    ?T(bit_size(<< <<X:7>> || X <- lists:seq(1, 100) >>)),
    ?T(crc(<< <<X:7>> || X <- lists:seq(1, 100) >>)),
    ?T(erlang:phash2(<<1:3>>)),
    ?T(iolist_to_binary([<<1:3>>])),
    ?T(binary:bin_to_list(<<1:3>>)),
    ?T(<<(id(<<1:3>>)):3/bits, 0:5>>),
    ?T(<<(id(<<1:3>>)):4/bits>>),
    ?T(bits_to_str(id(<<16#5A, 1:2>>))),
    ok.

reverse_bits(B) -> << <<X:1>> || <<X:1>> <= rev(B) >>.
rev(B) -> list_to_bitstring(lists:reverse([<<X:1>> || <<X:1>> <= B])).

crc(B) -> erlang:crc32(<<B/bits, 0:(8 - bit_size(B) rem 8)>>).

bits_to_str(B) -> [$0 + X || <<X:1>> <= B].
