//! Booting OTP as erl does: the preloaded modules of the installation's erts, the
//! system processes the runtime starts itself, then `erl_init:start(init, BootArgs)`,
//! OTP's own `init`, which reads the boot script and starts kernel and stdlib.
//!
//! `BootArgs` are the command line as erl's launcher (`erlexec`) hands it to the
//! emulator: `-root R -bindir B -progname erl -- -home H --` followed by the user's
//! arguments without the emulator's own (`+` flags), each a binary.

use crate::otp::Install;
use oxbeam_emu::object::*;
use oxbeam_emu::process::Priority;
use oxbeam_term::atom::am;
use oxbeam_term::{Atom, Term};
use std::path::{Path, PathBuf};

/// The system processes erl starts before `init`: (module, priority). Their `start/0`
/// registers them where they need a name.
const SYSTEM_PROCESSES: &[(&str, Priority)] = &[
    ("erts_code_purger", Priority::High),
    ("erts_literal_area_collector", Priority::High),
    ("erts_dirty_process_signal_handler", Priority::Normal),
    ("erts_dirty_process_signal_handler", Priority::High),
    ("erts_dirty_process_signal_handler", Priority::Max),
];

/// The installation's preloaded modules (`<root>/lib/erts-<vsn>/ebin`), which erl has
/// built in.
pub fn preloaded_dir(root: &Path) -> Option<PathBuf> {
    let own = root.join("lib").join("erts-13.1.5").join("ebin");
    if own.is_dir() {
        return Some(own);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(root.join("lib"))
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("ebin"))
        .filter(|p| {
            p.parent()
                .and_then(|d| d.file_name())
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("erts-"))
                && p.join("init.beam").is_file()
        })
        .collect();
    found.sort();
    found.pop()
}

/// Loads every preloaded module.
fn load_preloaded(dir: &Path) -> Result<(), String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "beam"))
        .collect();
    files.sort();
    for f in files {
        let bytes = std::fs::read(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        oxbeam_emu::loading::load_bytes(&f.display().to_string(), &bytes, None)
            .map_err(|e| format!("cannot load preloaded module {}: {e}", f.display()))?;
    }
    Ok(())
}

/// The arguments `init:boot/1` gets: what erl's launcher puts before the user's
/// arguments (`init_argv`, from launcher::init_args).
pub fn boot_args(init_argv: &[String], install: &Install) -> Vec<String> {
    let home = std::env::var("HOME").unwrap_or_else(|_| "/".into());
    let mut out: Vec<String> = vec![
        "-root".into(),
        install.root.display().to_string(),
        "-bindir".into(),
        install.bindir.display().to_string(),
        "-progname".into(),
        install.progname.clone(),
        "--".into(),
        "-home".into(),
        home,
    ];
    // erlexec passes the epmd port the environment names on to init.
    if let Some(port) = std::env::var("ERL_EPMD_PORT")
        .ok()
        .filter(|p| !p.is_empty())
    {
        out.extend(["-epmd_port".into(), port]);
    }
    out.push("--".into());
    out.extend(init_argv.iter().cloned());
    out
}

/// Loads the preloaded modules, starts the system processes and OTP's `init` with
/// `argv`; returns an error text if the installation lacks what booting needs.
pub fn start(argv: &[String], install: &Install) -> Result<(), String> {
    let root = &install.root;
    // erl has them built in, so a release's root need not hold them: then those of the
    // OTP installation oxbeam finds.
    let dir = preloaded_dir(root)
        .or_else(|| preloaded_dir(&crate::otp::otp_root()))
        .or_else(|| preloaded_dir(Path::new("/usr/lib/erlang")))
        .ok_or_else(|| format!("no erts preloaded modules under {}/lib", root.display()))?;
    load_preloaded(&dir)?;
    oxbeam_emu::loading::set_autoload(false);
    for &(module, priority) in SYSTEM_PROCESSES {
        let settings = oxbeam_emu::sched::ProcessSettings {
            priority,
            ..Default::default()
        };
        let pid = oxbeam_emu::sched::try_spawn_with(
            None,
            Atom::from_str(module),
            Atom::from_str("start"),
            &[],
            settings,
            Default::default(),
        )
        .ok_or("cannot start the system processes")?;
        oxbeam_emu::bifs::internal_bifs::mark_system_process(pid.pid_value());
    }
    let h = &mut oxbeam_emu::literal::LiteralHeap;
    let args: Vec<Term> = boot_args(argv, install)
        .iter()
        .map(|s| make_binary(h, s.as_bytes()))
        .collect();
    let args = list_from_iter(h, &args, Term::NIL);
    oxbeam_emu::sched::spawn(
        None,
        Atom::from_str("erl_init"),
        Atom::from_str("start"),
        &[Term::atom(am::INIT), args],
        0,
    );
    Ok(())
}
