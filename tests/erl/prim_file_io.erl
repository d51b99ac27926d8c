-module(prim_file_io).
-export([main/0]).

%% File I/O on real files through file's raw mode and prim_file directly: open modes
%% (read, write, append, exclusive, read+write, directory), read/write/pread/pwrite,
%% position, truncate, sync, read_line with read_ahead, read_file/write_file, closed
%% handles and bad arguments. Works in a fresh directory under the current one, made
%% and removed here; prints sizes, contents and error atoms only.

-define(DIR, "prim_file_io.tmp").

c(F) -> try F() of V -> {ok, V} catch C:E -> {C, E} end.

p(Label, V) -> io:format("~s: ~p~n", [Label, V]).

t(Label, F) -> p(Label, c(F)).

f(Name) -> filename:join(?DIR, Name).

main() ->
    clean(),
    ok = prim_file:make_dir(?DIR),
    modes(),
    reads(),
    positions(),
    preads(),
    lines(),
    whole_files(),
    closed(),
    bad_args(),
    handles(),
    clean(),
    p("dir gone", prim_file:read_file_info(?DIR)),
    ok.

clean() ->
    case prim_file:list_dir(?DIR) of
        {ok, Names} ->
            [prim_file:delete(f(N)) || N <- Names],
            prim_file:del_dir(?DIR);
        _ -> ok
    end.

contents(Name) -> prim_file:read_file(f(Name)).

modes() ->
    A = f("a"),
    t("open read missing", fun() -> file:open(A, [raw, read]) end),
    t("open default missing", fun() -> file:open(A, [raw]) end),
    {ok, W} = file:open(A, [raw, write]),
    t("write", fun() -> file:write(W, <<"hello">>) end),
    t("write iolist", fun() -> file:write(W, [" ", <<"wor">>, [$l, [$d]], $\n]) end),
    t("read on write-only", fun() -> file:read(W, 3) end),
    t("close", fun() -> file:close(W) end),
    t("close again", fun() -> file:close(W) end),
    p("contents", contents("a")),
    {ok, W2} = file:open(A, [raw, write]),
    ok = file:close(W2),
    p("write truncates", contents("a")),
    ok = prim_file:write_file(A, <<"first\n">>),
    {ok, Ap} = file:open(A, [raw, append]),
    t("append", fun() -> file:write(Ap, <<"second\n">>) end),
    t("position in append", fun() -> file:position(Ap, bof) end),
    t("append after seek", fun() -> file:write(Ap, <<"third\n">>) end),
    ok = file:close(Ap),
    p("appended", contents("a")),
    t("exclusive existing", fun() -> file:open(A, [raw, exclusive]) end),
    {ok, X} = file:open(f("x"), [raw, exclusive, binary]),
    t("exclusive write", fun() -> file:write(X, <<"new">>) end),
    ok = file:close(X),
    p("exclusive contents", contents("x")),
    {ok, RW} = file:open(A, [raw, read, write, binary]),
    t("rw read", fun() -> file:read(RW, 5) end),
    t("rw write", fun() -> file:write(RW, <<"!">>) end),
    t("rw read more", fun() -> file:read(RW, 100) end),
    t("rw eof", fun() -> file:read(RW, 1) end),
    ok = file:close(RW),
    p("rw contents", contents("a")),
    {ok, RO} = file:open(A, [raw, read]),
    t("write on read-only", fun() -> file:write(RO, <<"x">>) end),
    t("list mode read", fun() -> file:read(RO, 3) end),
    ok = file:close(RO),
    t("open directory", fun() -> file:open(?DIR, [raw, read]) end),
    t("open directory write", fun() -> file:open(?DIR, [raw, write]) end),
    t("open in missing dir", fun() -> file:open(f("no/such"), [raw, write]) end),
    t("open file as dir", fun() -> file:open(f("a/b"), [raw, write]) end),
    t("open with directory mode",
      fun() -> {ok, D} = file:open(?DIR, [raw, read, directory]), file:close(D) end),
    t("directory mode on file", fun() -> file:open(A, [raw, read, directory]) end),
    t("read+append",
      fun() ->
              {ok, F} = file:open(A, [raw, read, append, binary]),
              R1 = file:read(F, 4),
              ok = file:write(F, <<"tail\n">>),
              R2 = file:pread(F, 0, 100),
              ok = file:close(F),
              {R1, R2}
      end),
    ok.

reads() ->
    B = f("b"),
    Data = list_to_binary([integer_to_list(I) ++ "," || I <- lists:seq(1, 3000)]),
    ok = prim_file:write_file(B, Data),
    p("size", byte_size(Data)),
    {ok, F} = file:open(B, [raw, read, binary]),
    t("read 0", fun() -> file:read(F, 0) end),
    t("read 10", fun() -> file:read(F, 10) end),
    {ok, Big} = file:read(F, 100000),
    p("read rest", {byte_size(Big), binary:part(Big, byte_size(Big), -10)}),
    t("read at eof", fun() -> file:read(F, 10) end),
    t("read negative", fun() -> file:read(F, -1) end),
    t("read atom", fun() -> file:read(F, foo) end),
    ok = file:close(F),
    {ok, L} = file:open(B, [raw, read]),
    t("list read", fun() -> file:read(L, 12) end),
    ok = file:close(L),
    {ok, RA} = file:open(B, [raw, read, binary, {read_ahead, 100}]),
    R1 = [element(2, file:read(RA, 7)) || _ <- lists:seq(1, 40)],
    p("read_ahead reads", {length(R1), iolist_size(R1), lists:last(R1)}),
    t("read_ahead position cur", fun() -> file:position(RA, cur) end),
    t("read_ahead big read", fun() -> {ok, X} = file:read(RA, 500), byte_size(X) end),
    t("read_ahead position", fun() -> file:position(RA, cur) end),
    ok = file:close(RA),
    ok.

positions() ->
    P = f("p"),
    ok = prim_file:write_file(P, <<"0123456789">>),
    {ok, F} = file:open(P, [raw, read, write, binary]),
    t("pos bof 3", fun() -> file:position(F, {bof, 3}) end),
    t("read after pos", fun() -> file:read(F, 2) end),
    t("pos cur -1", fun() -> file:position(F, {cur, -1}) end),
    t("pos cur", fun() -> file:position(F, cur) end),
    t("pos eof", fun() -> file:position(F, eof) end),
    t("pos eof -2", fun() -> file:position(F, {eof, -2}) end),
    t("read at eof-2", fun() -> file:read(F, 10) end),
    t("pos integer", fun() -> file:position(F, 4) end),
    t("pos bof", fun() -> file:position(F, bof) end),
    t("pos negative", fun() -> file:position(F, {bof, -1}) end),
    t("pos past end", fun() -> file:position(F, 20) end),
    t("write past end", fun() -> file:write(F, <<"X">>) end),
    t("after hole", fun() -> file:pread(F, 8, 20) end),
    t("pos bad", fun() -> file:position(F, {middle, 1}) end),
    t("pos bad offset", fun() -> file:position(F, {bof, foo}) end),
    t("pos huge", fun() -> file:position(F, {bof, 1 bsl 64}) end),
    t("pos 4", fun() -> file:position(F, 4) end),
    t("truncate", fun() -> file:truncate(F) end),
    t("size after truncate", fun() -> {ok, I} = file:read_file_info(P, [raw]), element(2, I) end),
    t("pos 0 and read", fun() -> file:position(F, 0), file:read(F, 100) end),
    t("sync", fun() -> file:sync(F) end),
    t("datasync", fun() -> file:datasync(F) end),
    t("advise", fun() -> file:advise(F, 0, 0, sequential) end),
    t("advise bad", fun() -> file:advise(F, 0, 0, sideways) end),
    t("advise negative", fun() -> file:advise(F, -1, 0, normal) end),
    t("allocate", fun() -> file:allocate(F, 0, 100) end),
    t("size after allocate", fun() -> {ok, I} = file:read_file_info(P, [raw]), element(2, I) end),
    ok = file:close(F),
    ok.

preads() ->
    Q = f("q"),
    ok = prim_file:write_file(Q, <<"abcdefghij">>),
    {ok, F} = file:open(Q, [raw, read, write, binary]),
    t("pread", fun() -> file:pread(F, 2, 3) end),
    t("pread past end", fun() -> file:pread(F, 8, 10) end),
    t("pread at end", fun() -> file:pread(F, 10, 1) end),
    t("pread zero", fun() -> file:pread(F, 0, 0) end),
    t("pread list", fun() -> file:pread(F, [{0, 2}, {5, 2}, {20, 1}]) end),
    t("pread negative", fun() -> file:pread(F, -1, 2) end),
    t("pread atom", fun() -> file:pread(F, a, 2) end),
    t("pwrite", fun() -> file:pwrite(F, 3, <<"XYZ">>) end),
    t("pwrite iolist", fun() -> file:pwrite(F, 0, ["1", [<<"2">>]]) end),
    t("pwrite list", fun() -> file:pwrite(F, [{12, <<"m">>}, {1, "!"}]) end),
    t("pwrite negative", fun() -> file:pwrite(F, -1, <<"x">>) end),
    t("pwrite bad data", fun() -> file:pwrite(F, 0, [foo]) end),
    t("position kept", fun() -> file:position(F, cur) end),
    ok = file:close(F),
    p("pwritten", contents("q")),
    ok.

lines() ->
    L = f("lines"),
    ok = prim_file:write_file(L, [<<"one\n">>, <<"two\r\n">>, binary:copy(<<"x">>, 700), <<"\n">>,
                                  <<"\n">>, <<"last no newline">>]),
    Read = fun(Opts) ->
                   {ok, F} = file:open(L, [raw, read | Opts]),
                   Ls = read_lines(F),
                   ok = file:close(F),
                   [case X of
                        B when is_binary(B), byte_size(B) > 40 -> {long, byte_size(B)};
                        S when is_list(S), length(S) > 40 -> {long_list, length(S)};
                        _ -> X
                    end || X <- Ls]
           end,
    p("lines binary", Read([binary])),
    p("lines list", Read([])),
    p("lines read_ahead", Read([binary, read_ahead])),
    p("lines small read_ahead", Read([binary, {read_ahead, 3}])),
    {ok, F} = file:open(L, [raw, read, binary]),
    {ok, <<"one\n">>} = file:read_line(F),
    t("read after read_line", fun() -> file:read(F, 3) end),
    t("position after read_line", fun() -> file:position(F, cur) end),
    ok = file:close(F),
    ok.

read_lines(F) ->
    case file:read_line(F) of
        {ok, Line} -> [Line | read_lines(F)];
        eof -> [eof];
        Other -> [Other]
    end.

whole_files() ->
    W = f("w"),
    t("write_file raw", fun() -> file:write_file(W, [<<"abc">>, "def"], [raw]) end),
    t("read_file prim", fun() -> prim_file:read_file(W) end),
    t("write_file append", fun() -> file:write_file(W, <<"ghi">>, [raw, append]) end),
    t("read_file again", fun() -> prim_file:read_file(W) end),
    t("read_file missing", fun() -> prim_file:read_file(f("missing")) end),
    t("read_file dir", fun() -> prim_file:read_file(?DIR) end),
    t("read_file binary name", fun() -> prim_file:read_file(list_to_binary(W)) end),
    t("read_file deep name", fun() -> prim_file:read_file([?DIR, "/", ["w"]]) end),
    t("read_file atom name", fun() -> prim_file:read_file(foo) end),
    t("read_file bad name", fun() -> prim_file:read_file([foo]) end),
    Big = binary:copy(<<"0123456789abcdef">>, 40000),
    t("write big", fun() -> prim_file:write_file(W, Big) end),
    t("read big", fun() -> {ok, B} = prim_file:read_file(W), B =:= Big end),
    t("write_file bad data", fun() -> prim_file:write_file(W, [foo]) end),
    t("write_file raw bad data", fun() -> file:write_file(W, [foo], [raw]) end),
    ok.

closed() ->
    C = f("c"),
    {ok, F} = file:open(C, [raw, write, read, binary]),
    ok = file:close(F),
    [t("closed " ++ atom_to_list(Op), fun() -> apply(file, Op, [F | Args]) end)
     || {Op, Args} <- [{read, [1]}, {write, [<<"x">>]}, {pread, [0, 1]}, {pwrite, [0, <<"x">>]},
                       {position, [bof]}, {truncate, []}, {sync, []}, {read_line, []},
                       {close, []}, {advise, [0, 0, normal]}]],
    t("closed read_handle_info", fun() -> file:read_file_info(F) end),
    ok.

bad_args() ->
    t("open bad name", fun() -> file:open({foo}, [raw, read]) end),
    t("open name with nul", fun() -> file:open([$a, 0, $b], [raw, read]) end),
    t("open bad char", fun() -> file:open([16#110000], [raw, read]) end),
    t("open not a list", fun() -> file:open(f("a"), raw) end),
    t("open_nif not a list", fun() -> prim_file:open(f("a"), read) end),
    t("read not a file", fun() -> file:read(foo, 1) end),
    t("prim read not a file", fun() -> prim_file:read(foo, 1) end),
    t("prim close not a file", fun() -> prim_file:close(foo) end),
    t("write not iodata", fun() ->
                                  {ok, F} = file:open(f("a"), [raw, write]),
                                  R = file:write(F, {x}),
                                  file:close(F),
                                  R
                          end),
    ok.

handles() ->
    H = f("h"),
    {ok, F} = file:open(H, [raw, write, read, binary]),
    ok = file:write(F, <<"1234567">>),
    t("read_handle_info",
      fun() ->
              {ok, I} = file:read_file_info(F),
              {element(2, I), element(3, I), element(4, I), element(8, I) band 8#170000}
      end),
    t("read_handle_info posix",
      fun() -> {ok, I} = file:read_file_info(F, [{time, posix}]), is_integer(element(5, I)) end),
    t("get_handle size", fun() -> byte_size(prim_file:get_handle(F)) end),
    t("ipread eof", fun() -> prim_file:ipread_s32bu_p32bu(F, 0, infinity) end),
    ok = file:pwrite(F, 0, <<3:32, 8:32, "abcdefgh">>),
    t("ipread", fun() -> prim_file:ipread_s32bu_p32bu(F, 0, infinity) end),
    t("ipread too big", fun() -> prim_file:ipread_s32bu_p32bu(F, 0, 2) end),
    t("ipread bad", fun() -> prim_file:ipread_s32bu_p32bu(F, a, 2) end),
    t("copy", fun() ->
                      {ok, G} = file:open(f("copy"), [raw, write, binary]),
                      {ok, 0} = file:position(F, bof),
                      R = file:copy(F, G),
                      ok = file:close(G),
                      {R, contents("copy")}
              end),
    ok = file:close(F),
    ok.
