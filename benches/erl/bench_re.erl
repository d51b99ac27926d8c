-module(bench_re).
-export([main/0, run/1, lines/0]).

%% re:run of a typical log-line pattern over 200k lines with a precompiled pattern,
%% capturing the fields as binaries.

-define(N, 200000).

lines() ->
    Levels = {<<"INFO">>, <<"WARN">>, <<"ERROR">>, <<"DEBUG">>},
    [line(I, element(I rem 4 + 1, Levels)) || I <- lists:seq(1, ?N)].

line(I, Level) when I rem 10 =:= 0 ->
    %% A malformed line now and then (no time field): no match.
    iolist_to_binary(["2024-01-15 [", Level, "] dropped ", integer_to_list(I)]);
line(I, Level) ->
    S = I rem 60,
    M = (I div 60) rem 60,
    iolist_to_binary(["2024-01-", pad(I rem 28 + 1), " 12:", pad(M), ":", pad(S),
                      " [", Level, "] request ", integer_to_list(I),
                      " served in ", integer_to_list(I rem 997), " ms"]).

pad(N) when N < 10 -> [$0 | integer_to_list(N)];
pad(N) -> integer_to_list(N).

run(Lines) ->
    {ok, MP} = re:compile("^(\\d{4}-\\d{2}-\\d{2}) (\\d{2}:\\d{2}:\\d{2}) \\[(\\w+)\\] (.*)$"),
    count(Lines, MP, 0, 0, 0).

count([], _, Matched, Errors, Bytes) -> {Matched, Errors, Bytes};
count([L | Ls], MP, Matched, Errors, Bytes) ->
    case re:run(L, MP, [{capture, all_but_first, binary}]) of
        {match, [_Date, _Time, <<"ERROR">>, Msg]} ->
            count(Ls, MP, Matched + 1, Errors + 1, Bytes + byte_size(Msg));
        {match, [_Date, _Time, _Level, Msg]} ->
            count(Ls, MP, Matched + 1, Errors, Bytes + byte_size(Msg));
        nomatch ->
            count(Ls, MP, Matched, Errors, Bytes)
    end.

main() ->
    Lines = lines(),
    T0 = erlang:monotonic_time(),
    R = run(Lines),
    T1 = erlang:monotonic_time(),
    io:format("result: ~p~n", [R]),
    io:format("time_us: ~p~n", [erlang:convert_time_unit(T1 - T0, native, microsecond)]).
