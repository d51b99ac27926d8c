# Exceptions: raise/rescue/catch/after, custom exceptions, Exception.message and
# Exception.format of Erlang errors (normalized through error_info), exits, throws,
# stack trace formatting.
defmodule MyError do
  defexception [:code, message: "default message"]
end

defmodule Custom do
  defexception [:value]
  @impl true
  def message(%{value: v}), do: "custom failure with #{inspect(v)}"
end

defmodule Ex do
  def id(x), do: x

  def show(label, fun) do
    try do
      fun.()
      IO.puts("#{label}: no error")
    rescue
      e ->
        IO.puts("#{label}: #{inspect(e.__struct__)}")
        IO.puts("  " <> String.replace(Exception.message(e), "\n", "\n  "))
    catch
      kind, value -> IO.puts("#{label}: caught #{kind} #{inspect(value)}")
    end
  end

  # (a fun of this module: its printed form has the module's hash, and the file's own
  # module holds a compiled regex, whose bytes differ between PCRE versions)
  def f1, do: fn x -> x end

  def only_int(x) when is_integer(x), do: x

  def deep(0), do: raise(ArgumentError, "at the bottom")
  def deep(n), do: [deep(n - 1)]
end

Ex.show("raise string", fn -> raise "plain" end)
Ex.show("raise module", fn -> raise MyError end)
Ex.show("raise opts", fn -> raise MyError, message: "given", code: 4 end)
Ex.show("custom", fn -> raise Custom, value: {1, 2} end)
Ex.show("badarith", fn -> 1 / Ex.id(0) end)
Ex.show("badarg atom_to_binary", fn -> :erlang.atom_to_binary(Ex.id("x")) end)
Ex.show("badarg binary_part", fn -> :erlang.binary_part("abc", 2, 5) end)
Ex.show("badarg list_to_integer", fn -> String.to_integer("12x") end)
Ex.show("badarg element", fn -> elem({1, 2}, Ex.id(5)) end)
Ex.show("ets", fn -> :ets.insert(:no_such_table, {1}) end)
Ex.show("badmatch", fn -> {:ok, _} = Ex.id({:error, :nope}) end)
Ex.show("case clause", fn -> case Ex.id(3) do 1 -> :one end end)
Ex.show("cond clause", fn -> cond do Ex.id(false) -> 1 end end)
Ex.show("function clause", fn -> Ex.only_int(Ex.id(:a)) end)
Ex.show("function clause 2", fn -> String.upcase(Ex.id(42)) end)
Ex.show("with clause", fn -> with {:ok, x} <- Ex.id(:bad) do x else :other -> 1 end end)
Ex.show("undefined function", fn -> apply(Ex.id(NoSuchModule), :f, [1]) end)
Ex.show("undefined function 2", fn -> apply(Ex, Ex.id(:nope), []) end)
Ex.show("badfun", fn -> Ex.id(:notfun).() end)
Ex.show("badarity", fn -> Ex.f1().(1, 2) end)
Ex.show("badarity external", fn -> Ex.id(&Ex.id/1).(1, 2) end)
Ex.show("key error", fn -> Map.fetch!(%{a: 1}, :b) end)
Ex.show("key error dot", fn -> Ex.id(%{a: 1}).b end)
Ex.show("badmap", fn -> %{Ex.id(:x) | a: 1} end)
Ex.show("badkey update", fn -> %{Ex.id(%{}) | a: 1} end)
Ex.show("enum empty", fn -> Enum.max([]) end)
Ex.show("protocol", fn -> Enum.map(Ex.id(:atom), & &1) end)
Ex.show("arith atom", fn -> Ex.id(:a) + 1 end)
Ex.show("system limit", fn -> :erlang.list_to_atom(String.duplicate("a", 300) |> to_charlist()) end)
Ex.show("integer overflow", fn -> String.to_atom(Ex.id(nil)) end)
Ex.show("unicode", fn -> String.to_charlist(<<0xFF>>) |> List.to_string() |> IO.iodata_to_binary() end)
Ex.show("throw", fn -> throw({:thrown, 1}) end)
Ex.show("exit", fn -> exit(:shutdown) end)
Ex.show("erlang error", fn -> :erlang.error({:custom, :tuple}) end)
Ex.show("deep", fn -> Ex.deep(3) end)
try do
  Task.await(Task.async(fn -> Process.sleep(1000) end), 10)
catch
  :exit, {reason, {mod, fun, _args}} -> IO.inspect({reason, mod, fun}, label: "task timeout")
end
Ex.show("GenServer call dead", fn -> GenServer.call(:nobody_here, :x) end)

res = try do
  raise "x"
rescue
  RuntimeError -> :rescued
after
  IO.puts("after ran")
end
IO.inspect(res)

try do
  Ex.deep(2)
rescue
  e ->
    IO.puts(Exception.format(:error, e, __STACKTRACE__) |> String.replace(~r/\(elixir [0-9.]+\)/, "(elixir V)"))
    IO.inspect(length(__STACKTRACE__) > 0, label: "has stacktrace")
end

try do
  :lists.nth(5, [1])
rescue
  e -> IO.puts(Exception.format_banner(:error, e, __STACKTRACE__))
end

IO.puts(Exception.format_exit({:timeout, {GenServer, :call, [:a, :b, 5000]}}))
IO.puts(Exception.format_exit(:normal))
IO.puts(Exception.format_exit({{:badmatch, 1}, [{M, :f, 1, [file: 'm.ex', line: 3]}]}))
IO.inspect(Exception.normalize(:error, :badarg, []))
IO.inspect(Exception.normalize(:error, {:badkey, :k, %{}}, []))
IO.puts(Exception.format_stacktrace_entry({Mod, :fun, 2, [file: 'lib/mod.ex', line: 12]}))
IO.puts(Exception.format_mfa(Kernel, :+, 2))
IO.inspect(Exception.exception?(%RuntimeError{}))

e = catch_error = try do
  raise ArgumentError
rescue
  x -> x
end
IO.inspect(catch_error == e)
IO.inspect(%ArgumentError{message: "m"} |> Exception.message())

# reraise keeps the stacktrace
try do
  try do
    Ex.deep(1)
  rescue
    e -> reraise e, __STACKTRACE__
  end
rescue
  e -> IO.puts("reraised: " <> Exception.message(e))
end

# Exit of a linked process
Process.flag(:trap_exit, true)
pid = spawn_link(fn -> exit(:boom) end)
receive do
  {:EXIT, ^pid, reason} -> IO.inspect(reason, label: "exit")
end
