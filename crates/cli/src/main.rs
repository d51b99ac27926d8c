//! The `oxbeam` command: runs Erlang programs with erl's command-line flags, and
//! `oxbeam check-load PATH...` to load every `.beam` under the given paths, and
//! `oxbeam bif-coverage PATH...` to list the BIFs and NIFs those beams need and whether
//! oxbeam implements them. `oxbeam escript FILE ARGS...` runs an escript.
//!
//! Invoked under another name (a symbolic link), it is that program of an OTP
//! installation: `erl`, `erlexec` (what the `erl` script and release start scripts
//! exec, with ROOTDIR, BINDIR and PROGNAME in the environment) or `escript`.

mod alloc;
mod args;
mod bif_coverage;
mod boot;
mod check_load;
mod escript;
mod launcher;
mod otp;

use otp::Install;

fn main() {
    alloc::install_idle_trim();
    let argv0 = std::env::args().next().unwrap_or_default();
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let name = std::path::Path::new(&argv0)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("");
    let code = match name {
        "erl" => run_erl(&argv, || Ok(Install::for_erl(&argv0))),
        "erlexec" => run_erl(&argv, Install::for_erlexec),
        "escript" => run_escript(&argv),
        _ => match argv.first().map(|s| s.as_str()) {
            Some("check-load") => check_load::run(&argv[1..]),
            Some("bif-coverage") => bif_coverage::run(&argv[1..]),
            Some("escript") => run_escript(&argv[1..]),
            Some("--help") | Some("-help") => {
                println!("{}", args::USAGE);
                0
            }
            Some("--version") => {
                println!("oxbeam {}", env!("CARGO_PKG_VERSION"));
                0
            }
            _ => run_erl(&argv, || Ok(Install::default_for_oxbeam())),
        },
    };
    std::process::exit(code);
}

/// Runs the VM with erl's command line `argv`; `install` says where OTP is.
fn run_erl(argv: &[String], install: impl FnOnce() -> Result<Install, String>) -> i32 {
    let install = match install() {
        Ok(i) => i,
        Err(e) => {
            // erlexec ends the line with CR LF, as the emulator's messages.
            eprint!("{e}\r\n");
            return 1;
        }
    };
    let started = launcher::expand(argv).and_then(|argv| {
        let init_argv = launcher::init_args(&argv)?;
        Ok((args::parse(&argv)?, init_argv, argv))
    });
    match started {
        Ok((a, init_argv, argv)) => {
            match launcher::emulator_options(&argv, &init_argv, &install) {
                launcher::Options::Run => {}
                launcher::Options::Exit(code) => return code,
            }
            launcher::start_epmd(&argv, &install);
            otp::boot_and_run(a, &init_argv, &install)
        }
        Err(e) => {
            // A command line erl refuses: its message, and erl's exit status.
            eprintln!("oxbeam: {e}\n{}", args::USAGE);
            1
        }
    }
}

/// Runs an escript as OTP's escript launcher does: `args` are its command line after
/// the program name.
fn run_escript(args: &[String]) -> i32 {
    match escript::command_line(args) {
        Ok(erl_argv) => {
            let script = &args[args.iter().take_while(|a| a.starts_with('-')).count()];
            std::env::set_var("ESCRIPT_NAME", script);
            run_erl(&erl_argv, || Ok(Install::default_for_oxbeam()))
        }
        Err(e) => {
            eprintln!("escript: {e}");
            1
        }
    }
}
