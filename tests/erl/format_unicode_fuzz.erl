-module(format_unicode_fuzz).
-export([main/0]).

%% io_lib:format with ~p, ~tp, ~w, ~tw, ~s, ~ts, ~c, ~tc and field widths, precisions,
%% padding and chars_limit on pseudo-random unicode data: lists and binaries of latin1,
%% BMP and supplementary characters, invalid UTF-8, control characters, nested terms.
%% Each output is shown by its phash2 (the text itself for a few).

next(X) -> (X * 6364136223846793005 + 1442695040888963407) band 16#FFFFFFFFFFFFFFFF.

rnd(S, N) -> S1 = next(S), {(S1 bsr 33) rem N, S1}.

ch(S0) ->
    {K, S1} = rnd(S0, 10),
    {V, S2} = rnd(S1, 1 bsl 20),
    {case K of
         0 -> 32 + V rem 95;
         1 -> V rem 32;
         2 -> 160 + V rem 96;
         3 -> 128 + V rem 32;
         4 -> 256 + V rem 2000;
         5 -> 16#4E00 + V rem 100;
         6 -> 16#1F600 + V rem 50;
         7 -> element(V rem 6 + 1, {$\n, $\t, $", $\\, $', 127});
         8 -> 16#FFFE + V rem 2;
         _ -> $a + V rem 26
     end, S2}.

str(S0) ->
    {N, S1} = rnd(S0, 12),
    lists:foldl(fun(_, {L, St}) -> {C, St1} = ch(St), {[C | L], St1} end, {[], S1}, lists:seq(1, N)).

datum(S0) ->
    {K, S1} = rnd(S0, 7),
    {Str, S2} = str(S1),
    case K of
        0 -> {Str, S2};
        1 -> {unicode:characters_to_binary(Str), S2};
        2 -> {[C || C <- Str, C < 256], S2};
        3 -> {list_to_binary([C || C <- Str, C < 256]), S2};
        4 -> {B, S3} = str(S2), {{Str, unicode:characters_to_binary(B), list_to_atom([C || C <- Str, C < 16#D800])}, S3};
        5 -> {<<(unicode:characters_to_binary(Str))/binary, 16#C3>>, S2};
        _ -> {[unicode:characters_to_binary(Str), Str], S2}
    end.

fmt(S0) ->
    {K, S1} = rnd(S0, 14),
    {W, S2} = rnd(S1, 20),
    {P, S3} = rnd(S2, 8),
    F = case K of
            0 -> "~p"; 1 -> "~tp"; 2 -> "~w"; 3 -> "~tw"; 4 -> "~s"; 5 -> "~ts";
            6 -> "~" ++ integer_to_list(W) ++ "ts"; 7 -> "~-" ++ integer_to_list(W) ++ "." ++ integer_to_list(P) ++ "ts";
            8 -> "~." ++ integer_to_list(P) ++ "s"; 9 -> "~" ++ integer_to_list(W + 1) ++ "p";
            10 -> "~" ++ integer_to_list(W + 1) ++ "tp"; 11 -> "~tP"; 12 -> "~" ++ integer_to_list(W) ++ ".." ++ "*ts";
            _ -> "~tp"
        end,
    {F, S3}.

main() -> loop(0, 5), ok.

loop(600, _) -> ok;
loop(I, S0) ->
    {D, S1} = datum(S0),
    {F, S2} = fmt(S1),
    {L, S3} = rnd(S2, 30),
    Args = case lists:last(F) of
               $P -> [D, 3];
               _ -> [D]
           end,
    Args2 = case lists:member($*, F) of
                true -> [$-, D];
                false -> Args
            end,
    R1 = try lists:flatten(io_lib:format(F, Args2)) catch C:E -> {C, E} end,
    R2 = try lists:flatten(io_lib:format(F, Args2, [{chars_limit, L + 1}])) catch C2:E2 -> {C2, E2} end,
    Show = case I rem 20 of
               0 -> R1;
               _ -> erlang:phash2(R1)
           end,
    io:format("~p ~ts ~w ~w~n", [I, F, Show, erlang:phash2(R2)]),
    loop(I + 1, S3).
