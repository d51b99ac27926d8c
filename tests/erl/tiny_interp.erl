-module(tiny_interp).
-export([main/0]).

%% A tiny expression language: tokenizer, recursive-descent parser, evaluator, and stack VM compiler.

tokenize([]) -> [];
tokenize([C | R]) when C =:= $\s; C =:= $\n -> tokenize(R);
tokenize([C | _] = S) when C >= $0, C =< $9 ->
    {D, R} = lists:splitwith(fun(X) -> X >= $0 andalso X =< $9 end, S),
    [{num, list_to_integer(D)} | tokenize(R)];
tokenize([C | _] = S) when C >= $a, C =< $z ->
    {W, R} = lists:splitwith(fun(X) -> (X >= $a andalso X =< $z) orelse X =:= $_ end, S),
    Tok = case W of
              "let" -> 'let'; "in" -> in; "if" -> 'if'; "then" -> then; "else" -> 'else';
              "fun" -> 'fun'; _ -> {id, list_to_atom(W)}
          end,
    [Tok | tokenize(R)];
tokenize("==" ++ R) -> ['==' | tokenize(R)];
tokenize("->" ++ R) -> ['->' | tokenize(R)];
tokenize([C | R]) when C =:= $+; C =:= $-; C =:= $*; C =:= $/; C =:= $(; C =:= $); C =:= $=; C =:= $<; C =:= $% ->
    [list_to_atom([C]) | tokenize(R)];
tokenize([C | _]) -> error({bad_char, C}).

%% expr := 'let' id '=' expr 'in' expr | 'if' expr 'then' expr 'else' expr | 'fun' id '->' expr | cmp
parse(Toks) ->
    case expr(Toks) of
        {E, []} -> E;
        {_, Rest} -> error({trailing, Rest})
    end.

expr(['let', {id, X}, '=' | R]) ->
    {E1, [in | R2]} = expr(R),
    {E2, R3} = expr(R2),
    {{'let', X, E1, E2}, R3};
expr(['if' | R]) ->
    {C, [then | R2]} = expr(R),
    {T, ['else' | R3]} = expr(R2),
    {E, R4} = expr(R3),
    {{'if', C, T, E}, R4};
expr(['fun', {id, X}, '->' | R]) ->
    {B, R2} = expr(R),
    {{lam, X, B}, R2};
expr(T) -> cmp(T).

cmp(T) ->
    {L, R} = add(T),
    case R of
        ['==' | R2] -> {Rh, R3} = add(R2), {{'==', L, Rh}, R3};
        ['<' | R2] -> {Rh, R3} = add(R2), {{'<', L, Rh}, R3};
        _ -> {L, R}
    end.

add(T) -> {L, R} = mul(T), add_rest(L, R).
add_rest(L, [Op | R]) when Op =:= '+'; Op =:= '-' -> {Rh, R2} = mul(R), add_rest({Op, L, Rh}, R2);
add_rest(L, R) -> {L, R}.

mul(T) -> {L, R} = app(T), mul_rest(L, R).
mul_rest(L, [Op | R]) when Op =:= '*'; Op =:= '/'; Op =:= '%' -> {Rh, R2} = app(R), mul_rest({Op, L, Rh}, R2);
mul_rest(L, R) -> {L, R}.

app(T) -> {F, R} = atom(T), app_rest(F, R).
app_rest(F, [Tok | _] = T) when element(1, Tok) =:= num; element(1, Tok) =:= id; Tok =:= '(' ->
    {A, R} = atom(T), app_rest({app, F, A}, R);
app_rest(F, R) -> {F, R}.

atom([{num, N} | R]) -> {{num, N}, R};
atom([{id, X} | R]) -> {{var, X}, R};
atom(['(' | R]) -> {E, [')' | R2]} = expr(R), {E, R2};
atom(['-' | R]) -> {E, R2} = atom(R), {{'-', {num, 0}, E}, R2};
atom(T) -> error({unexpected, T}).

eval({num, N}, _) -> N;
eval({var, X}, Env) ->
    case maps:find(X, Env) of {ok, V} -> V; error -> error({unbound, X}) end;
eval({'let', X, E1, E2}, Env) ->
    %% allow recursion: bind lazily via a closure-capable env
    V = case E1 of
            {lam, P, B} -> {closure, P, B, X, Env};
            _ -> eval(E1, Env)
        end,
    eval(E2, Env#{X => V});
eval({'if', C, T, E}, Env) ->
    case eval(C, Env) of 0 -> eval(E, Env); _ -> eval(T, Env) end;
eval({lam, P, B}, Env) -> {closure, P, B, none, Env};
eval({app, F, A}, Env) ->
    case eval(F, Env) of
        {closure, P, B, Self, CEnv} = Clo ->
            CEnv2 = case Self of none -> CEnv; _ -> CEnv#{Self => Clo} end,
            eval(B, CEnv2#{P => eval(A, Env)});
        Other -> error({not_a_function, Other})
    end;
eval({'==', A, B}, Env) -> bool(eval(A, Env) =:= eval(B, Env));
eval({'<', A, B}, Env) -> bool(eval(A, Env) < eval(B, Env));
eval({'+', A, B}, Env) -> eval(A, Env) + eval(B, Env);
eval({'-', A, B}, Env) -> eval(A, Env) - eval(B, Env);
eval({'*', A, B}, Env) -> eval(A, Env) * eval(B, Env);
eval({'/', A, B}, Env) -> eval(A, Env) div eval(B, Env);
eval({'%', A, B}, Env) -> eval(A, Env) rem eval(B, Env).

bool(true) -> 1;
bool(false) -> 0.

%% compile arithmetic-only expressions to a stack machine
compile({num, N}) -> [{push, N}];
compile({Op, A, B}) when Op =:= '+'; Op =:= '-'; Op =:= '*'; Op =:= '/'; Op =:= '%' ->
    compile(A) ++ compile(B) ++ [Op].

run([], [V]) -> V;
run([{push, N} | C], S) -> run(C, [N | S]);
run([Op | C], [B, A | S]) -> run(C, [arith(Op, A, B) | S]).
arith('+', A, B) -> A + B;
arith('-', A, B) -> A - B;
arith('*', A, B) -> A * B;
arith('/', A, B) -> A div B;
arith('%', A, B) -> A rem B.

main() ->
    Progs = ["1 + 2 * 3",
             "(1 + 2) * 3",
             "10 - 4 - 3",
             "100 / 7 % 5",
             "-5 + 2",
             "let x = 5 in x * x",
             "let x = 2 in let y = x + 3 in x * y",
             "if 1 < 2 then 10 else 20",
             "if 3 == 4 then 1 else 0",
             "(fun x -> x + 1) 41",
             "let sq = fun x -> x * x in sq 12",
             "let add = fun a -> fun b -> a + b in add 3 4",
             "let fact = fun n -> if n < 2 then 1 else n * fact (n - 1) in fact 20",
             "let fib = fun n -> if n < 2 then n else fib (n - 1) + fib (n - 2) in fib 20",
             "let pow = fun b -> fun e -> if e == 0 then 1 else b * pow b (e - 1) in pow 2 100",
             "1 / 0",
             "unknown + 1",
             "3 4",
             "1 + ",
             "let x = 1 in $"],
    lists:foreach(
      fun(P) ->
              R = try
                      Toks = tokenize(P),
                      Ast = parse(Toks),
                      {ok, eval(Ast, #{})}
                  catch C:E -> {C, E}
                  end,
              io:format("~s~n  => ~p~n", [P, R])
      end, Progs),
    Ast = parse(tokenize("(1 + 2) * (3 + 4) - 10 / 3 % 2")),
    Code = compile(Ast),
    io:format("ast: ~p~n", [Ast]),
    io:format("code: ~p~n", [Code]),
    io:format("vm: ~p eval: ~p~n", [run(Code, []), eval(Ast, #{})]),
    ok.
