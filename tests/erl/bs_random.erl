-module(bs_random).
-export([main/0]).

%% Pseudo-random bit syntax: segments of every kind and flag combination, with sizes
%% and values chosen at run time, at random bit offsets; built, matched back, and
%% checksummed (a deterministic generator, so the output is stable).

show(X) -> io:format("~w~n", [X]).

main() ->
    {Results, _} = lists:mapfoldl(fun(_, Seed) -> one(Seed) end, 42, lists:seq(1, 4000)),
    show(lists:sublist(Results, 25)),
    show({length(Results), erlang:phash2(Results)}),
    Kinds = lists:foldl(fun({K, _, _, R}, Acc) -> maps:update_with({K, element(1, R)}, fun(C) -> C + 1 end, 1, Acc) end,
                        #{}, Results),
    show(lists:sort(maps:to_list(Kinds))),
    ok.

next(S) -> (S * 6364136223846793005 + 1442695040888963407) band 16#FFFFFFFFFFFFFFFF.

one(S0) ->
    S1 = next(S0), S2 = next(S1), S3 = next(S2), S4 = next(S3), S5 = next(S4),
    Kind = (S1 bsr 33) rem 12,
    Off = (S2 bsr 40) rem 20,
    Size = case (S3 bsr 20) rem 4 of
               0 -> (S3 bsr 30) rem 9;
               1 -> (S3 bsr 30) rem 65;
               _ -> (S3 bsr 30) rem 140
           end,
    Val = value(Kind, S4, S5, Size),
    Prefix = (S2 bsr 10) band ((1 bsl Off) - 1),
    R = try
            Seg = build(Kind, Val, Size),
            Bin = <<Prefix:Off, Seg/bits, 5:3>>,
            <<Prefix:Off, Rest/bits>> = Bin,
            {ok, decode(Kind, Rest, Size), bit_size(Bin), erlang:phash2(Bin)}
        catch C:E -> {C, E}
        end,
    {{Kind, Size, Val, R}, S5}.

value(K, A, B, Size) when K >= 9 ->
    %% Code points, sometimes invalid ones.
    case A rem 5 of
        0 -> B rem 16#80;
        1 -> B rem 16#800;
        2 -> B rem 16#10000;
        3 -> B rem 16#110000;
        4 -> (B rem 16#120000) - 16
    end + Size * 0;
value(K, A, B, _Size) when K >= 6 ->
    %% Floats from bit patterns and integers.
    case A rem 3 of
        0 -> <<F:64/float>> = <<(B band 16#7FEFFFFFFFFFFFFF):64>>, F;
        1 -> float(B rem 100000) / 7;
        2 -> (B rem 1000) - 500
    end;
value(_K, A, B, _Size) ->
    case A rem 4 of
        0 -> B rem 256;
        1 -> B - (1 bsl 63);
        2 -> (B * A) bsl (A rem 64);
        3 -> -((B * A) bsl (A rem 70))
    end.

build(0, V, S) -> <<V:S>>;
build(1, V, S) -> <<V:S/little>>;
build(2, V, S) -> <<V:S/signed>>;
build(3, V, S) -> <<V:S/little-signed>>;
build(4, V, S) -> <<V:S/native>>;
build(5, V, S) -> <<V:S/unit:2>>;
build(6, V, S) -> <<V:(fsize(S))/float>>;
build(7, V, S) -> <<V:(fsize(S))/float-little>>;
build(8, V, S) -> B = <<V:64/float, V:32/float>>, <<B:(S rem 97)/bits>>;
build(9, V, _) -> <<V/utf8>>;
build(10, V, _) -> <<V/utf16-little>>;
build(11, V, _) -> <<V/utf32>>.

fsize(S) -> element(S rem 3 + 1, {16, 32, 64}).

decode(0, B, S) -> <<V:S, 5:3>> = B, V;
decode(1, B, S) -> <<V:S/little, 5:3>> = B, V;
decode(2, B, S) -> <<V:S/signed, 5:3>> = B, V;
decode(3, B, S) -> <<V:S/little-signed, 5:3>> = B, V;
decode(4, B, S) -> <<V:S/native, 5:3>> = B, V;
decode(5, B, S) -> <<V:S/unit:2, 5:3>> = B, V;
decode(6, B, S) -> N = fsize(S), case B of <<V:N/float, 5:3>> -> V; <<V:N, 5:3>> -> {raw, V} end;
decode(7, B, S) -> N = fsize(S), case B of <<V:N/float-little, 5:3>> -> V; <<V:N, 5:3>> -> {raw, V} end;
decode(8, B, S) -> N = S rem 97, <<V:N/bits, 5:3>> = B, {bit_size(V), erlang:phash2(V)};
decode(9, B, _) -> <<V/utf8, 5:3>> = B, V;
decode(10, B, _) -> <<V/utf16-little, 5:3>> = B, V;
decode(11, B, _) -> <<V/utf32, 5:3>> = B, V.
