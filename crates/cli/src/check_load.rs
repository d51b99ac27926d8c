//! `oxbeam check-load PATH...`: loads (parses and translates) every `.beam` file under
//! the given files or folders, prints each failure, and ends with `N loaded, M failed`.

use std::path::{Path, PathBuf};

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                return;
            }
        };
        entries.sort();
        for e in entries {
            collect(&e, out);
        }
    } else if path.extension().map(|e| e == "beam").unwrap_or(false) {
        out.push(path.to_path_buf());
    }
}

pub fn run(paths: &[String]) -> i32 {
    oxbeam_emu::bifs::register_all();
    let mut files = Vec::new();
    for p in paths {
        let path = Path::new(p);
        if !path.exists() {
            println!("{p}: no such file or directory");
            continue;
        }
        collect(path, &mut files);
    }
    let (mut ok, mut failed) = (0usize, 0usize);
    for f in &files {
        let name = f.display().to_string();
        let result = std::fs::read(f)
            .map_err(|e| format!("{name}: {e}"))
            .and_then(|bytes| {
                // A panic here would be a loader bug; report it as a failure of this file.
                std::panic::catch_unwind(|| {
                    oxbeam_emu::loading::prepare(&name, &bytes)
                        .map(|_| ())
                        .map_err(|e| e.to_string())
                })
                .unwrap_or_else(|_| Err(format!("{name}: loader panicked")))
            });
        match result {
            Ok(()) => ok += 1,
            Err(e) => {
                println!("{e}");
                failed += 1;
            }
        }
    }
    println!("{ok} loaded, {failed} failed");
    if failed > 0 {
        1
    } else {
        0
    }
}
