%% Ports to OS processes: cat in stream, line and {packet, N} modes, binary and list
%% data, eof and exit_status, spawn_executable with args/arg0/env/cd, nouse_stdio,
%% stderr_to_stdout, port_info items, and many ports at once. Nothing printed names a
%% pid, port or OS pid.
-module(ports_cat).
-export([main/0]).

main() ->
    process_flag(trap_exit, true),
    stream(),
    lines(),
    packets(),
    eof_and_status(),
    executables(),
    stdio_options(),
    info(),
    many(),
    ok.

%% Replaces pids, ports and references by atoms, so that output is stable.
clean(T) when is_port(T) -> port;
clean(T) when is_pid(T) -> pid;
clean(T) when is_reference(T) -> ref;
clean(T) when is_list(T) -> clean_list(T);
clean(T) when is_tuple(T) -> list_to_tuple(clean(tuple_to_list(T)));
clean(T) when is_map(T) -> maps:from_list(clean(maps:to_list(T)));
clean(T) -> T.

clean_list([H | T]) -> [clean(H) | clean_list(T)];
clean_list([]) -> [];
clean_list(T) -> clean(T).

show(Label, Term) ->
    io:format("~s: ~p~n", [Label, clean(Term)]).

%% Every message from port P until its 'EXIT' (or Timeout ms of silence).
until_exit(P) ->
    receive
        {P, _} = M -> [M | until_exit(P)];
        {'EXIT', P, _} = M -> [M]
    after 5000 -> [timeout]
    end.

recv(P) ->
    receive {P, M} -> M after 5000 -> timeout end.

stream() ->
    P = open_port({spawn, "cat"}, []),
    true = port_command(P, "hello"),
    show("list data", recv(P)),
    P ! {self(), {command, [<<"bin">>, $a, [$r, [<<"y">>]]]}},
    show("iolist data", recv(P)),
    true = port_command(P, <<>>),
    true = port_command(P, "x"),
    show("empty command then x", recv(P)),
    port_close(P),
    show("after close", until_exit(P)),
    B = open_port({spawn, "cat"}, [binary, stream]),
    port_command(B, "abc"),
    show("binary data", recv(B)),
    Big = list_to_binary(lists:duplicate(100000, $z)),
    port_command(B, Big),
    show("big binary", collect_bytes(B, byte_size(Big))),
    port_close(B),
    show("after close", until_exit(B)).

collect_bytes(_P, 0) -> done;
collect_bytes(_P, N) when N < 0 -> {too_many, N};
collect_bytes(P, N) ->
    receive
        {P, {data, D}} when is_binary(D) -> collect_bytes(P, N - byte_size(D))
    after 5000 -> {missing, N}
    end.

lines() ->
    P = open_port({spawn, "cat"}, [{line, 4}]),
    port_command(P, "ab\nabcdefghij\nxyz"),
    show("lines 1", [recv(P), recv(P), recv(P), recv(P)]),
    port_command(P, "w\r\nabcd\r\nabcde\n"),
    show("lines 2", [recv(P), recv(P), recv(P), recv(P)]),
    port_close(P),
    show("after close", until_exit(P)),
    Q = open_port({spawn, "cat"}, [{line, 3}, binary]),
    port_command(Q, "abc\r\n\n\r\na\rb\n"),
    show("binary lines", [recv(Q), recv(Q), recv(Q), recv(Q)]),
    port_close(Q),
    until_exit(Q),
    D = open_port({spawn, "cat"}, [line]),
    port_command(D, [lists:duplicate(600, $a), "\n"]),
    {data, {noeol, L1}} = recv(D),
    {data, {eol, L2}} = recv(D),
    show("default line length", {length(L1), length(L2)}),
    port_close(D),
    until_exit(D),
    E = open_port({spawn, "printf 'one\\ntwo\\r\\nthree'"}, [{line, 10}, eof]),
    show("lines at eof", until_eof(E)),
    port_close(E),
    show("after close", until_exit(E)),
    F = open_port({spawn, "printf 'one\\nlast'"}, [{line, 10}]),
    show("lines without eof option", until_exit(F)).

until_eof(P) ->
    receive
        {P, eof} -> [eof];
        {P, M} -> [M | until_eof(P)]
    after 5000 -> [timeout]
    end.

packets() ->
    [begin
         P = open_port({spawn, "cat"}, [{packet, N}]),
         port_command(P, "hello"),
         port_command(P, ""),
         port_command(P, [<<"a">>, "b"]),
         show(io_lib:format("packet ~p", [N]), [recv(P), recv(P), recv(P)]),
         port_close(P),
         until_exit(P)
     end || N <- [1, 2, 4]],
    B = open_port({spawn, "cat"}, [{packet, 2}, binary]),
    port_command(B, lists:duplicate(1000, $q)),
    {data, D} = recv(B),
    show("packet 2 binary", {is_binary(D), byte_size(D)}),
    port_command(B, lists:duplicate(70000, $q)),
    show("packet 2 too long", until_exit(B)),
    C = open_port({spawn, "cat"}, [{packet, 1}]),
    port_command(C, lists:duplicate(256, $q)),
    show("packet 1 too long", until_exit(C)),
    %% A packet header promising more than arrives before end of input.
    T = open_port({spawn, "printf '\\000\\003ab'"}, [{packet, 2}, eof]),
    show("truncated packet at eof", until_eof(T)),
    port_close(T),
    until_exit(T),
    %% Raw packet headers read from a program.
    R = open_port({spawn, "printf '\\003abc\\001d\\000'"}, [{packet, 1}, binary, eof]),
    show("packets from printf", until_eof(R)),
    port_close(R),
    until_exit(R).

eof_and_status() ->
    A = open_port({spawn, "sh -c 'exit 3'"}, [exit_status]),
    show("exit_status 3", until_exit(A)),
    B = open_port({spawn, "echo hi; exit 3"}, [exit_status, eof]),
    show("exec replaces the shell", until_eof(B)),
    port_close(B),
    until_exit(B),
    C = open_port({spawn, "sh -c 'echo out; exit 7'"}, [exit_status, eof, binary]),
    show("status before eof", until_eof(C)),
    port_close(C),
    show("after close", until_exit(C)),
    D = open_port({spawn, "sh -c 'kill -9 $$'"}, [exit_status]),
    show("killed by a signal", until_exit(D)),
    E = open_port({spawn, "true"}, [eof]),
    show("eof only", until_eof(E)),
    show("still open after eof", erlang:port_info(E, name)),
    port_close(E),
    show("closed", until_exit(E)),
    F = open_port({spawn, "printf 'ab'; exit 2"}, [{line, 5}, exit_status, eof]),
    show("status, partial line, eof", until_eof(F)),
    port_close(F),
    until_exit(F),
    G = open_port({spawn, "sh -c 'exit 0'"}, [exit_status, in]),
    show("in only with status", until_exit(G)),
    H = open_port({spawn, "nonexistent_command_for_ports_test 2>/dev/null"}, [exit_status]),
    show("command not found", until_exit(H)).

executables() ->
    A = open_port({spawn_executable, "/bin/echo"}, [{args, ["a b", "c", <<"bin">>, ""]}, eof]),
    show("args", until_eof(A)),
    port_close(A),
    until_exit(A),
    B = open_port({spawn_executable, "/bin/sh"},
                  [{args, ["-c", "echo $0"]}, {arg0, "my_arg0"}, eof]),
    show("arg0", until_eof(B)),
    port_close(B),
    until_exit(B),
    C = open_port({spawn_executable, "/bin/sh"},
                  [{args, ["-c", "echo \"$PT_FOO|${PT_UNSET-unset}|$PT_EMPTY|${HOME-nohome}\""]},
                   {env, [{"PT_FOO", "foo"}, {"HOME", false}, {"PT_EMPTY", []}]}, eof]),
    show("env", until_eof(C)),
    port_close(C),
    until_exit(C),
    D = open_port({spawn_executable, "/bin/sh"},
                  [{args, ["-c", "echo $PT_A$PT_B"]},
                   {env, [{"PT_A", "1"}]}, {env, [{"PT_B", "2"}]}, eof]),
    show("last env option wins", until_eof(D)),
    port_close(D),
    until_exit(D),
    E = open_port({spawn_executable, "/bin/pwd"}, [{cd, "/usr/lib"}, eof]),
    show("cd", until_eof(E)),
    port_close(E),
    until_exit(E),
    F = open_port({spawn, "pwd"}, [{cd, <<"/">>}, eof]),
    show("cd binary", until_eof(F)),
    port_close(F),
    until_exit(F),
    G = open_port({spawn_executable, <<"/bin/echo">>}, [{args, [abc]}, eof]),
    show("binary path, atom arg", until_eof(G)),
    port_close(G),
    until_exit(G),
    H = open_port({spawn, "echo $PT_UNI"}, [{env, [{"PT_UNI", [1024, $x]}]}, eof, binary]),
    show("unicode env value", until_eof(H)),
    port_close(H),
    until_exit(H),
    I = open_port({spawn_executable, "/tmp"}, [exit_status]),
    show("a directory cannot run", until_exit(I)),
    J = open_port({spawn, "echo"}, [exit_status, {cd, "/nonexistent/dir"}]),
    show("cd fails", until_exit(J)).

stdio_options() ->
    A = open_port({spawn, "sh -c 'echo to_stderr 1>&2; echo to_stdout'"},
                  [stderr_to_stdout, {line, 80}, eof]),
    show("stderr_to_stdout", until_eof(A)),
    port_close(A),
    until_exit(A),
    B = open_port({spawn, "sh -c 'read x <&3; echo got $x >&4'"}, [nouse_stdio, eof]),
    port_command(B, "line\n"),
    show("nouse_stdio", until_eof(B)),
    port_close(B),
    until_exit(B),
    C = open_port({spawn, "echo in_only"}, [in, eof]),
    show("in only", until_eof(C)),
    show("command to an in-only port", port_command(C, "x")),
    show("in-only port ends", until_exit(C)),
    D = open_port({spawn, "cat > /dev/null"}, [out]),
    show("out only", port_command(D, "x")),
    port_close(D),
    show("out only closed", until_exit(D)),
    E = open_port({spawn, "cat"}, [hide, {parallelism, true}, use_stdio,
                                   {busy_limits_port, {100, 200}},
                                   {busy_limits_msgq, disabled}]),
    port_command(E, "opts"),
    show("other options", recv(E)),
    show("parallelism", erlang:port_info(E, parallelism)),
    port_close(E),
    until_exit(E),
    F = open_port({spawn, "cat"}, [{busy_limits_port, disabled}, {busy_limits_msgq, {10, 20}}]),
    port_close(F),
    until_exit(F).

info() ->
    P = open_port({spawn, "cat"}, []),
    Info = erlang:port_info(P),
    show("port_info/1 keys", [K || {K, _} <- Info]),
    show("name", lists:keyfind(name, 1, Info)),
    show("connected is self", lists:keyfind(connected, 1, Info) =:= {connected, self()}),
    show("links", lists:keyfind(links, 1, Info) =:= {links, [self()]}),
    {os_pid, OsPid} = lists:keyfind(os_pid, 1, Info),
    show("os_pid is an integer", is_integer(OsPid) andalso OsPid > 0),
    {id, Id} = lists:keyfind(id, 1, Info),
    show("id is an integer", is_integer(Id)),
    [show(atom_to_list(I), clean(erlang:port_info(P, I)))
     || I <- [registered_name, monitors, monitored_by, input, output, queue_size,
              parallelism, locking]],
    {memory, M} = erlang:port_info(P, memory),
    show("memory is an integer", is_integer(M) andalso M > 0),
    port_command(P, "12345"),
    recv(P),
    show("counters", [erlang:port_info(P, input), erlang:port_info(P, output)]),
    Q = open_port({spawn, "cat"}, [{packet, 2}]),
    port_command(Q, "hello"),
    recv(Q),
    show("counters without packet headers", [erlang:port_info(Q, input), erlang:port_info(Q, output)]),
    port_close(Q),
    until_exit(Q),
    L = open_port({spawn, "cat"}, [{line, 2}]),
    port_command(L, "hello\r\n"),
    _ = [recv(L), recv(L), recv(L)],
    show("line counters", [erlang:port_info(L, input), erlang:port_info(L, output)]),
    port_close(L),
    until_exit(L),
    show("name of spawn_executable",
         begin
             X = open_port({spawn_executable, "/bin/cat"}, []),
             R = erlang:port_info(X, name),
             port_close(X),
             until_exit(X),
             R
         end),
    show("ports() has it", lists:member(P, erlang:ports())),
    show("port_to_list round trip", list_to_port(erlang:port_to_list(P)) =:= P),
    show("term_to_binary round trip", binary_to_term(term_to_binary(P)) =:= P),
    show("is_port", {is_port(P), is_port(self()), is_port(make_ref())}),
    show("node", node(P)),
    show("ordering", {self() < P, P < make_ref(), 1 < P, P < {}}),
    show("phash2 stable", erlang:phash2(P) =:= erlang:phash2(list_to_port(erlang:port_to_list(P)))),
    show("port_get_data", erlang:port_get_data(P)),
    show("port_set_data", erlang:port_set_data(P, {some, "data", <<"bin">>})),
    show("port_get_data", erlang:port_get_data(P)),
    erlang:port_set_data(P, 42),
    show("port_get_data immediate", erlang:port_get_data(P)),
    port_close(P),
    until_exit(P),
    show("ports() after close", lists:member(P, erlang:ports())),
    show("port_info after close", {erlang:port_info(P), erlang:port_info(P, name)}).

%% 50 cats at once, each echoing its own number.
many() ->
    Ports = [{N, open_port({spawn, "cat"}, [binary])} || N <- lists:seq(1, 50)],
    [port_command(P, integer_to_list(N)) || {N, P} <- Ports],
    Got = [begin
               {data, D} = recv(P),
               binary_to_integer(D) =:= N
           end || {N, P} <- Ports],
    show("50 cats answered", lists:all(fun(X) -> X end, Got)),
    show("all listed", lists:all(fun({_, P}) -> lists:member(P, erlang:ports()) end, Ports)),
    [port_close(P) || {_, P} <- Ports],
    Exits = [until_exit(P) || {_, P} <- Ports],
    show("all closed", lists:usort(clean(Exits))),
    show("none listed", lists:any(fun({_, P}) -> lists:member(P, erlang:ports()) end, Ports)).
