-module(uncaught_error).
-export([main/0]).

%% Nothing is printed before the crash: output still queued in the io
%% server/port is not guaranteed to be flushed when init halts after an
%% uncaught exception, so stdout is exactly the "init terminating" line.
main() ->
    Result = compute(lists:seq(1, 5)),
    io:format("never printed ~p~n", [Result]).

compute(L) ->
    Sum = lists:sum(L),
    {ok, _} = check(Sum).

check(15) -> {error, sum_is_fifteen}.
