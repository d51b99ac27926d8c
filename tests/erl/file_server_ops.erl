-module(file_server_ops).
-export([main/0]).

-include_lib("kernel/include/file.hrl").

%% The file module without the raw option: requests to the file server (file_server_2)
%% and files opened as I/O server processes (file_io_server), with io:format/get_line,
%% encodings, consult, copy, and filelib. Works in a fresh directory under the current
%% one, made and removed here.

-define(DIR, "file_server_ops.tmp").

c(F) -> try F() of V -> {ok, V} catch C:E -> {C, E} end.

p(Label, V) -> io:format("~s: ~p~n", [Label, V]).

t(Label, F) -> p(Label, c(F)).

f(Name) -> filename:join(?DIR, Name).

main() ->
    p("del_dir_r missing", file:del_dir_r(?DIR)),
    p("file server", is_pid(whereis(file_server_2))),
    t("make_dir", fun() -> file:make_dir(?DIR) end),
    t("make_dir again", fun() -> file:make_dir(?DIR) end),
    whole(),
    devices(),
    encodings(),
    terms(),
    fs(),
    libs(),
    owner_exit(),
    t("del_dir_r", fun() -> file:del_dir_r(?DIR) end),
    t("gone", fun() -> file:read_file_info(?DIR) end),
    ok.

whole() ->
    t("write_file", fun() -> file:write_file(f("a"), ["hello", $\s, <<"world\n">>]) end),
    t("read_file", fun() -> file:read_file(f("a")) end),
    t("write_file append", fun() -> file:write_file(f("a"), <<"more\n">>, [append]) end),
    t("read_file again", fun() -> file:read_file(f("a")) end),
    t("read_file missing", fun() -> file:read_file(f("missing")) end),
    t("read_file dir", fun() -> file:read_file(?DIR) end),
    t("read_file bad name", fun() -> file:read_file({x}) end),
    t("write_file bad data", fun() -> file:write_file(f("b"), [foo]) end),
    t("write_file in missing dir", fun() -> file:write_file(f("no/such"), <<>>) end),
    ok.

devices() ->
    {ok, F} = file:open(f("dev"), [write, read]),
    p("device is a pid", is_pid(F)),
    t("write", fun() -> file:write(F, "line one\nline two\n") end),
    t("io:format", fun() -> io:format(F, "~s ~p~n", ["formatted", {1, 2}]) end),
    t("position bof", fun() -> file:position(F, bof) end),
    t("get_line", fun() -> io:get_line(F, '') end),
    t("read_line", fun() -> file:read_line(F) end),
    t("read", fun() -> file:read(F, 5) end),
    t("pread", fun() -> file:pread(F, 5, 3) end),
    t("pwrite", fun() -> file:pwrite(F, 0, "LINE") end),
    t("read rest", fun() -> file:read(F, 100) end),
    t("read eof", fun() -> file:read(F, 1) end),
    t("get_line eof", fun() -> io:get_line(F, '') end),
    t("position eof", fun() -> file:position(F, eof) end),
    t("truncate", fun() -> file:position(F, 4), file:truncate(F) end),
    t("sync", fun() -> file:sync(F) end),
    t("handle info", fun() -> {ok, I} = file:read_file_info(F), {I#file_info.size, I#file_info.type} end),
    t("close", fun() -> file:close(F) end),
    t("close again", fun() -> file:close(F) end),
    t("read closed", fun() -> file:read(F, 1) end),
    t("contents", fun() -> file:read_file(f("dev")) end),
    {ok, R} = file:open(f("dev"), [read, binary]),
    t("binary read", fun() -> file:read(R, 2) end),
    t("write to read-only", fun() -> file:write(R, <<"x">>) end),
    ok = file:close(R),
    t("open missing", fun() -> file:open(f("missing"), [read]) end),
    t("open dir", fun() -> file:open(?DIR, [read]) end),
    t("open unknown mode", fun() -> {ok, X} = file:open(f("dev"), [bogus]), file:close(X) end),
    t("open exclusive", fun() -> file:open(f("dev"), [exclusive]) end),
    {ok, A} = file:open(f("app"), [append]),
    ok = io:put_chars(A, "one\n"),
    ok = io:put_chars(A, "two\n"),
    ok = file:close(A),
    t("appended", fun() -> file:read_file(f("app")) end),
    {ok, D} = file:open(f("delayed"), [write, delayed_write, {read_ahead, 10}]),
    [ok = file:write(D, integer_to_list(I)) || I <- lists:seq(1, 20)],
    ok = file:close(D),
    t("delayed_write", fun() -> file:read_file(f("delayed")) end),
    {ok, RA} = file:open(f("delayed"), [read, read_ahead, binary]),
    t("read_ahead lines", fun() -> [file:read(RA, 4) || _ <- lists:seq(1, 4)] end),
    ok = file:close(RA),
    ok.

encodings() ->
    {ok, U} = file:open(f("utf8"), [write, {encoding, utf8}]),
    ok = io:format(U, "~ts~n", [[16#430, 16#431, $!]]),
    ok = io:put_chars(U, [16#1F600, $\n]),
    ok = file:close(U),
    t("utf8 bytes", fun() -> file:read_file(f("utf8")) end),
    {ok, U2} = file:open(f("utf8"), [read, {encoding, utf8}]),
    t("utf8 get_line", fun() -> io:get_line(U2, '') end),
    t("utf8 get_chars", fun() -> io:get_chars(U2, '', 1) end),
    ok = file:close(U2),
    {ok, L} = file:open(f("latin1"), [write]),
    t("latin1 wide chars", fun() -> io:put_chars(L, [16#430]) end),
    ok = file:close(L),
    ok.

terms() ->
    ok = file:write_file(f("terms"), "{a, 1}.\n[1,2,3].\n\"str\".\n"),
    t("consult", fun() -> file:consult(f("terms")) end),
    ok = file:write_file(f("bad_terms"), "{a, 1}.\n{b.\n"),
    t("consult bad", fun() -> file:consult(f("bad_terms")) end),
    t("consult missing", fun() -> file:consult(f("missing")) end),
    ok = file:write_file(f("script"), "X = 20, X + 22.\n"),
    t("script", fun() -> file:script(f("script")) end),
    t("eval", fun() -> file:eval(f("script")) end),
    t("path_consult", fun() -> {ok, T, _} = file:path_consult([?DIR], "terms"), T end),
    ok.

fs() ->
    t("list_dir", fun() -> {ok, L} = file:list_dir(?DIR), lists:sort(L) end),
    t("list_dir missing", fun() -> file:list_dir(f("missing")) end),
    t("rename", fun() -> file:rename(f("a"), f("a2")) end),
    t("rename missing", fun() -> file:rename(f("a"), f("a3")) end),
    t("copy", fun() -> file:copy(f("a2"), f("a3")) end),
    t("copy part", fun() -> file:copy(f("a2"), f("a4"), 5) end),
    t("copied", fun() -> {file:read_file(f("a3")), file:read_file(f("a4"))} end),
    t("copy missing", fun() -> file:copy(f("missing"), f("a5")) end),
    t("delete", fun() -> file:delete(f("a4")) end),
    t("delete missing", fun() -> file:delete(f("a4")) end),
    t("make_symlink", fun() -> file:make_symlink("a2", f("link")) end),
    t("read_link", fun() -> file:read_link(f("link")) end),
    t("read_link_info type", fun() -> {ok, I} = file:read_link_info(f("link")), I#file_info.type end),
    t("read_file_info type", fun() -> {ok, I} = file:read_file_info(f("link")), I#file_info.type end),
    t("make_link", fun() -> file:make_link(f("a2"), f("hard")) end),
    t("links", fun() -> {ok, I} = file:read_file_info(f("a2")), I#file_info.links end),
    t("write_file_info", fun() -> file:write_file_info(f("a2"), #file_info{mode = 8#640}) end),
    t("mode", fun() -> {ok, I} = file:read_file_info(f("a2")), I#file_info.mode band 8#777 end),
    t("change_mode", fun() -> file:change_mode(f("a2"), 8#600) end),
    t("change_time", fun() -> file:change_time(f("a2"), {{2020, 1, 2}, {3, 4, 5}}) end),
    t("mtime", fun() -> {ok, I} = file:read_file_info(f("a2")), I#file_info.mtime end),
    t("make_dir nested missing", fun() -> file:make_dir(f("x/y")) end),
    t("del_dir not empty", fun() -> ok = file:make_dir(f("sub")), ok = file:write_file(f("sub/f"), ""), file:del_dir(f("sub")) end),
    t("cwd", fun() -> {ok, C} = file:get_cwd(), {ok, C} =:= prim_file:get_cwd() end),
    t("set_cwd", fun() -> {ok, C} = file:get_cwd(), ok = file:set_cwd(?DIR), R = file:read_file("a3"), ok = file:set_cwd(C), R end),
    t("altname", fun() -> file:altname(f("a2")) end),
    ok.

libs() ->
    t("ensure_dir", fun() -> filelib:ensure_dir(f("deep/er/file")) end),
    t("ensure_path", fun() -> filelib:ensure_path(f("deep/er/est")) end),
    t("is_dir", fun() -> filelib:is_dir(f("deep/er/est")) end),
    t("is_file", fun() -> filelib:is_file(f("a2")) end),
    t("is_regular dir", fun() -> filelib:is_regular(f("deep")) end),
    t("file_size", fun() -> filelib:file_size(f("a2")) end),
    t("last_modified", fun() -> filelib:last_modified(f("a2")) end),
    t("wildcard", fun() -> lists:sort(filelib:wildcard(?DIR ++ "/a*")) end),
    t("wildcard cwd", fun() -> lists:sort(filelib:wildcard("*/*", ?DIR)) end),
    t("fold_files", fun() -> lists:sort(filelib:fold_files(?DIR, "^a", false, fun(F, A) -> [F | A] end, [])) end),
    ok.

owner_exit() ->
    Self = self(),
    Pid = spawn(fun() -> {ok, F} = file:open(f("owned"), [write]), Self ! {dev, F}, receive stop -> ok end end),
    Dev = receive {dev, D} -> D end,
    t("other process writes", fun() -> file:write(Dev, "from another process\n") end),
    Ref = monitor(process, Dev),
    Pid ! stop,
    receive {'DOWN', Ref, process, Dev, Why} -> p("io server exits with owner", Why) end,
    t("written", fun() -> file:read_file(f("owned")) end),
    ok.
