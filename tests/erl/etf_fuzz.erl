-module(etf_fuzz).
-export([main/0]).

%% binary_to_term on deterministic pseudo-random corruptions (byte changes,
%% truncations, insertions, deletions) of encoded terms: each decodes to the same term
%% (shown by its phash2) or fails with badarg, as in the reference.

-record(st, {x}).

next(#st{x = X}) ->
    X1 = (X * 6364136223846793005 + 1442695040888963407) band 16#FFFFFFFFFFFFFFFF,
    {X1 bsr 33, #st{x = X1}}.

seeds() ->
    [a, 'λx', 1, -1, 300, 1 bsl 40, -(1 bsl 70), 1.5, -0.0, "abc", [1, 300, a], [a | b],
     {}, {1, {2, [3]}}, <<"bin">>, <<1:3>>, #{a => 1, <<"k">> => [1.0]},
     maps:from_list([{I, I} || I <- lists:seq(1, 40)]),
     fun lists:map/2, [<<"x">>, {#{}, []}, "s" ++ [256]],
     list_to_tuple(lists:seq(1, 300)), lists:seq(1, 70), 1 bsl 2100].

encodings(T) ->
    [term_to_binary(T), term_to_binary(T, [{minor_version, 0}]), term_to_binary(T, [{minor_version, 2}]),
     term_to_binary(T, [compressed])].

mutate(B, S0) ->
    {R, S1} = next(S0),
    {P, S2} = next(S1),
    {V, S3} = next(S2),
    N = byte_size(B),
    Pos = P rem max(N, 1),
    M = case R rem 6 of
            0 -> <<Pre:Pos/binary, _, Post/binary>> = pad(B), <<Pre/binary, (nb(V rem 256)), Post/binary>>;
            1 -> binary:part(B, 0, Pos);
            2 -> <<Pre:Pos/binary, Post/binary>> = B, <<Pre/binary, (nb(V rem 256)), Post/binary>>;
            3 -> <<Pre:Pos/binary, _, Post/binary>> = pad(B), <<Pre/binary, Post/binary>>;
            4 -> <<Pre:Pos/binary, X, Post/binary>> = pad(B), <<Pre/binary, (nb(X bxor (1 bsl (V rem 8)))), Post/binary>>;
            5 -> <<Pre:Pos/binary, _, Post/binary>> = pad(B), <<Pre/binary, (element(V rem 8 + 1, {0, 1, 127, 128, 255, 254, 131, 80})), Post/binary>>
        end,
    {M, S3}.

%% A new byte is never 73 or 75 (made 74 and 76): those are the VM-internal tags that
%% name an atom by its index in the reference VM's atom table, which oxbeam does not
%% reproduce (see docs/compatibility.md).
nb(73) -> 74;
nb(75) -> 76;
nb(X) -> X.

pad(B) when byte_size(B) > 0 -> B;
pad(_) -> <<0>>.

result(B) ->
    try binary_to_term(B) of
        T -> erlang:phash2(T)
    catch
        error:badarg -> e;
        C:E -> {C, E}
    end.

main() ->
    Bins = lists:append([encodings(T) || T <- seeds()]),
    run(Bins, #st{x = 42}, 0),
    ok.

run([], _, _) -> ok;
run([B | Bs], S0, I) ->
    {Rs, S} = lists:foldl(fun(_, {Acc, St}) ->
                                  {M, St1} = mutate(B, St),
                                  {[result(M) | Acc], St1}
                          end, {[], S0}, lists:seq(1, 60)),
    io:format("~p: ~w~n", [I, lists:reverse(Rs)]),
    run(Bs, S, I + 1).
