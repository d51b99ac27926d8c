%% process_info(P, backtrace): the stack dump's layout (program counter, y registers
%% per frame, return addresses, catch markers, the bottom frame). Code and stack
%% addresses and code offsets differ between VMs, so they are masked before printing.
-module(proc_backtrace).
-export([main/0, wait/2, deep/1, guarded/1, sleeper/0, woken/1, many/1]).

wait(A, B) -> receive stop -> {A, B} end.

deep(0) -> catch wait(x, lists:seq(1, 40)), ok;
deep(N) -> X = deep(N - 1), {X, N}.

guarded(X) -> try receive stop -> X end after ok end.

sleeper() -> erlang:hibernate(?MODULE, woken, [1]).
woken(X) -> X.

many(N) ->
    L = [lists:seq(1, I) || I <- lists:seq(1, N)],
    [A, B, C, D, E, F, G, H, I, J, K, M] = L,
    receive stop -> ok end,
    {A, B, C, D, E, F, G, H, I, J, K, M}.

mask(Bin) ->
    S1 = re_hex(binary_to_list(Bin)),
    S1.

%% Replaces every "0x" followed by hex digits with "ADDR" and " + N)" with " + OFF)".
re_hex([$0, $x | T]) -> "ADDR" ++ re_hex(drop_hex(T));
re_hex([$\s, $+, $\s | T]) ->
    case drop_digits(T) of
        [$) | Rest] -> " + OFF)" ++ re_hex(Rest);
        Other -> " + " ++ re_hex(Other)
    end;
re_hex([C | T]) -> [C | re_hex(T)];
re_hex([]) -> [].

drop_hex([C | T]) when C >= $0, C =< $9; C >= $a, C =< $f -> drop_hex(T);
drop_hex(T) -> T.

drop_digits([C | T]) when C >= $0, C =< $9 -> drop_digits(T);
drop_digits(T) -> T.

show(Label, P) ->
    {backtrace, Bin} = process_info(P, backtrace),
    true = is_binary(Bin),
    io:format("== ~s~n~s", [Label, mask(Bin)]).

main() ->
    Ps = [{"two arguments", spawn(?MODULE, wait, [foo, [1, 2]])},
          {"nested frames with catch", spawn(?MODULE, deep, [3])},
          {"try/after", spawn(?MODULE, guarded, [{a, "b"}])},
          {"hibernating", spawn(?MODULE, sleeper, [])},
          {"twelve y registers", spawn(?MODULE, many, [12])},
          {"terms", spawn(?MODULE, wait,
                          [{'Quoted atom', [a | b], <<1:3>>, -12345678901234567890},
                           [1.5, #{a => 1}, <<"bin">>, "hello"]])}],
    timer:sleep(50),
    [show(L, P) || {L, P} <- Ps],
    {backtrace, Own} = process_info(self(), backtrace),
    [First | _] = string:split(binary_to_list(Own), "\n"),
    io:format("== self~n~s~n", [mask(list_to_binary(First))]),
    [exit(P, kill) || {_, P} <- Ps],
    ok.
