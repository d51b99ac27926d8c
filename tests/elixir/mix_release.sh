# `mix release` of a fresh `mix new --sup` project (a GenServer answering pings),
# built with the reference's erl and Elixir (REF_PATH), then run by its own scripts:
# - the default release (ERTS copied in): on oxbeam its erts-*/bin/erlexec is a link to
#   oxbeam (the README's recipe), for `eval` and a foreground `start` whose
#   application pings its server, prints, and stops the node with a status, and one
#   stopped by SIGTERM;
# - a release with `include_erts: false`: its scripts exec the `erl` first on the PATH
#   (oxbeam's link when testing).
# RELEASE_DISTRIBUTION=none for most runs; one foreground `start` keeps the default
# distribution (-sname: epmd started, the node named and registered; a unique node
# name so that runs do not collide), and one started in the background is driven by
# `rpc`, `pid` and `stop`, which connect to it from a hidden node.
set -u
mix new pinger --sup >/dev/null || exit 1
cd pinger || exit 1
cat >lib/pinger/server.ex <<'EX'
defmodule Pinger.Server do
  use GenServer
  def start_link(arg), do: GenServer.start_link(__MODULE__, arg, name: __MODULE__)
  def ping, do: GenServer.call(__MODULE__, :ping)
  @impl true
  def init(_), do: {:ok, 0}
  @impl true
  def handle_call(:ping, _from, n), do: {:reply, {:pong, n + 1}, n + 1}
end
EX
cat >lib/pinger/application.ex <<'EX'
defmodule Pinger.Application do
  use Application
  @impl true
  def start(_type, _args) do
    stopper = if System.get_env("PINGER_STOP"), do: [{Task, &ping_and_stop/0}], else: []
    res = Supervisor.start_link([Pinger.Server | stopper], strategy: :one_for_one)
    IO.puts("started #{inspect(Application.get_env(:pinger, :greeting))}")
    res
  end

  # Once the application has started: ping, report, stop the node with status 3.
  def ping_and_stop do
    wait_started()
    IO.inspect({Pinger.Server.ping(), Pinger.Server.ping()}, label: "ping")
    apps = Application.started_applications() |> Enum.map(&elem(&1, 0)) |> Enum.sort()
    IO.inspect(apps, label: "apps")
    IO.inspect({:init.get_argument(:mode), System.get_env("RELEASE_NAME")}, label: "release")
    IO.inspect(:code.lib_dir(:pinger) |> to_string() |> String.ends_with?("lib/pinger-0.1.0"),
      label: "lib_dir")
    node = System.get_env("RELEASE_NODE", "") |> String.split("@") |> hd()
    IO.inspect({Node.alive?(), node() |> to_string() |> String.starts_with?(node <> "@")},
      label: "named node")
    System.stop(3)
  end

  defp wait_started do
    unless List.keymember?(Application.started_applications(), :pinger, 0) do
      Process.sleep(10)
      wait_started()
    end
  end
end
EX
mkdir -p config
cat >config/config.exs <<'EX'
import Config
config :pinger, greeting: "from config.exs"
# (SIGTERM's "received - shutting down" info report carries the time of day)
config :logger, level: :warning
EX
cat >config/runtime.exs <<'EX'
import Config
if s = System.get_env("PINGER_GREETING"), do: config(:pinger, greeting: s)
EX
sed -i 's/deps: deps()/deps: deps(),\n      releases: [pinger: [], pinger_noerts: [include_erts: false]]/' mix.exs
for r in pinger pinger_noerts; do
    MIX_ENV=prod PATH="$REF_PATH" mix release "$r" --quiet >"build-$r.log" 2>&1 ||
        { cat "build-$r.log"; exit 1; }
done
rel=_build/prod/rel/pinger
erts="$(cd "$rel" && ls -d erts-* | tail -n 1)"
if [ -n "$OXBEAM" ]; then ln -sf "$OXBEAM" "$rel/$erts/bin/erlexec"; fi
export RELEASE_DISTRIBUTION=none
echo "== pinger (erts included)"
"$rel/bin/pinger" eval 'IO.puts(1 + 1)'; echo "eval rc=$?"
"$rel/bin/pinger" eval '{:ok, apps} = Application.ensure_all_started(:pinger)
IO.inspect(Enum.sort(apps)); IO.inspect(Pinger.Server.ping())'; echo "eval rc=$?"
"$rel/bin/pinger" eval 'Pinger.Server.ping()'; echo "eval rc=$?"
PINGER_STOP=1 "$rel/bin/pinger" start; echo "start rc=$?"
PINGER_STOP=1 PINGER_GREETING=runtime "$rel/bin/pinger" start; echo "start rc=$?"
# Started in the background and stopped by SIGTERM (the scripts exec down to the VM).
"$rel/bin/pinger" start >start.out 2>&1 &
pid=$!
for _ in $(seq 300); do grep -q started start.out && break; sleep 0.1; done
kill -TERM "$pid"; wait "$pid"; echo "sigterm rc=$?"
cat start.out
echo "== pinger with the default distribution (-sname)"
RELEASE_DISTRIBUTION=sname RELEASE_NODE="pinger$$" PINGER_STOP=1 "$rel/bin/pinger" start
echo "start rc=$?"
echo "== pinger in the background (-sname), driven by rpc, pid and stop"
node="pingbg$$"
RELEASE_DISTRIBUTION=sname RELEASE_NODE="$node" "$rel/bin/pinger" start >bg.out 2>&1 &
pid=$!
for _ in $(seq 300); do grep -q started bg.out && break; sleep 0.1; done
for _ in 1 2; do
    RELEASE_DISTRIBUTION=sname RELEASE_NODE="$node" "$rel/bin/pinger" rpc \
        'IO.inspect(Pinger.Server.ping())'
    echo "rpc rc=$?"
done
out="$(RELEASE_DISTRIBUTION=sname RELEASE_NODE="$node" "$rel/bin/pinger" pid)"
echo "pid rc=$? names the node's process: $([ "$out" = "$pid" ] && echo yes || echo no)"
RELEASE_DISTRIBUTION=sname RELEASE_NODE="$node" "$rel/bin/pinger" stop; echo "stop rc=$?"
wait "$pid"; echo "stopped node rc=$?"
cat bg.out
echo "== pinger_noerts (erl from the PATH)"
rel=_build/prod/rel/pinger_noerts
ls "$rel"
"$rel/bin/pinger_noerts" eval 'IO.puts(:erlang.system_info(:otp_release))'; echo "eval rc=$?"
PINGER_STOP=1 "$rel/bin/pinger_noerts" start; echo "start rc=$?"
