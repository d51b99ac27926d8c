-module(pingapp_srv).
-behaviour(gen_server).
-export([start_link/0, init/1, handle_call/3, handle_cast/2]).
start_link() -> gen_server:start_link({local, ?MODULE}, ?MODULE, [], []).
init([]) -> {ok, 0}.
handle_call(ping, _, N) -> {reply, {pong, N + 1}, N + 1}.
handle_cast(_, N) -> {noreply, N}.
