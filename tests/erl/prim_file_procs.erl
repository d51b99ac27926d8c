-module(prim_file_procs).
-export([main/0]).

%% prim_buffer (the byte queue under raw files' read-ahead and read_line), raw file
%% handles and processes (only the opening process may use a handle; the handle dies
%% with it), processes reading and writing different files at the same time, and
%% erlang:load_nif/2 for a library that does not exist. Works in a fresh directory
%% under the current one, made and removed here.

-define(DIR, "prim_file_procs.tmp").

c(F) -> try F() of V -> {ok, V} catch C:E -> {C, E} end.

p(Label, V) -> io:format("~s: ~p~n", [Label, V]).

t(Label, F) -> p(Label, c(F)).

f(Name) -> filename:join(?DIR, Name).

main() ->
    clean(),
    ok = prim_file:make_dir(?DIR),
    buffers(),
    buffer_reads(),
    ownership(),
    concurrent(),
    many_files(),
    nifs(),
    clean(),
    ok.

clean() ->
    case prim_file:list_dir(?DIR) of
        {ok, Names} ->
            [prim_file:delete(f(N)) || N <- Names],
            prim_file:del_dir(?DIR);
        _ -> ok
    end.

buffers() ->
    B = prim_buffer:new(),
    p("is_reference", is_reference(B)),
    t("size empty", fun() -> prim_buffer:size(B) end),
    t("find empty", fun() -> prim_buffer:find_byte_index(B, $a) end),
    t("read 0 empty", fun() -> prim_buffer:read(B, 0) end),
    t("read 1 empty", fun() -> prim_buffer:read(B, 1) end),
    t("skip 1 empty", fun() -> prim_buffer:skip(B, 1) end),
    t("write binary", fun() -> prim_buffer:write(B, <<"abc">>) end),
    t("write iovec", fun() -> prim_buffer:write(B, [<<"abc">>]) end),
    t("write several", fun() -> prim_buffer:write(B, [<<"de">>, <<"fg">>, <<>>]) end),
    t("write integer list", fun() -> prim_buffer:write(B, [1]) end),
    t("write improper", fun() -> prim_buffer:write(B, [<<"x">> | <<"y">>]) end),
    t("write empty", fun() -> prim_buffer:write(B, []) end),
    t("write atom", fun() -> prim_buffer:write(B, foo) end),
    t("size", fun() -> prim_buffer:size(B) end),
    t("find d", fun() -> prim_buffer:find_byte_index(B, $d) end),
    t("find z", fun() -> prim_buffer:find_byte_index(B, $z) end),
    t("find -1", fun() -> prim_buffer:find_byte_index(B, -1) end),
    t("find 256", fun() -> prim_buffer:find_byte_index(B, 256) end),
    t("find atom", fun() -> prim_buffer:find_byte_index(B, a) end),
    t("read 2", fun() -> prim_buffer:read(B, 2) end),
    t("skip 1", fun() -> prim_buffer:skip(B, 1) end),
    t("skip too many", fun() -> prim_buffer:skip(B, 100) end),
    t("skip negative", fun() -> prim_buffer:skip(B, -1) end),
    t("read too many", fun() -> prim_buffer:read(B, 100) end),
    t("read negative", fun() -> prim_buffer:read(B, -1) end),
    t("read_iovec", fun() -> prim_buffer:read_iovec(B, 2) end),
    t("size now", fun() -> prim_buffer:size(B) end),
    t("wipe", fun() -> prim_buffer:wipe(B) end),
    t("size wiped", fun() -> prim_buffer:size(B) end),
    t("try_lock", fun() -> prim_buffer:try_lock(B) end),
    t("try_lock busy", fun() -> prim_buffer:try_lock(B) end),
    t("unlock", fun() -> prim_buffer:unlock(B) end),
    t("unlock again", fun() -> prim_buffer:unlock(B) end),
    t("try_lock again", fun() -> prim_buffer:try_lock(B) end),
    [t("not a buffer " ++ atom_to_list(F), fun() -> apply(prim_buffer, F, [make_ref() | A]) end)
     || {F, A} <- [{size, []}, {wipe, []}, {try_lock, []}, {unlock, []}, {read, [0]},
                   {write, [[<<"a">>]]}, {skip, [0]}, {find_byte_index, [0]}]],
    t("atomics ref", fun() -> prim_buffer:size(atomics:new(1, [])) end),
    t("not a ref", fun() -> prim_buffer:size(foo) end),
    t("unexported peek_head", fun() -> apply(prim_buffer, peek_head, [B]) end),
    ok.

%% The chunk boundaries show in read_iovec: small writes are gathered, big ones not.
buffer_reads() ->
    B = prim_buffer:new(),
    ok = prim_buffer:write(B, [<<"abc">>]),
    ok = prim_buffer:write(B, [<<"defg">>]),
    ok = prim_buffer:write(B, [binary:copy(<<"L">>, 2000)]),
    ok = prim_buffer:write(B, [binary:copy(<<"M">>, 100)]),
    ok = prim_buffer:write(B, [binary:copy(<<"N">>, 100), binary:copy(<<"O">>, 30)]),
    ok = prim_buffer:write(B, [binary:copy(<<"P">>, 3000), binary:copy(<<"Q">>, 1500)]),
    t("size", fun() -> prim_buffer:size(B) end),
    Sizes = fun(L) -> [byte_size(X) || X <- L] end,
    t("iovec 1", fun() -> Sizes(prim_buffer:read_iovec(B, 1)) end),
    t("iovec 100", fun() -> Sizes(prim_buffer:read_iovec(B, 100)) end),
    t("iovec 2000", fun() -> Sizes(prim_buffer:read_iovec(B, 2000)) end),
    t("iovec 130", fun() -> Sizes(prim_buffer:read_iovec(B, 130)) end),
    t("find P", fun() -> prim_buffer:find_byte_index(B, $P) end),
    t("find Q", fun() -> prim_buffer:find_byte_index(B, $Q) end),
    t("iovec 3100", fun() -> Sizes(prim_buffer:read_iovec(B, 3100)) end),
    t("read 50", fun() -> prim_buffer:read(B, 50) end),
    t("read rest", fun() -> R = prim_buffer:read(B, prim_buffer:size(B)), {byte_size(R), binary:first(R)} end),
    t("size end", fun() -> prim_buffer:size(B) end),
    Sub = binary:part(binary:copy(<<"0123456789">>, 100), 5, 990),
    ok = prim_buffer:write(B, [Sub, Sub, Sub]),
    t("sub-binaries", fun() -> R = prim_buffer:read(B, 2970), R =:= <<Sub/binary, Sub/binary, Sub/binary>> end),
    <<_:3, Odd:80/bitstring, _:5>> = <<0:3, "abcdefghij", 0:5>>,
    ok = prim_buffer:write(B, [Odd]),
    t("unaligned", fun() -> prim_buffer:read(B, 10) end),
    t("bitstring", fun() -> prim_buffer:write(B, [<<1:3>>]) end),
    t("bitstring size", fun() -> prim_buffer:size(B) end),
    ok.

ownership() ->
    O = f("owned"),
    ok = prim_file:write_file(O, <<"owned data">>),
    Self = self(),
    Owner = spawn(fun() ->
                          {ok, Fd} = file:open(O, [raw, read, binary]),
                          Self ! {fd, Fd},
                          receive go -> ok end,
                          Self ! {owner_read, file:read(Fd, 5)},
                          receive stop -> ok end
                  end),
    Fd = receive {fd, F} -> F end,
    t("read by other", fun() -> file:read(Fd, 5) end),
    t("read_line by other", fun() -> file:read_line(Fd) end),
    t("position by other", fun() -> file:position(Fd, 0) end),
    t("pread by other", fun() -> file:pread(Fd, 0, 1) end),
    t("close by other", fun() -> file:close(Fd) end),
    t("info by other", fun() -> file:read_file_info(Fd) end),
    Owner ! go,
    receive {owner_read, R} -> p("read by owner", R) end,
    Ref = monitor(process, Owner),
    Owner ! stop,
    receive {'DOWN', Ref, _, _, _} -> ok end,
    t("read after owner exit", fun() -> file:read(Fd, 5) end),
    %% A handle that died with its owner can be given to nobody.
    {ok, Mine} = file:open(O, [raw, read, binary]),
    t("new handle works", fun() -> file:read(Mine, 5) end),
    ok = file:close(Mine),
    ok.

concurrent() ->
    Self = self(),
    N = 200,
    Writer = fun(Name, Byte) ->
                     fun() ->
                             {ok, F} = file:open(f(Name), [raw, write, binary]),
                             [ok = file:write(F, binary:copy(<<Byte>>, I)) || I <- lists:seq(1, N)],
                             ok = file:close(F),
                             Self ! {done, Name}
                     end
             end,
    spawn(Writer("w1", $a)),
    spawn(Writer("w2", $b)),
    spawn(Writer("w3", $c)),
    Done = lists:sort([receive {done, X} -> X end || _ <- [1, 2, 3]]),
    p("writers done", Done),
    Expect = N * (N + 1) div 2,
    [t("contents " ++ Name,
       fun() ->
               {ok, Bin} = prim_file:read_file(f(Name)),
               {byte_size(Bin) =:= Expect, Bin =:= binary:copy(<<Byte>>, Expect)}
       end) || {Name, Byte} <- [{"w1", $a}, {"w2", $b}, {"w3", $c}]],
    Reader = fun(Name) ->
                     fun() ->
                             {ok, F} = file:open(f(Name), [raw, read, binary, read_ahead]),
                             Count = count_reads(F, 0),
                             ok = file:close(F),
                             Self ! {read, Name, Count}
                     end
             end,
    [spawn(Reader(Name)) || Name <- ["w1", "w2", "w3"]],
    Reads = lists:sort([receive {read, Name, Count} -> {Name, Count} end || _ <- [1, 2, 3]]),
    p("readers", Reads),
    ok.

count_reads(F, Acc) ->
    case file:read(F, 77) of
        {ok, B} -> count_reads(F, Acc + byte_size(B));
        eof -> Acc
    end.

many_files() ->
    %% More handles than a process usually has, opened and closed again and again.
    Name = f("many"),
    ok = prim_file:write_file(Name, <<"x">>),
    Open = [begin {ok, F} = file:open(Name, [raw, read]), F end || _ <- lists:seq(1, 300)],
    t("all read", fun() -> lists:usort([file:read(F, 1) || F <- Open]) end),
    t("all close", fun() -> lists:usort([file:close(F) || F <- Open]) end),
    Loop = fun L(0) -> ok;
               L(I) -> {ok, F} = file:open(Name, [raw, read]), {ok, "x"} = file:read(F, 1),
                       ok = file:close(F), L(I - 1)
           end,
    t("open/close loop", fun() -> Loop(2000) end),
    t("closed stay closed", fun() -> lists:usort([file:read(F, 1) || F <- Open]) end),
    ok.

nifs() ->
    t("load_nif missing", fun() -> erlang:load_nif("no_such_nif_library", 0) end),
    t("load_nif missing path", fun() -> erlang:load_nif("/no/such/dir/lib", [some, info]) end),
    t("load_nif binary", fun() -> erlang:load_nif(<<"no_such_lib">>, 0) end),
    t("load_nif deep", fun() -> erlang:load_nif(["no_", "such"], 0) end),
    t("load_nif atom", fun() -> erlang:load_nif(no_such, 0) end),
    %% Through apply with a computed name (a literal one compiles to a direct call).
    F = list_to_atom("load_nif"),
    t("load_nif apply", fun() -> apply(erlang, F, ["no_such_nif_library", 0]) end),
    t("load_nif apply atom", fun() -> apply(erlang, F, [no_such, 0]) end),
    t("load_nif fun", fun() -> G = fun erlang:load_nif/2, G("no_such_nif_library", 0) end),
    ok.
