-module(prim_file_fs).
-export([main/0]).

-include_lib("kernel/include/file.hrl").

%% File system operations through prim_file and file's raw options: directories
%% (make_dir, del_dir, list_dir sorted), file info (type, size, access, mode bits,
%% links, times in every format) for files, directories and symlinks, write_file_info,
%% symbolic and hard links, rename, delete, the working directory, filelib with
%% prim_file, and the errors of each (enoent, eexist, enotdir, eisdir, eperm ...), and
%% bad arguments. Works in a fresh directory under the current one, made and removed
%% here; prints no absolute paths, inodes or times.

-define(DIR, "prim_file_fs.tmp").

c(F) -> try F() of V -> {ok, V} catch C:E -> {C, E} end.

p(Label, V) -> io:format("~s: ~p~n", [Label, V]).

t(Label, F) -> p(Label, c(F)).

f(Name) -> filename:join(?DIR, Name).

main() ->
    rm_rf(?DIR),
    t("make_dir", fun() -> prim_file:make_dir(?DIR) end),
    t("make_dir again", fun() -> prim_file:make_dir(?DIR) end),
    dirs(),
    infos(),
    write_infos(),
    links(),
    renames(),
    deletes(),
    cwd(),
    filelib_raw(),
    bad_args(),
    rm_rf(?DIR),
    t("gone", fun() -> prim_file:read_file_info(?DIR) end),
    ok.

rm_rf(Path) ->
    case prim_file:read_link_info(Path) of
        {ok, #file_info{type = directory}} ->
            {ok, Names} = prim_file:list_dir_all(Path),
            [rm_rf(filename:join(Path, N)) || N <- Names],
            ok = prim_file:del_dir(Path);
        {ok, _} ->
            ok = prim_file:delete(Path);
        {error, enoent} ->
            ok
    end.

dirs() ->
    t("list empty", fun() -> prim_file:list_dir(?DIR) end),
    [ok = prim_file:write_file(f(N), N) || N <- ["b", "a", "c", "long_name.txt", ".hidden"]],
    ok = prim_file:make_dir(f("sub")),
    ok = prim_file:make_dir(f("sub/deeper")),
    ok = prim_file:write_file(f("sub/deeper/x"), <<"x">>),
    t("list sorted", fun() -> {ok, L} = prim_file:list_dir(?DIR), lists:sort(L) end),
    t("list_dir_all sorted", fun() -> {ok, L} = prim_file:list_dir_all(?DIR), lists:sort(L) end),
    t("list sub", fun() -> prim_file:list_dir(f("sub")) end),
    t("list binary name", fun() -> {ok, L} = prim_file:list_dir(list_to_binary(f("sub"))), L end),
    t("file:list_dir_all raw", fun() -> prim_file:list_dir_all(f("sub/deeper")) end),
    t("list missing", fun() -> prim_file:list_dir(f("missing")) end),
    t("list a file", fun() -> prim_file:list_dir(f("a")) end),
    t("make_dir missing parent", fun() -> prim_file:make_dir(f("no/such")) end),
    t("make_dir under file", fun() -> prim_file:make_dir(f("a/b")) end),
    t("make_dir existing file", fun() -> prim_file:make_dir(f("a")) end),
    t("del_dir not empty", fun() -> prim_file:del_dir(f("sub")) end),
    t("del_dir a file", fun() -> prim_file:del_dir(f("a")) end),
    t("del_dir missing", fun() -> prim_file:del_dir(f("missing")) end),
    t("del_dir empty", fun() -> ok = prim_file:make_dir(f("empty")), prim_file:del_dir(f("empty")) end),
    ok.

%% Directories' sizes and link counts depend on the file system: not shown.
info_summary(#file_info{type = directory, access = A, mode = M}) ->
    {directory, A, M band 8#777, M band 8#170000};
info_summary(#file_info{type = T, size = S, access = A, mode = M, links = L}) ->
    {T, S, A, M band 8#777, M band 8#170000, L};
info_summary(Other) ->
    Other.

info(Label, F) ->
    t(Label, fun() -> case F() of {ok, I} -> info_summary(I); E -> E end end).

infos() ->
    info("file info", fun() -> prim_file:read_file_info(f("a")) end),
    info("dir info", fun() -> prim_file:read_file_info(f("sub")) end),
    info("missing info", fun() -> prim_file:read_file_info(f("missing")) end),
    info("enotdir info", fun() -> prim_file:read_file_info(f("a/x")) end),
    info("file raw info", fun() -> file:read_file_info(f("long_name.txt"), [raw]) end),
    info("link info of file", fun() -> prim_file:read_link_info(f("a")) end),
    info("file:read_link_info raw", fun() -> file:read_link_info(f("a"), [raw]) end),
    info("/dev/null", fun() -> prim_file:read_file_info("/dev/null") end),
    t("/dev/null type only",
      fun() -> {ok, I} = prim_file:read_file_info("/dev/null"), I#file_info.type end),
    {ok, L} = prim_file:read_file_info(f("a")),
    {ok, U} = prim_file:read_file_info(f("a"), [{time, universal}]),
    {ok, P} = prim_file:read_file_info(f("a"), [{time, posix}]),
    t("local time shape", fun() -> shape(L#file_info.mtime) end),
    t("universal time shape", fun() -> shape(U#file_info.mtime) end),
    t("posix time", fun() -> is_integer(P#file_info.mtime) end),
    t("posix = universal",
      fun() -> calendar:datetime_to_gregorian_seconds(U#file_info.mtime) - 62167219200
                   =:= P#file_info.mtime end),
    t("local = universal converted",
      fun() -> erlang:universaltime_to_localtime(U#file_info.mtime) =:= L#file_info.mtime end),
    t("major/minor/inode/uid/gid are integers",
      fun() -> lists:all(fun is_integer/1, [L#file_info.major_device, L#file_info.minor_device,
                                             L#file_info.inode, L#file_info.uid,
                                             L#file_info.gid]) end),
    t("bad time option", fun() -> prim_file:read_file_info(f("a"), [{time, bad}]) end),
    ok.

shape({{Y, Mo, D}, {H, Mi, S}}) when is_integer(Y), is_integer(Mo), is_integer(D),
                                    is_integer(H), is_integer(Mi), is_integer(S) -> datetime;
shape(X) -> X.

mode(F) -> {ok, I} = prim_file:read_file_info(F), I#file_info.mode band 8#7777.

write_infos() ->
    A = f("a"),
    t("chmod 600", fun() -> prim_file:write_file_info(A, #file_info{mode = 8#600}) end),
    t("mode now", fun() -> mode(A) end),
    info("access 600", fun() -> prim_file:read_file_info(A) end),
    t("chmod 444", fun() -> prim_file:write_file_info(A, #file_info{mode = 8#444}) end),
    info("access 444", fun() -> prim_file:read_file_info(A) end),
    t("chmod 000", fun() -> file:write_file_info(A, #file_info{mode = 0}, [raw]) end),
    t("mode 000", fun() -> mode(A) end),
    t("chmod 644", fun() -> prim_file:write_file_info(A, #file_info{mode = 8#644}) end),
    t("chmod high bits ignored", fun() -> prim_file:write_file_info(A, #file_info{mode = 8#100755}) end),
    t("mode 755", fun() -> mode(A) end),
    ok = prim_file:write_file_info(A, #file_info{mode = 8#644}),
    t("set times posix",
      fun() -> prim_file:write_file_info(A, #file_info{atime = 1000000000, mtime = 1200000000},
                                         [{time, posix}]) end),
    t("times back posix",
      fun() -> {ok, I} = prim_file:read_file_info(A, [{time, posix}]),
               {I#file_info.atime, I#file_info.mtime} end),
    t("set times universal",
      fun() -> prim_file:write_file_info(A, #file_info{mtime = {{2001, 2, 3}, {4, 5, 6}}},
                                         [{time, universal}]) end),
    t("times back universal",
      fun() -> {ok, I} = prim_file:read_file_info(A, [{time, universal}]), I#file_info.mtime end),
    t("set times local",
      fun() -> prim_file:write_file_info(A, #file_info{atime = {{2010, 6, 7}, {8, 9, 10}},
                                                       mtime = {{2011, 6, 7}, {8, 9, 10}}}) end),
    t("times back local",
      fun() -> {ok, I} = prim_file:read_file_info(A),
               {I#file_info.atime, I#file_info.mtime} end),
    t("old time", fun() -> prim_file:write_file_info(A, #file_info{mtime = -100}, [{time, posix}]) end),
    t("old time back",
      fun() -> {ok, I} = prim_file:read_file_info(A, [{time, posix}]), I#file_info.mtime end),
    t("own uid/gid",
      fun() -> {ok, I} = prim_file:read_file_info(A),
               prim_file:write_file_info(A, #file_info{uid = I#file_info.uid,
                                                       gid = I#file_info.gid}) end),
    t("write_file_info missing", fun() -> prim_file:write_file_info(f("missing"), #file_info{mode = 8#644}) end),
    t("write_file_info bad mode", fun() -> prim_file:write_file_info(A, #file_info{mode = foo}) end),
    t("write_file_info bad time", fun() -> prim_file:write_file_info(A, #file_info{mtime = foo}) end),
    t("write_file_info not a record", fun() -> prim_file:write_file_info(A, {foo}) end),
    ok.

links() ->
    t("symlink", fun() -> prim_file:make_symlink("a", f("sa")) end),
    t("symlink exists", fun() -> prim_file:make_symlink("a", f("sa")) end),
    t("read_link", fun() -> prim_file:read_link(f("sa")) end),
    t("read_link_all", fun() -> prim_file:read_link_all(f("sa")) end),
    t("file:read_link raw?", fun() -> prim_file:read_link(list_to_binary(f("sa"))) end),
    t("read_link not a link", fun() -> prim_file:read_link(f("a")) end),
    t("read_link missing", fun() -> prim_file:read_link(f("missing")) end),
    info("link info", fun() -> prim_file:read_link_info(f("sa")) end),
    info("followed info", fun() -> prim_file:read_file_info(f("sa")) end),
    t("read through link", fun() -> prim_file:read_file(f("sa")) end),
    t("dangling symlink", fun() -> prim_file:make_symlink("nowhere", f("dangling")) end),
    info("dangling link info", fun() -> prim_file:read_link_info(f("dangling")) end),
    info("dangling followed", fun() -> prim_file:read_file_info(f("dangling")) end),
    t("read dangling", fun() -> prim_file:read_file(f("dangling")) end),
    t("long link target", fun() ->
                                  Target = lists:duplicate(300, $t),
                                  ok = prim_file:make_symlink(Target, f("longlink")),
                                  {ok, T} = prim_file:read_link(f("longlink")),
                                  length(T)
                          end),
    t("dir symlink", fun() -> prim_file:make_symlink("sub", f("sdir")) end),
    t("list through dir link", fun() -> prim_file:list_dir(f("sdir")) end),
    t("hard link", fun() -> prim_file:make_link(f("a"), f("ha")) end),
    info("hard link count", fun() -> prim_file:read_file_info(f("a")) end),
    t("hard link exists", fun() -> prim_file:make_link(f("a"), f("ha")) end),
    t("hard link missing", fun() -> prim_file:make_link(f("missing"), f("hm")) end),
    t("hard link dir", fun() -> prim_file:make_link(f("sub"), f("hsub")) end),
    ok.

renames() ->
    t("rename", fun() -> prim_file:rename(f("b"), f("b2")) end),
    t("renamed", fun() -> prim_file:read_file(f("b2")) end),
    t("old name gone", fun() -> prim_file:read_file(f("b")) end),
    t("rename missing", fun() -> prim_file:rename(f("b"), f("b3")) end),
    t("rename over file", fun() -> prim_file:rename(f("c"), f("b2")) end),
    t("replaced", fun() -> prim_file:read_file(f("b2")) end),
    t("rename file over dir", fun() -> prim_file:rename(f("b2"), f("sub")) end),
    t("rename dir over file", fun() -> prim_file:rename(f("sub"), f("b2")) end),
    t("rename dir over non-empty dir",
      fun() -> ok = prim_file:make_dir(f("d1")), prim_file:rename(f("d1"), f("sub")) end),
    t("rename dir over empty dir",
      fun() -> ok = prim_file:make_dir(f("d2")), prim_file:rename(f("d1"), f("d2")) end),
    t("rename into itself", fun() -> prim_file:rename(f("d2"), f("d2/inner")) end),
    t("rename into missing dir", fun() -> prim_file:rename(f("b2"), f("no/such")) end),
    t("rename again", fun() -> prim_file:rename(f("b2"), f("b4")) end),
    ok.

deletes() ->
    t("delete", fun() -> prim_file:delete(f("b4")) end),
    t("delete again", fun() -> prim_file:delete(f("b4")) end),
    t("delete dir", fun() -> prim_file:delete(f("sub")) end),
    t("delete symlink", fun() -> prim_file:delete(f("sdir")) end),
    t("target kept", fun() -> prim_file:list_dir(f("sub")) end),
    t("delete raw", fun() -> file:delete(f("ha"), [raw]) end),
    t("delete in missing dir", fun() -> prim_file:delete(f("no/such")) end),
    t("delete through file", fun() -> prim_file:delete(f("a/b")) end),
    ok.

cwd() ->
    {ok, Orig} = prim_file:get_cwd(),
    t("cwd is a string", fun() -> io_lib:printable_unicode_list(Orig) end),
    t("set_cwd", fun() -> prim_file:set_cwd(f("sub")) end),
    t("cwd changed", fun() -> {ok, New} = prim_file:get_cwd(), lists:suffix("/sub", New) end),
    t("relative read", fun() -> prim_file:read_file("deeper/x") end),
    t("relative list", fun() -> prim_file:list_dir(".") end),
    t("del_dir cwd", fun() -> prim_file:del_dir(".") end),
    t("set_cwd ..", fun() -> prim_file:set_cwd("../..") end),
    t("back", fun() -> prim_file:get_cwd() =:= {ok, Orig} end),
    t("set_cwd missing", fun() -> prim_file:set_cwd(f("missing")) end),
    t("set_cwd file", fun() -> prim_file:set_cwd(f("a")) end),
    t("set_cwd binary", fun() -> prim_file:set_cwd(list_to_binary(f("sub"))) end),
    t("set_cwd back", fun() -> prim_file:set_cwd(Orig) end),
    t("set_cwd bad binary", fun() -> prim_file:set_cwd(<<255, 0>>) end),
    t("set_cwd atom", fun() -> prim_file:set_cwd(foo) end),
    t("get_cwd drive", fun() -> prim_file:get_cwd("c:") end),
    t("get_cwd other", fun() -> prim_file:get_cwd("foo") end),
    t("get_cwd bad", fun() -> prim_file:get_cwd(foo) end),
    t("still home", fun() -> prim_file:get_cwd() =:= {ok, Orig} end),
    t("altname", fun() -> prim_file:altname(f("a")) end),
    ok.

filelib_raw() ->
    t("is_file", fun() -> filelib:is_file(f("a"), prim_file) end),
    t("is_file dir", fun() -> filelib:is_file(f("sub"), prim_file) end),
    t("is_file missing", fun() -> filelib:is_file(f("missing"), prim_file) end),
    t("is_dir", fun() -> filelib:is_dir(f("sub"), prim_file) end),
    t("is_dir file", fun() -> filelib:is_dir(f("a"), prim_file) end),
    t("is_regular", fun() -> filelib:is_regular(f("a"), prim_file) end),
    t("file_size", fun() -> filelib:file_size(f("long_name.txt"), prim_file) end),
    t("wildcard", fun() -> lists:sort(filelib:wildcard("*", ?DIR, prim_file)) end),
    t("wildcard deep", fun() -> filelib:wildcard("sub/*/*", ?DIR, prim_file) end),
    t("wildcard ext", fun() -> filelib:wildcard(?DIR ++ "/*.txt", prim_file) end),
    t("fold_files", fun() ->
                            lists:sort(filelib:fold_files(?DIR, "^[a-z]$", true,
                                                          fun(F, Acc) -> [F | Acc] end, [],
                                                          prim_file))
                    end),
    ok.

bad_args() ->
    t("read_file_info atom", fun() -> prim_file:read_file_info(foo) end),
    t("read_file_info tuple", fun() -> prim_file:read_file_info({foo}) end),
    t("read_file_info nul", fun() -> prim_file:read_file_info("a\0b") end),
    t("list_dir atom", fun() -> prim_file:list_dir(foo) end),
    t("make_dir int", fun() -> prim_file:make_dir(1) end),
    t("del_dir list of atoms", fun() -> prim_file:del_dir([foo]) end),
    t("delete improper", fun() -> prim_file:delete([$a | $b]) end),
    t("rename bad", fun() -> prim_file:rename(f("a"), 42) end),
    t("symlink bad", fun() -> prim_file:make_symlink(foo, f("x")) end),
    t("read_link bad", fun() -> prim_file:read_link(<<1:3>>) end),
    t("file:read_file_info bad", fun() -> file:read_file_info({a}, [raw]) end),
    t("file:make_dir bad", fun() -> file:list_dir({a}) end),
    t("read_info_nif direct", fun() -> prim_file:read_file_info(f("a"), foo) end),
    t("name2native bin", fun() -> prim_file:internal_name2native(<<"ab">>) end),
    t("name2native deep", fun() -> prim_file:internal_name2native([$a, [$b, [[]]], "c"]) end),
    t("name2native unicode", fun() -> prim_file:internal_name2native([16#430, 16#1F600]) end),
    t("name2native surrogate", fun() -> prim_file:internal_name2native([16#D800]) end),
    t("name2native atom", fun() -> prim_file:internal_name2native(foo) end),
    t("native2name", fun() -> prim_file:internal_native2name(<<"ab", 208, 176>>) end),
    t("native2name bad utf8", fun() -> prim_file:internal_native2name(<<255>>) end),
    t("native2name empty", fun() -> prim_file:internal_native2name(<<>>) end),
    t("native2name list", fun() -> prim_file:internal_native2name("ab") end),
    t("is_translatable", fun() -> [prim_file:is_translatable(B) || B <- [<<"ok">>, <<255>>, <<>>]] end),
    t("is_translatable list", fun() -> prim_file:is_translatable("ab") end),
    t("normalize",
      fun() -> lists:flatten(io_lib:format("~w", [prim_file:internal_normalize_utf8(<<"a", 16#CC, 16#81, "b">>)])) end),
    t("normalize bad", fun() -> prim_file:internal_normalize_utf8(<<255>>) end),
    t("native_name_encoding", fun() -> file:native_name_encoding() end),
    ok.
