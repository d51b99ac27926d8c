#!/usr/bin/env escript
main(_) -> io:format("x~n")
foo() -> ok.
