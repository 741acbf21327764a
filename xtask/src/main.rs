//! Project chores: `cargo xtask schemas [--check]` regenerates (or verifies) `schemas/json/`.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("schemas") => schemas(args.iter().any(|a| a == "--check")),
        _ => {
            eprintln!("usage: cargo xtask schemas [--check]");
            std::process::exit(2);
        }
    }
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
