-module(guards_bifs).
-export([main/0]).

g(X) when abs(X) > 5 -> abs_gt5;
g(X) when is_tuple(X), element(1, X) =:= tag -> tagged;
g(X) when float(X) > 2.5 -> float_gt;
g(X) when hd(X) =:= h -> head_h;
g(X) when length(X) =:= 3 -> len3;
g(X) when map_get(k, X) =:= 1 -> map_k1;
g(X) when map_size(X) > 2 -> big_map;
g(X) when node(X) =:= nonode@nohost -> local_pid;
g(X) when round(X) =:= 2 -> rounds_to_2;
g(X) when tl(X) =:= [] -> singleton;
g(X) when trunc(X) =:= 1 -> trunc1;
g(X) when tuple_size(X) =:= 0 -> empty_tuple;
g(X) when bit_size(X) =:= 3 -> three_bits;
g(X) when byte_size(X) =:= 2 -> two_bytes;
g(X) when size(X) =:= 4 -> size4;
g(_) -> nomatch.

bool_ops(A, B) when A andalso B -> both;
bool_ops(A, B) when A orelse B -> one;
bool_ops(_, _) -> neither.

comma_semi(X) when X > 0, X < 10; X =:= -1 -> in_range_or_minus1;
comma_semi(_) -> out.

not_guard(X) when not is_atom(X) -> not_atom;
not_guard(_) -> atom.

xor_guard(A, B) when A xor B -> exclusive;
xor_guard(_, _) -> same.

arith_guard(X) when X * 2 + 1 > 10, X rem 2 =:= 0, X div 3 >= 2, X band 1 =:= 0, -X < 0 -> ok;
arith_guard(_) -> no.

failing(X) when element(5, X) =:= a -> matched;
failing(X) when X / 0 > 1 -> divzero;
failing(X) when hd(X) -> hd_true;
failing(_) -> fell_through.

self_guard(P) when P =:= self() -> is_self;
self_guard(_) -> not_self.

main() ->
    Inputs = [-7, 7, {tag, 1}, 3.0, [h, i], [a, b, c], #{k => 1}, #{a => 1, b => 2, c => 3}, self(),
              2.4, [z], 1.5, {}, <<1:3>>, <<1, 2>>, {a, b, c, d}, <<1, 2, 3, 4>>, atom, -20, 0],
    lists:foreach(fun(I) -> io:format("~p -> ~p~n", [desc(I), g(I)]) end, Inputs),
    io:format("bool_ops: ~p~n", [[bool_ops(A, B) || A <- [true, false, 1], B <- [true, false]]]),
    io:format("comma_semi: ~p~n", [[comma_semi(X) || X <- [-1, 0, 5, 10, a]]]),
    io:format("not_guard: ~p~n", [[not_guard(X) || X <- [a, 1]]]),
    io:format("xor: ~p~n", [[xor_guard(A, B) || A <- [true, false], B <- [true, false]]]),
    io:format("arith_guard: ~p~n", [[arith_guard(X) || X <- [6, 7, 8, 12, a, 1.0]]]),
    io:format("failing: ~p~n", [[failing(X) || X <- [{1, 2, 3, 4, a}, {1}, [true], [false], 5, []]]]),
    io:format("self_guard: ~p~n", [[self_guard(X) || X <- [self(), list_to_pid("<0.0.0>")]]]),
    io:format("guard in case: ~p~n", [[case X of Y when is_integer(Y), Y > 2 -> big; Y when is_integer(Y) -> small; _ -> other end || X <- [1, 5, a]]]),
    io:format("guard in if: ~p~n", [[if X > 2 -> gt; X =:= 2 -> eq; true -> lt end || X <- [1, 2, 3]]]),
    io:format("guard in lc filter bif: ~p~n", [[X || X <- [1, a, 2.0, "s"], is_number(X)]]),
    io:format("guard bif outside guard: ~p~n", [[abs(-3), float(2), round(2.5), trunc(-2.5), length([1]), hd([x]), tl([x, y]), tuple_size({}), byte_size(<<1>>), bit_size(<<1:5>>), node(), map_size(#{}), min(1, 2), max(1, 2), element(1, {e})]]),
    io:format("andalso/orelse values: ~p~n", [[true andalso x, false orelse y, false andalso x, true orelse y]]),
    io:format("nested boolean: ~p~n", [[(A orelse B) andalso not (A andalso B) || A <- [true, false], B <- [true, false]]]),
    ok.

desc(P) when is_pid(P) -> pid;
desc(X) -> X.
