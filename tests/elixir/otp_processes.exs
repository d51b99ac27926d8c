# Processes and messages, Task, Agent, GenServer, Supervisor, Registry, ETS through
# Elixir. (The logger's console format leaves out the time, which cannot match.)
Logger.configure_backend(:console, format: "[$level] $message\n", colors: [enabled: false])
defmodule Counter do
  use GenServer

  def start_link(init), do: GenServer.start_link(__MODULE__, init, name: __MODULE__)
  def inc(n \\ 1), do: GenServer.cast(__MODULE__, {:inc, n})
  def get, do: GenServer.call(__MODULE__, :get)

  @impl true
  def init(n), do: {:ok, n}
  @impl true
  def handle_cast({:inc, k}, n), do: {:noreply, n + k}
  @impl true
  def handle_call(:get, _from, n), do: {:reply, n, n}
  def handle_call(:crash, _from, _n), do: raise("crash requested")
  @impl true
  def handle_info({:add, k}, n), do: {:noreply, n + k}
end

defmodule Util do
  def catch_exit(f) do
    try do
      f.()
    catch
      :exit, reason -> reason
    end
  end
end

defmodule Worker do
  use Agent
  def start_link(name), do: Agent.start_link(fn -> [] end, name: name)
end

# Plain processes
parent = self()
pids = for i <- 1..5, do: spawn(fn -> send(parent, {:square, i, i * i}) end)
IO.inspect(length(pids))
results = for _ <- 1..5, do: (receive do {:square, i, sq} -> {i, sq} end)
IO.inspect(Enum.sort(results))

ping = spawn(fn ->
  receive do
    {:ping, from} -> send(from, :pong)
  end
end)
send(ping, {:ping, self()})
receive do
  :pong -> IO.puts("got pong")
after
  1000 -> IO.puts("timeout")
end
receive do
  _ -> :unexpected
after
  10 -> IO.puts("nothing left")
end

ref = Process.monitor(ping)
receive do
  {:DOWN, ^ref, :process, _, reason} -> IO.inspect(reason, label: "down")
end
IO.inspect(Process.alive?(ping))
Process.register(self(), :main_proc)
IO.inspect(Process.whereis(:main_proc) == self())
Process.put(:k, :v)
IO.inspect(Process.get(:k))
IO.inspect(Process.info(self(), :registered_name))

# Tasks
IO.inspect(Task.async(fn -> 1 + 1 end) |> Task.await())
IO.inspect(Task.async_stream(1..5, &(&1 * 3), max_concurrency: 2) |> Enum.to_list())
IO.inspect(Task.yield_many(Enum.map(1..3, fn i -> Task.async(fn -> i end) end)) |> Enum.map(fn {_, r} -> r end))
t = Task.async(fn -> Process.sleep(5000) end)
IO.inspect(Task.shutdown(t, :brutal_kill))

# Agent
{:ok, a} = Agent.start_link(fn -> %{} end)
Agent.update(a, &Map.put(&1, :x, 1))
IO.inspect(Agent.get(a, & &1))
IO.inspect(Agent.get_and_update(a, fn s -> {map_size(s), Map.put(s, :y, 2)} end))
Agent.stop(a)

# GenServer and Supervisor
children = [
  {Counter, 10},
  %{id: :w1, start: {Worker, :start_link, [:w1]}},
  {Registry, keys: :unique, name: MyReg},
  {Task.Supervisor, name: MyTasks}
]
{:ok, sup} = Supervisor.start_link(children, strategy: :one_for_one, name: MySup)
Counter.inc()
Counter.inc(5)
send(Counter, {:add, 100})
IO.inspect(Counter.get())
IO.inspect(Supervisor.count_children(sup))
IO.inspect(Supervisor.which_children(sup) |> Enum.map(fn {id, _, type, mods} -> {id, type, mods} end) |> Enum.sort())
old = Process.whereis(Counter)
Process.flag(:trap_exit, true)
{reason, _} = Util.catch_exit(fn -> GenServer.call(Counter, :crash) end)
# The crash report is written by the logger's console backend: wait for it, so that
# what this script prints next comes after it.
Process.sleep(50)
Logger.flush()
IO.inspect(elem(reason, 0).__struct__, label: "call crash")
new = Process.whereis(Counter)
IO.inspect({is_pid(new), new != old}, label: "restarted")
IO.inspect(Counter.get(), label: "state after restart")
{:ok, _} = Registry.register(MyReg, "key", :value)
IO.inspect(Registry.lookup(MyReg, "key") |> Enum.map(fn {_, v} -> v end))
IO.inspect(Task.Supervisor.async(MyTasks, fn -> :from_task_sup end) |> Task.await())
IO.inspect(GenServer.whereis(Counter) |> is_pid())
IO.inspect(Util.catch_exit(fn -> GenServer.call(:no_such_server, :x) end))
:ok = Supervisor.terminate_child(sup, :w1)
IO.inspect(Supervisor.restart_child(sup, :w1) |> elem(0))
Supervisor.stop(sup)
IO.inspect(Process.whereis(Counter), label: "after stop")

# DynamicSupervisor
{:ok, ds} = DynamicSupervisor.start_link(strategy: :one_for_one)
{:ok, w} = DynamicSupervisor.start_child(ds, {Agent, fn -> :dyn end})
IO.inspect(Agent.get(w, & &1))
IO.inspect(DynamicSupervisor.count_children(ds))

# ETS from Elixir
tab = :ets.new(:tab, [:set, :public])
:ets.insert(tab, [{:a, 1}, {:b, 2}])
IO.inspect(:ets.lookup(tab, :a))
IO.inspect(:ets.tab2list(tab) |> Enum.sort())
IO.inspect(:ets.select(tab, [{{:"$1", :"$2"}, [{:>, :"$2", 1}], [:"$1"]}]))

# Message ordering and selective receive
for i <- 1..3, do: send(self(), {:msg, i})
send(self(), :priority)
receive do
  :priority -> IO.puts("selective receive first")
end
IO.inspect(for _ <- 1..3, do: (receive do {:msg, i} -> i end))
IO.inspect(:erlang.process_info(self(), :message_queue_len))
