# escripts made by escript:create/2 (with the reference's tools): a beam escript and an
# archive escript of several modules with its own %%! emulator arguments
mkdir -p src && cat > src/hello.erl <<'ERL'
-module(hello).
-export([main/1]).
main(Args) ->
    io:format("hello beam ~p ~p~n", [Args, escript:script_name()]),
    halt(length(Args)).
ERL
cat > src/multi.erl <<'ERL'
-module(multi).
-export([main/1]).
main(Args) ->
    io:format("multi ~p~n", [Args]),
    io:format("helper ~p~n", [multi_helper:double(21)]),
    io:format("priv ~p~n", [init:get_argument(archflag)]),
    io:format("loaded from ~p~n", [filename:basename(code:which(multi_helper))]),
    case Args of ["fail"] -> multi_helper:fail(); _ -> ok end.
ERL
cat > src/multi_helper.erl <<'ERL'
-module(multi_helper).
-export([double/1, fail/0]).
double(X) -> 2 * X.
fail() -> erlang:error(helper_failed).
ERL
PATH="$REF_PATH" erlc -o src src/*.erl &&
PATH="$REF_PATH" erl -noshell -eval '
{ok, B} = file:read_file("src/hello.beam"),
ok = escript:create("hello_beam", [shebang, {beam, B}]),
Files = [{filename:basename(F), element(2, file:read_file(F))} || F <- ["src/multi.beam", "src/multi_helper.beam"]],
ok = escript:create("multi_archive", [shebang, {emu_args, "-archflag yes -escript main multi"}, {archive, Files, []}]),
halt().' || exit 1
chmod +x hello_beam multi_archive
escript hello_beam a b; echo "rc=$?"
./hello_beam; echo "rc=$?"
escript multi_archive x y; echo "rc=$?"
./multi_archive fail; echo "rc=$?"
