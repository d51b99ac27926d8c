-module(match_spec_fuzz).
-export([main/0]).

%% Random match specifications run through erlang:match_spec_test/3 (fixed seed).

pick(L) -> lists:nth(rand:uniform(length(L)), L).

var() -> pick(['$1', '$2', '$3', '$1', '$2', '$3', '$1', '$2', '$3', '$5']).

const(0) -> pick([a, b, 0, 1, -3, 2.5, -0.5, 1 bsl 65, [], "ab", <<"x">>, <<1:3>>, true, false, '$_x']);
const(D) ->
    case rand:uniform(6) of
        1 -> {const, {const(D - 1), const(D - 1)}};
        2 -> [const(D - 1) | const(0)];
        3 -> #{a => const(D - 1)};
        _ -> const(0)
    end.

funs() ->
    [{is_atom, 1}, {is_float, 1}, {is_integer, 1}, {is_list, 1}, {is_number, 1},
     {is_pid, 1}, {is_port, 1}, {is_reference, 1}, {is_tuple, 1}, {is_map, 1},
     {is_binary, 1}, {is_function, 1}, {is_record, 3}, {abs, 1}, {element, 2},
     {hd, 1}, {tl, 1}, {length, 1}, {node, 0}, {node, 1}, {round, 1}, {size, 1},
     {map_size, 1}, {map_get, 2}, {is_map_key, 2}, {bit_size, 1}, {byte_size, 1},
     {binary_part, 2}, {binary_part, 3}, {trunc, 1}, {float, 1}, {'+', 1}, {'-', 1},
     {'+', 2}, {'-', 2}, {'*', 2}, {'/', 2}, {'div', 2}, {'rem', 2}, {'band', 2},
     {'bor', 2}, {'bxor', 2}, {'bnot', 1}, {'bsl', 2}, {'bsr', 2}, {'>', 2},
     {'>=', 2}, {'<', 2}, {'=<', 2}, {'=:=', 2}, {'==', 2}, {'=/=', 2}, {'/=', 2},
     {'not', 1}, {'xor', 2}, {'and', 2}, {'or', 3}, {'andalso', 2}, {'orelse', 2},
     {'andalso', 3}, {self, 0}, {get_tcw, 0}, {foo, 1}, {'+', 3}, {message, 1},
     {is_seq_trace, 0}, {return_trace, 0}, {tuple_size, 1}].

expr(0) -> pick([var(), var(), const(0), '$_', '$$']);
expr(D) ->
    case rand:uniform(10) of
        1 -> {list_to_tuple([expr(D - 1) || _ <- lists:seq(1, rand:uniform(3) - 1)])};
        2 -> [expr(D - 1), expr(D - 1)];
        3 -> #{pick([k, j]) => expr(D - 1), z => expr(D - 1)};
        4 -> const(D);
        5 -> expr(0);
        _ ->
            {F, A} = pick(funs()),
            list_to_tuple([F | [expr(D - 1) || _ <- lists:seq(1, A)]])
    end.

pat(0) -> pick(['$1', '$2', '$3', '_', a, 1, 2.5, []]);
pat(D) ->
    case rand:uniform(5) of
        1 -> list_to_tuple([pat(D - 1) || _ <- lists:seq(1, rand:uniform(3))]);
        2 -> [pat(D - 1) | pat(0)];
        3 -> #{pick([a, k]) => pat(D - 1)};
        _ -> pat(0)
    end.

obj(0) -> pick([a, b, 1, 2, -3, 2.5, 1 bsl 65, [], "ab", <<"xy">>, k, true, false]);
obj(D) ->
    case rand:uniform(5) of
        1 -> list_to_tuple([obj(D - 1) || _ <- lists:seq(1, rand:uniform(3))]);
        2 -> [obj(D - 1), obj(D - 1)];
        3 -> #{a => obj(D - 1), k => obj(D - 1)};
        _ -> obj(0)
    end.

clause(trace) ->
    Head = [pat(2) || _ <- lists:seq(1, rand:uniform(3) - 1)],
    {Head, [expr(2) || _ <- lists:seq(1, rand:uniform(2) - 1)],
     [pick([{message, expr(2)}, expr(2)]) || _ <- lists:seq(1, rand:uniform(3) - 1)]};
clause(table) ->
    Head = case rand:uniform(3) of
               1 -> list_to_tuple([pat(2) || _ <- lists:seq(1, rand:uniform(3))]);
               _ -> list_to_tuple(['$1', '$2', '$3'] ++ [pat(1) || _ <- lists:seq(1, rand:uniform(2) - 1)])
           end,
    {pick([Head, Head, '_', '$1']), [expr(2) || _ <- lists:seq(1, rand:uniform(2) - 1)],
     [expr(3) || _ <- lists:seq(1, rand:uniform(2))]}.

%% Pids print differently between runtimes.
norm(P) when is_pid(P) -> pid;
norm(L) when is_list(L) -> norm_list(L);
norm(T) when is_tuple(T) -> list_to_tuple(norm_list(tuple_to_list(T)));
norm(M) when is_map(M) -> maps:from_list(norm_list(maps:to_list(M)));
norm(X) -> X.

norm_list([H | T]) -> [norm(H) | norm_list(T)];
norm_list([]) -> [];
norm_list(T) -> norm(T).

main() ->
    rand:seed(exsss, {17, 42, 7}),
    lists:foreach(
      fun(I) ->
              Ty = pick([table, table, trace]),
              MS = [clause(Ty) || _ <- lists:seq(1, rand:uniform(2))],
              O = case Ty of
                      table -> list_to_tuple([obj(2) || _ <- lists:seq(1, rand:uniform(5))]);
                      trace -> [obj(2) || _ <- lists:seq(1, rand:uniform(3))]
                  end,
              R = try erlang:match_spec_test(O, MS, Ty) catch C:E -> {C, E} end,
              R2 = norm(R),
              io:format("~p ~w~n", [I, R2])
      end, lists:seq(1, 4000)).
