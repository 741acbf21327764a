//! `scimcheck load`: its flags, checked before anything starts, and the run with its progress
//! lines, Ctrl-C cleanup and reports (the phases are `scimcheck::load`).

use anyhow::{Context, Result};
use scimcheck::load::{self, Created, LoadOptions, phases::Phase};
use scimcheck::{api, app, server};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Put a SCIM server under bounded, IdP-shaped load and judge each phase (docs/load.md).
#[derive(clap::Args, Debug)]
pub struct LoadArgs {
    /// SCIM base URL of the server (the embedded reference server when absent).
    #[arg(long)]
    base_url: Option<String>,
    /// Bearer token for the server.
    #[arg(long, env = "SCIMCHECK_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Extra header sent with every request, as "Name: value" (repeatable).
    #[arg(long = "header")]
    headers: Vec<String>,
    /// Accept invalid TLS certificates.
    #[arg(long)]
    insecure: bool,
    /// Requests per second of the sustained phase (Entra's gallery asks for 25).
    #[arg(long, default_value_t = 25.0, value_parser = parse_rate)]
    rate: f64,
    /// How long the sustained phase runs, e.g. 30s or 2m (each ramp step takes a quarter).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    duration: Duration,
    /// The most users the run creates in all (the 10,000-member group needs about 11,000).
    #[arg(long, default_value_t = 11_000, value_parser = clap::value_parser!(u64).range(10..=1_000_000))]
    max_users: u64,
    /// Also run the tenants phase: N tenants of a scimcheck server, each with its own key,
    /// users and group, driven at --rate each for --duration (needs --admin-token, except for
    /// the embedded server).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000))]
    tenants: Option<u64>,
    /// Run the tenants phase on tenants that exist, on any server: one per line, its SCIM base
    /// URL (on --base-url's host or another) and its bearer token, separated by a space.
    #[arg(long, value_name = "FILE", conflicts_with = "tenants", requires = "base_url")]
    tenants_file: Option<PathBuf>,
    /// The default tenant's admin token of the scimcheck server (for --tenants).
    #[arg(long, env = "SCIMCHECK_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Run only this phase (repeatable): read-after-write, sustained, ramp, creates,
    /// member-adds, if-match, membership, paging, tenants.
    #[arg(long = "phase", value_parser = Phase::parse)]
    phases: Vec<Phase>,
    /// Allow a target that is not on this machine (a load test can disturb a live service).
    #[arg(long)]
    i_accept_load: bool,
    /// Write the results as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write a self-contained HTML report.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(r) if r > 0.0 && r <= 100_000.0 => Ok(r),
        _ => Err(format!("'{s}' is not a rate between 0 and 100000 requests per second")),
    }
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let (n, unit) = s.find(|c: char| !c.is_ascii_digit()).map_or((s, "s"), |i| s.split_at(i));
    let secs = match (n.parse::<u64>(), unit) {
        (Ok(n), "s") => n,
        (Ok(n), "m") => n * 60,
        _ => return Err(format!("'{s}' is not a duration like 30s or 2m")),
    };
    if !(1..=3600).contains(&secs) {
        return Err(format!("'{s}' is outside 1s..60m"));
    }
    Ok(Duration::from_secs(secs))
}

pub async fn run(args: LoadArgs) -> Result<ExitCode> {
    // Every argument is checked before anything starts.
    let mut headers = super::parse_headers(&args.headers)?;
    let mut embedded = None;
    if args.tenants.is_some() && args.base_url.is_some() && args.admin_token.is_none() {
        anyhow::bail!(
            "--tenants creates tenants through a scimcheck server's admin API: give its default tenant's --admin-token (or leave out --base-url to load the embedded server)"
        );
    }
    let listed = match (&args.tenants_file, &args.base_url) {
        (Some(path), Some(_)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("cannot read the tenants file {}: {e}", path.display()))?;
            load::listed::parse(&text).map_err(|e| anyhow::anyhow!("the tenants file {}, {e}", path.display()))?
        }
        _ => Vec::new(),
    };
    let mut admin_token = args.admin_token.clone();
    let (base, token) = match &args.base_url {
        Some(b) => {
            let b = super::check_base_url(b)?;
            load::check_target(&b, args.i_accept_load).map_err(anyhow::Error::msg)?;
            (b, args.token.clone())
        }
        None => {
            let token = api::auth::generate_token("scim");
            let admin = api::auth::generate_token("admin");
            let running = server::spawn(app::reference(&token, &admin, api::Config::default()))
                .await
                .context("starting the embedded reference server")?;
            eprintln!("loading the embedded reference server (in memory, in this process) at {}", running.base_url());
            let base = running.base_url();
            embedded = Some(running);
            admin_token = Some(admin);
            (base, Some(token))
        }
    };
    if let Some(t) = token {
        headers.push(("authorization".into(), format!("Bearer {t}")));
    }
    let opts = LoadOptions {
        headers,
        insecure: args.insecure,
        rate: args.rate,
        duration: args.duration,
        max_users: usize::try_from(args.max_users).unwrap_or(usize::MAX),
        accept_remote: args.i_accept_load,
        only: args.phases.clone(),
        tenants: args.tenants.map_or(listed.len(), |n| usize::try_from(n).unwrap_or(usize::MAX)),
        admin_token,
        listed,
        ..LoadOptions::new(&base)
    };
    let created = Created::default();
    let progress = |i: usize, n: usize, name: &str| eprintln!("[{i}/{n}] {name}...");
    let report = tokio::select! {
        r = load::run(&opts, &created, &progress) => r.map_err(anyhow::Error::msg)?,
        () = scimcheck::server::interrupted()? => {
            eprintln!("\ninterrupted: removing what the run created...");
            let (removed, left) = load::cleanup(&opts, &created).await;
            eprintln!("removed {removed} resource(s){}; exiting", if left > 0 { format!(", could not remove {left}") } else { String::new() });
            return Ok(ExitCode::from(130));
        }
    };
    if let Some(r) = embedded {
        r.stop().await;
    }
    if let Some(path) = &args.json {
        std::fs::write(path, report.json()).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.html {
        std::fs::write(path, report.html()).with_context(|| format!("writing {}", path.display()))?;
    }
    report.print(&mut std::io::stdout())?;
    Ok(if report.failed() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
