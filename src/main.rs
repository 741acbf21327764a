//! The `scimcheck` command line: `serve` runs the reference server, `check` runs the suite,
//! `load` puts a server under IdP-shaped load.

mod bench;
mod check_cmd;
mod load_cmd;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use scimcheck::{api, app, server};
use std::path::PathBuf;
use std::process::ExitCode;

// mimalloc: the server's request path and the filter parser allocate many small objects
// (issue 20 found the system allocator at about a fifth of a page's CPU time).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser, Debug)]
#[command(name = "scimcheck", version, about = "SCIM 2.0 conformance suite and reference server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Measure the reference server under a bounded loopback load (`cargo xtask bench`).
    Bench(bench::BenchArgs),
    /// Replace the admin token of a server's data directory with a new one, printed once (for a
    /// lost token; stop the server first, it reads the token at start).
    RotateAdminToken {
        /// Directory of the SQLite database.
        #[arg(long, default_value = "./scimcheck-data")]
        data: PathBuf,
    },
    /// A bare hyper server answering fixed JSON: the bench's baseline.
    #[command(name = "__baseline", hide = true)]
    Baseline {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
    },
    /// Run the reference SCIM server.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// The SCIM API key of the built-in SCIM Provisioner; generated and printed once when absent.
        #[arg(long, env = "SCIMCHECK_TOKEN", hide_env_values = true)]
        token: Option<String>,
        /// The default tenant's admin token; generated and printed once when absent.
        #[arg(long, env = "SCIMCHECK_ADMIN_TOKEN", hide_env_values = true)]
        admin_token: Option<String>,
        /// Directory of the SQLite database (created when missing).
        #[arg(long, default_value = "./scimcheck-data")]
        data: PathBuf,
        /// Keep data in memory only (tests and demos); everything is lost on exit.
        #[arg(long)]
        in_memory: bool,
        /// Allow at most N requests per minute per tenant (429 with Retry-After beyond); off by default.
        #[arg(long, value_name = "N")]
        rate_limit: Option<u32>,
        /// Parsed records kept in memory, shared by all tenants (about 3.4 KB each; each tenant
        /// may keep 2,000 whatever the share); 0 reads every record from SQLite.
        #[arg(long, value_name = "N", default_value_t = scimcheck::store::cache::BUDGET)]
        cache_records: usize,
        /// Serve HTTPS with this certificate chain (PEM); needs --tls-key.
        #[arg(long, value_name = "PEM", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The private key (PEM) for --tls-cert.
        #[arg(long, value_name = "PEM", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Reject input the RFCs forbid even where Okta or Entra send it.
        #[arg(long)]
        strict: bool,
        /// Turn optional SCIM features off, as a smaller server would (and say so in discovery):
        /// a comma-separated list of etag, bulk, sort, filter, patch, groups, enterprise, cursor, async.
        #[arg(long, value_name = "LIST", value_parser = parse_without)]
        without: Option<api::offer::Without>,
        /// Differ from the reference server the way a stricter or smaller real server does, and
        /// still conform: a comma-separated list of schema-subset, strict-required, nulls,
        /// groups-no-lastmodified, filter-unadvertised, patch-no-content.
        #[arg(long, value_name = "LIST", value_parser = parse_variants)]
        variant: Option<String>,
        /// Break one behaviour on purpose, to test a conformance suite (see --list-faults). Never
        /// for production: the server then violates the RFCs.
        #[arg(long, value_name = "NAME", value_parser = parse_fault)]
        fault: Option<&'static scimcheck::faults::Fault>,
        /// List the faults --fault accepts, with the requirements each breaks, and exit.
        #[arg(long)]
        list_faults: bool,
    },
    /// Put a SCIM server under bounded, IdP-shaped load and judge each phase (docs/load.md).
    Load(load_cmd::LoadArgs),
    /// Run the conformance suite against a SCIM server (the embedded reference server by default).
    Check(check_cmd::CheckArgs),
}

/// Checks `--base-url` before anything runs: an absolute http(s) URL.
fn check_base_url(s: &str) -> Result<String> {
    match reqwest::Url::parse(s) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some() => {
            Ok(s.trim_end_matches('/').to_owned())
        }
        _ => anyhow::bail!(
            "--base-url '{s}' is not an http(s) URL; give the SCIM base, e.g. https://example.com/scim/v2"
        ),
    }
}

/// `--header "Name: value"` arguments as (lower-case name, value) pairs.
fn parse_headers(headers: &[String]) -> Result<Vec<(String, String)>> {
    headers
        .iter()
        .map(|h| {
            let (k, v) = h.split_once(':').with_context(|| format!("--header '{h}' is not 'Name: value'"))?;
            Ok((k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        })
        .collect()
}

fn parse_without(s: &str) -> Result<api::offer::Without, String> {
    api::offer::Without::parse(s)
}

/// `--variant LIST`, checked as it is read (clap keeps the text; `serve` parses it again).
fn parse_variants(s: &str) -> Result<String, String> {
    scimcheck::variants::Variant::parse_list(s).map(|_| s.to_owned())
}

fn parse_fault(s: &str) -> Result<&'static scimcheck::faults::Fault, String> {
    scimcheck::faults::named(s)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Writes wait for their fsync on the blocking pool. Tokio's default of 512 threads let a
    // burst of writes from many tenants start hundreds of threads at once, and the spawning fed
    // the backlog it came from (`bench --tenants 500`: p99 about 1 s, 45-80 ms with this cap);
    // 64 waiting writers are more than one fsync's group needs.
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().max_blocking_threads(64).build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(dispatch(cli.command)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

async fn dispatch(cmd: Command) -> Result<ExitCode> {
    match cmd {
        // Interrupted, the bench is dropped: its servers stop and its data directory goes.
        Command::Bench(args) => tokio::select! {
            () = server::interrupted()? => {
                eprintln!("interrupted: the bench's servers are stopped and its data removed");
                Ok(ExitCode::from(130))
            }
            r = bench::run(args) => r.map(|()| ExitCode::SUCCESS),
        },
        Command::RotateAdminToken { data } => {
            if !data.join("scimcheck.db").is_file() {
                anyhow::bail!(
                    "--data {}: no scimcheck.db there; give the directory `serve --data` used",
                    data.display()
                );
            }
            let db = open_data(&data)?;
            let token = api::auth::generate_token("admin");
            let (_, generated) =
                app::App::open(api::Config::default(), db, None, Some(&token)).map_err(anyhow::Error::msg)?;
            println!("new admin token (shown once, only its hash is kept): {token}");
            for (what, t) in generated {
                println!("generated {what} (shown once, only its hash is kept): {t}");
            }
            eprintln!("the previous admin token no longer works; start the server again to use the new one");
            Ok(ExitCode::SUCCESS)
        }
        Command::Load(args) => load_cmd::run(args).await,
        Command::Baseline { listen } => bench::baseline(&listen).await.map(|()| ExitCode::SUCCESS),
        Command::Serve {
            listen,
            token,
            admin_token,
            data,
            in_memory,
            strict,
            rate_limit,
            cache_records,
            tls_cert,
            tls_key,
            without,
            variant,
            fault,
            list_faults,
        } => {
            if list_faults {
                for f in scimcheck::faults::all() {
                    println!("{:<38} {:<14} {} (breaks {})", f.name, f.area, f.what, f.violates.join(", "));
                }
                return Ok(ExitCode::SUCCESS);
            }
            let tls = match (tls_cert, tls_key) {
                (Some(c), Some(k)) => Some(server::tls_acceptor(&c, &k).map_err(anyhow::Error::msg)?),
                _ => None,
            };
            let config = api::Config { strict, without: without.unwrap_or_default(), ..api::Config::default() };
            let variants = scimcheck::variants::Variant::parse_list(variant.as_deref().unwrap_or(""))
                .map_err(anyhow::Error::msg)?;
            let opts = ServeOptions { rate_limit, tls, fault, variants };
            scimcheck::store::cache::set_budget(cache_records);
            serve(&listen, token, admin_token, (!in_memory).then_some(data), config, opts).await
        }
        Command::Check(args) => check_cmd::run(args).await,
    }
}

/// What `serve` takes beyond the server's configuration.
struct ServeOptions {
    rate_limit: Option<u32>,
    tls: Option<tokio_rustls::TlsAcceptor>,
    fault: Option<&'static scimcheck::faults::Fault>,
    variants: Vec<scimcheck::variants::Variant>,
}

async fn serve(
    listen: &str,
    token: Option<String>,
    admin_token: Option<String>,
    data: Option<PathBuf>,
    config: api::Config,
    opts: ServeOptions,
) -> Result<ExitCode> {
    let ServeOptions { rate_limit, tls, fault, variants } = opts;
    // The request log is written by a background thread: a request never waits for stderr.
    let (log, _flush_on_exit) = tracing_appender::non_blocking(std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "scimcheck=info".into()),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(log)
        .init();
    // The address is taken before anything is created or a token generated, so a failed start
    // changes nothing.
    let listener = bind(listen).await?;
    let (mut app, generated) = match &data {
        Some(dir) => {
            let db = open_data(dir)?;
            eprintln!(
                "data: {} (SQLite, WAL; a write is acknowledged once fsynced)",
                dir.join("scimcheck.db").display()
            );
            app::App::open(config, db, token.as_deref(), admin_token.as_deref()).map_err(anyhow::Error::msg)?
        }
        None => {
            let mut generated = Vec::new();
            let mut pick = |given: Option<String>, what: &'static str, prefix: &str| {
                given.unwrap_or_else(|| {
                    let t = api::auth::generate_token(prefix);
                    generated.push((what, t.clone()));
                    t
                })
            };
            let token = pick(token, "SCIM provisioning key", "scim");
            let admin_token = pick(admin_token, "admin token", "admin");
            eprintln!("data: in memory only (--in-memory)");
            (app::App::in_memory(config, &token, &admin_token), generated)
        }
    };
    for (what, t) in generated {
        println!("generated {what} (shown once, only its hash is kept): {t}");
    }
    app.rate_limit = rate_limit;
    app.fault = fault;
    for v in &variants {
        eprintln!("variant {}: {}", v.name(), v.what());
    }
    app.variants = variants;
    if let Some(f) = fault {
        eprintln!("WARNING: fault {} is ON: {} (this breaks {}).", f.name, f.what, f.violates.join(", "));
        eprintln!("WARNING: it is a test of conformance suites and must not serve real provisioning.");
    }
    if app.config.without != api::offer::Without::default() {
        eprintln!("offering less: --without {}", app.config.without);
    }
    let api = std::sync::Arc::new(app);
    let addr = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("listening on {scheme}://{addr}{}", api::SCIM_PREFIX);
    server::serve_until_signal(listener, api, tls).await?;
    eprintln!(
        "stopped: connections drained{}",
        if data.is_some() { ", every acknowledged write is on disk" } else { "" }
    );
    Ok(ExitCode::SUCCESS)
}

/// Binds `--listen`, with the cause and a way out when it cannot.
async fn bind(listen: &str) -> Result<tokio::net::TcpListener> {
    let addr: std::net::SocketAddr = listen.parse().map_err(|_| {
        anyhow::anyhow!("--listen '{listen}' is not an address:port, e.g. 127.0.0.1:8080 or 0.0.0.0:8443")
    })?;
    tokio::net::TcpListener::bind(addr).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            anyhow::anyhow!("cannot listen on {addr}: the address is already in use; stop the other server or choose another --listen")
        }
        std::io::ErrorKind::PermissionDenied => {
            anyhow::anyhow!("cannot listen on {addr}: permission denied (ports below 1024 need privileges); choose another --listen")
        }
        std::io::ErrorKind::AddrNotAvailable => {
            anyhow::anyhow!("cannot listen on {addr}: no interface of this machine has that address; try 127.0.0.1 or 0.0.0.0")
        }
        _ => anyhow::anyhow!("cannot listen on {addr}: {e}"),
    })
}

/// Opens the database under `--data DIR` (created when missing), naming the path and the cause
/// of whatever goes wrong.
fn open_data(dir: &std::path::Path) -> Result<scimcheck::store::Database> {
    if dir.exists() && !dir.is_dir() {
        anyhow::bail!("--data {}: is a file, not a directory; give a directory (created when missing)", dir.display());
    }
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("--data {}: cannot create the directory: {e}", dir.display()))?;
    let path = dir.join("scimcheck.db");
    let probe = dir.join(".scimcheck-write-test");
    std::fs::write(&probe, b"").map_err(|e| anyhow::anyhow!("--data {}: cannot write there: {e}", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    scimcheck::store::Database::open(&path).map_err(|e| {
        if e.contains("file is not a database") {
            anyhow::anyhow!("--data {}: {} is not a scimcheck database (file is not a database); move it away or choose another --data", dir.display(), path.display())
        } else {
            anyhow::anyhow!("--data {}: {e}", dir.display())
        }
    })
}
