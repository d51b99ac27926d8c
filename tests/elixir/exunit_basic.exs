# ExUnit: passes, failures with their diff output, assert_raise, assert_receive,
# refute, doctests, setup/setup_all callbacks, tags and filtering, async tests,
# captured IO, describe blocks.
ExUnit.start(seed: 0, exclude: [:skip_me], colors: [enabled: false])

# Doctests need the module's docs from its .beam file: Calc is compiled to disk first.
File.write!("calc.ex", ~S'''
defmodule Calc do
  @moduledoc """
  A calculator.

      iex> Calc.add(1, 2)
      3

      iex> Calc.div!(4, 2)
      2.0
  """

  @doc """
  Adds.

      iex> Calc.add(2, 2)
      4
      iex> Calc.add(-1, 1)
      0
  """
  def add(a, b), do: a + b

  @doc """
  A doctest that fails.

      iex> Calc.mul(2, 3)
      7
  """
  def mul(a, b), do: a * b

  @doc """
  Raising in a doctest.

      iex> Calc.div!(1, 0)
      ** (ArithmeticError) bad argument in arithmetic expression
  """
  def div!(a, b), do: a / b
end
''')
File.mkdir_p!("ebin")
{:ok, [Calc], _} = Kernel.ParallelCompiler.compile_to_path(["calc.ex"], "ebin")
true = Code.prepend_path("ebin")

defmodule CalcTest do
  use ExUnit.Case, async: true
  doctest Calc

  setup_all do
    {:ok, base: 10}
  end

  setup context do
    {:ok, doubled: context.base * 2}
  end

  test "uses setup", %{base: base, doubled: d} do
    assert base == 10
    assert d == 20
  end

  test "failing equality" do
    assert Calc.add(1, 1) == 3
  end

  test "failing map diff" do
    assert %{name: "joe", langs: [:erlang, :elixir], age: 40} ==
             %{name: "joe", langs: [:erlang, :rust], age: 41}
  end

  test "failing list and string diff" do
    assert [1, 2, 3, 4] == [1, 3, 4, 5]
    assert "hello world" == "hello wrld"
  end

  test "failing match" do
    assert {:ok, %{id: 1}} = {:ok, %{id: 2}}
  end

  test "truthy failure" do
    assert nil
  end

  test "refute" do
    refute Enum.member?([1, 2], 3)
    refute Enum.empty?([1])
  end

  test "assert_raise passes" do
    assert_raise ArithmeticError, fn -> Calc.div!(1, 0) end
    assert_raise ArgumentError, ~r/not an atom/, fn -> :erlang.atom_to_binary(Enum.random(["x"])) end
  end

  test "assert_raise wrong exception" do
    assert_raise KeyError, fn -> Calc.div!(1, 0) end
  end

  test "assert_raise nothing raised" do
    assert_raise RuntimeError, fn -> :ok end
  end

  test "assert_receive" do
    parent = self()
    spawn(fn -> send(parent, {:done, 42}) end)
    assert_receive {:done, n}, 1000
    assert n == 42
    refute_received :other
  end

  test "assert_receive times out" do
    send(self(), {:unrelated, 1})
    assert_receive {:expected, _}, 20
  end

  test "raises inside a test" do
    Map.fetch!(%{}, :missing)
  end

  test "exits inside a test" do
    exit(:bye)
  end

  test "throws inside a test" do
    throw(:ball)
  end

  @tag :skip_me
  test "excluded by tag" do
    flunk("should not run")
  end

  @tag skip: "not today"
  test "skipped" do
    flunk("skipped")
  end

  test "flunk" do
    flunk("custom flunk message")
  end

  test "catch_error and catch_exit" do
    assert catch_error(raise "x") == %RuntimeError{message: "x"}
    assert catch_exit(exit(:normal)) == :normal
    assert catch_throw(throw(1)) == 1
  end

  test "assert_in_delta" do
    assert_in_delta 1.0, 1.05, 0.1
    assert_in_delta 1.0, 2.0, 0.1
  end

  describe "a group" do
    setup do
      {:ok, extra: :yes}
    end

    test "sees describe setup", %{extra: e, base: b} do
      assert {e, b} == {:yes, 10}
    end

    @tag :important
    test "with tag", context do
      assert context.important
      assert context.describe == "a group"
      assert context.test == :"test a group with tag"
    end
  end
end

defmodule SyncTest do
  use ExUnit.Case
  import ExUnit.CaptureIO
  import ExUnit.CaptureLog
  require Logger

  test "capture_io" do
    assert capture_io(fn -> IO.puts("captured!") end) == "captured!\n"
    assert capture_io("input line\n", fn -> IO.gets("") |> String.upcase() |> IO.write() end) == "INPUT LINE\n"
  end

  test "capture_log" do
    log = capture_log(fn -> Logger.error("an error happened") end)
    assert log =~ "an error happened"
  end

  test "linked process crash" do
    Process.flag(:trap_exit, true)
    # (an exit, not a raise: the raise's error report is printed at a time that
    # depends on scheduling, on erl too)
    pid = spawn_link(fn -> exit({:child_failed, 1}) end)
    assert_receive {:EXIT, ^pid, {:child_failed, 1}}
  end

  test "GenServer in a test" do
    {:ok, agent} = Agent.start_link(fn -> 0 end)
    Agent.update(agent, &(&1 + 5))
    assert Agent.get(agent, & &1) == 5
  end
end
