%% Stands in for OTP's `init` process (registered as `init`) while oxbeam uses its
%% built-in start-up: it answers the queries library code sends to init
%% (get_arguments, get_argument, get_plain_arguments, get_status, ...) and stops the
%% VM on init:stop/0,1.
-module(oxbeam_init).
-export([start/2, loop/2]).

start(Flags, Plain) ->
    Pid = spawn(?MODULE, loop, [Flags, Plain]),
    register(init, Pid),
    Pid.

loop(Flags, Plain) ->
    receive
        {From, get_plain_arguments} -> From ! {init, Plain};
        {From, get_arguments} -> From ! {init, Flags};
        {From, {get_argument, Arg}} -> From ! {init, get_argument(Arg, Flags)};
        {From, get_status} -> From ! {init, {started, started}};
        {From, script_id} -> From ! {init, {"OTP  APN 181 01", "25"}};
        {From, get_script_name} -> From ! {init, undefined};
        {From, {notify_when_started, _Pid}} -> From ! {init, started};
        {From, {ensure_loaded, _}} -> From ! {init, not_allowed};
        {From, fetch_loaded} -> From ! {init, []};
        {From, {get_configfd, _}} -> From ! {init, none};
        {stop, Reason} -> stop(Reason);
        {From, {stop, Reason}} -> From ! {init, ok}, stop(Reason);
        _ -> ok
    end,
    ?MODULE:loop(Flags, Plain).

get_argument(Arg, Flags) ->
    case [Vals || {F, Vals} <- Flags, F =:= Arg] of
        [] -> error;
        Found -> {ok, Found}
    end.

stop({stop, Status}) -> halt(status(Status));
stop(stop) -> halt(0);
stop({restart, _}) -> halt(0);
stop(reboot) -> halt(0);
stop(Status) -> halt(status(Status)).

status(S) when is_integer(S) -> S;
status(S) when is_list(S) -> S;
status(_) -> 0.
