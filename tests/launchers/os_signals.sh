# OS signals: SIGTERM is handled from the start (kernel's erl_signal_handler, through
# erl_signal_server, logs it and stops the node in order: exit status 0); an added
# gen_event handler sees the events; os:set_signal/2 with ignore, default and handle.
# (The signal-killed runs' stderr is dropped: bash's "Terminated"/"Hangup" notices
# name the pid.)
cat >sig_probe.erl <<'ERL'
-module(sig_probe).
-behaviour(gen_event).
-export([init/1, handle_event/2, handle_call/2, handle_info/2]).
init(_) -> {ok, []}.
handle_event(E, S) -> io:format("event ~p~n", [E]), {ok, S}.
handle_call(_, S) -> {ok, ok, S}.
handle_info(I, S) -> io:format("info ~p~n", [I]), {ok, S}.
ERL
PATH="$REF_PATH" erlc sig_probe.erl || exit 1
probe='ok = gen_event:add_handler(erl_signal_server, sig_probe, [])'
kill_self='os:cmd("kill -%s " ++ os:getpid())'
echo "== sigterm, handled by default"
erl -noshell -eval "io:format(\"up~n\"), $(printf "$kill_self" TERM), timer:sleep(infinity)."
echo "rc=$?"
echo "== sigterm seen by an added handler"
erl -noshell -pa . -eval "$probe, $(printf "$kill_self" TERM), timer:sleep(infinity)."
echo "rc=$?"
echo "== sigterm ignored"
erl -noshell -eval "ok = os:set_signal(sigterm, ignore), $(printf "$kill_self" TERM),
    timer:sleep(300), io:format(\"still here~n\"), halt(5)."
echo "rc=$?"
echo "== sigterm default"
{ erl -noshell -eval "ok = os:set_signal(sigterm, default), $(printf "$kill_self" TERM),
    timer:sleep(infinity)."; echo "rc=$?"; } 2>/dev/null
echo "== sigusr2 and sighup handled"
erl -noshell -pa . -eval "$probe, ok = os:set_signal(sigusr2, handle),
    ok = os:set_signal(sighup, handle), $(printf "$kill_self" USR2), timer:sleep(200),
    $(printf "$kill_self" HUP), timer:sleep(200), halt(6)."
echo "rc=$?"
echo "== sighup back to default"
{ erl -noshell -eval "ok = os:set_signal(sighup, handle), ok = os:set_signal(sighup, default),
    $(printf "$kill_self" HUP), timer:sleep(infinity)."; echo "rc=$?"; } 2>/dev/null
echo "== bad arguments"
erl -noshell -eval "[io:format(\"~p~n\", [catch os:set_signal(S, O)]) ||
    {S, O} <- [{sigint, handle}, {sigterm, bogus}, {\"sigterm\", handle}, {sigchld, ignore},
               {sigchld, default}]], halt()."
echo "rc=$?"
