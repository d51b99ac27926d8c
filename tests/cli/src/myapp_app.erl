-module(myapp_app).
-behaviour(application).
-export([start/2, prep_stop/1, stop/1]).

start(_Type, _Args) ->
    logger:notice("myapp starting, greeting ~p", [application:get_env(myapp, greeting)]),
    myapp_sup:start_link().

prep_stop(State) ->
    logger:notice("myapp prep_stop"),
    State.

stop(_State) ->
    logger:notice(#{what => stopped, app => myapp}).
