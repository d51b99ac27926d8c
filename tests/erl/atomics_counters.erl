-module(atomics_counters).
-export([main/0]).

%% atomics and counters: results, wrapping, errors, and exact totals when many
%% processes update the same array at once.

c(F) -> try F() of V -> {ok, V} catch C:E -> {C, E} end.

main() ->
    basics(),
    limits(),
    errors(),
    counters_basics(),
    counters_errors(),
    sharing(),
    concurrent(),
    ok.

basics() ->
    R = atomics:new(3, []),
    io:format("is_reference ~p~n", [is_reference(R)]),
    io:format("info ~p~n", [atomics:info(R)]),
    io:format("fresh ~p~n", [[atomics:get(R, I) || I <- [1, 2, 3]]]),
    ok = atomics:put(R, 1, 10),
    ok = atomics:add(R, 1, 5),
    io:format("add_get ~p~n", [atomics:add_get(R, 1, 7)]),
    ok = atomics:sub(R, 1, 2),
    io:format("sub_get ~p~n", [atomics:sub_get(R, 1, 30)]),
    io:format("exchange ~p ~p~n", [atomics:exchange(R, 1, 100), atomics:get(R, 1)]),
    io:format("cas ok ~p~n", [atomics:compare_exchange(R, 1, 100, 200)]),
    io:format("cas fail ~p~n", [atomics:compare_exchange(R, 1, 100, 300)]),
    io:format("after cas ~p~n", [atomics:get(R, 1)]),
    io:format("others ~p~n", [[atomics:get(R, 2), atomics:get(R, 3)]]),
    U = atomics:new(2, [{signed, false}]),
    io:format("unsigned info ~p~n", [atomics:info(U)]),
    S = atomics:new(1, [{signed, false}, {signed, true}]),
    io:format("last option wins ~p~n", [maps:get(min, atomics:info(S))]),
    io:format("memory ~p~n", [[maps:get(memory, atomics:info(atomics:new(N, []))) || N <- [1, 2, 8, 100]]]).

limits() ->
    Max = (1 bsl 63) - 1,
    Min = -(1 bsl 63),
    R = atomics:new(1, []),
    atomics:put(R, 1, Max),
    io:format("signed wrap up ~p~n", [atomics:add_get(R, 1, 1)]),
    io:format("signed wrap down ~p~n", [atomics:sub_get(R, 1, 1)]),
    atomics:put(R, 1, 0),
    io:format("add 2^63 ~p~n", [atomics:add_get(R, 1, 1 bsl 63)]),
    io:format("add 2^64-1 ~p~n", [atomics:add_get(R, 1, (1 bsl 64) - 1)]),
    io:format("add min ~p~n", [atomics:add_get(R, 1, Min)]),
    U = atomics:new(1, [{signed, false}]),
    io:format("unsigned sub ~p~n", [atomics:sub_get(U, 1, 1)]),
    io:format("unsigned add ~p~n", [atomics:add_get(U, 1, 2)]),
    io:format("unsigned put max ~p ~p~n", [atomics:put(U, 1, (1 bsl 64) - 1), atomics:get(U, 1)]),
    io:format("unsigned exchange ~p~n", [atomics:exchange(U, 1, 1 bsl 63)]),
    io:format("unsigned cas ~p ~p~n", [atomics:compare_exchange(U, 1, 1 bsl 63, 5), atomics:compare_exchange(U, 1, 1, 6)]),
    io:format("signed puts ~p~n", [[c(fun() -> atomics:put(R, 1, V) end) || V <- [Max, Min, Max + 1, Min - 1]]]),
    io:format("unsigned puts ~p~n", [[c(fun() -> atomics:put(U, 1, V) end) || V <- [0, -1, 1 bsl 63, 1 bsl 64]]]),
    io:format("signed adds ~p~n", [[c(fun() -> atomics:add(R, 1, V) end) || V <- [1 bsl 63, (1 bsl 64) - 1, 1 bsl 64, Min, Min - 1, 1 bsl 100]]]),
    io:format("unsigned adds ~p~n", [[c(fun() -> atomics:add(U, 1, V) end) || V <- [-1, Min, Min - 1, (1 bsl 64) - 1, 1 bsl 64]]]),
    io:format("subs ~p~n", [[c(fun() -> atomics:sub(U, 1, V) end) || V <- [1 bsl 63, (1 bsl 64) - 1, -(1 bsl 63), Min - 1, -1]]]).

errors() ->
    R = atomics:new(2, []),
    io:format("new ~p~n", [[c(fun() -> atomics:new(N, O) end) || {N, O} <- [{0, []}, {-1, []}, {a, []}, {1.0, []}, {1, [bad]}, {1, [{signed, x}]}, {1, x}, {1, [{signed, true} | x]}, {1 bsl 70, []}, {1 bsl 64, []}, {-(1 bsl 70), []}]]]),
    io:format("index ~p~n", [[c(fun() -> atomics:get(R, I) end) || I <- [0, 3, -1, 1.0, a, 1 bsl 64, 1 bsl 70]]]),
    io:format("ref ~p~n", [[c(fun() -> atomics:get(X, 1) end) || X <- [make_ref(), a, 1, {R}, [R]]]]),
    io:format("ops ~p~n", [[c(F) || F <- [fun() -> atomics:put(R, 1, 1.0) end, fun() -> atomics:put(R, 1, a) end,
                                         fun() -> atomics:add(R, 1, "1") end, fun() -> atomics:add_get(R, 3, 1) end,
                                         fun() -> atomics:exchange(R, 1, 1 bsl 63) end,
                                         fun() -> atomics:compare_exchange(R, 1, 1 bsl 63, 0) end,
                                         fun() -> atomics:compare_exchange(R, 1, 0, 1 bsl 63) end,
                                         fun() -> atomics:info(make_ref()) end, fun() -> atomics:info(a) end]]]),
    C = counters:new(1, [write_concurrency]),
    io:format("counters ref ~p~n", [[c(fun() -> atomics:get(element(2, C), 1) end), c(fun() -> atomics:info(element(2, C)) end)]]),
    io:format("internal ~p~n", [[c(fun() -> erts_internal:atomics_new(1, O) end) =/= x || O <- [0, 1, 2, 7]]]),
    io:format("internal signed ~p~n", [[maps:get(min, atomics:info(erts_internal:atomics_new(1, O))) || O <- [0, 1, 2, 3]]]),
    io:format("internal bad ~p~n", [[c(fun() -> erts_internal:atomics_new(1, O) end) || O <- [-1, a, 1.0, 1 bsl 70]]]).

counters_basics() ->
    lists:foreach(
      fun(Opts) ->
              C = counters:new(3, Opts),
              counters:add(C, 1, 5),
              counters:sub(C, 1, 2),
              counters:add(C, 2, -7),
              counters:put(C, 3, 42),
              counters:add(C, 3, 1),
              io:format("~p values ~p~n", [Opts, [counters:get(C, I) || I <- [1, 2, 3]]]),
              counters:put(C, 1, (1 bsl 63) - 1),
              counters:add(C, 1, 1),
              io:format("~p wrap ~p~n", [Opts, counters:get(C, 1)]),
              counters:add(C, 2, 1 bsl 63),
              io:format("~p add 2^63 ~p~n", [Opts, counters:get(C, 2)]),
              counters:sub(C, 3, -(1 bsl 63)),
              io:format("~p sub -2^63 ~p~n", [Opts, counters:get(C, 3)]),
              io:format("~p size ~p~n", [Opts, maps:get(size, counters:info(C))])
      end, [[], [atomics], [write_concurrency]]),
    {atomics, _} = counters:new(1, []),
    {atomics, _} = counters:new(1, [atomics]),
    {write_concurrency, _} = counters:new(1, [write_concurrency]),
    io:format("atomics counters info ~p~n", [counters:info(counters:new(10, [atomics]))]),
    Schedulers = erlang:system_info(schedulers),
    io:format("write_concurrency memory ~p~n",
              [[maps:get(memory, counters:info(counters:new(N, [write_concurrency])))
                =:= 32 + (Schedulers + 1) * 64 * ((N + 7) div 8) || N <- [1, 8, 9, 100]]]).

counters_errors() ->
    A = counters:new(2, []),
    W = counters:new(2, [write_concurrency]),
    io:format("new ~p~n", [[c(fun() -> counters:new(N, O) end) || {N, O} <- [{0, []}, {-1, []}, {a, []}, {1, [bad]}, {1, [atomics, write_concurrency]}, {1, x}, {1 bsl 70, []}, {1 bsl 70, [write_concurrency]}, {0, [write_concurrency]}]]]),
    lists:foreach(
      fun(C) ->
              io:format("~p get ~p~n", [element(1, C), [c(fun() -> counters:get(C, I) end) || I <- [0, 3, a, 1.5]]]),
              io:format("~p add ~p~n", [element(1, C), [c(fun() -> counters:add(C, 1, V) end) || V <- [1 bsl 64, -(1 bsl 63) - 1, 1.0, a]]]),
              io:format("~p sub ~p~n", [element(1, C), [c(fun() -> counters:sub(C, 1, V) end) || V <- [(1 bsl 63) + 1, -(1 bsl 64), a]]]),
              io:format("~p put ~p~n", [element(1, C), [c(fun() -> counters:put(C, 1, V) end) || V <- [1 bsl 63, -(1 bsl 63) - 1, -(1 bsl 63), a]]])
      end, [A, W]),
    Bad = [make_ref(), {a}, {atomics, 1}, {write_concurrency, element(2, A)}, {atomics, element(2, W)}, {foo, element(2, A)}],
    io:format("bad refs ~p~n", [[[c(fun() -> counters:get(X, 1) end), c(fun() -> counters:add(X, 1, 1) end),
                                  c(fun() -> counters:put(X, 1, 1) end), c(fun() -> counters:info(X) end)] || X <- Bad]]),
    io:format("internal ~p~n", [[c(fun() -> erts_internal:counters_new(N) end) || N <- [0, -1, a, 1 bsl 70]]]).

sharing() ->
    R = atomics:new(2, []),
    atomics:put(R, 1, 7),
    Self = self(),
    spawn(fun() -> Self ! {got, atomics:add_get(R, 1, 1)} end),
    receive {got, V} -> io:format("from other process ~p ~p~n", [V, atomics:get(R, 1)]) end,
    Copy = binary_to_term(term_to_binary(R)),
    io:format("external copy ~p ~p ~p~n", [Copy =:= R, atomics:add_get(Copy, 1, 1), atomics:get(R, 1)]),
    persistent_term:put({?MODULE, ref}, R),
    atomics:add(persistent_term:get({?MODULE, ref}), 2, 3),
    io:format("persistent ~p~n", [atomics:get(R, 2)]),
    M = #{r => R, l => [R]},
    atomics:add(maps:get(r, M), 2, 1),
    io:format("in map ~p~n", [atomics:get(hd(maps:get(l, M)), 2)]),
    C = counters:new(1, [write_concurrency]),
    counters:add(binary_to_term(term_to_binary(C)), 1, 9),
    io:format("counters external copy ~p~n", [counters:get(C, 1)]),
    io:format("compare ~p~n", [[R == R, R =:= atomics:new(2, []), is_integer(erlang:phash2(R)), lists:sort([R, R]) =:= [R, R]]]),
    persistent_term:erase({?MODULE, ref}).

concurrent() ->
    N = 8,
    Iters = 20000,
    A = atomics:new(2, []),
    U = atomics:new(1, [{signed, false}]),
    CA = counters:new(2, [atomics]),
    CW = counters:new(2, [write_concurrency]),
    Self = self(),
    Pids = [spawn(fun() ->
                          worker(Iters, A, U, CA, CW),
                          Self ! {done, self()}
                  end) || _ <- lists:seq(1, N)],
    [receive {done, P} -> ok end || P <- Pids],
    Total = N * Iters,
    io:format("atomics add ~p~n", [atomics:get(A, 1) =:= Total]),
    io:format("atomics cas loop ~p~n", [atomics:get(A, 2) =:= Total]),
    io:format("unsigned sub ~p~n", [atomics:get(U, 1) =:= (1 bsl 64) - Total]),
    io:format("counters atomics ~p ~p~n", [counters:get(CA, 1) =:= Total, counters:get(CA, 2) =:= -Total]),
    io:format("counters write_concurrency ~p ~p~n", [counters:get(CW, 1) =:= Total, counters:get(CW, 2) =:= -2 * Total]),
    counters:put(CW, 1, 5),
    io:format("put after adds ~p~n", [counters:get(CW, 1)]).

worker(0, _, _, _, _) ->
    ok;
worker(I, A, U, CA, CW) ->
    atomics:add(A, 1, 1),
    cas_incr(A, 2),
    atomics:sub(U, 1, 1),
    counters:add(CA, 1, 1),
    counters:sub(CA, 2, 1),
    counters:add(CW, 1, 1),
    counters:sub(CW, 2, 2),
    case I rem 1000 of
        0 -> erlang:yield();
        _ -> ok
    end,
    worker(I - 1, A, U, CA, CW).

cas_incr(A, Ix) ->
    Old = atomics:get(A, Ix),
    case atomics:compare_exchange(A, Ix, Old, Old + 1) of
        ok -> ok;
        _ -> cas_incr(A, Ix)
    end.
