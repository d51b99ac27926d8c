-module(backtrace_depth).
%% erlang:system_flag(backtrace_depth, N) (ExUnit sets it to 20): its result, its
%% errors, the clamp at 64, and how it bounds exception stack traces (at least the
%% faulting frame even at 0), process_info current_stacktrace (0 frames at 0) and the
%% trace erlang:raise/3 is given. A non-tail recursion shows its recursive call once
%% (the reference leaves out a return address equal to the one before it).
-export([main/0, rec/1, brec/1, crec/1, srec/1]).

crec(0) -> atom_to_list(id(1));
crec(N) -> [crec(N - 1)].

srec(0) -> {current_stacktrace, S} = process_info(self(), current_stacktrace), S;
srec(N) -> [srec(N - 1)].

mrec(0) -> hd(id([]));
mrec(N) when N rem 2 =:= 0 -> [mrec(N - 1)];
mrec(N) -> {mrec(N - 1)}.

rec(0) -> erlang:error(boom);
rec(N) -> 1 + rec(N - 1).

brec(0) -> atom_to_list(id(1));
brec(N) -> 1 + brec(N - 1).

id(X) -> X.

show(Label, X) -> io:format("~s: ~p~n", [Label, X]).

len_or(T) when length(T) > 3 -> {length, length(T)};
len_or(T) -> T.

main() ->
    [show("bad " ++ io_lib:format("~p", [V]),
          try erlang:system_flag(backtrace_depth, V) catch C:R -> {C, R} end)
     || V <- [-1, foo, 1.0, 1 bsl 70, [], "8"]],
    show("system_info", try erlang:system_info(backtrace_depth) catch C:R -> {C, R} end),
    show("set 20", erlang:system_flag(backtrace_depth, 20)),
    show("rec(30)", len_or(try rec(30) catch error:boom:S1 -> S1 end)),
    show("set 100", erlang:system_flag(backtrace_depth, 100)),
    show("set 64 (was clamped)", erlang:system_flag(backtrace_depth, 64)),
    show("rec(100)", len_or(try rec(100) catch error:boom:S2 -> S2 end)),
    Long = [{a, b, I, []} || I <- lists:seq(1, 70)],
    show("raise 70", len_or(try erlang:raise(error, x, Long) catch error:x:S3 -> S3 end)),
    [begin
         show("set " ++ integer_to_list(D), erlang:system_flag(backtrace_depth, D)),
         show(" error/1", len_or(try rec(5) catch error:boom:St1 -> St1 end)),
         show(" bif", len_or(try brec(5) catch error:badarg:St2 -> St2 end)),
         {current_stacktrace, CS} = process_info(self(), current_stacktrace),
         show(" current_stacktrace", length(CS)),
         show(" raise", len_or(try erlang:raise(throw, x, Long) catch throw:x:St3 -> St3 end)),
         show(" error/2", len_or(try erlang:error(x, [1]) catch error:x:St4 -> St4 end)),
         show(" undef", len_or(try undefined_mod_x:f() catch error:undef:St5 -> St5 end)),
         show(" throw", len_or(try throw(t) catch throw:t:St6 -> St6 end)),
         show(" catch", len_or(element(2, element(2, catch rec(3)))))
     end || D <- [0, 1, 2, 3, 8]],
    show("exit stack", begin
        %% (the crash's error report is left out: it would race with the output)
        logger:set_primary_config(level, none),
        erlang:system_flag(backtrace_depth, 2),
        {Pid, Ref} = spawn_monitor(fun() -> rec(10) end),
        receive {'DOWN', Ref, process, Pid, {boom, St}} -> St end
    end),
    erlang:system_flag(backtrace_depth, 8),
    show("crec(10)", try crec(10) catch error:badarg:C1 -> C1 end),
    show("srec(10)", lists:flatten(srec(10))),
    show("mrec(10)", try mrec(10) catch error:badarg:C2 -> C2 end),
    erlang:system_flag(backtrace_depth, 12),
    show("crec(30) at 12", try crec(30) catch error:badarg:C3 -> C3 end),
    show("restore", erlang:system_flag(backtrace_depth, 8)),
    show("rec(30) at 8", len_or(try rec(30) catch error:boom:S9 -> S9 end)),
    show("raise 70 at 8", len_or(try erlang:raise(error, x, Long) catch error:x:S10 -> S10 end)).
