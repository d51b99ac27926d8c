# `mix new` a fresh project, then `mix test` in it (its generated test and doctest,
# plus one failing test added here), with the random seed fixed.
set -u
mix new demo_app
cd demo_app || exit 1
cat >test/extra_test.exs <<'EXS'
defmodule ExtraTest do
  use ExUnit.Case
  test "fails with a diff" do
    assert DemoApp.hello() == :world_not
  end
end
EXS
mix test --seed 0
echo "mix test exit: $?"
mix test --seed 0 test/demo_app_test.exs
echo "mix test one file exit: $?"
