%% os:cmd/1,2 (OTP's os.erl over a port): output shapes, stderr, exit codes, long
%% output, max_size, unicode and its argument errors.
-module(ports_os_cmd).
-export([main/0]).

main() ->
    [t(Name, F) || {Name, F} <- cases()],
    show("no port left open", [P || P <- erlang:ports(), erlang:port_info(P, name) =:= {name, "/bin/sh -s unix:cmd"}]),
    ok.

show(Label, T) -> io:format("~s: ~p~n", [Label, T]).

t(Name, F) ->
    R = try F() of
            V -> {ok, V}
        catch
            C:E:S -> {C, E, top(S)}
        end,
    io:format("~p: ~p~n", [Name, R]).

top([{M, F, A, Info} | _]) -> {M, F, A, [X || {error_info, _} = X <- Info]};
top(_) -> none.

cases() ->
    [
     {echo, fun() -> os:cmd("echo hello") end},
     {two_lines, fun() -> os:cmd("echo hello; echo world") end},
     {stderr_too, fun() -> os:cmd("echo to_err 1>&2") end},
     {exit_code_ignored, fun() -> os:cmd("exit 3") end},
     {no_output, fun() -> os:cmd("true") end},
     {atom_command, fun() -> os:cmd('echo atom') end},
     {deep_list, fun() -> os:cmd(["echo ", ["deep", $\s], "list"]) end},
     {trailing_nuls, fun() -> os:cmd("echo nul" ++ [0, 0]) end},
     {cd_in_command, fun() -> os:cmd("cd /usr && pwd") end},
     {stdin_is_closed, fun() -> os:cmd("cat") end},
     {background_job, fun() -> os:cmd("sleep 2 >/dev/null 2>&1 &") end},
     {comment_in_command, fun() -> os:cmd("echo before # a comment") end},
     {env_visible, fun() -> os:putenv("PORTS_OS_CMD_VAR", "from_putenv"),
                             os:cmd("echo $PORTS_OS_CMD_VAR") end},
     {long_output, fun() -> L = os:cmd("seq 1 50000"), {length(L), lists:sublist(L, 10),
                                                        lists:nthtail(length(L) - 12, L)} end},
     {unicode_output, fun() -> os:cmd("printf '\\320\\200x'") end},
     {latin1_bytes, fun() -> os:cmd("printf '\\377'") end},
     {unicode_command, fun() -> os:cmd([$e, $c, $h, $o, $\s, 1024]) end},
     {eot_in_output, fun() -> os:cmd("printf 'a\\004b'") end},
     {max_size, fun() -> os:cmd("echo 123456789", #{max_size => 4}) end},
     {max_size_zero, fun() -> os:cmd("echo 123456789", #{max_size => 0}) end},
     {max_size_big, fun() -> os:cmd("echo 12", #{max_size => 1000}) end},
     {max_size_infinity, fun() -> os:cmd("echo 12", #{max_size => infinity}) end},
     {max_size_long, fun() -> length(os:cmd("seq 1 50000", #{max_size => 10000})) end},
     {empty_options, fun() -> os:cmd("echo opts", #{}) end},
     {binary_command, fun() -> os:cmd(<<"echo bin">>) end},
     {integer_command, fun() -> os:cmd(123) end},
     {nul_in_middle, fun() -> os:cmd("echo a\0b") end},
     {improper_list, fun() -> os:cmd([$e | foo]) end},
     {bad_options, fun() -> os:cmd("echo", foo) end},
     {options_list, fun() -> os:cmd("echo", [{max_size, 1}]) end},
     {many_in_a_row, fun() -> [os:cmd("echo " ++ integer_to_list(N)) || N <- lists:seq(1, 20)] end},
     {concurrent,
      fun() ->
              Self = self(),
              Pids = [spawn(fun() -> Self ! {self(), os:cmd("echo " ++ integer_to_list(N))} end)
                      || N <- lists:seq(1, 10)],
              [receive {P, R} -> R end || P <- Pids]
      end}
    ].
