-module(bs_roundtrip).
-export([main/0]).

%% Bit syntax round trips at every bit offset: integers of many sizes and flags, floats,
%% UTF encodings, binaries; results are checksummed so the output stays small.

id(X) -> X.

show(X) -> io:format("~w~n", [X]).

main() ->
    Vals = [0, 1, -1, 5, -5, 127, -128, 255, 256, 16#1234, -16#1234, 16#7FFFFFFF,
            -16#80000000, 16#123456789ABCDEF, 1 bsl 63, -(1 bsl 63), (1 bsl 64) - 1,
            16#FEDCBA9876543210FEDCBA98, -(16#FEDCBA9876543210FEDCBA98), 1 bsl 200],
    Sizes = [1, 3, 7, 8, 9, 12, 16, 24, 31, 32, 33, 48, 63, 64, 65, 72, 100, 128, 129, 257],
    Ints = [int_case(Off, Size, V) || Off <- [0, 1, 3, 7], Size <- Sizes, V <- Vals],
    show({ints, length(Ints), erlang:phash2(Ints)}),
    show(lists:sublist(Ints, 40)),
    Floats = [float_case(Off, Size, F) || Off <- [0, 5], Size <- [16, 32, 64],
                                          F <- [0.0, -0.0, 1.5, -2.25, 3.0e-5, 65504.0, 1.0e10,
                                                1.0e-7, 3.141592653589793, 1.0e300]],
    show({floats, Floats}),
    Cps = [0, $a, 16#7F, 16#80, 16#7FF, 16#800, 16#FFFF, 16#10000, 16#10FFFF, 16#D7FF, 16#E000, 955],
    Utf = [utf_case(Off, Cp) || Off <- [0, 3], Cp <- Cps],
    show({utf, Utf}),
    Bins = [bin_case(Off, N) || Off <- [0, 1, 7], N <- [0, 1, 2, 7, 8, 9, 63, 64, 65, 200]],
    show({bins, Bins}),
    show(big_binary()),
    show(match_errors()),
    show(strings(id(<<"GET /index.html HTTP/1.1\r\n">>))),
    show(strings(id(<<"POST /x HTTP/1.0\r\n">>))),
    show(strings(id(<<"PUT">>))),
    ok.

int_case(Off, Size, V) ->
    Pad = Off rem 3,
    B1 = <<Pad:Off, V:Size, 5:3>>,
    B2 = <<Pad:Off, V:Size/little, 5:3>>,
    B3 = <<Pad:Off, V:Size/signed-little>>,
    <<_:Off, U1:Size, 5:3>> = B1,
    <<_:Off, U2:Size/little, 5:3>> = B2,
    <<_:Off, S1:Size/signed, _:3>> = B1,
    <<_:Off, S3:Size/signed-little>> = B3,
    {U1, U2, S1, S3, bit_size(B1)}.

float_case(Off, Size, F) ->
    B = <<0:Off, F:Size/float, 1:1>>,
    L = <<0:Off, F:Size/float-little>>,
    R1 = case B of <<_:Off, X:Size/float, 1:1>> -> X; _ -> nomatch end,
    R2 = case L of <<_:Off, Y:Size/float-little>> -> Y; _ -> nomatch end,
    {R1, R2}.

utf_case(Off, Cp) ->
    B = <<0:Off, Cp/utf8, Cp/utf16, Cp/utf16-little, Cp/utf32, Cp/utf32-little>>,
    <<_:Off, A/utf8, Bb/utf16, C/utf16-little, D/utf32, E/utf32-little>> = B,
    {A, Bb, C, D, E, bit_size(B)}.

bin_case(Off, N) ->
    Bin = list_to_binary([I rem 256 || I <- lists:seq(1, N)]),
    B = <<1:Off, Bin/binary, 3:2>>,
    <<_:Off, Back:N/binary, 3:2>> = B,
    <<_:Off, Rest/bits>> = B,
    {Back =:= Bin, bit_size(Rest), erlang:phash2(B)}.

big_binary() ->
    Bin = list_to_binary([I rem 256 || I <- lists:seq(1, 5000)]),
    Shifted = <<1:3, Bin/binary, 0:5>>,
    <<_:3, Back:5000/binary, _:5>> = Shifted,
    <<X:40000/little>> = Bin,
    <<Y:40000/signed>> = Bin,
    Z = <<X:40000/little>>,
    {Back =:= Bin, Z =:= Bin, X rem 1000000007, Y rem 1000000007, byte_size(Shifted)}.

match_errors() ->
    S = id(-1),
    A = id(a),
    Big = id(1 bsl 70),
    B = id(<<1, 2, 3>>),
    [case B of <<_:S>> -> yes; _ -> no end,
     case B of <<_:A>> -> yes; _ -> no end,
     case B of <<_:Big, _/binary>> -> yes; _ -> no end,
     case B of <<_:S/binary, _/binary>> -> yes; _ -> no end,
     case B of <<X:4/binary>> -> X; _ -> no end,
     case B of <<_:1, R/binary>> -> R; _ -> no end,
     case B of <<_:8, R/binary>> -> R; _ -> no end,
     case id(<<0:64>>) of <<F:32/float, _/binary>> -> F; _ -> no end,
     case id(<<16#7FC00000:32>>) of <<F:32/float>> -> F; _ -> nan end,
     case id(<<16#FFF0000000000000:64>>) of <<F:64/float>> -> F; _ -> neg_inf end,
     case id(<<1:7>>) of <<_/binary>> -> bin; <<_:4, _/bits>> -> bits end].

strings(<<"GET ", Rest/binary>>) -> {get, path(Rest, <<>>)};
strings(<<"POST ", Rest/binary>>) -> {post, path(Rest, <<>>)};
strings(Other) -> {other, Other}.

path(<<" HTTP/1.", V, "\r\n">>, Acc) -> {Acc, V - $0};
path(<<C, Rest/binary>>, Acc) -> path(Rest, <<Acc/binary, C>>).
