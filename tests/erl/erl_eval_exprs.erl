-module(erl_eval_exprs).
-export([main/0]).

eval(Str) -> eval(Str, erl_eval:new_bindings()).

eval(Str, Bindings) ->
    try
        {ok, Toks, _} = erl_scan:string(Str),
        {ok, Exprs} = erl_parse:parse_exprs(Toks),
        {value, V, B2} = erl_eval:exprs(Exprs, Bindings),
        {ok, san(V), [{K, san(X)} || {K, X} <- lists:sort(erl_eval:bindings(B2))]}
    catch C:R -> {C, strip(R)}
    end.

strip({badmatch, {error, {_, Mod, Msg}}}) -> {parse_error, Mod, Msg};
strip({badmatch, {error, Info, _}}) -> {scan_error, Info};
strip(R) -> R.

san(F) when is_function(F) -> 'FUN';
san(X) -> X.

main() ->
    Exprs = ["1 + 2 * 3.",
             "X = 5, Y = X * 2, {X, Y}.",
             "[X * X || X <- lists:seq(1, 5)].",
             "<< <<B>> || B <- [1, 2, 3] >>.",
             "#{a => 1, b => [1, 2]}.",
             "M = #{k => v}, M#{k := w}.",
             "case 3 of 1 -> one; N when N > 2 -> {big, N} end.",
             "if 1 > 2 -> a; true -> b end.",
             "F = fun(X) -> X + 1 end, F(41).",
             "Fact = fun F(0) -> 1; F(N) -> N * F(N - 1) end, Fact(25).",
             "try throw(x) catch throw:T -> {caught, T} end.",
             "try 1 / 0 catch error:E -> E end.",
             "element(1, catch error(boom)).",
             "lists:map(fun erlang:abs/1, [-1, 2, -3]).",
             "\"string\" ++ \" concat\".",
             "[a | b].",
             "{1, 2.5, atom, \"str\", <<\"bin\">>}.",
             "receive after 0 -> timeout end.",
             "begin A = 1, B = A + 1, A + B end.",
             "lists:foldl(fun(X, Acc) -> X + Acc end, 0, lists:seq(1, 100)).",
             "erlang:element(2, {a, b, c}).",
             "1 bsl 100.",
             "2.0 * 3.",
             "not true orelse false.",
             "[1, 2, 3] -- [2].",
             "<<X:4, Y:4>> = <<16#AB>>, {X, Y}.",
             "undefined_var + 1.",
             "1 + .",
             "X = 1, X = 2.",
             "lists:nosuchfun().",
             "case x of y -> y end.",
             "'quoted atom'.",
             "$a + 1.",
             "16#FF + 2#1010.",
             "1.5e3.",
             "self() =:= self()."],
    lists:foreach(fun(S) -> io:format("~s~n  ~p~n", [S, eval(S)]) end, Exprs),
    B0 = erl_eval:add_binding('In', 10, erl_eval:new_bindings()),
    io:format("with binding: ~p~n", [eval("In * In.", B0)]),
    {ok, Toks, End} = erl_scan:string("foo(X) -> X + 1.\nbar() -> \"s\"."),
    io:format("tokens: ~p~nend: ~p~n", [Toks, End]),
    io:format("scan errors: ~p~n", [erl_scan:string("\"unterminated")]),
    io:format("scan with location: ~p~n", [erl_scan:string("a + 1", {1, 1})]),
    {ok, Form} = erl_parse:parse_form(element(2, erl_scan:string("f(X, Y) when X > Y -> X; f(_, Y) -> Y."))),
    io:format("form: ~p~n", [Form]),
    io:format("pretty: ~s~n", [erl_pp:form(Form)]),
    {ok, [Expr]} = erl_parse:parse_exprs(element(2, erl_scan:string("#{a => [1, {b, <<\"c\">>}]}."))),
    io:format("expr ast: ~p~n", [Expr]),
    io:format("expr pp: ~s~n", [erl_pp:expr(Expr)]),
    io:format("normalise: ~p~n", [erl_parse:normalise(Expr)]),
    io:format("abstract: ~p~n", [erl_parse:abstract({x, [1, 2], "s"})]),
    io:format("parse_term: ~p~n", [erl_parse:parse_term(element(2, erl_scan:string("{ok, [1, 2, #{k => v}]}.")))]),
    io:format("tokens roundtrip: ~s~n", [lists:flatten([erl_scan:text(T) || T <- element(2, erl_scan:string("x + 1", 1, [text]))])]),
    io:format("reserved: ~p~n", [[erl_scan:reserved_word(W) || W <- ['case', 'foo', 'receive', 'maybe']]]),
    ok.
