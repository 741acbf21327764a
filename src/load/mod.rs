//! `scimcheck load`: will a SCIM server hold up when an IdP syncs tens of thousands of users?
//!
//! Bounded phases of IdP-shaped traffic against any server, each with a figure and a verdict
//! against a stated threshold and where it comes from ([`phases`]); a report in the terminal, as
//! JSON and as HTML ([`report`]). Everything it creates is named with a run prefix and removed at
//! the end (also after Ctrl-C, through [`Created`]). The generator ([`driver`]) is the one
//! `scimcheck bench` measures the reference server with.

mod concurrency;
pub mod driver;
pub mod listed;
pub mod phases;
pub mod plot;
pub mod report;
mod scale;
pub mod tenants;

use driver::{Req, Target};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What `scimcheck load` was asked to do.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub base_url: String,
    pub headers: Vec<(String, String)>,
    pub insecure: bool,
    /// The sustained request rate (requests per second).
    pub rate: f64,
    /// How long the sustained phase runs; other timed phases run a fraction of it.
    pub duration: Duration,
    /// The most users the run creates (the membership phase sizes are capped by it).
    pub max_users: usize,
    /// Allow a target that is not on this machine.
    pub accept_remote: bool,
    /// Run only these phases (all when empty).
    pub only: Vec<phases::Phase>,
    /// Names everything the run creates (`load-1a2b3c4d`).
    pub prefix: String,
    /// How many tenants the tenants phase creates and drives (0: the phase does not run).
    pub tenants: usize,
    /// The default tenant's admin token of a scimcheck server (to create the tenants).
    pub admin_token: Option<String>,
    /// Tenants that exist already (`--tenants-file`), driven instead of created ones.
    pub listed: Vec<listed::Listed>,
}

impl LoadOptions {
    /// The defaults of `scimcheck load` for a base URL.
    pub fn new(base_url: &str) -> LoadOptions {
        LoadOptions {
            base_url: base_url.trim_end_matches('/').to_owned(),
            headers: Vec::new(),
            insecure: false,
            rate: 25.0,
            duration: Duration::from_secs(10),
            max_users: 11_000,
            accept_remote: false,
            only: Vec::new(),
            prefix: format!("load-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]),
            tenants: 0,
            admin_token: None,
            listed: Vec::new(),
        }
    }
}

/// How a phase ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    /// A finding that breaks no stated rule but that IdP traffic will meet.
    Warn,
    Fail,
    /// Not run here (what it needs is not advertised, or the bounds are too small).
    Skip,
}

/// One phase's result.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseResult {
    pub name: &'static str,
    /// The measured figure, in words (`31.2 req/s, p50 4 ms, p99 12 ms, 0.0% errors`).
    pub figure: String,
    pub verdict: Verdict,
    /// The threshold and where it comes from.
    pub threshold: &'static str,
    /// Why the verdict is what it is.
    pub detail: String,
    pub seconds: f64,
    /// The curves behind the figure (drawn in the HTML report).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub charts: Vec<plot::Chart>,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    pub target: String,
    /// Names everything the run created (`load-1a2b3c4d-…`).
    pub prefix: String,
    pub started: String,
    pub phases: Vec<PhaseResult>,
    /// Resources created and removed again.
    pub created: usize,
    pub left_behind: usize,
    /// Requests outside the timed phases answered 429 (each retried after its Retry-After).
    pub throttled: u64,
}

impl LoadReport {
    pub fn failed(&self) -> bool {
        self.phases.iter().any(|p| p.verdict == Verdict::Fail)
    }
}

/// A path, the `Authorization` to remove it with when not the target's, and its origin when
/// not the target's (a listed tenant on another host).
type Made = (String, Option<Arc<str>>, Option<Arc<str>>);

/// A path to remove and the `Authorization` to remove it with, on a known origin.
type Removal = (String, Option<Arc<str>>);

/// What the run created and has not removed yet, for cleanup at the end or after Ctrl-C: each
/// path with the `Authorization` value to remove it with (another tenant's key) and its origin
/// (a listed tenant on another host), where not the target's.
#[derive(Debug, Clone, Default)]
pub struct Created {
    paths: Arc<Mutex<Vec<Made>>>,
    total: Arc<std::sync::atomic::AtomicUsize>,
}

impl Created {
    pub fn add(&self, path: String) {
        self.push((path, None, None));
    }

    /// A resource of another tenant, removed with its key, on `elsewhere`'s origin when given.
    pub fn add_as(&self, path: String, auth: &Arc<str>, elsewhere: Option<&Target>) {
        self.push((path, Some(auth.clone()), elsewhere.map(|t| Arc::from(t.origin.as_str()))));
    }

    fn push(&self, made: Made) {
        self.total.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.paths.lock().unwrap_or_else(|p| p.into_inner()).push(made);
    }

    pub fn forget(&self, path: &str) {
        self.paths.lock().unwrap_or_else(|p| p.into_inner()).retain(|(p, ..)| p != path);
    }

    /// Deletes everything left, groups first, on eight connections per origin; returns
    /// (deleted, still there).
    pub async fn remove_all(&self, target: &Target) -> (usize, usize) {
        let paths = std::mem::take(&mut *self.paths.lock().unwrap_or_else(|p| p.into_inner()));
        let mut by_origin: std::collections::BTreeMap<Option<Arc<str>>, Vec<Removal>> = Default::default();
        for (path, auth, origin) in paths {
            by_origin.entry(origin).or_default().push((path, auth));
        }
        let (mut done, mut left) = (0, 0);
        for (origin, paths) in by_origin {
            let here = match origin.map(|o| target.elsewhere(&o)).transpose() {
                Ok(t) => t.unwrap_or_else(|| target.clone()),
                Err(_) => {
                    left += paths.len();
                    continue;
                }
            };
            let (d, l) = Created::remove_on(&here, paths).await;
            done += d;
            left += l;
        }
        (done, left)
    }

    /// Deletes `paths` on one origin, groups first, on eight connections.
    async fn remove_on(target: &Target, paths: Vec<Removal>) -> (usize, usize) {
        let (groups, users): (Vec<_>, Vec<_>) = paths.into_iter().partition(|(p, _)| p.contains("/Groups/"));
        let (mut done, mut left) = (0, 0);
        for batch in [groups, users] {
            let batch = Arc::new(batch);
            let mut tasks = Vec::new();
            for c in 0..8 {
                let (batch, target) = (batch.clone(), target.clone());
                tasks.push(tokio::spawn(async move {
                    let (mut done, mut left) = (0, 0);
                    let Ok(mut conn) = target.connect().await else {
                        return (0, batch.iter().skip(c).step_by(8).count());
                    };
                    for (p, auth) in batch.iter().skip(c).step_by(8) {
                        let req = Req { auth: auth.clone(), ..Req::delete(p.clone()) };
                        // A throttled delete waits for Retry-After and tries again (five times).
                        let mut tries = 0;
                        loop {
                            match conn.send(&target, &req).await {
                                Ok(r) if matches!(r.status, 200 | 204 | 404) => done += 1,
                                Ok(r) if r.status == 429 && tries < 5 => {
                                    tries += 1;
                                    let wait = r.retry_after.unwrap_or(1).min(60);
                                    tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
                                    continue;
                                }
                                _ => left += 1,
                            }
                            break;
                        }
                    }
                    (done, left)
                }));
            }
            for t in tasks {
                let (d, l) = t.await.unwrap_or((0, 0));
                done += d;
                left += l;
            }
        }
        (done, left)
    }

    /// Everything ever added, removed or not.
    pub fn total(&self) -> usize {
        self.total.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// What is still to remove.
    pub fn len(&self) -> usize {
        self.paths.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Refuses a target that is not this machine unless the user said so.
pub fn check_target(base_url: &str, accept_remote: bool) -> Result<(), String> {
    let u = reqwest::Url::parse(base_url).map_err(|_| format!("--base-url '{base_url}' is not a URL"))?;
    let local = match u.host_str() {
        Some("localhost") => true,
        Some(h) => h.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|a| a.is_loopback()),
        None => false,
    };
    if local || accept_remote {
        Ok(())
    } else {
        Err(format!(
            "{base_url} is not on this machine: a load test can disturb a production service; pass --i-accept-load to run it anyway"
        ))
    }
}

fn target(opts: &LoadOptions) -> Result<(Target, reqwest::Client), String> {
    let client = crate::suite::http_client(opts.insecure)?;
    Ok((Target::new(&opts.base_url, opts.headers.clone(), client.clone())?, client))
}

/// Removes what an interrupted run created; (removed, left).
pub async fn cleanup(opts: &LoadOptions, created: &Created) -> (usize, usize) {
    match target(opts) {
        Ok((t, _)) => {
            let (done, left) = created.remove_all(&t).await;
            (done + sweep(opts, &t).await, left)
        }
        Err(_) => (0, created.len()),
    }
}

/// Deletes users and groups named with the run's prefix that the run has no id for (a create
/// whose answer was cut off by Ctrl-C); needs `sw` filters, and does nothing without them.
async fn sweep(opts: &LoadOptions, target: &Target) -> usize {
    let base =
        reqwest::Url::parse(&opts.base_url).map(|u| u.path().trim_end_matches('/').to_owned()).unwrap_or_default();
    let Ok(mut conn) = target.connect().await else { return 0 };
    let mut removed = 0;
    for (kind, attr) in [("Groups", "displayName"), ("Users", "userName")] {
        // Each round deletes what the first page shows, so the next round asks for page one again.
        for _ in 0..1_000 {
            let q = format!("{base}/{kind}?filter={attr}%20sw%20%22{}%22&attributes=id&count=100", opts.prefix);
            let Ok(r) = conn.send(target, &Req::get(q)).await else { break };
            let ids: Vec<String> = r.json()["Resources"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x["id"].as_str().map(str::to_owned))
                .collect();
            if r.status != 200 || ids.is_empty() {
                break;
            }
            for id in ids {
                let del = Req::delete(format!("{base}/{kind}/{id}"));
                if conn.send(target, &del).await.is_ok_and(|r| r.status == 204) {
                    removed += 1;
                }
            }
        }
    }
    removed
}

/// Runs the phases; `progress` hears each phase's number and name as it starts.
pub async fn run(
    opts: &LoadOptions,
    created: &Created,
    progress: &(dyn Fn(usize, usize, &str) + Sync),
) -> Result<LoadReport, String> {
    check_target(&opts.base_url, opts.accept_remote)?;
    let (target, client) = target(opts)?;
    crate::suite::preflight::check(&client, &opts.base_url, &opts.headers).await?;
    let base_path =
        reqwest::Url::parse(&opts.base_url).map_err(|e| e.to_string())?.path().trim_end_matches('/').to_owned();
    let discovery = crate::suite::discovery::discover(&client, &opts.base_url, &opts.headers, None).await;
    let ctx = phases::Ctx {
        target,
        base: base_path,
        prefix: opts.prefix.clone(),
        opts: opts.clone(),
        created: created.clone(),
        discovery: Arc::new(discovery),
        throttled: Arc::default(),
        charts: Arc::default(),
    };
    let started = crate::clock::now();
    let mut results = Vec::new();
    // The tenants phase runs when asked for: it creates tenants, not only users.
    let asked = |p: &phases::Phase| match p {
        phases::Phase::Tenants => opts.tenants > 0 || opts.only.contains(p),
        _ => opts.only.is_empty() || opts.only.contains(p),
    };
    let chosen: Vec<phases::Phase> = phases::ALL.into_iter().filter(asked).collect();
    for (i, phase) in chosen.iter().enumerate() {
        progress(i + 1, chosen.len(), phase.name());
        let t = std::time::Instant::now();
        let mut r = phase.run(&ctx).await;
        r.seconds = t.elapsed().as_secs_f64();
        results.push(r);
    }
    let n = created.total();
    let (_, left) = created.remove_all(&ctx.target).await;
    sweep(opts, &ctx.target).await;
    Ok(LoadReport {
        target: opts.base_url.clone(),
        prefix: ctx.prefix.clone(),
        started,
        phases: results,
        created: n,
        left_behind: left,
        throttled: ctx.throttled.load(std::sync::atomic::Ordering::Relaxed),
    })
}
