# exit codes: halt(N), main/1 failing on a BIF's badarg, init:stop/1, normal return,
# syntax errors, no main/1, a missing script, the -s (check only) option
for a in "halt 0" "halt 3" "halt 255" badarg stop "plain x"; do
    echo "== $a"; escript exits.escript $a; echo "rc=$?"
done
echo "== bad"; escript bad.escript; echo "rc=$?"
echo "== nomain"; escript nomain.escript; echo "rc=$?"
echo "== missing"; escript missing.escript; echo "rc=$?"
echo "== no file"; escript; echo "rc=$?"
echo "== -s ok"; escript -s exits.escript; echo "rc=$?"
echo "== -s bad"; escript -s bad.escript; echo "rc=$?"
