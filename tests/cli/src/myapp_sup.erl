-module(myapp_sup).
-behaviour(supervisor).
-export([start_link/0, init/1]).

start_link() -> supervisor:start_link({local, myapp_sup}, ?MODULE, []).

init([]) ->
    Worker = #{id => myapp_worker, start => {myapp_worker, start_link, []},
               restart => permanent, shutdown => 1000, type => worker},
    {ok, {#{strategy => one_for_one, intensity => 2, period => 10}, [Worker]}}.
