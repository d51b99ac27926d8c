-module(term_order).
-export([main/0]).

id(X) -> X.

main() ->
    Terms = [1, 1.0, 0, -1, 2.5, a, b, 'B', [], [a], [a | b], "abc", "abd", "ab", {}, {a}, {a, b}, {b},
             {a, b, c}, {1, 2}, <<>>, <<1>>, <<1, 2>>, <<2>>, <<1:1>>, <<1:7>>, <<0:1>>, #{}, #{a => 1},
             #{b => 1}, #{a => 2}, #{1 => a}, #{a => 1, b => 2}, make_ref_placeholder, self_placeholder,
             fun_placeholder, 1 bsl 70, -(1 bsl 70), 1.0e300, {[], []}, [[]], [1, 2, 3], [1, 2 | 3],
             #{1.0 => a}, #{1 => a, 2 => b}, #{2 => a}],
    Sorted = lists:sort(Terms),
    io:format("sorted:~n~p~n", [Sorted]),
    io:format("reverse sorted:~n~p~n", [lists:sort(fun(A, B) -> A >= B end, Terms)]),
    io:format("usort:~n~p~n", [lists:usort(Terms)]),
    %% type ordering: number < atom < reference < fun < port < pid < tuple < map < nil < list < bitstring
    Ref = make_ref(),
    Fun = fun() -> ok end,
    Pid = self(),
    Typed = [<<"bin">>, [x], [], #{k => v}, {t}, Pid, Fun, Ref, atom, 42, 1.5],
    Order = [type_name(X) || X <- lists:sort(Typed)],
    io:format("type order: ~p~n", [Order]),
    io:format("ref<fun ~p fun<pid ~p pid<tuple ~p~n", [Ref < Fun, Fun < Pid, Pid < {}]),
    io:format("tuple<map ~p map<nil ~p nil<list ~p list<bin ~p~n", [{} < #{}, #{} < [], [] < [a], [a] < <<>>]),
    io:format("number<atom ~p ~p~n", [1 bsl 100 < a, 1.0e300 < a]),
    io:format("tuples by size: ~p~n", [lists:sort([{c, c, c}, {z}, {a, a}, {}, {b, b, b, b}, {a}])]),
    io:format("maps by size: ~p~n", [lists:sort([#{c => 1, d => 2}, #{z => 1}, #{}, #{a => 1, b => 2, c => 3}])]),
    io:format("maps same size by keys: ~p~n", [lists:sort([#{b => 1}, #{a => 9}, #{1 => x}, #{"s" => y}, #{{} => z}])]),
    io:format("maps same keys by values: ~p~n", [lists:sort([#{a => 2, b => 1}, #{a => 1, b => 9}, #{a => 1, b => 2}])]),
    io:format("maps int/float keys: ~p~n", [lists:sort([#{1.0 => a}, #{1 => a}, #{2 => a}, #{0.5 => a}])]),
    io:format("map cmp: ~p ~p ~p~n", [#{1 => a} < #{1.0 => a}, #{1 => a} == #{1.0 => a}, #{a => 1} == #{a => 1.0}]),
    io:format("lists elementwise: ~p~n", [lists:sort([[1, 2], [1], [1, 1, 1], [0, 9], [1 | 2], [2]])]),
    io:format("binaries: ~p~n", [lists:sort([<<1, 2>>, <<1>>, <<1, 1, 1>>, <<0, 9>>, <<2>>, <<>>, <<1:3>>, <<255:8, 1:1>>])]),
    io:format("strings: ~p~n", [lists:sort(["b", "a", "ab", "", "B", "aa", [$a, 256]])]),
    io:format("numbers: ~w~n", [lists:sort([3, 2.0, 2, 1.0, 1, -0.0, 0, 0.0, -1, -1.0])]),
    io:format("compare ops: ~p~n", [[{A, B, A < B, A == B, A =:= B} || {A, B} <- [{1, 1.0}, {a, "a"}, {[], {}}, {{1}, [1]}, {<<>>, []}]]]),
    io:format("min/max mixed: ~p ~p~n", [lists:min(Terms), lists:max(Terms)]),
    io:format("erlang:min/max: ~p ~p ~p ~p~n", [min(id(a), id(1)), max(id(a), id(1)), min(id([]), id({})), max(id(<<>>), id([]))]),
    ok.

type_name(X) when is_number(X) -> number;
type_name(X) when is_atom(X) -> atom;
type_name(X) when is_reference(X) -> reference;
type_name(X) when is_function(X) -> 'fun';
type_name(X) when is_pid(X) -> pid;
type_name(X) when is_tuple(X) -> tuple;
type_name(X) when is_map(X) -> map;
type_name([]) -> nil;
type_name(X) when is_list(X) -> list;
type_name(X) when is_bitstring(X) -> bitstring.
