# an interpreted escript's main/1 raising with erlang:error/exit/throw (exit code 127 and
# the stack trace escript prints), and a child process failing the same way
for a in error throw exit spawn; do
    echo "== $a"; escript exits.escript $a; echo "rc=$?"
done
