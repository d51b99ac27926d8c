%% The edges of native code's fast paths: each case leaves the fast path (a bignum,
%% a float, a non-immediate select value, a fun of the wrong arity, a failing BIF, a
%% full heap, a yield) and must still behave exactly as on the reference.
-module(jit_paths).
-export([main/0]).

main() ->
    arith(),
    floats(),
    compare(),
    selects(),
    funs(),
    bifs(),
    maps(),
    exceptions(),
    heap_and_stack(),
    yields(),
    records(),
    type_tests(),
    ok.

show(Label, V) -> io:format("~s: ~p~n", [Label, V]).

%% small + small that overflows into a bignum, and back.
arith() ->
    Max = 576460752303423487,
    show("add overflow", Max + 1),
    show("sub overflow", -Max - 2),
    show("add imm", lists:map(fun(X) -> X + 3 end, [1, Max, -Max - 1, 1.5])),
    show("sub imm", lists:map(fun(X) -> X - 3 end, [1, -Max - 1, 2.5])),
    show("big back to small", (Max + 10) - 20),
    show("mul", [X * Y || X <- [3, Max, 2.0], Y <- [7, Max]]),
    Edges = [0, -1, 1 bsl 29, -(1 bsl 29), 1 bsl 30, -(1 bsl 30), Max, -Max - 1, 12.5],
    show("mul edges", [X * Y || X <- Edges, Y <- Edges]),
    show("mul badarith", catch (id(a) * 2)),
    show("badarith", catch (a + 1)),
    show("badarith imm", catch (id(b) - 1)).

id(X) -> X.

%% Every guard type test on a value of every kind.
type_tests() ->
    Vals = [0, -5, 1 bsl 70, -(1 bsl 70), 1.5, -0.0, true, false, ok, [], [1], "s",
            {}, {a, b}, #{}, #{a => 1}, maps:from_list([{I, I} || I <- lists:seq(1, 40)]),
            <<>>, <<1:3>>, <<1, 2>>, fun id/1, fun erlang:abs/1, self(), make_ref()],
    show("type tests", [[ti(V), tf(V), tn(V), tb(V), tfun(V), tm(V), ta(V)] || V <- Vals]).

ti(V) when is_integer(V) -> 1; ti(_) -> 0.
tf(V) when is_float(V) -> 1; tf(_) -> 0.
tn(V) when is_number(V) -> 1; tn(_) -> 0.
tb(V) when is_boolean(V) -> 1; tb(_) -> 0.
tfun(V) when is_function(V) -> 1; tfun(_) -> 0.
tm(V) when is_map(V) -> 1; tm(_) -> 0.
ta(V) when is_atom(V) -> 1; ta(_) -> 0.

-record(r, {a, b, c, d}).

%% Record updates of several fields (setelement, then set_tuple_element on the
%% copy) and map patterns that only test keys (has_map_fields).
records() ->
    R = #r{a = id(1), b = id(2), c = id(3), d = id(4)},
    R2 = R#r{b = id(x), c = id(y), d = id(z)},
    show("record update", [R, R2, catch (id(not_a_record))#r{b = 1, c = 2}]),
    Keys = fun(M) ->
                   case M of
                       #{a := _, {k} := _} -> both;
                       #{a := _} -> a_only;
                       _ -> neither
                   end
           end,
    show("map fields", [Keys(id(M)) || M <- [#{a => 1, {k} => 2}, #{a => 1}, #{b => 1}]]).

%% Float-register arithmetic (the compiler knows the operands are floats).
floats() ->
    show("float ops", [fops(X, Y) || {X, Y} <- [{1.5, 2.0}, {-3.25, 0.5}, {1.0e300, 1.0e-5}]]),
    show("float from int", [fconv(N) || N <- [3, -7, 1 bsl 62, 0]]),
    show("float overflow", catch fops(1.0e308, 1.0e-308)),
    show("float div zero", catch fops(1.0, 0.0)),
    show("negate", [fneg(X) || X <- [0.0, 2.5, -1.0]]).

fops(X, Y) when is_float(X), is_float(Y) -> {X * Y + X / Y - Y, X - Y * 2.0}.

fconv(N) when is_integer(N) -> N / 2 + 0.5.

fneg(X) when is_float(X) -> -X * 1.0.

compare() ->
    Vs = [1, 1.0, 2, a, b, {1}, {1, 2}, [], [a], <<"b">>, 576460752303423488, -1],
    show("lt", [{X, Y} || X <- Vs, Y <- Vs, X < Y, is_integer(X) orelse is_atom(X)]),
    show("ge", length([{X, Y} || X <- Vs, Y <- Vs, X >= Y])),
    show("eq", [{X, Y} || X <- Vs, Y <- Vs, X == Y, X =/= Y]),
    show("exact", [{X, Y} || X <- Vs, Y <- Vs, X =:= Y, X /= Y]),
    show("ne exact", length([{X, Y} || X <- Vs, Y <- Vs, X =/= Y])),
    show("tuples", lists:sort([{b, 2}, {a, 1}, {a, 1.0}, {a}, {c, [x]}, {c, "x"}])).

selects() ->
    show("select", [kind(X) || X <- [1, 2, 3.0, 3, a, b, "s", <<"x">>, {t}, 5, 1 bsl 70, 0.5]]),
    show("arity", [arity(T) || T <- [{}, {1}, {1, 2}, {1, 2, 3}, [], x, {1, 2, 3, 4, 5, 6, 7, 8, 9}]]),
    show("dense", [dense(N) || N <- lists:seq(-2, 12)]).

kind(1) -> one;
kind(2) -> two;
kind(3.0) -> three_float;
kind(3) -> three;
kind(a) -> atom_a;
kind(b) -> atom_b;
kind("s") -> string;
kind(<<"x">>) -> binary;
kind(1180591620717411303424) -> big;
kind(0.5) -> half;
kind(_) -> other.

arity({}) -> 0;
arity({_}) -> 1;
arity({_, _}) -> 2;
arity({_, _, _}) -> 3;
arity(T) when is_tuple(T) -> {many, tuple_size(T)};
arity(_) -> not_tuple.

dense(0) -> zero; dense(1) -> one; dense(2) -> two; dense(3) -> three;
dense(4) -> four; dense(5) -> five; dense(6) -> six; dense(7) -> seven;
dense(8) -> eight; dense(9) -> nine; dense(N) -> {other, N}.

funs() ->
    F = fun(X) -> X * 2 end,
    G = fun lists:reverse/1,
    Captured = 10,
    H = fun(X, Y) -> X + Y + Captured end,
    show("local", F(21)),
    show("export", G([1, 2, 3])),
    show("closure", H(1, 2)),
    show("badarity", catch F(1, 2)),
    show("badfun", catch (id(not_a_fun))(1)),
    show("export badarity", catch G(1, 2)),
    show("is_function", [is_function(X, 1) || X <- [F, G, H, 3]]),
    show("apply", apply(lists, seq, [1, 4])),
    show("undefined export", catch (id(fun no_such_module:f/0))()).

bifs() ->
    show("element", [catch element(N, {a, b}) || N <- [1, 2, 3, 0]]),
    show("length", [catch length(L) || L <- [[1, 2], [], [a | b]]]),
    show("guard bif fail", [g(X) || X <- [{a}, [1], 3, "abc"]]),
    show("atom_to_list", catch atom_to_list(1)),
    show("list_to_atom", list_to_atom("jit_paths_atom")),
    show("spawn", is_pid(spawn(fun() -> ok end))),
    show("ets", begin
                    T = ets:new(t, []),
                    ets:insert(T, [{K, K * K} || K <- lists:seq(1, 5)]),
                    lists:sort(ets:tab2list(T))
                end).

g(X) when tuple_size(X) > 0 -> tuple;
g(X) when length(X) > 2 -> long_list;
g(X) when hd(X) > 0 -> list;
g(_) -> other.

maps() ->
    M = #{a => 1, b => 2},
    show("update", M#{a := 10}),
    show("assoc", M#{c => 3, 1.0 => float}),
    show("badkey", catch (id(M))#{z := 1}),
    show("badmap", catch (id(not_a_map))#{a => 1}),
    show("get", [V || #{a := V} <- [M, #{a => x}, #{b => y}, not_a_map]]),
    show("big", maps:size(lists:foldl(fun(K, Acc) -> Acc#{K => K} end, #{}, lists:seq(1, 100)))).

exceptions() ->
    show("throw", catch throw(t)),
    show("error", try error(e) catch error:E -> {caught, E} end),
    show("exit", try exit(x) catch exit:X -> {caught, X} end),
    show("nested", try try error(inner) after io:format("after~n") end catch _:R -> R end),
    show("badmatch", catch (fun() -> {a, _} = id({b, c}) end)()),
    show("function_clause", catch kind_strict(nope)),
    show("case_clause", catch (case id(x) of y -> y end)),
    show("stack", try error(deep) catch error:deep:St -> length(St) > 0 end).

kind_strict(a) -> a.

%% Recursion deep enough to grow the stack and collect many times on the way.
heap_and_stack() ->
    show("deep", depth(3000)),
    show("tuples", lists:sum([element(1, T) || T <- [{N, [N], {N}} || N <- lists:seq(1, 3000)]])),
    show("fib", fib(22)).

depth(0) -> 0;
depth(N) -> 1 + depth(N - 1).

fib(N) when N < 2 -> N;
fib(N) -> fib(N - 1) + fib(N - 2).

%% Processes that run long without waiting are preempted at calls.
yields() ->
    Self = self(),
    Ps = [spawn(fun() -> Self ! {done, N, spin(100000 + N)} end) || N <- lists:seq(1, 4)],
    show("spins", lists:sort([receive {done, N, R} -> {N, R} end || _ <- Ps])).

spin(0) -> done;
spin(N) -> spin(N - 1).
