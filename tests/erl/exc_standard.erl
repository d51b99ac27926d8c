-module(exc_standard).
-export([main/0]).

-record(rec, {a, b}).

id(X) -> X.

run(Label, F) ->
    R = try F() of V -> {ok, V} catch C:E:St -> {C, E, own(St)} end,
    io:format("~s:~n  ~p~n", [Label, R]).

%% keep only frames from this module, with file/line
own(St) -> [Fr || Fr = {M, _, _, _} <- St, M =:= ?MODULE].

main() ->
    run("case_clause", fun() -> case id(3) of 1 -> one; 2 -> two end end),
    run("case_clause tuple", fun() -> case id({a, b}) of {a} -> one end end),
    run("function_clause", fun() -> fc(id(3), id(x)) end),
    run("function_clause guard", fun() -> fcg(id(-1)) end),
    run("function_clause fun", fun() -> (fun(1) -> one end)(id(2)) end),
    run("if_clause", fun() -> X = id(5), if X > 10 -> big; X < 0 -> neg end end),
    run("badmatch", fun() -> {ok, V} = id({error, nope}), V end),
    run("badmatch list", fun() -> [_, _] = id([1, 2, 3]) end),
    run("badmatch repeated var", fun() -> {X, X} = id({1, 2}), X end),
    run("badarith", fun() -> id(1) + id(a) end),
    run("badarith div0", fun() -> id(1) div id(0) end),
    run("badarg element", fun() -> element(id(0), id({a})) end),
    run("badarg hd", fun() -> hd(id([])) end),
    run("undef module", fun() -> (id(no_such_module_abc)):f(1) end),
    run("undef function", fun() -> ?MODULE:no_such_fn(id(1), 2) end),
    run("undef lists", fun() -> lists:no_such_fn() end),
    run("badfun atom", fun() -> (id(notafun))() end),
    run("badfun tuple", fun() -> (id({?MODULE, fc}))(1, 2) end),
    run("badarity", fun() -> (id(fun(A) -> A end))(1, 2) end),
    run("badkey", fun() -> maps:get(k, id(#{})) end),
    run("badkey update", fun() -> (id(#{}))#{k := 1} end),
    run("badmap", fun() -> (id(nomap))#{k => 1} end),
    run("badmap get", fun() -> maps:get(k, id(nomap)) end),
    run("badrecord access", fun() -> R = id({other, 1, 2}), R#rec.a end),
    run("badrecord update", fun() -> R = id(notrec), R#rec{a = 1} end),
    run("badrecord wrong size", fun() -> R = id({rec, 1}), R#rec.b end),
    run("try_clause", fun() -> try id(1) of 2 -> two catch _:_ -> c end end),
    run("bad_generator", fun() -> [X || X <- id(atom)] end),
    run("bad_filter", fun() -> [X || X <- [1], id(notbool)] end),
    run("nocatch throw caught as throw", fun() -> throw(id(t)) end),
    run("exit", fun() -> exit(id(reason)) end),
    run("error tuple", fun() -> error({id(my), error}) end),
    run("system_limit", fun() -> list_to_atom(lists:duplicate(id(300), $a)) end),
    run("badarg list_to_integer", fun() -> list_to_integer(id("x")) end),
    run("badarg atom_to_list", fun() -> atom_to_list(id(1)) end),
    run("badarg binary_to_term", fun() -> binary_to_term(id(<<1, 2>>)) end),
    run("andalso non-bool", fun() -> id(1) andalso true end),
    run("andalso bad right", fun() -> id(true) andalso id(1) end),
    run("orelse non-bool", fun() -> id(1) orelse true end),
    run("not non-bool", fun() -> not id(1) end),
    run("and non-bool", fun() -> id(1) and true end),
    run("xor non-bool", fun() -> id(x) xor true end),
    run("badarg send", fun() -> id(notapid) ! msg end),
    run("bsl badarith", fun() -> id(a) bsl 1 end),
    run("unary minus", fun() -> -id(foo) end),
    run("tuple_size", fun() -> tuple_size(id([])) end),
    run("length improper", fun() -> length(id([1 | 2])) end),
    run("catch-all nested", fun() -> catch_all() end),
    ok.

fc(1, a) -> one;
fc(2, b) -> two.

fcg(X) when X > 0 -> pos.

catch_all() ->
    [catch element(1, id(x)), catch throw(t), catch exit(e)] =/= [].
