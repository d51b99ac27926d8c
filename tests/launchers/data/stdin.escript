#!/usr/bin/env escript
main(_) -> loop(0).
loop(N) ->
    case io:get_line("") of
        eof -> io:format("lines ~p~n", [N]);
        {error, E} -> io:format("error ~p~n", [E]);
        L -> io:put_chars(string:uppercase(L)), loop(N + 1)
    end.
