-module(bs_append).
-export([main/0]).

%% Appending to binaries: accumulator loops (which must stay linear), appends to an
%% accumulator that is shared (two results from one prefix, a prefix sent to another
%% process), bit-level appends and comprehensions.

id(X) -> X.

show(X) -> io:format("~w~n", [X]).

main() ->
    show(byte_size(bytes(200000, <<>>))),
    show(erlang:phash2(bytes(3000, <<>>))),
    show(erlang:phash2(bits(5000, <<>>))),
    show(bit_size(bits(5000, <<>>))),
    show(shared()),
    show(sent()),
    show(suffix()),
    show(self_append(id(<<1, 2, 3>>), 5)),
    show(comprehensions()),
    show(mixed(1000, <<>>, [])),
    show(errors()),
    show(round_robin(lists:duplicate(20, <<>>), 2000)),
    show([guard(X) || X <- [1, 300, a, 1.5, <<7>>]]),
    ok.

bytes(0, Acc) -> Acc;
bytes(N, Acc) -> bytes(N - 1, <<Acc/binary, (N rem 251):8>>).

bits(0, Acc) -> Acc;
bits(N, Acc) -> bits(N - 1, <<Acc/bits, (N rem 7):3>>).

%% Two different appends to the same prefix must not see each other's bytes.
shared() ->
    P = bytes(300, <<>>),
    A = <<P/binary, "aaa">>,
    B = <<P/binary, "bbbb">>,
    C = <<A/binary, "c">>,
    D = <<A/binary, "d">>,
    Pb = bits(10, <<>>),
    E = <<Pb/bits, 1:1>>,
    F = <<Pb/bits, 0:1, 7:3>>,
    {byte_size(A), byte_size(B), binary:last(A), binary:last(B), binary:last(C), binary:last(D),
     binary:part(A, 300, 3), binary:part(B, 300, 4), E, F, Pb}.

%% A prefix sent to another process, which appends to its copy while we append to ours.
sent() ->
    P = bytes(1000, <<>>),
    Self = self(),
    Pid = spawn(fun() ->
                        receive {go, Bin} ->
                                Mine = lists:foldl(fun(I, Acc) -> <<Acc/binary, I>> end, Bin, lists:seq(1, 100)),
                                Self ! {done, Mine}
                        end
                end),
    Pid ! {go, P},
    Ours = lists:foldl(fun(I, Acc) -> <<Acc/binary, (255 - I)>> end, P, lists:seq(1, 100)),
    receive {done, Theirs} -> ok end,
    {byte_size(Ours), byte_size(Theirs), binary:part(Ours, 1000, 3), binary:part(Theirs, 1000, 3),
     binary:part(Ours, 0, 1000) =:= P, binary:part(Theirs, 0, 1000) =:= P}.

%% Appending to a tail of the accumulator (a sub-binary ending at the same place).
suffix() ->
    Acc = bytes(100, <<>>),
    <<_:50/binary, Tail/binary>> = Acc,
    T2 = <<Tail/binary, 1, 2, 3>>,
    A2 = <<Acc/binary, 9>>,
    {byte_size(T2), binary:part(T2, 50, 3), binary:last(A2), byte_size(A2)}.

self_append(B, 0) -> B;
self_append(B, N) -> self_append(<<B/binary, B/binary>>, N - 1).

comprehensions() ->
    L = lists:seq(1, 2000),
    B1 = << <<X:8>> || X <- L >>,
    B2 = << <<X:3>> || X <- L >>,
    B3 = << <<X:16/little>> || X <- L, X rem 3 =:= 0 >>,
    B4 = << <<(integer_to_binary(X))/binary, ",">> || X <- lists:seq(1, 20) >>,
    B5 = << <<C/utf8>> || C <- [955, $x, 16#1F600] >>,
    {byte_size(B1), erlang:phash2(B1), bit_size(B2), erlang:phash2(B2), byte_size(B3),
     erlang:phash2(B3), B4, B5}.

%% Accumulators interleaved with other binaries being built.
mixed(0, Acc, Parts) -> {byte_size(Acc), erlang:phash2(Acc), length(Parts), erlang:phash2(Parts)};
mixed(N, Acc, Parts) ->
    Part = id(<<N:16, (N rem 3):2>>),
    Acc2 = <<Acc/binary, (N rem 256)>>,
    Parts2 = case N rem 100 of 0 -> [Acc2, Part | Parts]; _ -> Parts end,
    mixed(N - 1, Acc2, Parts2).

errors() ->
    T = fun(F) -> try F() catch C:E -> {C, E} end end,
    [T(fun() -> <<(id(<<1:3>>))/binary, 1>> end),
     T(fun() -> <<(id(a))/binary, 1>> end),
     T(fun() -> <<(id(<<1:3>>))/bits, 1>> end),
     T(fun() -> <<(id(<<1>>))/binary, (id(a)):8>> end),
     T(fun() -> <<(id(<<1>>))/binary, (id(1)):(id(-8))>> end)].

%% More accumulators than the per-thread writable-buffer registry keeps.
round_robin(Accs, 0) -> [{byte_size(A), erlang:phash2(A)} || A <- Accs];
round_robin([A | Rest], N) -> round_robin(Rest ++ [<<A/binary, (N rem 256), N:16>>], N - 1).

%% Construction failing inside a guard takes the fail branch instead of raising.
guard(X) when byte_size(<<X:8, X/binary>>) > 1 -> {bin, X};
guard(X) when bit_size(<<X:16>>) =:= 16 -> {int, X};
guard(X) when is_float(X), <<X:32/float>> =/= <<>> -> {float, X};
guard(X) -> {other, X}.

