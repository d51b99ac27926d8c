#!/usr/bin/env escript
-export([other/0]).
other() -> ok.
