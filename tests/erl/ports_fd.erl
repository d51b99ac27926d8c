%% {fd, In, Out} ports: output to the VM's standard output (in order with io:format),
%% binary and packet modes, reading standard input (/dev/null under the test runner:
%% end of input at once), port_info of an fd port.
-module(ports_fd).
-export([main/0]).
main() ->
    process_flag(trap_exit, true),
    io:format("before~n"),
    P = open_port({fd, 0, 1}, [out]),
    port_command(P, "via fd port\n"),
    port_command(P, [<<"iolist ">>, "data\n"]),
    timer:sleep(100),
    io:format("after~n"),
    io:format("~p~n", [erlang:port_info(P, output)]),
    io:format("~p~n", [erlang:port_info(P, name)]),
    io:format("~p~n", [erlang:port_info(P, os_pid)]),
    port_close(P),
    io:format("~p~n", [receive {'EXIT', P, R} -> R after 1000 -> none end]),
    I = open_port({fd, 0, 1}, [in, eof]),
    io:format("stdin: ~p~n", [receive {I, M} -> M after 2000 -> timeout end]),
    port_close(I),
    I2 = open_port({fd, 0, 1}, [in]),
    io:format("stdin no eof option: ~p~n", [receive {'EXIT', I2, R2} -> R2; {I2, M2} -> M2 after 2000 -> timeout end]),
    B = open_port({fd, 0, 1}, [out, binary, {packet, 2}]),
    port_command(B, "pk"),
    timer:sleep(100),
    io:format("~n"),
    ok.
