-module(unicode_fuzz).
-export([main/0]).

%% unicode:characters_to_binary/list on pseudo-random chardata (deep lists of code
%% points, valid and not, and binaries of valid, truncated and random encoded text)
%% between pseudo-random encodings. Each result (or error) is shown by its phash2, so
%% the exact {error, ...} and {incomplete, ...} shapes are compared.

next(X) -> (X * 6364136223846793005 + 1442695040888963407) band 16#FFFFFFFFFFFFFFFF.

rnd(S, N) -> S1 = next(S), {(S1 bsr 33) rem N, S1}.

encs() ->
    {latin1, unicode, utf8, utf16, {utf16, little}, {utf16, big}, utf32, {utf32, little}, {utf32, big}}.

cp(S0) ->
    {K, S1} = rnd(S0, 12),
    {V, S2} = rnd(S1, 1 bsl 30),
    C = case K of
            0 -> V rem 128;
            1 -> V rem 256;
            2 -> 16#80 + V rem 16#780;
            3 -> 16#800 + V rem 16#F800;
            4 -> 16#10000 + V rem 16#100000;
            5 -> 16#D800 + V rem 16#800;
            6 -> 16#110000 + V rem 1000;
            7 -> -(V rem 3) - 1;
            8 -> $a;
            9 -> 16#FFFE + V rem 2;
            10 -> 955;
            11 -> 16#1F600
        end,
    {C, S2}.

piece(S0, Depth) ->
    {K, S1} = rnd(S0, 9),
    case K of
        0 when Depth < 3 ->
            {N, S2} = rnd(S1, 4),
            lists:foldl(fun(_, {Acc, St}) -> {P, St1} = piece(St, Depth + 1), {[P | Acc], St1} end,
                        {[], S2}, lists:seq(1, N));
        1 -> cp(S1);
        2 ->
            {N, S2} = rnd(S1, 5),
            {Cs, S3} = cps(S2, N),
            {E, S4} = rnd(S3, 9),
            Enc = element(E + 1, encs()),
            case catch unicode:characters_to_binary([C || C <- Cs, C >= 0, C < 16#D800 orelse C > 16#DFFF, C < 16#110000], unicode, Enc) of
                B when is_binary(B) -> {B, S4};
                _ -> {<<>>, S4}
            end;
        3 ->
            {N, S2} = rnd(S1, 6),
            {Bytes, S3} = bytes(S2, N),
            {list_to_binary(Bytes), S3};
        4 ->
            {C, S2} = cp(S1),
            case catch <<C/utf8>> of
                B when is_binary(B), byte_size(B) > 1 ->
                    {Cut, S3} = rnd(S2, byte_size(B) - 1),
                    {binary:part(B, 0, Cut + 1), S3};
                _ -> {<<"x">>, S2}
            end;
        5 -> {[], S1};
        6 -> {<<>>, S1};
        7 -> {N, S2} = rnd(S1, 3), {Cs, S3} = cps(S2, N), {Cs, S3};
        _ -> {$z, S1}
    end.

cps(S, 0) -> {[], S};
cps(S0, N) -> {C, S1} = cp(S0), {Rest, S2} = cps(S1, N - 1), {[C | Rest], S2}.

bytes(S, 0) -> {[], S};
bytes(S0, N) -> {B, S1} = rnd(S0, 256), {Rest, S2} = bytes(S1, N - 1), {[B | Rest], S2}.

data(S0) ->
    {N, S1} = rnd(S0, 5),
    {Ps, S2} = lists:foldl(fun(_, {Acc, St}) -> {P, St1} = piece(St, 0), {[P | Acc], St1} end,
                           {[], S1}, lists:seq(1, N + 1)),
    {K, S3} = rnd(S2, 4),
    D = case {K, Ps} of
            {0, [B | _]} when is_binary(B) -> B;
            {1, [P | _]} -> P;
            {2, [P, Q | _]} -> [P | Q];
            _ -> Ps
        end,
    {D, S3}.

res(F) ->
    try F() of
        V -> erlang:phash2(V)
    catch
        C:E -> {C, E}
    end.

main() ->
    loop(0, 42),
    ok.

loop(400, _) -> ok;
loop(I, S0) ->
    {Rs, S} = lists:foldl(
                fun(_, {Acc, St0}) ->
                        {D, St1} = data(St0),
                        {In, St2} = rnd(St1, 9),
                        {Out, St3} = rnd(St2, 9),
                        InE = element(In + 1, encs()),
                        OutE = element(Out + 1, encs()),
                        R = {res(fun() -> unicode:characters_to_binary(D, InE, OutE) end),
                             res(fun() -> unicode:characters_to_list(D, InE) end)},
                        {[R | Acc], St3}
                end, {[], S0}, lists:seq(1, 10)),
    io:format("~p: ~w~n", [I, lists:reverse(Rs)]),
    loop(I + 1, S).
