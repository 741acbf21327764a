//! Project chores:
//! - `cargo xtask schemas [--check]` regenerates (or verifies) `schemas/json/`;
//! - `cargo xtask bench filters` runs the filter parser benchmark in release mode.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("schemas") => schemas(args.iter().any(|a| a == "--check")),
        Some("bench") if args.get(1).map(String::as_str) == Some("filters") => cargo(&["bench", "--bench", "filters"]),
        _ => {
            eprintln!("usage: cargo xtask schemas [--check] | cargo xtask bench filters");
            std::process::exit(2);
        }
    }
}

/// Runs cargo in the workspace root and fails when it fails.
fn cargo(args: &[&str]) -> Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(cargo).args(args).current_dir(root()).status()?;
    if !status.success() {
        bail!("cargo {} failed", args.join(" "));
    }
    Ok(())
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

/// Writes the generated JSON Schemas, or with `check` fails when the committed ones differ.
fn schemas(check: bool) -> Result<()> {
    let dir = root().join("schemas/json");
    std::fs::create_dir_all(&dir)?;
    let reg = scimcheck::schema::Registry::embedded();
    let mut stale = Vec::new();
    for (name, doc) in scimcheck::schema::json_schema::generate(&reg) {
        let path = dir.join(&name);
        let want = scimcheck::schema::json_schema::to_file_contents(&doc);
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        if have != want {
            if check {
                stale.push(name);
            } else {
                std::fs::write(&path, want).with_context(|| format!("writing {}", path.display()))?;
                println!("wrote {}", path.display());
            }
        }
    }
    if !stale.is_empty() {
        bail!("stale generated schemas (run `cargo xtask schemas`): {}", stale.join(", "));
    }
    Ok(())
}
