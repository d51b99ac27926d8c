%% The code server under the real boot: code:load_file, c:l, delete, soft_purge,
%% purge, which, is_loaded, module_status, modified_modules, load_abs, sticky
%% directories, the path functions, ensure_loaded, get_object_code.
-module(code_server_ops).
-export([main/0]).

src(Vsn) ->
    "-module(cs_mod).\n-export([v/0, loop/0]).\n"
    "v() -> " ++ integer_to_list(Vsn) ++ ".\n"
    "loop() -> receive {From, v} -> From ! {v, v()}, loop(); stop -> ok end.\n".

build(Vsn) ->
    ok = file:write_file("cs_mod.erl", src(Vsn)),
    {ok, cs_mod} = compile:file("cs_mod.erl", [report_errors]),
    ok.

show(Label, Value) -> io:format("~s: ~p~n", [Label, Value]).

main() ->
    %% The code server's and the runtime's error reports go through logger, at a time
    %% that depends on scheduling (tests/cli/runtime_reports checks them).
    logger:set_primary_config(level, none),
    build(1),
    show("is_loaded before", code:is_loaded(cs_mod)),
    show("load_file", code:load_file(cs_mod)),
    {ok, Cwd} = file:get_cwd(),
    Here = filename:join(Cwd, "cs_mod.beam"),
    show("which", code:which(cs_mod) =:= Here),
    show("is_loaded", code:is_loaded(cs_mod) =:= {file, Here}),
    show("v", cs_mod:v()),
    show("module_status", code:module_status(cs_mod)),
    Old = spawn(fun cs_mod:loop/0),
    timer:sleep(1100), % a later modification time for the rebuilt file
    build(2),
    show("module_status after rebuild", code:module_status(cs_mod)),
    show("modified_modules", [M || M <- code:modified_modules(), M =:= cs_mod]),
    show("c:l", c:l(cs_mod)),
    show("v after c:l", cs_mod:v()),
    Old ! {self(), v},
    show("old process answers", receive {v, V} -> V after 1000 -> timeout end),
    show("soft_purge with a process in old code", code:soft_purge(cs_mod)),
    show("load_file again (old code still there)", code:load_file(cs_mod)),
    Ref = monitor(process, Old),
    show("purge", code:purge(cs_mod)),
    show("old process", receive {'DOWN', Ref, process, Old, R} -> R after 1000 -> timeout end),
    show("soft_purge now", code:soft_purge(cs_mod)),
    show("delete", code:delete(cs_mod)),
    show("is_loaded after delete", code:is_loaded(cs_mod)),
    show("call after delete (old code only)", catch cs_mod:v()),
    show("delete again", code:delete(cs_mod)),
    show("purge after delete", code:purge(cs_mod)),
    show("is_loaded after purge", code:is_loaded(cs_mod) =:= {file, Here}),
    show("load_abs", code:load_abs(filename:join(Cwd, "cs_mod"))),
    show("v after load_abs", cs_mod:v()),
    show("ensure_loaded loaded", code:ensure_loaded(cs_mod)),
    show("ensure_loaded missing", code:ensure_loaded(no_such_module_here)),
    show("load_file missing", code:load_file(no_such_module_here)),
    show("load_file bad name", catch code:load_file("string")),
    {cs_mod, Bin, File} = code:get_object_code(cs_mod),
    show("get_object_code", {is_binary(Bin), filename:basename(File)}),
    show("get_object_code missing", code:get_object_code(no_such_module_here)),
    show("is_sticky lists", code:is_sticky(lists)),
    show("is_sticky cs_mod", code:is_sticky(cs_mod)),
    show("load sticky", code:load_binary(lists, "lists.erl", Bin)),
    show("all_loaded has cs_mod", lists:keymember(cs_mod, 1, code:all_loaded())),
    show("lib_dir kernel", filename:basename(code:lib_dir(kernel))),
    show("lib_dir missing", code:lib_dir(no_such_app_here)),
    show("priv_dir stdlib", filename:basename(filename:dirname(code:priv_dir(stdlib)))),
    show("root_dir", code:root_dir()),
    show("objfile_extension", code:objfile_extension()),
    show("add_patha missing", code:add_patha("/no/such/dir")),
    ok = file:make_dir("extra_dir"),
    show("add_patha", code:add_patha("extra_dir")),
    show("first path", hd(code:get_path())),
    show("del_path", code:del_path("extra_dir")),
    show("first path after", hd(code:get_path()) =/= "extra_dir"),
    show("where_is_file", filename:basename(code:where_is_file("lists.beam"))),
    show("which preloaded", code:which(erlang)),
    show("which missing", code:which(no_such_module_here)),
    show("get_mode", code:get_mode()),
    cleanup().

cleanup() ->
    file:delete("cs_mod.erl"),
    file:delete("cs_mod.beam"),
    file:del_dir("extra_dir").
