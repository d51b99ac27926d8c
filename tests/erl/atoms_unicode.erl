-module(atoms_unicode).
-export([main/0]).

id(X) -> X.

c(F) -> try F() catch C:E -> {caught, C, E} end.

main() ->
    io:setopts([{encoding, unicode}]),
    Names = ["héllo", "日本語", "ñandú", "Ωmega", "emoji😀", "ascii", "Ärger", "ß", "λx"],
    lists:foreach(
      fun(N) ->
              A = c(fun() -> list_to_atom(id(N)) end),
              io:format("~ts:~n", [N]),
              io:format("  ~p~n", [A]),
              io:format("  ~tp~n", [A]),
              io:format("  ~w~n", [A]),
              io:format("  to_list ~w~n", [c(fun() -> atom_to_list(A) end)]),
              io:format("  to_bin utf8 ~w~n", [c(fun() -> atom_to_binary(A, utf8) end)]),
              io:format("  to_bin latin1 ~w~n", [c(fun() -> atom_to_binary(A, latin1) end)]),
              io:format("  back ~w~n", [c(fun() -> binary_to_atom(atom_to_binary(A, utf8), utf8) =:= A end)]),
              io:format("  length ~w~n", [c(fun() -> length(atom_to_list(A)) end)]),
              io:format("  t2b ~w~n", [c(fun() -> term_to_binary(A) end)])
      end, Names),
    io:format("~p~n", [c(fun() -> list_to_atom(lists:duplicate(255, 1000)) end)]),
    io:format("~p~n", [c(fun() -> byte_size(atom_to_binary(list_to_atom(lists:duplicate(255, 1000)), utf8)) end)]),
    io:format("~p~n", [c(fun() -> list_to_atom(lists:duplicate(256, 1000)) end)]),
    io:format("~p~n", [c(fun() -> list_to_atom([16#110000]) end)]),
    io:format("~p~n", [c(fun() -> list_to_atom([16#D800]) end)]),
    io:format("~p~n", [c(fun() -> binary_to_atom(<<255, 254>>, utf8) end)]),
    io:format("~p~n", [lists:sort([list_to_atom(N) || N <- Names])]),
    io:format("~tp~n", [lists:sort([list_to_atom(N) || N <- Names])]),
    io:format("~ts~n", [io_lib:format("~tp", ['日本語'])]),
    ok.
