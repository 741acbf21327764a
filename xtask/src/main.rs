//! Project chores:
//! - `cargo xtask schemas [--check]` regenerates (or verifies) `schemas/json/`;
//! - `cargo xtask bench filters` runs the filter parser benchmark in release mode;
//! - `cargo xtask bench [--quick]` measures the server under load against a bare hyper baseline;
//! - `cargo xtask fuzz [SECONDS]` runs every cargo-fuzz target for SECONDS each (default 60);
//! - `cargo xtask coverage [--check]` prints requirement → scenarios with totals and writes
//!   `docs/coverage.md` (or fails when it is stale or the catalogue's rules are broken);
//! - `cargo xtask third-party` runs `scimcheck check` against an independent SCIM server (the
//!   Python `scim2-server` from PyPI, installed in a virtualenv under `target/third-party`).

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("schemas") => schemas(args.iter().any(|a| a == "--check")),
        Some("bench") if args.get(1).map(String::as_str) == Some("filters") => cargo(&["bench", "--bench", "filters"]),
        Some("bench") => {
            let quick = args.iter().any(|a| a == "--quick");
            let mut a = vec!["run", "--release", "--quiet", "--", "bench"];
            if quick {
                a.push("--quick");
            }
            cargo(&a)
        }
        Some("third-party") => third_party(),
        Some("coverage") => coverage(args.iter().any(|a| a == "--check")),
        Some("fuzz") => fuzz(args.get(1).and_then(|s| s.parse().ok()).unwrap_or(60)),
        _ => {
            eprintln!(
                "usage: cargo xtask schemas [--check] | cargo xtask bench [filters|--quick] | cargo xtask fuzz [SECONDS] | cargo xtask coverage [--check] | cargo xtask third-party"
            );
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

/// Prints requirement → scenarios with the totals and writes `docs/coverage.md`; with `check`,
/// fails when the file is stale or a catalogue rule is broken (see `suite::requirements`).
fn coverage(check: bool) -> Result<()> {
    use scimcheck::suite::requirements as req;
    let cat = req::Catalogue::parse(&std::fs::read_to_string(root().join("features/requirements.toml"))?)
        .map_err(anyhow::Error::msg)?;
    let sources = scimcheck::suite::load_features(Some(&root().join("features"))).map_err(anyhow::Error::msg)?;
    let sources: Vec<_> = sources.into_iter().map(|(p, t)| (Path::new("features").join(p), t)).collect();
    let scenarios = req::scenarios(&sources).map_err(anyhow::Error::msg)?;
    for r in &cat.requirements {
        let by: Vec<String> =
            scenarios.iter().filter(|s| s.tags.contains(&r.id)).map(|s| format!("{}:{}", s.path, s.line)).collect();
        let what = if !by.is_empty() {
            by.join(", ")
        } else if r.untestable.is_some() {
            "(not checkable, reason given)".to_owned()
        } else {
            "UNCHECKED".to_owned()
        };
        println!("{:<48} {:<6} {what}", r.id, r.keyword());
    }
    println!();
    for ((src, level), t) in req::tallies(&cat, &scenarios) {
        println!(
            "{:<70} {:<6} {:>3} requirements, {:>3} checked, {:>2} untestable, {:>2} unchecked",
            src.title(),
            format!("{level:?}").to_uppercase(),
            t.total,
            t.checked,
            t.untestable,
            t.total - t.checked - t.untestable
        );
    }
    let problems = req::problems(&cat, &scenarios);
    for p in &problems {
        eprintln!("problem: {p}");
    }
    let path = root().join("docs/coverage.md");
    let want = req::markdown(&cat, &scenarios);
    if check {
        if std::fs::read_to_string(&path).unwrap_or_default() != want {
            bail!("docs/coverage.md is stale: run `cargo xtask coverage`");
        }
    } else {
        std::fs::write(&path, want)?;
        println!("wrote {}", path.display());
    }
    if !problems.is_empty() {
        bail!("{} catalogue problem(s)", problems.len());
    }
    Ok(())
}

/// Installs `scim2-server` (pinned) in a virtualenv, serves it on a free loopback port, runs
/// the suite against it with JSON and HTML reports under `target/third-party/`, and stops it.
fn third_party() -> Result<()> {
    use std::process::{Command, Stdio};
    let dir = root().join("target/third-party");
    std::fs::create_dir_all(&dir)?;
    let venv = dir.join("venv");
    let py = venv.join("bin/python");
    if !py.exists() {
        let ok = Command::new("python3").args(["-m", "venv"]).arg(&venv).status()?.success();
        if !ok {
            bail!("python3 -m venv failed");
        }
    }
    let ok = Command::new(&py).args(["-m", "pip", "install", "-q", "scim2-server==0.8.3"]).status()?.success();
    if !ok {
        bail!("pip install scim2-server failed");
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let token = "third-party-token";
    let mut server = Command::new(venv.join("bin/scim2-server"))
        .args(["--hostname", "127.0.0.1", "--port", &port.to_string(), "--bearer-token", token])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let base = format!("http://127.0.0.1:{port}");
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = server.kill();
            bail!("scim2-server did not start on port {port}");
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let json = dir.join("scim2-server.json");
    let html = dir.join("scim2-server.html");
    let result = cargo(&[
        "run",
        "--release",
        "--quiet",
        "--",
        "check",
        "--base-url",
        &base,
        "--token",
        token,
        "--json",
        json.to_str().unwrap_or_default(),
        "--html",
        html.to_str().unwrap_or_default(),
    ]);
    let _ = server.kill();
    let _ = server.wait();
    println!("reports: {} and {}", json.display(), html.display());
    // The check exits 1 when a MUST scenario fails, which is the point of this run: report, don't fail.
    if let Err(e) = result {
        println!("({e}: see docs/third-party-results.md for what each failure means)");
    }
    Ok(())
}

/// The cargo-fuzz targets in `fuzz/`.
const FUZZ_TARGETS: &[&str] = &["filter_parser", "patch_path", "patch_engine", "router"];

/// Runs each fuzz target for `seconds` on its committed corpus (`fuzz/corpus/<target>`, which
/// grows with what the fuzzer finds). cargo-fuzz needs nightly flags; on a stable toolchain
/// `RUSTC_BOOTSTRAP=1` lets it use them. A crash stops the run with the input in
/// `fuzz/artifacts/<target>/`.
fn fuzz(seconds: u64) -> Result<()> {
    let fuzz_dir = root().join("fuzz");
    for target in FUZZ_TARGETS {
        let corpus = fuzz_dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus)?;
        let started = std::time::Instant::now();
        let status = std::process::Command::new("cargo")
            .args(["fuzz", "run", target])
            .arg(&corpus)
            .args(["--", &format!("-max_total_time={seconds}"), "-max_len=4096"])
            .env("RUSTC_BOOTSTRAP", "1")
            .current_dir(&fuzz_dir)
            .status()
            .context("running cargo fuzz (install it with `cargo install cargo-fuzz`)")?;
        if !status.success() {
            bail!(
                "fuzz target {target} failed after {:.0} s: see fuzz/artifacts/{target}/",
                started.elapsed().as_secs_f64()
            );
        }
        println!("fuzz target {target}: {:.0} s without a finding", started.elapsed().as_secs_f64());
    }
    Ok(())
}
