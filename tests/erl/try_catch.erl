-module(try_catch).
-export([main/0]).

id(X) -> X.

classify(F) ->
    try F() of
        V -> {value, V}
    catch
        throw:T -> {throw, T};
        error:E -> {error, E};
        exit:X -> {exit, X}
    end.

main() ->
    Cases = [fun() -> ok end,
             fun() -> throw(ball) end,
             fun() -> error(oops) end,
             fun() -> exit(bye) end,
             fun() -> erlang:error({complex, [1, 2]}) end,
             fun() -> erlang:throw({a, b}) end,
             fun() -> exit({shutdown, reason}) end,
             fun() -> 1 / id(0) end,
             fun() -> throw(id(undefined)) end,
             fun() -> exit(normal) end,
             fun() -> error(id(badarg)) end],
    lists:foreach(fun(F) -> io:format("~p~n", [classify(F)]) end, Cases),
    io:format("catch throw: ~p~n", [catch throw(x)]),
    io:format("catch value: ~p~n", [catch id(42)]),
    io:format("catch exit: ~p~n", [catch exit(y)]),
    io:format("catch error tag: ~p~n", [element(1, catch error(z))]),
    io:format("catch error reason: ~p~n", [element(1, element(2, catch error(z)))]),
    io:format("nested: ~p~n", [nested()]),
    io:format("rethrow: ~p~n", [rethrow()]),
    io:format("raise: ~p~n", [raise_test()]),
    io:format("raise bad class: ~p~n", [try erlang:raise(bogus, r, []) catch C:R -> {C, R} end]),
    io:format("raise bad st: ~p~n", [try erlang:raise(error, r, notalist) catch C2:R2 -> {C2, R2} end]),
    io:format("of clause no match: ~p~n", [try try id(1) of 2 -> two catch _:_ -> caught_inner end catch error:E -> {outer, E} end]),
    io:format("exception in of not caught by same try: ~p~n", [catch (try id(1) of 1 -> throw(in_of) catch throw:T -> {wrongly_caught, T} end)]),
    io:format("error/2: ~p~n", [try error(with_args, [1, 2]) catch error:R3:St -> {R3, own_frames(St)} end]),
    io:format("error/3: ~p~n", [try error(with_opts, [a], [{error_info, #{module => ?MODULE}}]) catch error:R4 -> R4 end]),
    io:format("class var: ~p~n", [[try F() catch Class:_ -> Class end || F <- tl(Cases)]]),
    io:format("pattern in catch: ~p~n", [try throw({code, 42}) catch throw:{code, N} when N > 40 -> {big, N}; throw:{code, N} -> {small, N} end]),
    io:format("unmatched catch falls through: ~p~n", [try try throw(a) catch throw:b -> b end catch throw:a -> outer_a end]),
    io:format("try without catch, after only: ~p~n", [catch try throw(x) after put(after_ran, true) end]),
    io:format("after ran: ~p~n", [get(after_ran)]),
    io:format("catch precedence: ~p~n", [begin X = (catch 1 + 1), X end]),
    io:format("deep throw: ~p~n", [catch deep(100)]),
    io:format("throw non-local return: ~p~n", [find_first(fun(X) -> X > 3 end, [1, 2, 3, 4, 5])]),
    io:format("exit value: ~p~n", [catch exit({x, [1]})]),
    io:format("error in after: ~p~n", [try try ok after error(in_after) end catch error:E5 -> {after_error, E5} end]),
    io:format("throw in catch clause: ~p~n", [try try throw(a) catch throw:a -> throw(b) end catch throw:T2 -> {rethrown, T2} end]),
    io:format("catch of case_clause: ~p~n", [try case id(x) of y -> y end catch error:{case_clause, V} -> {cc, V} end]),
    io:format("try value of block: ~p~n", [try id(1), id(2), id(3) catch _:_ -> no end]),
    io:format("sequential trys: ~p~n", [[try id(I) / (I - 2) catch error:badarith -> inf end || I <- [1, 2, 3]]]),
    ok.

own_frames(St) -> [{M, F, A} || {M, F, A, _} <- St, M =:= ?MODULE].

nested() ->
    try
        try throw(inner)
        catch throw:inner -> throw(outer)
        end
    catch throw:outer -> caught_outer
    end.

rethrow() ->
    try
        try error(first)
        catch error:E:St -> erlang:raise(error, {wrapped, E}, St)
        end
    catch error:R -> R
    end.

raise_test() ->
    [try erlang:raise(C, reason, []) catch C2:R -> {C2, R} end || C <- [error, exit, throw]].

deep(0) -> throw(bottom);
deep(N) -> [N | deep(N - 1)].

find_first(Pred, L) ->
    try
        lists:foreach(fun(X) -> case Pred(X) of true -> throw({found, X}); false -> ok end end, L),
        not_found
    catch throw:{found, X} -> X
    end.
