# oxbeam as `erlexec`, the way the erl script and release start scripts exec it: the
# root, bin directory and program name come from ROOTDIR, BINDIR and PROGNAME
root="$(PATH="$REF_PATH" erl -noshell -eval 'io:format("~s", [code:root_dir()]), halt().')"
bindir="$(ls -d "$root"/erts-*/bin | tail -n 1)"
show='io:format("~p~n~p ~p~n", [init:get_arguments(), os:getenv("PROGNAME"), code:root_dir()]), halt().'
ROOTDIR="$root" BINDIR="$bindir" PROGNAME=myerl EMU=beam "$ERLEXEC" -noshell -eval "$show"; echo "rc=$?"
env -u ROOTDIR -u PROGNAME BINDIR="$bindir" "$ERLEXEC" -noshell -eval "$show"; echo "rc=$?"
env -u BINDIR -u ROOTDIR "$ERLEXEC" -noshell -eval "$show"; echo "rc=$?"
