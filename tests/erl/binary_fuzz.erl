-module(binary_fuzz).
-export([main/0]).

%% The binary module and the text conversions on pseudo-random input: match, matches,
%% split and replace with random patterns and option lists (valid or not), part/at
%% bounds, bin_to_list, encode/decode_unsigned, binary_to_integer/float and
%% list_to_integer on random text, float_to_binary with random options. Each result
%% (or error) is shown by its phash2.

next(X) -> (X * 6364136223846793005 + 1442695040888963407) band 16#FFFFFFFFFFFFFFFF.

rnd(S, N) -> S1 = next(S), {(S1 bsr 33) rem N, S1}.

pick(S0, T) -> {I, S1} = rnd(S0, tuple_size(T)), {element(I + 1, T), S1}.

bin(S0, Alpha, Max) ->
    {N, S1} = rnd(S0, Max + 1),
    lists:foldl(fun(_, {B, St}) -> {C, St1} = pick(St, Alpha), {<<B/binary, C>>, St1} end,
                {<<>>, S1}, lists:seq(1, N)).

int(S0) ->
    {K, S1} = rnd(S0, 6),
    {V, S2} = rnd(S1, 1 bsl 30),
    {case K of 0 -> V rem 12; 1 -> -(V rem 5); 2 -> V; 3 -> V rem 30; 4 -> 1 bsl 64; _ -> V rem 3 end, S2}.

opt(S0) ->
    {K, S1} = rnd(S0, 9),
    {A, S2} = int(S1),
    {B, S3} = int(S2),
    {case K of
         0 -> global;
         1 -> trim;
         2 -> trim_all;
         3 -> {scope, {A, B}};
         4 -> {insert_replaced, A};
         5 -> {insert_replaced, [A, B]};
         6 -> bogus;
         7 -> {scope, A};
         _ -> global
     end, S3}.

opts(S0) ->
    {N, S1} = rnd(S0, 4),
    lists:foldl(fun(_, {L, St}) -> {O, St1} = opt(St), {[O | L], St1} end, {[], S1}, lists:seq(1, N)).

pattern(S0) ->
    {K, S1} = rnd(S0, 6),
    Alpha = {$a, $b, $c},
    case K of
        0 -> {N, S2} = rnd(S1, 3),
             lists:foldl(fun(_, {L, St}) -> {P, St1} = bin(St, Alpha, 3), {[P | L], St1} end, {[], S2}, lists:seq(1, N + 1));
        1 -> {P, S2} = bin(S1, Alpha, 3), {binary:compile_pattern(case P of <<>> -> <<"a">>; _ -> P end), S2};
        _ -> bin(S1, Alpha, 3)
    end.

res(F) ->
    try F() of
        V -> erlang:phash2(V)
    catch
        C:E -> {C, E}
    end.

case_(S0) ->
    {Subj, S1} = bin(S0, {$a, $b, $c, $-}, 14),
    {Pat, S2} = pattern(S1),
    {Opts, S3} = opts(S2),
    {Rep, S4} = bin(S3, {$X, $Y}, 2),
    {P1, S5} = int(S4),
    {P2, S6} = int(S5),
    {Txt, S7} = bin(S6, {$0, $1, $9, $a, $f, $Z, $-, $+, $., $e, $E, $ , $_}, 8),
    {Base, S8} = int(S7),
    {F0, S9} = int(S8),
    {F1, S10} = int(S9),
    F = F0 / (F1 + 0.5) * math:pow(10, (F1 rem 40) - 20),
    {FO, S11} = pick(S10, {[], [short], [compact], [{decimals, P1 rem 30}], [{decimals, P1 rem 30}, compact],
                          [{scientific, P1 rem 30}], [{scientific, P1 rem 300}, short], [{decimals, P2 rem 300}], [compact, {decimals, 3}]}),
    {[res(fun() -> binary:match(Subj, Pat, Opts) end),
      res(fun() -> binary:matches(Subj, Pat, Opts) end),
      res(fun() -> binary:split(Subj, Pat, Opts) end),
      res(fun() -> binary:replace(Subj, Pat, Rep, Opts) end),
      res(fun() -> binary:part(Subj, P1, P2) end),
      res(fun() -> binary:at(Subj, P1) end),
      res(fun() -> binary:bin_to_list(Subj, P1, P2) end),
      res(fun() -> binary:encode_unsigned(P1, little) end),
      res(fun() -> binary:decode_unsigned(Subj, little) end),
      res(fun() -> binary_to_integer(Txt) end),
      res(fun() -> binary_to_integer(Txt, Base) end),
      res(fun() -> list_to_integer(binary_to_list(Txt), Base) end),
      res(fun() -> binary_to_float(Txt) end),
      res(fun() -> list_to_float(binary_to_list(Txt)) end),
      res(fun() -> float_to_binary(F, FO) end),
      res(fun() -> float_to_list(-F, FO) end),
      res(fun() -> integer_to_binary(P1 * P2 - 7, Base) end)], S11}.

main() ->
    loop(0, 7),
    ok.

loop(300, _) -> ok;
loop(I, S0) ->
    {R, S} = case_(S0),
    io:format("~p: ~w~n", [I, R]),
    loop(I + 1, S).
