-module(cli_mode_probe).
-export([hello/0]).
hello() -> hello_from_probe.
