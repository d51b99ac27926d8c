-module(try_after).
-export([main/0]).

id(X) -> X.

log(X) -> put(log, [X | get_log()]).
get_log() -> case get(log) of undefined -> []; L -> L end.
reset() -> Old = lists:reverse(get_log()), put(log, []), Old.

main() ->
    R1 = try log(body), ok after log('after') end,
    io:format("1: ~p ~p~n", [R1, reset()]),
    R2 = (catch try log(body), throw(t) after log('after') end),
    io:format("2: ~p ~p~n", [R2, reset()]),
    R3 = try log(body), throw(t) catch throw:t -> log('catch'), c after log('after') end,
    io:format("3: ~p ~p~n", [R3, reset()]),
    R4 = try log(body), v of v -> log(of_clause), o after log('after') end,
    io:format("4: ~p ~p~n", [R4, reset()]),
    R5 = try
             try log(inner_body), error(e)
             after log(inner_after)
             end
         catch error:e -> log(outer_catch), caught
         after log(outer_after)
         end,
    io:format("5: ~p ~p~n", [R5, reset()]),
    R6 = (catch try log(body), error(first) after log(in_after), throw(from_after) end),
    io:format("6: ~p ~p~n", [R6, reset()]),
    R7 = f7(),
    io:format("7: ~p ~p~n", [R7, reset()]),
    R8 = [try log({iter, I}), I after log({after_iter, I}) end || I <- [1, 2, 3]],
    io:format("8: ~p ~p~n", [R8, reset()]),
    R9 = try
             try log(body), id(1) of 1 -> log(of1), error(in_of) catch error:in_of -> log(wrongly_caught), handled after log('after') end
         catch error:in_of -> log(outer_caught), outer
         end,
    io:format("9: ~p ~p~n", [R9, reset()]),
    R10 = (catch try exit(ex) after log(after_exit) end),
    io:format("10: ~p ~p~n", [R10, reset()]),
    R11 = recursive_after(3),
    io:format("11: ~p ~p~n", [R11, reset()]),
    R12 = try after_value() catch _:_ -> no end,
    io:format("12: ~p ~p~n", [R12, reset()]),
    R13 = (catch try try throw(a) after log(a1) end after log(a2) end),
    io:format("13: ~p ~p~n", [R13, reset()]),
    ok.

f7() ->
    try
        log(f7_body),
        early_return
    after
        log(f7_after)
    end.

recursive_after(0) -> log(bottom), done;
recursive_after(N) ->
    try log({enter, N}), recursive_after(N - 1) after log({leave, N}) end.

after_value() ->
    try body_value after after_value_ignored end.
