-module(bad_load_binary).
-export([main/0]).

src() ->
    "-module(tiny_loadme).\n-export([hello/0]).\nhello() -> {hello, world}.\n".

forms(Src) ->
    {ok, Toks, _} = erl_scan:string(Src),
    split(Toks, [], []).
split([], [], Acc) -> lists:reverse(Acc);
split([{dot, _} = D | R], Cur, Acc) ->
    {ok, F} = erl_parse:parse_form(lists:reverse([D | Cur])),
    split(R, [], [F | Acc]);
split([T | R], Cur, Acc) -> split(R, [T | Cur], Acc).

try_load(Label, Mod, Bin) ->
    R = try code:load_binary(Mod, "tiny_loadme.erl", Bin) catch C:E -> {caught, C, E} end,
    io:format("~s: ~p~n", [Label, R]).

main() ->
    %% The loader reports failures through logger (with timestamps); silence it.
    ok = logger:set_primary_config(level, none),
    {ok, tiny_loadme, Bin} = compile:forms(forms(src()), [binary, deterministic]),
    io:format("size ~p md5 ~p~n", [byte_size(Bin), erlang:md5(Bin)]),
    try_load("truncated half", tiny_loadme, binary:part(Bin, 0, byte_size(Bin) div 2)),
    try_load("truncated 12", tiny_loadme, binary:part(Bin, 0, 12)),
    try_load("truncated minus 1", tiny_loadme, binary:part(Bin, 0, byte_size(Bin) - 1)),
    try_load("empty", tiny_loadme, <<>>),
    try_load("garbage", tiny_loadme, <<"this is not a beam file at all">>),
    try_load("bad magic", tiny_loadme, <<"FOR2", (binary:part(Bin, 4, byte_size(Bin) - 4))/binary>>),
    <<Head:8/binary, _:4/binary, Rest/binary>> = Bin,
    try_load("bad form type", tiny_loadme, <<Head/binary, "XXXX", Rest/binary>>),
    try_load("wrong module name", other_name, Bin),
    try_load("not a binary", tiny_loadme, not_a_binary),
    try_load("bad module arg", "tiny_loadme", Bin),
    io:format("still not loaded: ~p~n", [code:is_loaded(tiny_loadme)]),
    try_load("good", tiny_loadme, Bin),
    io:format("call: ~p~n", [tiny_loadme:hello()]),
    io:format("beam_lib on truncated: ~p~n", [element(1, beam_lib:chunks(binary:part(Bin, 0, 20), [exports]))]),
    io:format("beam_lib info ok: ~p~n", [element(1, beam_lib:chunks(Bin, [exports]))]),
    io:format("load nonexistent file: ~p~n", [code:load_file(no_such_module_file_xyz)]),
    io:format("ensure_loaded missing: ~p~n", [code:ensure_loaded(no_such_module_file_xyz)]),
    io:format("ensure_loaded lists: ~p~n", [code:ensure_loaded(lists)]),
    ok.
