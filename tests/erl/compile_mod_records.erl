-module(compile_mod_records).
-export([main/0]).

src() ->
    "-module(dyn_records).\n"
    "-export([new/2, area/1, to_map/1, encode/1, decode/1, update/2, info/0]).\n"
    "-record(shape, {kind = square :: atom(), w = 1, h = 1, tags = []}).\n"
    "new(K, {W, H}) -> #shape{kind = K, w = W, h = H}.\n"
    "area(#shape{kind = square, w = W}) -> W * W;\n"
    "area(#shape{kind = rect, w = W, h = H}) -> W * H;\n"
    "area(#shape{kind = circle, w = R}) -> math:pi() * R * R.\n"
    "to_map(#shape{} = S) -> maps:from_list(lists:zip(record_info(fields, shape), tl(tuple_to_list(S)))).\n"
    "encode(#shape{kind = K, w = W, h = H}) -> <<(atom_to_binary(K))/binary, 0, W:16, H:16/little>>.\n"
    "decode(Bin) -> [K, <<W:16, H:16/little>>] = binary:split(Bin, <<0>>), #shape{kind = binary_to_atom(K), w = W, h = H}.\n"
    "update(S, Changes) -> maps:fold(fun(w, V, Acc) -> Acc#shape{w = V}; (h, V, Acc) -> Acc#shape{h = V}; (tags, V, Acc) -> Acc#shape{tags = V} end, S, Changes).\n"
    "info() -> {record_info(size, shape), record_info(fields, shape)}.\n".

forms(Src) ->
    {ok, Toks, _} = erl_scan:string(Src),
    split(Toks, [], []).

split([], [], Acc) -> lists:reverse(Acc);
split([{dot, _} = D | R], Cur, Acc) ->
    {ok, F} = erl_parse:parse_form(lists:reverse([D | Cur])),
    split(R, [], [F | Acc]);
split([T | R], Cur, Acc) -> split(R, [T | Cur], Acc).

main() ->
    Forms = forms(src()),
    io:format("forms: ~p~n", [length(Forms)]),
    {ok, Mod, Bin, Warnings} = compile:forms(Forms, [binary, return_errors, return_warnings, deterministic]),
    io:format("compiled ~p warnings ~p~n", [Mod, Warnings]),
    io:format("beam is binary: ~p starts FOR1: ~p~n", [is_binary(Bin), binary:part(Bin, 0, 4)]),
    io:format("md5: ~p~n", [erlang:md5(Bin)]),
    {ok, {Mod, [{exports, Exps}]}} = beam_lib:chunks(Bin, [exports]),
    io:format("exports: ~p~n", [lists:sort(Exps)]),
    io:format("load: ~p~n", [code:load_binary(Mod, "dyn_records.erl", Bin)]),
    io:format("is_loaded: ~p~n", [element(1, code:is_loaded(Mod))]),
    S1 = Mod:new(square, {3, 3}),
    S2 = Mod:new(rect, {4, 5}),
    S3 = Mod:new(circle, {2, 0}),
    io:format("shapes: ~p~n", [[S1, S2, S3]]),
    io:format("areas: ~p~n", [[Mod:area(S) || S <- [S1, S2, S3]]]),
    io:format("maps: ~p~n", [[Mod:to_map(S) || S <- [S1, S2]]]),
    E = Mod:encode(S2),
    io:format("encoded: ~p decoded: ~p~n", [E, Mod:decode(E)]),
    io:format("update: ~p~n", [Mod:update(S1, #{w => 10, tags => [x, y]})]),
    io:format("info: ~p~n", [Mod:info()]),
    io:format("bad area: ~p~n", [try Mod:area({shape, hexagon, 1, 1, []}) catch C:R -> {C, R} end]),
    io:format("module_info exports: ~p~n", [lists:sort(Mod:module_info(exports))]),
    io:format("module_info module: ~p~n", [Mod:module_info(module)]),
    io:format("exported: ~p ~p~n", [erlang:function_exported(Mod, area, 1), erlang:function_exported(Mod, nope, 0)]),
    Bad = forms("-module(bad_mod).\n-export([f/0]).\nf() -> X.\n"),
    io:format("compile error: ~p~n", [compile:forms(Bad, [binary, return_errors, deterministic])]),
    ok.
