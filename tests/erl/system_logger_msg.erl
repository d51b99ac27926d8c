%% The runtime's own error report for a crashed process goes to the system logger
%% (erlang:system_flag(system_logger, Pid)) as a {log, ...} message, and is dropped when
%% the system logger is `undefined`.
-module(system_logger_msg).
-export([main/0]).

main() ->
    Old = erlang:system_flag(system_logger, self()),
    io:format("old is pid or logger: ~p~n", [is_pid(Old) orelse Old =:= logger]),
    Pid = spawn(fun() -> exit({crashed, [1, 2, 3]}) end),
    Pid2 = spawn(fun() -> error(boom) end),
    report(Pid),
    report(Pid2),
    %% A normal exit or a plain exit reason other than an error is not reported.
    spawn(fun() -> exit(normal) end),
    erlang:system_flag(system_logger, undefined),
    spawn(fun() -> error(dropped) end),
    receive Other -> io:format("unexpected ~p~n", [Other])
    after 300 -> io:format("nothing else~n")
    end,
    erlang:system_flag(system_logger, Old),
    ok.

report(Pid) ->
    receive
        {log, Level, Format, [P, Reason], Meta} when P =:= Pid ->
            io:format("level ~p~nformat ~p~n", [Level, Format]),
            io:format("reason ~p~n", [case Reason of
                                          {R, Stack} when is_list(Stack) -> R;
                                          R -> R
                                      end]),
            io:format("meta keys ~p~n", [lists:sort(maps:keys(Meta))]),
            io:format("error_logger ~p~n", [maps:get(error_logger, Meta)]),
            io:format("pid ok ~p, gl is pid ~p, time is integer ~p~n",
                      [maps:get(pid, Meta) =:= Pid, is_pid(maps:get(gl, Meta)),
                       is_integer(maps:get(time, Meta))])
    after 1000 -> io:format("no report~n")
    end.
