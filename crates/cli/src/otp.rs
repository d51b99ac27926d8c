//! Finding the OTP installation and starting the VM: OTP's own boot (boot.rs) by
//! default, or with `--builtin-init` the built-in start-up kept for debugging: code path,
//! oxbeam's own modules (embedded in the binary), the code purger, the group leader, then
//! the command line's actions.

use crate::args::{Action, Args};
use oxbeam_emu::object::*;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use std::path::{Path, PathBuf};

/// oxbeam's own Erlang modules, compiled by otp-lib/build.sh.
const EMBEDDED: &[(&str, &[u8])] = &[
    (
        "oxbeam_io",
        include_bytes!("../../../otp-lib/ebin/oxbeam_io.beam"),
    ),
    ("init", include_bytes!("../../../otp-lib/ebin/init.beam")),
    (
        "oxbeam_code",
        include_bytes!("../../../otp-lib/ebin/oxbeam_code.beam"),
    ),
];

/// The OTP root: `$OTP_ROOT`, else the root of the `erl` on the PATH, else /usr/lib/erlang.
pub fn otp_root() -> PathBuf {
    if let Ok(r) = std::env::var("OTP_ROOT") {
        return PathBuf::from(r);
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let erl = dir.join("erl");
            if let Ok(real) = std::fs::canonicalize(&erl) {
                // <root>/bin/erl or <root>/erts-*/bin/erl
                if let Some(bin) = real.parent() {
                    for cand in [bin.parent(), bin.parent().and_then(|p| p.parent())]
                        .into_iter()
                        .flatten()
                    {
                        if is_otp_root(cand) {
                            return cand.to_path_buf();
                        }
                    }
                }
            }
        }
    }
    PathBuf::from("/usr/lib/erlang")
}

/// Where the VM runs from, as erl's launcher tells the emulator: the OTP root, its erts
/// bin directory and the program name `init:get_argument(progname)` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Install {
    pub root: PathBuf,
    pub bindir: PathBuf,
    pub progname: String,
    /// Run as `erlexec`: the environment's PROGNAME (or none) is left as it is.
    pub progname_from_env: bool,
}

impl Install {
    /// oxbeam under its own name: the installation [`otp_root`] finds.
    pub fn default_for_oxbeam() -> Install {
        let root = otp_root();
        Install {
            bindir: erts_bin_dir(&root),
            root,
            progname: "erl".into(),
            progname_from_env: false,
        }
    }

    /// oxbeam invoked as `erl` by the path `argv0`: a link in an installation's `bin` or
    /// `erts-*/bin` stands for that installation (as the `erl` script there would);
    /// otherwise the installation [`otp_root`] finds.
    pub fn for_erl(argv0: &str) -> Install {
        let mut install = Install::default_for_oxbeam();
        if argv0.contains('/') {
            let bin = Path::new(argv0).parent().unwrap_or(Path::new("."));
            let cands = [bin.join(".."), bin.join("..").join("..")];
            if let Some(root) = cands.iter().find(|c| is_otp_root(c)) {
                let root = std::fs::canonicalize(root).unwrap_or(root.clone());
                install.bindir = erts_bin_dir(&root);
                install.root = root;
            }
        }
        install
    }

    /// oxbeam invoked as `erlexec`, as the `erl` script and release start scripts exec
    /// it: `$BINDIR` (required), `$ROOTDIR` (else BINDIR's grandparent) and `$PROGNAME`
    /// (else `erl`). The error is erlexec's message.
    pub fn for_erlexec() -> Result<Install, String> {
        let bindir = std::env::var_os("BINDIR")
            .map(PathBuf::from)
            .ok_or("Environment variable BINDIR is not set")?;
        let root = match std::env::var_os("ROOTDIR") {
            Some(r) => PathBuf::from(r),
            None => bindir
                .parent()
                .and_then(|p| p.parent())
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        };
        let progname = std::env::var("PROGNAME").unwrap_or_else(|_| "erl".into());
        Ok(Install {
            root,
            bindir,
            progname,
            progname_from_env: true,
        })
    }
}

/// An OTP installation or release root: `bin/` and a `lib/` holding kernel. Any `lib/`
/// is not enough: oxbeam (or an `erl` link to it) in `/usr/local/bin` or `/tmp` would
/// make `/usr/local` or `/` the root.
fn is_otp_root(p: &Path) -> bool {
    p.join("bin").is_dir()
        && std::fs::read_dir(p.join("lib")).is_ok_and(|rd| {
            rd.filter_map(|e| e.ok()).any(|e| {
                e.file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with("kernel-"))
            })
        })
}

/// The bin directory of the installation's erts (`<root>/erts-<vsn>/bin`): the one of
/// the version the VM reports, else any there is.
fn erts_bin_dir(root: &Path) -> PathBuf {
    let own = root.join("erts-13.1.5");
    if own.is_dir() {
        return own.join("bin");
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("erts-"))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.pop().unwrap_or(own).join("bin")
}

/// erl's default code path: every `lib/*/ebin` of the installation (kernel and stdlib
/// first), and the erts preloaded modules; then Elixir's libraries if installed.
pub fn library_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs = otp_library_dirs(root);
    // Elixir's libraries, when installed beside OTP in the usual Debian place.
    if let Ok(rd) = std::fs::read_dir("/usr/lib/elixir/lib") {
        let mut ex: Vec<PathBuf> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("ebin"))
            .filter(|p| p.is_dir())
            .collect();
        ex.sort();
        dirs.extend(ex);
    }
    dirs
}

/// Every `lib/*/ebin` of the OTP installation at `root` (kernel and stdlib first; the
/// erts preloaded modules are in `lib/erts-*/ebin`).
pub fn otp_library_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = match std::fs::read_dir(root.join("lib")) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("ebin"))
            .filter(|p| p.is_dir())
            .collect(),
        Err(_) => Vec::new(),
    };
    dirs.sort();
    let rank = |p: &PathBuf| {
        let n = p
            .parent()
            .and_then(|q| q.file_name())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if n.starts_with("kernel-") {
            0
        } else if n.starts_with("stdlib-") {
            1
        } else {
            2
        }
    };
    dirs.sort_by_key(rank);
    dirs
}

/// Runs the VM: `args` are the parsed command line, `init_argv` the arguments OTP's
/// init gets (launcher.rs).
pub fn boot_and_run(args: Args, init_argv: &[String], install: &Install) -> i32 {
    oxbeam_emu::brk::init(break_mode(&args));
    oxbeam_emu::os_signals::init();
    let code = boot_and_run_1(args, init_argv, install);
    oxbeam_emu::brk::restore_terminal();
    code
}

/// What `+B`, `+Bc`, `+Bd` and `+Bi` ask of Ctrl-C (the last one counts).
fn break_mode(args: &Args) -> oxbeam_emu::brk::BreakMode {
    use oxbeam_emu::brk::BreakMode;
    let mut mode = BreakMode::Menu;
    for (flag, values) in &args.other {
        let kind = match flag.as_str() {
            "+B" => values.first().map(String::as_str).unwrap_or("d"),
            "+Bc" => "c",
            "+Bd" => "d",
            "+Bi" => "i",
            _ => continue,
        };
        mode = match kind.chars().next() {
            Some('c') => BreakMode::ReplaceIntr,
            Some('i') => BreakMode::Ignore,
            _ => BreakMode::Disabled,
        };
    }
    mode
}

fn boot_and_run_1(args: Args, init_argv: &[String], install: &Install) -> i32 {
    if let Some(n) = args.schedulers {
        oxbeam_emu::sched::set_schedulers(n);
    }
    if let Some(m) = args.schedulers_online {
        oxbeam_emu::sched::set_schedulers_online(m);
    }
    use oxbeam_emu::sched::dirty::{set_threads, DirtyKind};
    if let Some(n) = args.dirty_cpu {
        set_threads(DirtyKind::Cpu, n);
    }
    if let Some(n) = args.dirty_io {
        set_threads(DirtyKind::Io, n);
    }
    if let Some(n) = args.process_limit {
        oxbeam_emu::sched::set_process_limit(n);
    }
    oxbeam_emu::bifs::register_all();
    let root = install.root.clone();
    let bindir = install.bindir.clone();
    oxbeam_emu::bifs::os_bifs::set_launcher_env(
        &root,
        &bindir,
        (!install.progname_from_env).then_some(install.progname.as_str()),
    );
    if !args.builtin_init {
        // The code path is the code server's then; the VM's own copy only serves to find
        // OTP's beams (erlang:is_builtin/3 of modules not loaded).
        oxbeam_emu::loading::set_code_path(library_dirs(&root));
        if let Err(e) = crate::boot::start(init_argv, install) {
            eprintln!("oxbeam: {e}");
            return 2;
        }
        let code = oxbeam_emu::sched::run();
        oxbeam_emu::report::flush_stdout();
        return code;
    }
    let mut path: Vec<PathBuf> = args.pa.iter().map(PathBuf::from).collect();
    path.push(PathBuf::from("."));
    path.extend(library_dirs(&root));
    path.extend(args.pz.iter().map(PathBuf::from));
    oxbeam_emu::loading::set_code_path(path);
    for (name, bytes) in EMBEDDED {
        if let Err(e) = oxbeam_emu::loading::load_bytes(name, bytes, None) {
            eprintln!("oxbeam: cannot load built-in module {name}: {e}");
            return 2;
        }
    }
    start_code_purger();
    // The group leaders for standard output and error, then the boot process.
    let io = spawn(
        ("oxbeam_io", "loop"),
        &[Term::small(1), Term::atom(am::LATIN1)],
        None,
    );
    oxbeam_emu::sched::register(am::USER, io.pid_value());
    let err = spawn(
        ("oxbeam_io", "loop"),
        &[Term::small(2), Term::atom(am::LATIN1)],
        None,
    );
    oxbeam_emu::sched::register(am::STANDARD_ERROR, err.pid_value());
    let (flags, plain) = init_arguments(&args, install);
    let actions = build_actions(&args.actions);
    spawn(("init", "start"), &[flags, plain, actions], Some(io));
    let code = oxbeam_emu::sched::run();
    oxbeam_emu::report::flush_stdout();
    code
}

/// The reference's `erts_code_purger` system process (`code:purge/1`,
/// `erlang:check_process_code/2` and `purge_module/1` go through it): registered and
/// trapping exits before anything else runs, as `erts_code_purger:start/0` would make it.
fn start_code_purger() {
    let pid = spawn(("erts_code_purger", "wait_for_request"), &[], None);
    let id = pid.pid_value();
    oxbeam_emu::sched::register(Atom::from_str("erts_code_purger"), id);
    if let Some(slot) = oxbeam_emu::sched::slot(id) {
        if let Some(p) = slot.process.lock().as_mut() {
            p.trap_exit = true;
        }
    }
}

fn spawn((m, f): (&str, &str), args: &[Term], group_leader: Option<Term>) -> Term {
    let pid = oxbeam_emu::sched::spawn(None, Atom::from_str(m), Atom::from_str(f), args, 0);
    if let Some(gl) = group_leader {
        oxbeam_emu::sched::set_group_leader(pid.pid_value(), gl);
    }
    pid
}

/// `init:get_arguments/0` and `init:get_plain_arguments/0` as erl reports them.
fn init_arguments(args: &Args, install: &Install) -> (Term, Term) {
    let h = &mut oxbeam_emu::literal::LiteralHeap;
    let mut flags: Vec<(String, Vec<String>)> = vec![
        ("root".into(), vec![install.root.display().to_string()]),
        ("bindir".into(), vec![install.bindir.display().to_string()]),
        ("progname".into(), vec![install.progname.clone()]),
        (
            "home".into(),
            vec![std::env::var("HOME").unwrap_or_else(|_| "/".into())],
        ),
    ];
    if args.noshell {
        flags.push(("noshell".into(), vec![]));
    }
    for (f, v) in &args.other {
        if let Some(name) = f.strip_prefix('-') {
            flags.push((name.to_string(), v.clone()));
        }
    }
    let mut items = Vec::new();
    for (f, vals) in &flags {
        let vs: Vec<Term> = vals.iter().map(|v| string_to_list(h, v)).collect();
        let l = list_from_iter(h, &vs, Term::NIL);
        items.push(make_tuple(h, &[Term::atom(Atom::from_str(f)), l]));
    }
    let flags_t = list_from_iter(h, &items, Term::NIL);
    let plain: Vec<Term> = args.plain.iter().map(|v| string_to_list(h, v)).collect();
    (flags_t, list_from_iter(h, &plain, Term::NIL))
}

/// The action list for init:start/3 (`{M, F, Args}` or `{eval, String}`), built in the
/// literal arena.
fn build_actions(actions: &[Action]) -> Term {
    let h = &mut oxbeam_emu::literal::LiteralHeap;
    let mut items = Vec::new();
    for a in actions {
        let t = match a {
            Action::S(m, f, args) => {
                let argv: Vec<Term> = args.iter().map(|s| Term::atom(Atom::from_str(s))).collect();
                let l = list_from_iter(h, &argv, Term::NIL);
                make_tuple(
                    h,
                    &[
                        Term::atom(Atom::from_str(m)),
                        Term::atom(Atom::from_str(f)),
                        l,
                    ],
                )
            }
            Action::Run(m, f, args) => {
                let argv: Vec<Term> = args.iter().map(|s| string_to_list(h, s)).collect();
                let l = list_from_iter(h, &argv, Term::NIL);
                make_tuple(
                    h,
                    &[
                        Term::atom(Atom::from_str(m)),
                        Term::atom(Atom::from_str(f)),
                        l,
                    ],
                )
            }
            Action::Eval(e) => {
                let s = string_to_list(h, e);
                make_tuple(h, &[Term::atom(Atom::from_str("eval")), s])
            }
        };
        items.push(t);
    }
    list_from_iter(h, &items, Term::NIL)
}
