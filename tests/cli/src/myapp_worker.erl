-module(myapp_worker).
-behaviour(gen_server).
-export([start_link/0, init/1, handle_call/3, handle_cast/2, handle_info/2, terminate/2]).

start_link() -> gen_server:start_link({local, myapp_worker}, ?MODULE, [], []).

init([]) ->
    process_flag(trap_exit, true),
    {ok, #{calls => 0}}.

handle_call(count, _From, S = #{calls := N}) -> {reply, N + 1, S#{calls := N + 1}};
handle_call(crash, _From, _S) -> error(worker_crashed_on_purpose);
handle_call({divide, X}, _From, S) -> {reply, 10 div X, S}.

handle_cast(_Msg, S) -> {noreply, S}.

handle_info(Info, S) ->
    io:format("worker got ~p~n", [Info]),
    {noreply, S}.

terminate(Reason, _S) ->
    logger:notice("worker terminate ~p", [if is_tuple(Reason) -> element(1, Reason); true -> Reason end]).
