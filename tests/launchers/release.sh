# an OTP release built with systools (make_script, make_tar with erts included),
# unpacked and started through its bin/erl (erts' erl.src); on oxbeam the release's
# erts-*/bin/erlexec is a link to oxbeam. The application answers a call, the
# release's sys.config and vm.args apply, init:stop/1 gives the exit code.
cd release || exit 1
PATH="$REF_PATH" erlc -o lib/pingapp-1.0/ebin src/*.erl &&
PATH="$REF_PATH" erl -noshell -eval '
P = ["lib/*/ebin"],
{ok, _, _} = systools:make_script("pingrel", [silent, {path, P}]),
{ok, _, _} = systools:make_tar("pingrel", [silent, {path, P}, {erts, code:root_dir()}]),
halt().' || exit 1
mkdir rel && tar xzf pingrel.tar.gz -C rel || exit 1
erts="$(cd rel && ls -d erts-* | tail -n 1)"
mkdir rel/bin && cp "rel/$erts/bin/erl.src" rel/bin/erl && chmod +x rel/bin/erl
if [ -n "$OXBEAM" ]; then ln -sf "$OXBEAM" "rel/$erts/bin/erlexec"; fi
RELROOT=rel rel/bin/erl -boot rel/releases/1/start -config rel/releases/1/sys \
    -args_file vm.args -s pingapp main; echo "rc=$?"
# started again with an -eval that pings through the application, stopped by init:stop/0
RELROOT=rel rel/bin/erl -boot rel/releases/1/start -noshell \
    -eval 'io:format("~p ~p~n", [pingapp:ping(), pingapp:ping()]), init:stop().'; echo "rc=$?"
