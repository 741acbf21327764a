//! `scimcheck bench`: the reference server measured with the load generator of `scimcheck load`
//! (`scimcheck::load::driver`), next to a bare hyper server as the baseline of what this machine
//! can do; `cargo xtask bench [--quick]` runs it in release mode.
//!
//! It starts a fresh server on the durable store and the baseline as separate processes, seeds
//! 10,000 then 100,000 users with /Bulk and a group of each size, and drives each request in the
//! shape Okta and Entra send it (lookups with `startIndex=1&count=100`, Okta's create body, path-less
//! deactivation, one-member group PATCHes) on 32 keep-alive connections: the median of three
//! runs, requests per second, p50/p99 latency and the ratio to the baseline of the same run.
//!
//! `--tenants N` measures many tenants at once instead ([`scimcheck::load::tenants`]): N
//! tenants created on the server, each driven at its own paced rate with an IdP's mix.

mod events;
mod report;

use anyhow::{Context, Result, bail};
use report::{BenchReport, Row};
use scimcheck::load::driver::{self, Pace, Req, Target};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOKEN: &str = "bench-scim-token";

struct Proc {
    child: Child,
    base: String,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The bench's data directory, removed when the bench ends however it ends: done, failed, or
/// dropped on Ctrl-C or SIGTERM (after the servers, which are declared after it).
struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn spawn(args: &[&str]) -> Result<Proc> {
    let exe = std::env::current_exe()?;
    let mut child =
        Command::new(exe).args(args).env("RUST_LOG", "error").stdout(Stdio::piped()).stderr(Stdio::null()).spawn()?;
    let stdout = child.stdout.take().context("stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines.next().context("the process exited before listening")??;
        if let Some(url) = line.strip_prefix("listening on ") {
            break url.trim().to_owned();
        }
    };
    Ok(Proc { child, base })
}

/// A server being measured: where requests go, and its process, whose CPU time is read.
pub(crate) struct Served {
    at: Target,
    pid: u32,
}

/// The CPU time (user and system, every thread) process `pid` has used so far; `None` where
/// `/proc` does not tell.
fn cpu_time(pid: u32) -> Option<Duration> {
    cpu_of_stat(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

/// `utime + stime` of a `/proc/<pid>/stat` line, in USER_HZ ticks (100 a second on Linux). The
/// command name, field 2, is in parentheses and may hold spaces and parentheses itself: fields
/// are counted from the last `)`.
fn cpu_of_stat(stat: &str) -> Option<Duration> {
    let fields: Vec<&str> = stat.get(stat.rfind(')')? + 1..)?.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    // Fields 14 and 15 of the line; field 3 is the first after the name.
    Some(Duration::from_millis((ticks(11)? + ticks(12)?) * 10))
}

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}

/// Measures one request shape: `RUNS` closed-loop runs on `conns` connections, the median kept,
/// with the server's CPU time per request in that run.
async fn measure<M>(server: &Served, phase: &str, name: &str, p: &Plan, want: u16, make: M) -> Result<Row>
where
    M: Fn(usize, u64) -> Req + Send + Sync + Clone + 'static,
{
    let mut runs = Vec::new();
    for _ in 0..p.runs {
        let pace = Pace { connections: p.conns, duration: p.secs, rate: None, max_requests: None };
        let before = cpu_time(server.pid);
        let s = driver::drive(&server.at, pace, make.clone(), move |r| r.status == want)
            .await
            .map_err(anyhow::Error::msg)?;
        let used = before.zip(cpu_time(server.pid)).map(|(b, a)| a.saturating_sub(b));
        let cpu_us = used.map(|u| u.as_secs_f64() * 1e6 / s.requests.max(1) as f64);
        runs.push((s, cpu_us));
    }
    runs.sort_by(|a, b| a.0.rps().total_cmp(&b.0.rps()));
    let (stats, cpu_us) = runs.swap_remove(runs.len() / 2);
    eprintln!("  {phase:<5} {name:<52} {:>9.0} req/s", stats.rps());
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    Ok(Row {
        phase: phase.to_owned(),
        name: name.to_owned(),
        rps: stats.rps(),
        p50_ms: ms(stats.q(0.5)),
        p99_ms: ms(stats.q(0.99)),
        vs_bare: 0.0,
        cpu_us,
        errors: stats.errors,
    })
}

/// How long and how hard each measurement runs.
struct Plan {
    conns: usize,
    secs: Duration,
    runs: usize,
}

/// Creates `n` users named `{prefix}{i}@example.com` with /Bulk (1,000 per request, 4 at once);
/// returns their ids in order.
async fn seed_users(target: &Target, prefix: &str, n: usize) -> Result<Vec<String>> {
    let chunks: Vec<(usize, usize)> = (0..n).step_by(1000).map(|s| (s, (s + 1000).min(n))).collect();
    let mut ids = vec![String::new(); n];
    for batch in chunks.chunks(4) {
        let mut tasks = Vec::new();
        for &(from, to) in batch {
            let (target, prefix) = (target.clone(), prefix.to_owned());
            tasks.push(tokio::spawn(async move {
                let ops: Vec<Value> = (from..to)
                    .map(|i| json!({"method": "POST", "path": "/Users", "bulkId": format!("u{i}"), "data": user_body(&format!("{prefix}{i}"))}))
                    .collect();
                let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": ops});
                let mut conn = target.connect().await.map_err(anyhow::Error::msg)?;
                let r = conn.send(&target, &Req::with_body("POST", format!("{SCIM}/Bulk"), &body)).await.map_err(anyhow::Error::msg)?;
                let v = r.json();
                let got: Vec<String> = v["Operations"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|op| op["location"].as_str().and_then(|l| l.rsplit('/').next()).unwrap_or_default().to_owned())
                    .collect();
                Ok::<_, anyhow::Error>((from, got))
            }));
        }
        for t in tasks {
            let (from, got) = t.await??;
            for (k, id) in got.into_iter().enumerate() {
                ids[from + k] = id;
            }
        }
    }
    if ids.iter().any(String::is_empty) {
        bail!("seeding did not create every user");
    }
    Ok(ids)
}

/// Okta's create body (its SPEC test's "realistic values").
fn user_body(name: &str) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": format!("{name}@example.com"),
        "name": {"givenName": "Bench", "familyName": name}, "displayName": format!("Bench {name}"),
        "emails": [{"primary": true, "value": format!("{name}@example.com"), "type": "work"}], "active": true})
}

/// Creates a group whose members are `ids`, added 1,000 per PATCH.
async fn seed_group(target: &Target, name: &str, ids: &[String]) -> Result<String> {
    let mut conn = target.connect().await.map_err(anyhow::Error::msg)?;
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name});
    let g = conn
        .send(target, &Req::with_body("POST", format!("{SCIM}/Groups"), &body))
        .await
        .map_err(anyhow::Error::msg)?;
    let gid = g.json()["id"].as_str().context("group id")?.to_owned();
    for chunk in ids.chunks(1000) {
        let members: Vec<Value> = chunk.iter().map(|id| json!({"value": id})).collect();
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": "members", "value": members}]});
        let r = conn
            .send(target, &Req::with_body("PATCH", format!("{SCIM}/Groups/{gid}"), &body))
            .await
            .map_err(anyhow::Error::msg)?;
        if !(200..300).contains(&r.status) {
            bail!("adding members failed: {}", r.status);
        }
    }
    Ok(gid)
}

const SCIM: &str = "/scim/v2";

/// What `scimcheck bench` was asked for.
#[derive(clap::Args, Debug, Clone)]
pub struct BenchArgs {
    /// A small, fast run (CI smoke test).
    #[arg(long)]
    pub quick: bool,
    /// Measure N tenants at once (each with its own key, users and group) instead of the
    /// per-request rows.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub tenants: Option<u64>,
    /// Requests per second offered per tenant with --tenants (IPSIE and Entra's gallery: 25).
    #[arg(long, default_value_t = 25.0)]
    pub tenant_rate: f64,
    /// Users seeded per tenant with --tenants.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(12..=10_000))]
    pub tenant_users: u64,
    /// How long the --tenants run lasts, in seconds.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub seconds: u64,
    /// Seconds of the same load before the --tenants run, sent but counted apart (every tenant
    /// starting in the same instant is a start, not the sustained load); its p99 is reported.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(0..=600))]
    pub warmup: u64,
    /// Measure RFC 9967 event delivery instead of the per-request rows: durable creates without
    /// and with an event stream pushing to a receiver, and the events per second delivered.
    #[arg(long)]
    pub events: bool,
    /// Write the figures as JSON.
    #[arg(long, value_name = "FILE")]
    pub json: Option<std::path::PathBuf>,
    /// Write one HTML page with the figures and their charts (inline SVG).
    #[arg(long, value_name = "FILE")]
    pub html: Option<std::path::PathBuf>,
}

/// `scimcheck bench`: the reference server (durable store) next to a bare hyper server, with
/// the request shapes Okta and Entra send, at 10,000 and 100,000 users.
pub async fn run(args: BenchArgs) -> Result<()> {
    let quick = args.quick;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (sizes, plan) = if quick {
        ([1_000, 5_000], Plan { conns: 8, secs: Duration::from_millis(500), runs: 1 })
    } else {
        ([10_000, 100_000], Plan { conns: 32, secs: Duration::from_secs(3), runs: 3 })
    };
    let dir = Scratch(std::env::temp_dir().join(format!("scimcheck-bench-{}", std::process::id())));
    let _ = std::fs::remove_dir_all(&dir.0);
    let baseline = spawn(&["__baseline", "--listen", "127.0.0.1:0"])?;
    let server = spawn(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--token",
        TOKEN,
        "--admin-token",
        "bench-admin",
        "--data",
        dir.0.to_str().unwrap_or("."),
    ])?;
    let headers = vec![("authorization".to_owned(), format!("Bearer {TOKEN}"))];
    let client = crate_client()?;
    let bare = Served {
        at: Target::new(&baseline.base, vec![], client.clone()).map_err(anyhow::Error::msg)?,
        pid: baseline.child.id(),
    };
    let scim = Target::new(&server.base, headers, client).map_err(anyhow::Error::msg)?;
    let measured = Served { at: scim.clone(), pid: server.child.id() };
    eprintln!(
        "bench: {} keep-alive connections, median of {} runs of {:.1} s per row; durable store under {}",
        plan.conns,
        plan.runs,
        plan.secs.as_secs_f64(),
        dir.0.display()
    );
    let mut rows = vec![measure(&bare, "base", "bare hyper, fixed JSON", &plan, 200, |_, _| Req::get("/")).await?];
    let mut report = BenchReport {
        started: scimcheck::clock::now(),
        connections: plan.conns,
        baseline_rps: rows[0].rps,
        rows: vec![],
        tenants: None,
        cores: None,
        events: None,
    };
    if args.events {
        let admin =
            Target::new(&server.base, vec![("authorization".into(), "Bearer bench-admin".into())], crate_client()?)
                .map_err(anyhow::Error::msg)?;
        let (more, run) = events::measure_events(&measured, &admin, &plan).await?;
        rows.extend(more);
        report.events = Some(run);
        return finish(report, rows, &args, server);
    }
    if let Some(n) = args.tenants {
        let admin =
            Target::new(&server.base, vec![("authorization".into(), "Bearer bench-admin".into())], crate_client()?)
                .map_err(anyhow::Error::msg)?;
        let t = Instant::now();
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        let tenants = scimcheck::load::tenants::provision(&admin, "bench", n, args.tenant_users as usize)
            .await
            .map_err(anyhow::Error::msg)?;
        eprintln!(
            "created {n} tenants with {} users and a group each in {:.1} s; driving each at {} req/s for {} s after {} s of warm-up ({})",
            args.tenant_users,
            t.elapsed().as_secs_f64(),
            args.tenant_rate,
            args.seconds,
            args.warmup,
            scimcheck::load::tenants::MIX
        );
        // One connection per tenant, as each tenant's IdP job has its own (up to the
        // server's default cap of 1,024 connections, past which tenants share).
        let conns = n.min(scimcheck::load::tenants::MAX_CONNS);
        let (server_before, own_before, t) =
            (cpu_time(server.child.id()), cpu_time(std::process::id()), Instant::now());
        let run = scimcheck::load::tenants::drive(
            &admin,
            Arc::new(tenants),
            args.tenant_rate,
            (Duration::from_secs(args.warmup), Duration::from_secs(args.seconds)),
            conns,
        )
        .await
        .map_err(anyhow::Error::msg)?;
        let cores = |before: Option<Duration>, pid: u32| {
            Some(cpu_time(pid)?.saturating_sub(before?).as_secs_f64() / t.elapsed().as_secs_f64().max(1e-9))
        };
        report.cores = cores(server_before, server.child.id())
            .zip(cores(own_before, std::process::id()))
            .map(|(server, generator)| report::Cores { server, generator });
        report.tenants = Some(run);
        return finish(report, rows, &args, server);
    }
    let mut seeded = 0;
    let mut all: Vec<String> = Vec::new();
    for size in sizes {
        let phase = format!("{}k", size / 1000);
        let t = Instant::now();
        let ids = seed_users(&scim, &format!("u{phase}-"), size - seeded).await?;
        let names: Vec<String> = (0..ids.len()).map(|i| format!("u{phase}-{i}")).collect();
        all.extend(ids);
        seeded = size;
        let big_size = if size >= 100_000 { all.len() } else { 5_000.min(all.len()) };
        let big = seed_group(&scim, &format!("big-{phase}"), &all[..big_size]).await?;
        let small = seed_group(&scim, &format!("small-{phase}"), &all[..100]).await?;
        eprintln!(
            "seeded {size} users, groups of {big_size} and 100 members, in {:.1} s; server RSS {:.1} MiB",
            t.elapsed().as_secs_f64(),
            rss_kib(server.child.id()).unwrap_or(0) as f64 / 1024.0
        );
        let ids = Arc::new(all.clone());
        let names = Arc::new(names);
        let i = ids.clone();
        rows.push(
            measure(&measured, &phase, "GET /Users/{id}", &plan, 200, move |c, n| {
                Req::get(format!("{SCIM}/Users/{}", i[(c * 7919 + n as usize * 31) % i.len()]))
            })
            .await?,
        );
        let nm = names.clone();
        rows.push(
            measure(
                &measured,
                &phase,
                "GET /Users?filter=userName eq \"…\"&startIndex=1&count=100",
                &plan,
                200,
                move |c, n| {
                    let name = &nm[(c * 7919 + n as usize * 31) % nm.len()];
                    Req::get(format!(
                        "{SCIM}/Users?filter=userName%20eq%20%22{name}%40example.com%22&startIndex=1&count=100"
                    ))
                },
            )
            .await?,
        );
        let total = ids.len();
        rows.push(
            measure(&measured, &phase, "GET /Users?startIndex=…&count=100", &plan, 200, move |c, n| {
                Req::get(format!("{SCIM}/Users?startIndex={}&count=100", 1 + ((c * 37 + n as usize) * 100) % total))
            })
            .await?,
        );
        let p = phase.clone();
        // One counter across the runs, so that no run creates a userName an earlier run made.
        let seq = Arc::new(std::sync::atomic::AtomicU64::new(0));
        rows.push(
            measure(&measured, &phase, "POST /Users (Okta's body, durable)", &plan, 201, move |_, _| {
                let k = seq.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Req::with_body("POST", format!("{SCIM}/Users"), &user_body(&format!("post-{p}-{k}")))
            })
            .await?,
        );
        let i = ids.clone();
        rows.push(measure(&measured, &phase, "PATCH /Users/{id} active false (Okta)", &plan, 200, move |c, n| {
            let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "value": {"active": n % 2 == 1}}]});
            Req::with_body("PATCH", format!("{SCIM}/Users/{}", i[c % i.len()]), &body)
        }).await?);
        for (label, gid, size) in
            [("100".to_owned(), small.clone(), 100usize), (big_size.to_string(), big.clone(), big_size)]
        {
            let i = ids.clone();
            let name = format!("PATCH group of {label}: add / remove one member (Okta)");
            rows.push(
                measure(&measured, &phase, &name, &plan, 204, move |c, n| {
                    // Each connection adds a user who is not a member, then removes it again.
                    let id = &i[(size + c) % i.len()];
                    let op = if n % 2 == 0 {
                        json!({"op": "add", "path": "members", "value": [{"value": id, "display": "Bench"}]})
                    } else {
                        json!({"op": "remove", "path": format!("members[value eq \"{id}\"]")})
                    };
                    let body =
                        json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [op]});
                    Req::with_body("PATCH", format!("{SCIM}/Groups/{gid}"), &body)
                })
                .await?,
            );
        }
    }
    finish(report, rows, &args, server)
}

/// Prints and writes the report; fails when a row's answers were not all as expected.
fn finish(mut report: BenchReport, mut rows: Vec<Row>, args: &BenchArgs, server: Proc) -> Result<()> {
    drop(server);
    for r in &mut rows {
        r.vs_bare = 100.0 * r.rps / report.baseline_rps.max(1e-9);
    }
    report.rows = rows;
    report.print();
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.html {
        std::fs::write(path, report.html()).with_context(|| format!("writing {}", path.display()))?;
    }
    // A row whose answers were not all the expected status measured something else.
    let wrong: Vec<&str> = report.rows.iter().filter(|r| r.errors > 0).map(|r| r.name.as_str()).collect();
    if !wrong.is_empty() {
        bail!("rows with unexpected answers (not a valid measurement): {}", wrong.join("; "));
    }
    if let Some(t) = &report.tenants
        && t.errors > 0
    {
        bail!("{} of {} tenant requests got an unexpected answer (not a valid measurement)", t.errors, t.requests);
    }
    Ok(())
}

fn crate_client() -> Result<reqwest::Client> {
    scimcheck::suite::http_client(false).map_err(anyhow::Error::msg)
}

/// The baseline: a bare hyper server answering a fixed small JSON body.
pub async fn baseline(listen: &str) -> Result<()> {
    use http_body_util::Full;
    use hyper::body::Bytes;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    println!("listening on http://{}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        let _ = stream.set_nodelay(true);
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(|_req| async {
                Ok::<_, std::convert::Infallible>(
                    hyper::Response::builder()
                        .header("content-type", "application/scim+json")
                        .body(Full::new(Bytes::from_static(br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"Resources":[]}"#)))
                        .expect("static response"),
                )
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_read_past_a_command_name_with_spaces_and_parentheses() {
        let stat = "4242 (tokio (rt) w) S 1 4242 4242 0 -1 4194560 1200 0 0 0 250 37 0 0 20 0 9 0 77 0 0";
        assert_eq!(cpu_of_stat(stat), Some(Duration::from_millis(2_870)));
        assert_eq!(cpu_of_stat("4242 (x) S 1"), None, "a cut line");
    }

    #[test]
    fn this_process_cpu_time_grows_while_it_works() {
        let me = std::process::id();
        let before = cpu_time(me).expect("/proc on Linux");
        let t = Instant::now();
        let mut x = 0u64;
        while t.elapsed() < Duration::from_millis(150) {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
        }
        let used = cpu_time(me).expect("/proc").saturating_sub(before);
        assert!(used >= Duration::from_millis(50), "150 ms of spinning counted {used:?}");
    }
}
