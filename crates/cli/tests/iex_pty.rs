//! Elixir's `iex` on a terminal: the same keystrokes typed into `iex` with the reference
//! `erl` first on the PATH and with a link `erl -> oxbeam` first on the PATH, through a
//! pseudo-terminal, and the screens compared from the `Interactive Elixir (1.14.0) ...`
//! line on (the `Erlang/OTP ...` banner before it carries the system_version, which
//! differs on purpose), with process ids and logger times masked. Each session runs in
//! its own directory, also its HOME (no `.iex.exs` or `.erlang` of the user's). Skipped
//! when `erl` or `iex` is not installed.

mod common;

use common::{all, assert_same, erl_installed, key, run, step, Launch, Step};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// A small source file for `c`/`r`.
const GREET_EX: &str = "defmodule Greet do\n  def hi(name), do: \"hi \" <> name\nend\n";

fn iex_installed() -> bool {
    Command::new("iex")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A fresh directory for one session: its working directory and HOME, holding
/// greet.ex and, for oxbeam, `bin/erl` linked to the oxbeam binary. Both paths have
/// the same length: a module defined in iex records its source path (cwd/iex), and
/// the printed `{:module, ...}` starts with the module binary's size.
fn session_dir(name: &str, ours: bool) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "iex-{name}-{}-{}",
        if ours { "oxb" } else { "ref" },
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("bin")).unwrap();
    std::fs::write(d.join("greet.ex"), GREET_EX).unwrap();
    if ours {
        std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_oxbeam"), d.join("bin/erl")).unwrap();
    }
    d
}

fn launch(dir: &std::path::Path, ours: bool) -> Launch {
    let mut l = Launch::new("iex", &[]);
    let path = std::env::var("PATH").unwrap_or_default();
    let path = if ours {
        format!("{}:{path}", dir.join("bin").display())
    } else {
        path
    };
    l.env.push(("PATH".into(), path));
    l.env.push(("HOME".into(), dir.display().to_string()));
    l.env.push(("ERL_CRASH_DUMP_SECONDS".into(), "0".into()));
    l.env
        .push(("MIX_HOME".into(), dir.join("mix").display().to_string()));
    l.env
        .push(("HEX_HOME".into(), dir.join("hex").display().to_string()));
    l.env.push(("HEX_OFFLINE".into(), "1".into()));
    l.env.push(("MIX_ENV".into(), "dev".into()));
    l.dir = Some(dir.to_path_buf());
    l
}

fn compare(name: &str, steps: &[Step], exits: bool, keep: fn(&str) -> bool) {
    compare_with(name, &[], &[], "Interactive Elixir (", steps, exits, keep)
}

/// `iex ARGS` in a directory also holding `files` (path, contents), compared from the
/// first line starting with `from`.
fn compare_with(
    name: &str,
    args: &[&str],
    files: &[(&str, &str)],
    from: &str,
    steps: &[Step],
    exits: bool,
    keep: fn(&str) -> bool,
) {
    if !erl_installed() || !iex_installed() {
        eprintln!("{name}: erl or iex not installed, skipped");
        return;
    }
    let (rd, od) = (session_dir(name, false), session_dir(name, true));
    for d in [&rd, &od] {
        for (path, text) in files {
            let f = d.join(path);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, text).unwrap();
        }
    }
    let (mut reference, mut ours) = (launch(&rd, false), launch(&od, true));
    for l in [&mut reference, &mut ours] {
        l.args = args.iter().map(|a| a.to_string()).collect();
    }
    let (a, b) = std::thread::scope(|sc| {
        let a = sc.spawn(|| run(&reference, "iex(1)> ", steps, exits));
        let b = sc.spawn(|| run(&ours, "iex(1)> ", steps, exits));
        (a.join().unwrap(), b.join().unwrap())
    });
    assert!(
        a.screen.contains("Interactive Elixir ("),
        "{name}: no iex banner from the reference:\n{}",
        a.screen
    );
    assert_same(name, &a, &b, from, keep);
    let _ = std::fs::remove_dir_all(&rd);
    let _ = std::fs::remove_dir_all(&od);
}

#[test]
fn iex_expressions_and_halt() {
    compare(
        "iex_expressions_and_halt",
        &[
            step(b"1 + 2\r", "iex(2)> "),
            // A multi-line expression: a module defined across lines.
            step(b"defmodule Foo do\r", "...(2)> "),
            step(b"  def bar(x), do: x * 2\r", "...(2)> "),
            step(b"end\r", "iex(3)> "),
            step(b"Foo.bar(21)\r", "iex(4)> "),
            step(b"[1, 2, 3] |> Enum.map(&Foo.bar/1)\r", "iex(5)> "),
            step(b"%{a: 1, b: \"two\"}\r", "iex(6)> "),
            step(b"IO.puts(\"hello\")\r", "iex(7)> "),
            // Left arrow and insert, backspace.
            key(b"10 * 3"),
            key(b"\x1b[D"),
            key(b"\x7f"),
            key(b"2"),
            step(b"\r", "iex(8)> "),
            // History: the previous line again.
            key(b"\x1b[A"),
            step(b"\r", "iex(9)> "),
            // The echo first: a halting VM may lose terminal output still queued
            // (seen with the reference under load).
            step(b"System.halt()", "System.halt()"),
            step(b"\r", ""),
        ],
        true,
        all,
    );
}

#[test]
fn iex_helpers() {
    compare(
        "iex_helpers",
        &[
            step(b"i 1\r", "iex(2)> "),
            step(b"40 + 2\r", "iex(3)> "),
            step(b"v(2)\r", "iex(4)> "),
            step(b"v()\r", "iex(5)> "),
            step(b"exports Integer\r", "iex(6)> "),
            step(b"c \"greet.ex\"\r", "iex(7)> "),
            step(b"Greet.hi(\"there\")\r", "iex(8)> "),
            // Without the "redefining module" warning, which goes to standard_error and
            // may come before or after the result and the prompt (the reference under load
            // printed it after).
            step(
                b"Code.compiler_options(ignore_module_conflict: true)\r",
                "iex(9)> ",
            ),
            step(b"r Greet\r", "iex(10)> "),
            step(b"Greet.hi(\"again\")\r", "iex(11)> "),
            step(b"h()\r", "iex(12)> "),
        ],
        false,
        all,
    );
}

#[test]
fn iex_exceptions() {
    compare(
        "iex_exceptions",
        &[
            step(b"raise \"boom\"\r", "iex(1)> "),
            step(b"1/0\r", "iex(1)> "),
            step(b"String.to_integer(\"x\")\r", "iex(1)> "),
            step(b"Foo.nope()\r", "iex(1)> "),
            step(b"%{a: 1}.b\r", "iex(1)> "),
            step(b"throw :ball\r", "iex(1)> "),
            step(b"exit(:bye)\r", "iex(1)> "),
            // The stack trace of an exception raised by code that iex evaluates (through
            // erl_eval, whose do_apply/7 applies :erlang.error in tail position).
            step(
                b"try do raise \"in a fn\" rescue e -> \
                  IO.puts(Exception.format(:error, e, __STACKTRACE__)) end\r",
                "iex(2)> ",
            ),
            // A crash in another process, reported by the logger (asynchronously: the
            // sleep lets the report come before the result and the prompt).
            step(
                b"spawn(fn -> raise \"in a process\" end); :timer.sleep(1000)\r",
                "iex(3)> ",
            ),
            step(b"1 +\r", "...(3)> "),
            step(b")\r", "iex(3)> "),
            step(b":ok\r", "iex(4)> "),
        ],
        false,
        all,
    );
}

#[test]
fn iex_tab_completion() {
    compare(
        "iex_tab_completion",
        &[
            // Several candidates: listed under the line. (The output after a TAB is
            // only what completion adds, so these steps wait for quiet.)
            key(b"Enum.ma"),
            step(b"\t", ""),
            // One name (two arities): completed in the line, without the parenthesis.
            key(b"p_j"),
            step(b"\t", ""),
            step(b"([1, 2], \"-\", &(&1 * 10))\r", "iex(2)> "),
            key(b"Stri"),
            step(b"\t", ""),
            key(b".up"),
            step(b"\t", ""),
            step(b"(\"abc\")\r", "iex(3)> "),
        ],
        false,
        all,
    );
}

#[test]
fn iex_break_menu_abort() {
    compare(
        "iex_break_menu_abort",
        &[
            step(b"1 + 1\r", "iex(2)> "),
            step(b"\x03", "(d)istribution"),
            step(b"c\r", ""),
            step(b"2 + 2\r", "iex(3)> "),
            step(b"\x03", "(d)istribution"),
            step(b"a\r", ""),
        ],
        true,
        all,
    );
}

const MIX_EXS: &str = "defmodule Demo.MixProject do
  use Mix.Project
  def project, do: [app: :demo, version: \"0.1.0\", elixir: \"~> 1.14\", deps: []]
  def application, do: [extra_applications: [:logger], mod: {Demo.App, []}]
end
";

const DEMO_EX: &str = "defmodule Demo do
  @moduledoc \"A demo.\"
  @doc \"Says hello.\"
  def hello, do: :world
end

defmodule Demo.App do
  use Application
  def start(_, _) do
    IO.puts(\"demo starting\")
    Agent.start_link(fn -> 41 end, name: Demo.Counter)
  end
end
";

/// `iex -S mix` in a small project: mix compiles it (on the VM under test), starts its
/// application, and the shell sees its modules and docs.
#[test]
fn iex_s_mix() {
    compare_with(
        "iex_s_mix",
        &["-S", "mix"],
        &[("mix.exs", MIX_EXS), ("lib/demo.ex", DEMO_EX)],
        "Compiling ",
        &[
            step(b"Demo.hello()\r", "iex(2)> "),
            step(b"Agent.get(Demo.Counter, & &1 + 1)\r", "iex(3)> "),
            step(b"Mix.env()\r", "iex(4)> "),
            step(b"h Demo.hello\r", "iex(5)> "),
            step(b"recompile()\r", "iex(6)> "),
            step(
                b"Application.started_applications() |> length()\r",
                "iex(7)> ",
            ),
            // The echo first: a halting VM may lose terminal output still queued
            // (seen with the reference under load).
            step(b"System.halt()", "System.halt()"),
            step(b"\r", ""),
        ],
        true,
        all,
    );
}
