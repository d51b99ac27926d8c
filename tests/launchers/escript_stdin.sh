# an escript reading its standard input from a pipe, and from /dev/null
printf 'hello\nworld\nno newline' | escript stdin.escript; echo "rc=$?"
escript stdin.escript </dev/null; echo "rc=$?"
seq 1 2000 | escript stdin.escript | tail -n 2; echo "rc=$?"
