#!/usr/bin/env escript
main(["halt", N]) -> io:format("halting ~s~n", [N]), halt(list_to_integer(N));
main(["error"]) -> io:format("about to fail~n"), error({oops, 1});
main(["throw"]) -> throw(thrown);
main(["exit"]) -> exit(bye);
main(["badarg"]) -> list_to_atom(self());
main(["stop"]) -> init:stop(4), receive after infinity -> ok end;
main(["spawn"]) -> spawn(fun() -> error(in_child) end), timer:sleep(100), io:format("parent ok~n");
main(Args) -> io:format("normal return ~p~n", [Args]).
