#!/usr/bin/env escript
%%! +S 1
-mode(compile).
-record(pt, {x = 0, y = 0}).
main(Args) ->
    io:format("module ~p~n", [?MODULE]),
    io:format("fac ~p~n", [fac(30)]),
    P = #pt{x = 3},
    io:format("rec ~p ~p~n", [P, P#pt.y]),
    F = fun(X) -> X * 2 end,
    io:format("fun ~p~n", [lists:map(F, [1, 2, 3])]),
    io:format("compiled ~p~n", [is_list(code:which(?MODULE)) orelse code:which(?MODULE)]),
    io:format("args ~p~n", [Args]),
    case Args of
        ["crash"] -> fac(-1) + undefined_var_atom;
        _ -> ok
    end.
fac(0) -> 1;
fac(N) when N > 0 -> N * fac(N - 1).
