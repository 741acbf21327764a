//! Project chores:
//! - `cargo xtask schemas [--check]` regenerates (or verifies) `schemas/json/`;
//! - `cargo xtask bench filters` runs the filter parser benchmark in release mode;
//! - `cargo xtask bench [--quick]` measures the server under load against a bare hyper baseline;
//! - `cargo xtask fuzz [SECONDS]` runs every cargo-fuzz target for SECONDS each (default 60);
//! - `cargo xtask coverage [--check]` prints requirement → scenarios with totals and writes
//!   `docs/coverage.md` (or fails when it is stale or the catalogue's rules are broken);
//! - `cargo xtask faults [--check]` runs the suite against the reference server once per fault
//!   (`serve --fault`) and per smaller server (`serve --without`), prints the table and writes
//!   `docs/faults.md` (with `--check`, fails when a fault is not caught or a smaller server fails);
//! - `cargo xtask third-party [NAME] [--load]` runs `scimcheck check` (or `scimcheck load`)
//!   against independent SCIM servers installed from PyPI and npm under `target/third-party`
//!   (see [`third_party`]).

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("schemas") => schemas(args.iter().any(|a| a == "--check")),
        Some("bench") if args.get(1).map(String::as_str) == Some("filters") => cargo(&["bench", "--bench", "filters"]),
        Some("bench") => {
            // Everything after `bench` goes to `scimcheck bench` (--quick, --tenants N, --html F...).
            let mut a = vec!["run", "--release", "--quiet", "--", "bench"];
            a.extend(args.iter().skip(1).map(String::as_str));
            cargo(&a)
        }
        Some("third-party") => third_party(
            args.iter().skip(1).find(|a| !a.starts_with("--")).map(String::as_str),
            args.iter().any(|a| a == "--load"),
        ),
        Some("coverage") => coverage(args.iter().any(|a| a == "--check")),
        Some("faults") => faults(args.iter().any(|a| a == "--check")),
        Some("fuzz") => fuzz(args.get(1).and_then(|s| s.parse().ok()).unwrap_or(60)),
        _ => {
            eprintln!(
                "usage: cargo xtask schemas [--check] | cargo xtask bench [filters|--quick|--tenants N ...] | cargo xtask fuzz [SECONDS] | cargo xtask coverage [--check] | cargo xtask faults [--check] | cargo xtask third-party [scim2-server|scimmy] [--load]"
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

/// Runs the fault matrix (see `scimcheck::faults::run`) and writes `docs/faults.md`.
fn faults(check: bool) -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let started = std::time::Instant::now();
    let matrix = rt
        .block_on(scimcheck::faults::run::run_all(4, &|name| {
            eprintln!("  {name} ({:.0} s)", started.elapsed().as_secs_f64())
        }))
        .map_err(anyhow::Error::msg)?;
    let mut bad = Vec::new();
    for v in &matrix.verdicts {
        println!(
            "{:<38} {:<7} {} attributed, {} collateral",
            v.fault.name,
            if v.caught { "caught" } else { "MISSED" },
            v.attributed.len(),
            v.collateral.len()
        );
        if !v.caught {
            bad.push(format!("fault {} was not caught at its level", v.fault.name));
        }
    }
    let conformant =
        matrix.smaller.iter().map(|s| ("--without", s)).chain(matrix.variants.iter().map(|s| ("--variant", s)));
    for (flag, s) in conformant {
        let skipped: usize = s.skipped.iter().map(|(_, n)| n).sum();
        let unsure: usize = s.inconclusive.iter().map(|(_, n)| n).sum();
        println!(
            "{flag} {:<58} {} passed, {} failed, {unsure} inconclusive, {skipped} skipped, {} differing",
            s.without,
            s.passed,
            s.failed.len(),
            s.flaky.len()
        );
        if !s.failed.is_empty() {
            bad.push(format!("{flag} {} failed: {}", s.without, s.failed.join("; ")));
        }
        if !s.flaky.is_empty() {
            bad.push(format!("{flag} {}: outcomes differ between runs: {}", s.without, s.flaky.join("; ")));
        }
    }
    let caught = matrix.verdicts.iter().filter(|v| v.caught).count();
    println!(
        "
{caught} of {} faults caught and attributed ({:.0} s)",
        matrix.verdicts.len(),
        started.elapsed().as_secs_f64()
    );
    if !check {
        std::fs::write(root().join("docs/faults.md"), matrix.markdown())?;
        println!("wrote docs/faults.md");
    }
    if check && !bad.is_empty() {
        bail!("{}", bad.join("\n"));
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

/// Runs the suite against independent SCIM servers installed from their package registries
/// (nothing of theirs is committed), each on a free loopback port, with JSON, HTML and
/// terminal reports under `target/third-party/`:
/// - `scim2-server` 0.8.3 (Python, PyPI), in a virtualenv;
/// - SCIMMY 1.3.5 with scimmy-routers 1.3.2 (Node.js, npm), behind the in-memory launcher in
///   `xtask/third-party/scimmy/` (SCIMMY leaves storage to its user).
///
/// `cargo xtask third-party [scim2-server|scimmy]` runs one of them; `--load` runs
/// `scimcheck load` instead of the suite (reports named `NAME-load.*`).
fn third_party(only: Option<&str>, load: bool) -> Result<()> {
    let dir = root().join("target/third-party");
    std::fs::create_dir_all(&dir)?;
    let release = ["build", "--release", "--quiet"];
    cargo(&release)?;
    if only.is_none_or(|o| o == "scim2-server") {
        let venv = dir.join("venv");
        let py = venv.join("bin/python");
        if !py.exists() {
            run_ok(std::process::Command::new("python3").args(["-m", "venv"]).arg(&venv), "python3 -m venv")?;
        }
        run_ok(
            std::process::Command::new(&py).args(["-m", "pip", "install", "-q", "scim2-server==0.8.3"]),
            "pip install scim2-server",
        )?;
        let port = free_port()?;
        let token = "third-party-token";
        let mut server = std::process::Command::new(venv.join("bin/scim2-server"));
        server.args(["--hostname", "127.0.0.1", "--port", &port.to_string(), "--bearer-token", token]);
        let (mut base, mut extra) = (format!("http://127.0.0.1:{port}"), vec![]);
        if load {
            // Its own tenants (`--tenant`), half named on another origin (localhost), so that
            // the tenants phase drives tenants of one server over two hosts.
            let names: Vec<String> = (0..SCIM2_TENANTS).map(|i| format!("t{i}")).collect();
            let file = dir.join("scim2-server-tenants.txt");
            let lines: Vec<String> = names
                .iter()
                .enumerate()
                .map(|(i, t)| format!("http://{}:{port}/{t} {token}", ["127.0.0.1", "localhost"][i % 2]))
                .collect();
            std::fs::write(&file, lines.join("\n") + "\n")?;
            for t in &names {
                server.args(["--tenant", t]);
            }
            base = format!("http://127.0.0.1:{port}/t0");
            extra = vec!["--tenants-file".to_owned(), file.display().to_string()];
        }
        let server = server.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn()?;
        run_against(&dir, "scim2-server", server, port, (&base, &extra), token, load)?;
    }
    if only.is_none_or(|o| o == "scimmy") {
        let app = dir.join("scimmy");
        std::fs::create_dir_all(&app)?;
        for f in ["package.json", "server.mjs"] {
            std::fs::copy(root().join("xtask/third-party/scimmy").join(f), app.join(f))?;
        }
        run_ok(
            std::process::Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--silent"])
                .current_dir(&app),
            "npm install (scimmy)",
        )?;
        let port = free_port()?;
        let token = "third-party-token";
        let server = std::process::Command::new("node")
            .arg("server.mjs")
            .current_dir(&app)
            .env("SCIM_PORT", port.to_string())
            .env("SCIM_TOKEN", token)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()?;
        run_against(&dir, "scimmy", server, port, (&format!("http://127.0.0.1:{port}/scim/v2"), &[]), token, load)?;
    }
    Ok(())
}

fn run_ok(cmd: &mut std::process::Command, what: &str) -> Result<()> {
    if !cmd.status().with_context(|| format!("running {what}"))?.success() {
        bail!("{what} failed");
    }
    Ok(())
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Tenants of scim2-server the `--load` run drives at once (10 x 25 req/s: within what it
/// answers on this machine, about 450 req/s).
const SCIM2_TENANTS: usize = 10;

/// Waits for the server, runs `scimcheck check` against it (the default run; the product
/// scenarios skip without an admin API) or `scimcheck load` (its defaults, and the `extra`
/// arguments), writes the reports and stops the server. A failing run is the point, not an error.
fn run_against(
    dir: &Path,
    name: &str,
    mut server: std::process::Child,
    port: u16,
    (base, extra): (&str, &[String]),
    token: &str,
    load: bool,
) -> Result<()> {
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > std::time::Duration::from_secs(30) {
            let _ = server.kill();
            bail!("{name} did not start on port {port}");
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let (command, name) = if load { ("load", format!("{name}-load")) } else { ("check", name.to_owned()) };
    let (json, html, text) =
        (dir.join(format!("{name}.json")), dir.join(format!("{name}.html")), dir.join(format!("{name}.txt")));
    let out = std::process::Command::new(root().join("target/release/scimcheck"))
        .args([command, "--base-url", base, "--token", token])
        .args(extra)
        .arg("--json")
        .arg(&json)
        .arg("--html")
        .arg(&html)
        .output()?;
    let _ = server.kill();
    let _ = server.wait();
    std::fs::write(&text, &out.stdout)?;
    let last = String::from_utf8_lossy(&out.stdout).lines().last().unwrap_or_default().to_owned();
    println!(
        "{name}: {last} (exit {}); reports: {}, {}, {}",
        out.status.code().unwrap_or(-1),
        text.display(),
        json.display(),
        html.display()
    );
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
