//! `scimcheck bench`: a bounded load generator against `scimcheck serve` on loopback, with a
//! bare hyper server as the baseline of what this machine can do (part of the binary, not the
//! library). `cargo xtask bench [--quick]` runs it in release mode.
//!
//! It starts a fresh SQLite-backed server and the baseline as separate processes, seeds users
//! and groups, drives each request type with a fixed number of keep-alive connections for a
//! fixed time, and prints requests per second, p50/p99 latency and the ratio to the baseline,
//! plus the server's RSS after seeding.

use anyhow::{Context, Result, bail};
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

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}

/// One measured request type.
struct Row {
    name: String,
    rps: f64,
    p50: Duration,
    p99: Duration,
    errors: usize,
}

/// Runs `make(i)` requests on `conns` connections for `secs`; returns the row.
async fn drive<F, Fut>(name: &str, conns: usize, secs: f64, make: F) -> Row
where
    F: Fn(usize, reqwest::Client) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let make = Arc::new(make);
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..conns {
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().pool_max_idle_per_host(1).no_proxy().build().expect("client");
            let (mut lat, mut errors, mut i) = (Vec::new(), 0usize, c);
            while Instant::now() < deadline {
                let t = Instant::now();
                if !make(i, client.clone()).await {
                    errors += 1;
                }
                lat.push(t.elapsed());
                i += conns;
            }
            (lat, errors)
        }));
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (l, e) = t.await.expect("load task");
        all.extend(l);
        errors += e;
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort();
    let pct = |p: f64| {
        all.get(((all.len() as f64 * p) as usize).min(all.len().saturating_sub(1))).copied().unwrap_or_default()
    };
    Row { name: name.to_owned(), rps: all.len() as f64 / elapsed, p50: pct(0.5), p99: pct(0.99), errors }
}

async fn ok(r: reqwest::RequestBuilder, want: u16) -> bool {
    match r.bearer_auth(TOKEN).send().await {
        Ok(resp) => {
            let s = resp.status().as_u16();
            let _ = resp.bytes().await;
            s == want
        }
        Err(_) => false,
    }
}

/// Creates `n` users with `conns` parallel clients; returns their ids.
async fn seed_users(base: &str, prefix: &str, n: usize, conns: usize) -> Result<Vec<String>> {
    let mut tasks = Vec::new();
    for c in 0..conns {
        let (base, prefix) = (base.to_owned(), prefix.to_owned());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().no_proxy().build().expect("client");
            let mut ids = Vec::new();
            let mut i = c;
            while i < n {
                let body = json!({"userName": format!("{prefix}{i}@example.com"), "name": {"givenName": "U", "familyName": format!("{i}")},
                    "emails": [{"value": format!("{prefix}{i}@example.com"), "primary": true}], "active": true});
                let r = client.post(format!("{base}/Users")).bearer_auth(TOKEN).json(&body).send().await;
                if let Ok(r) = r
                    && let Ok(v) = r.json::<Value>().await
                        && let Some(id) = v["id"].as_str() {
                            ids.push(id.to_owned());
                        }
                i += conns;
            }
            ids
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.extend(t.await?);
    }
    if ids.len() < n {
        bail!("seeding created {} of {n} users", ids.len());
    }
    Ok(ids)
}

/// Creates a group whose members are `ids`, added 1,000 per PATCH.
async fn seed_group(base: &str, name: &str, ids: &[String]) -> Result<String> {
    let client = reqwest::Client::builder().no_proxy().build()?;
    let g: Value = client
        .post(format!("{base}/Groups"))
        .bearer_auth(TOKEN)
        .json(&json!({"displayName": name}))
        .send()
        .await?
        .json()
        .await?;
    let gid = g["id"].as_str().context("group id")?.to_owned();
    for chunk in ids.chunks(1000) {
        let members: Vec<Value> = chunk.iter().map(|id| json!({"value": id})).collect();
        let body = json!({"Operations": [{"op": "add", "path": "members", "value": members}]});
        let r = client
            .patch(format!("{base}/Groups/{gid}?excludedAttributes=members"))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await?;
        if !r.status().is_success() {
            bail!("adding members failed: {}", r.status());
        }
    }
    Ok(gid)
}

pub async fn run(quick: bool) -> Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (users_small, users_large, secs, conns) =
        if quick { (1_000, 5_000, 0.5, 8) } else { (10_000, 100_000, 3.0, 16) };
    let dir = std::env::temp_dir().join(format!("scimcheck-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
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
        dir.to_str().unwrap_or("."),
    ])?;
    println!(
        "bench: {} connections, {secs} s per measurement; server {}, baseline {}",
        conns, server.base, baseline.base
    );

    let mut rows: Vec<(String, Row)> = Vec::new();
    let b = baseline.base.clone();
    let base_row = drive("bare hyper, fixed JSON", conns, secs, move |_, c| {
        let url = b.clone();
        async move { ok(c.get(url), 200).await }
    })
    .await;
    let baseline_rps = base_row.rps;
    rows.push(("baseline".into(), base_row));

    let mut seeded = 0;
    let (small_label, large_label) = (format!("{}k", users_small / 1000), format!("{}k", users_large / 1000));
    for (phase, target) in [(small_label.as_str(), users_small), (large_label.as_str(), users_large)] {
        let t = Instant::now();
        let ids = Arc::new(seed_users(&server.base, &format!("{phase}-"), target - seeded, 8).await?);
        seeded = target;
        let big = seed_group(&server.base, &format!("big-{phase}"), &ids).await?;
        let small = seed_group(&server.base, &format!("small-{phase}"), &ids[..100.min(ids.len())]).await?;
        let rss = rss_kib(server.child.id()).unwrap_or(0);
        println!(
            "seeded {phase}: {} users this phase, a group of {} members, in {:.1} s; server RSS {:.1} MiB",
            ids.len(),
            ids.len(),
            t.elapsed().as_secs_f64(),
            rss as f64 / 1024.0
        );
        let s = server.base.clone();
        let i2 = ids.clone();
        rows.push((
            phase.into(),
            drive("GET /Users/{id}", conns, secs, move |i, c| {
                let url = format!("{s}/Users/{}", i2[i * 7919 % i2.len()]);
                async move { ok(c.get(url), 200).await }
            })
            .await,
        ));
        let s = server.base.clone();
        let n = ids.len();
        let p = phase.to_owned();
        rows.push((
            phase.into(),
            drive("GET /Users?filter=userName eq", conns, secs, move |i, c| {
                let url = format!("{s}/Users?filter=userName%20eq%20%22{p}-{}%40example.com%22", i * 7919 % n);
                async move { ok(c.get(url), 200).await }
            })
            .await,
        ));
        let s = server.base.clone();
        rows.push((
            phase.into(),
            drive("GET /Users?count=100", conns, secs, move |i, c| {
                let url = format!("{s}/Users?count=100&startIndex={}", 1 + (i * 100) % 5000);
                async move { ok(c.get(url), 200).await }
            })
            .await,
        ));
        let s = server.base.clone();
        let p = phase.to_owned();
        rows.push((
            phase.into(),
            drive("POST /Users", conns, secs, move |i, c| {
                let body = json!({"userName": format!("post-{p}-{i}@example.com")});
                let url = format!("{s}/Users");
                async move { ok(c.post(url).json(&body), 201).await }
            })
            .await,
        ));
        let s = server.base.clone();
        let i2 = ids.clone();
        rows.push((
            phase.into(),
            drive("PATCH /Users/{id} deactivate", conns, secs, move |i, c| {
                let url = format!("{s}/Users/{}", i2[i * 7919 % i2.len()]);
                let body = json!({"Operations": [{"op": "replace", "value": {"active": false}}]});
                async move { ok(c.patch(url).json(&body), 200).await }
            })
            .await,
        ));
        for (label, gid, size) in [("100", small.clone(), 100usize), (phase, big.clone(), ids.len())] {
            let s = server.base.clone();
            let i2 = ids.clone();
            rows.push((
                phase.into(),
                drive(&format!("PATCH group of {label}: add+remove 1"), conns, secs, move |i, c| {
                    // Alternate: add a member not yet in the group, then remove it again.
                    let id = i2[(size + i / 2) % i2.len()].clone();
                    let op = if i % 2 == 0 {
                        json!({"op": "add", "path": "members", "value": [{"value": id}]})
                    } else {
                        json!({"op": "remove", "path": format!("members[value eq \"{id}\"]")})
                    };
                    let url = format!("{s}/Groups/{gid}?excludedAttributes=members");
                    let body = json!({"Operations": [op]});
                    async move { ok(c.patch(url).json(&body), 200).await }
                })
                .await,
            ));
        }
    }
    println!(
        "\n{:<6} {:<40} {:>10} {:>10} {:>10} {:>9} {:>7}",
        "phase", "request", "req/s", "p50", "p99", "vs hyper", "errors"
    );
    for (phase, r) in &rows {
        println!(
            "{:<6} {:<40} {:>10.0} {:>10.2?} {:>10.2?} {:>8.1}% {:>7}",
            phase,
            r.name,
            r.rps,
            r.p50,
            r.p99,
            100.0 * r.rps / baseline_rps,
            r.errors
        );
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
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
