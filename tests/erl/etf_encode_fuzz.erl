-module(etf_encode_fuzz).
-export([main/0]).

%% term_to_binary/2 on pseudo-random terms (nested lists, tuples, maps, binaries and
%% bitstrings, sub-binaries, floats, big integers, latin1 and unicode atoms, strings)
%% with pseudo-random options: the exact bytes (as an md5), external_size, and that
%% binary_to_term gives the term back. Big maps only have integer or binary keys (the
%% order of atom keys in big maps is the VM's own, see docs/compatibility.md).

next(X) -> (X * 6364136223846793005 + 1442695040888963407) band 16#FFFFFFFFFFFFFFFF.

rnd(S, N) -> S1 = next(S), {(S1 bsr 33) rem N, S1}.

term(S0, D) ->
    {K, S1} = rnd(S0, 16),
    {V, S2} = rnd(S1, 1 bsl 30),
    case K of
        0 -> {V rem 256, S2};
        1 -> {V - (1 bsl 29), S2};
        2 -> {(V + 1) * (1 bsl (V rem 200)) * (1 - 2 * (V rem 2)), S2};
        3 -> {V / 7 * math:pow(10, (V rem 600) - 300), S2};
        4 -> {element(V rem 6 + 1, {a, 'B c', '', 'λ', 'é', list_to_atom(lists:duplicate(255, $q))}), S2};
        5 -> {[$a + (V + I) rem 26 || I <- lists:seq(1, V rem 20)], S2};
        6 -> {list_to_binary([(V * I) rem 256 || I <- lists:seq(1, V rem 100)]), S2};
        7 -> B = list_to_binary([(V * I) rem 256 || I <- lists:seq(1, 80)]),
             {binary:part(B, V rem 10, 65 + V rem 6), S2};
        8 -> {<<V:(V rem 20)>>, S2};
        9 when D < 4 -> {N, S3} = rnd(S2, 6), list(S3, N, D);
        10 when D < 4 -> {N, S3} = rnd(S2, 6), {L, S4} = list(S3, N, D), {list_to_tuple(L), S4};
        11 when D < 4 -> {N, S3} = rnd(S2, 6), {L, S4} = list(S3, 2 * N, D), {maps:from_list(pairs(L)), S4};
        12 when D < 3 -> {N, S3} = rnd(S2, 60), {L, S4} = list(S3, N, D + 1),
                         {maps:from_list([{I * 7 + V rem 3, X} || {I, X} <- lists:zip(lists:seq(1, N), L)]), S4};
        13 when D < 4 -> {L, S3} = list(S2, 2, D), {[hd(L) | lists:last(L)], S3};
        14 -> {[V rem 300, 256 + V rem 5000], S2};
        _ -> {[], S2}
    end.

pairs([K, V | T]) -> [{K, V} | pairs(T)];
pairs(_) -> [].

list(S, 0, _) -> {[], S};
list(S0, N, D) -> {T, S1} = term(S0, D + 1), {R, S2} = list(S1, N - 1, D), {[T | R], S2}.

opts(S0) ->
    {K, S1} = rnd(S0, 8),
    {L, S2} = rnd(S1, 10),
    {case K of
         0 -> [];
         1 -> [compressed];
         2 -> [{compressed, L}];
         3 -> [{minor_version, L rem 3}];
         4 -> [deterministic];
         5 -> [deterministic, {compressed, L}, {minor_version, 1}];
         6 -> [{minor_version, 0}, compressed];
         _ -> [{minor_version, 2}, deterministic]
     end, S2}.

main() ->
    loop(0, 11),
    ok.

loop(400, _) -> ok;
loop(I, S0) ->
    {T, S1} = term(S0, 0),
    {O, S2} = opts(S1),
    B = term_to_binary(T, O),
    Size = try erlang:external_size(T, O) catch error:badarg -> badarg end,
    io:format("~p: ~w ~p ~w ~p~n", [I, O, byte_size(B), erlang:md5(B), Size]),
    case binary_to_term(B) =:= T of
        true -> ok;
        false -> io:format("  roundtrip differs~n")
    end,
    loop(I + 1, S2).
