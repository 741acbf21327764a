//! The phases of `scimcheck load`, each bounded in count and time, each with a figure and a
//! verdict against a threshold that says where it comes from.

use super::driver::{self, Pace, Req, Resp, Target};
use super::{Created, LoadOptions, PhaseResult, Verdict};
use super::{concurrency, scale};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What every phase works with.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub target: Target,
    /// The SCIM base path (`/scim/v2`).
    pub base: String,
    /// Names everything the run creates.
    pub prefix: String,
    pub opts: LoadOptions,
    pub created: Created,
    pub discovery: Arc<crate::suite::discovery::Discovery>,
    /// 429 answers met outside the driven phases.
    pub throttled: Arc<AtomicU64>,
    /// Curves the running phase drew (taken into its result).
    pub charts: Arc<std::sync::Mutex<Vec<super::plot::Chart>>>,
}

impl Ctx {
    /// Keeps a chart for the running phase's result.
    pub fn chart(&self, chart: super::plot::Chart) {
        self.charts.lock().unwrap_or_else(|p| p.into_inner()).push(chart);
    }
}

/// The phases, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    ReadAfterWrite,
    Sustained,
    Ramp,
    ConcurrentCreates,
    ConcurrentMemberAdds,
    ConcurrentIfMatch,
    Membership,
    Paging,
    /// Many tenants at once; runs only when asked for (`--tenants N`).
    Tenants,
}

pub const ALL: [Phase; 9] = [
    Phase::ReadAfterWrite,
    Phase::Sustained,
    Phase::Ramp,
    Phase::ConcurrentCreates,
    Phase::ConcurrentMemberAdds,
    Phase::ConcurrentIfMatch,
    Phase::Membership,
    Phase::Paging,
    Phase::Tenants,
];

impl Phase {
    /// The short name `--phase` takes.
    pub fn key(self) -> &'static str {
        match self {
            Phase::ReadAfterWrite => "read-after-write",
            Phase::Sustained => "sustained",
            Phase::Ramp => "ramp",
            Phase::ConcurrentCreates => "creates",
            Phase::ConcurrentMemberAdds => "member-adds",
            Phase::ConcurrentIfMatch => "if-match",
            Phase::Membership => "membership",
            Phase::Paging => "paging",
            Phase::Tenants => "tenants",
        }
    }

    /// A phase by its short name; the error lists them.
    pub fn parse(key: &str) -> Result<Phase, String> {
        ALL.into_iter().find(|p| p.key() == key).ok_or_else(|| {
            let keys: Vec<&str> = ALL.iter().map(|p| p.key()).collect();
            format!("unknown phase '{key}'; the phases are {}", keys.join(", "))
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Phase::ReadAfterWrite => "read after write",
            Phase::Sustained => "sustained IdP traffic",
            Phase::Ramp => "highest rate held",
            Phase::ConcurrentCreates => "concurrent creates of one userName",
            Phase::ConcurrentMemberAdds => "concurrent member adds",
            Phase::ConcurrentIfMatch => "concurrent If-Match writes",
            Phase::Membership => "membership PATCH latency by group size",
            Phase::Paging => "paging while others write",
            Phase::Tenants => "many tenants at once",
        }
    }

    pub async fn run(self, ctx: &Ctx) -> PhaseResult {
        let out = match self {
            Phase::ReadAfterWrite => read_after_write(ctx).await,
            Phase::Sustained => sustained(ctx).await,
            Phase::Ramp => ramp(ctx).await,
            Phase::ConcurrentCreates => concurrency::concurrent_creates(ctx).await,
            Phase::ConcurrentMemberAdds => concurrency::concurrent_member_adds(ctx).await,
            Phase::ConcurrentIfMatch => concurrency::concurrent_if_match(ctx).await,
            Phase::Membership => scale::membership(ctx).await,
            Phase::Paging => scale::paging(ctx).await,
            Phase::Tenants => super::tenants::phase(ctx).await,
        };
        let (threshold, (verdict, figure, detail)) =
            (self.threshold(), out.unwrap_or_else(|e| (Verdict::Fail, "–".into(), e)));
        let charts = std::mem::take(&mut *ctx.charts.lock().unwrap_or_else(|p| p.into_inner()));
        PhaseResult { name: self.name(), figure, verdict, threshold, detail, seconds: 0.0, charts }
    }

    fn threshold(self) -> &'static str {
        match self {
            Phase::ReadAfterWrite => {
                "a user is found by userName right after its 201 (IdPs look users up by userName to match and update them)"
            }
            Phase::Sustained => {
                "at least 90% of --rate (default 25 req/s, Entra's gallery requirement per tenant) answered, under 1% errors, no 429"
            }
            Phase::Ramp => {
                "the steady mix (lookups, reads, deactivations) doubled from 25 req/s until it no longer holds: at least 25 req/s with under 1% errors, no 429 and p99 under 1 s (Entra's gallery requirement)"
            }
            Phase::ConcurrentCreates => {
                "exactly one 201, the rest 409 uniqueness (RFC 7644 §3.3; IdPs retry creates in parallel)"
            }
            Phase::ConcurrentMemberAdds => {
                "every member added by concurrent PATCHes is there (no lost update; RFC 7644 §3.5.2)"
            }
            Phase::ConcurrentIfMatch => {
                "exactly one write with a given If-Match succeeds, the rest 412 (RFC 7644 §3.14, RFC 7232 §3.1)"
            }
            Phase::Membership => {
                "p99 under 1 s at every size, and p50 at the largest size under 20 ms or within 2x of p50 at 100 members (Okta group push times out on slow PATCHes of large groups)"
            }
            Phase::Paging => {
                "no user that existed throughout is skipped or repeated (RFC 9865 for cursors: fail; index pages may differ, RFC 7644 §3.4.2.4: warn)"
            }
            Phase::Tenants => {
                "--tenants N tenants (or those of --tenants-file), each with its own key, at --rate each with an IdP's mix: every tenant gets at least 90% of its rate, under 1% errors, the slowest tenant's p99 under 1 s (Entra's gallery asks 25 req/s of each tenant)"
            }
        }
    }
}

pub(super) type Outcome = Result<(Verdict, String, String), String>;

pub(super) fn users(ctx: &Ctx) -> String {
    format!("{}/Users", ctx.base)
}

pub(super) fn groups(ctx: &Ctx) -> String {
    format!("{}/Groups", ctx.base)
}

/// Okta's create body (its SPEC test's realistic values), with the discovered required attributes.
pub(super) fn user_body(ctx: &Ctx, name: &str) -> Value {
    let base = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": format!("{name}@example.com"),
        "name": {"givenName": "Load", "familyName": name}, "displayName": format!("Load {name}"),
        "emails": [{"primary": true, "value": format!("{name}@example.com"), "type": "work"}], "active": true});
    ctx.discovery.fixture("User", base, &ctx.prefix)
}

pub(super) fn patch_body(op: Value) -> Value {
    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [op]})
}

/// Sends one request on a fresh connection; a 429 is counted and retried after its Retry-After
/// (at most five times).
pub(super) async fn one(ctx: &Ctx, req: Req) -> Result<Resp, String> {
    let mut conn = ctx.target.connect().await?;
    let mut tries = 0;
    loop {
        let r = conn.send(&ctx.target, &req).await?;
        if r.status != 429 || tries == 5 {
            return Ok(r);
        }
        tries += 1;
        ctx.throttled.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(Duration::from_secs(r.retry_after.unwrap_or(1).min(30))).await;
    }
}

/// Creates a user (remembered for cleanup); its id.
pub(super) async fn create_user(ctx: &Ctx, name: &str) -> Result<String, String> {
    if room(ctx) == 0 {
        return Err(format!("--max-users {} reached", ctx.opts.max_users));
    }
    let r = one(ctx, Req::with_body("POST", users(ctx), &user_body(ctx, name))).await?;
    if r.status != 201 {
        return Err(format!("creating user {name} answered {}", r.status));
    }
    let id = r.json()["id"].as_str().ok_or("a created user without an id")?.to_owned();
    ctx.created.add(format!("{}/{id}", users(ctx)));
    Ok(id)
}

/// How many more users `--max-users` allows.
pub(super) fn room(ctx: &Ctx) -> usize {
    ctx.opts.max_users.saturating_sub(ctx.created.total())
}

/// Creates `n` users (fewer if `--max-users` has no room) with 8 connections at once; their ids.
pub(super) async fn create_users(ctx: &Ctx, tag: &str, n: usize) -> Result<Vec<String>, String> {
    let n = n.min(room(ctx));
    let mut ids = Vec::with_capacity(n);
    let mut tasks = Vec::new();
    for c in 0..8.min(n.max(1)) {
        let ctx = ctx.clone();
        let tag = tag.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut conn = ctx.target.connect().await?;
            let mut out = Vec::new();
            for i in (c..n).step_by(8) {
                let name = format!("{}-{tag}-{i}", ctx.prefix);
                let r = conn.send(&ctx.target, &Req::with_body("POST", users(&ctx), &user_body(&ctx, &name))).await?;
                if r.status == 429 {
                    ctx.throttled.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_secs(r.retry_after.unwrap_or(1))).await;
                    continue;
                }
                if let Some(id) = r.json()["id"].as_str() {
                    ctx.created.add(format!("{}/{id}", users(&ctx)));
                    out.push(id.to_owned());
                }
            }
            Ok::<_, String>(out)
        }));
    }
    for t in tasks {
        ids.extend(t.await.map_err(|e| e.to_string())??);
    }
    Ok(ids)
}

pub(super) async fn create_group(ctx: &Ctx, name: &str, members: &[String]) -> Result<String, String> {
    let members: Vec<Value> = members.iter().map(|m| json!({"value": m})).collect();
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": format!("{}-{name}", ctx.prefix), "members": members});
    let r = one(ctx, Req::with_body("POST", groups(ctx), &body)).await?;
    if r.status != 201 {
        return Err(format!("creating group {name} answered {}", r.status));
    }
    let id = r.json()["id"].as_str().ok_or("a created group without an id")?.to_owned();
    ctx.created.add(format!("{}/{id}", groups(ctx)));
    Ok(id)
}

fn figure(s: &driver::Stats) -> String {
    format!(
        "{:.1} req/s, p50 {:.1?}, p99 {:.1?}, {:.1}% errors{}",
        s.rps(),
        s.q(0.5),
        s.q(0.99),
        100.0 * s.error_rate(),
        if s.throttled > 0 { format!(", {} throttled (429)", s.throttled) } else { String::new() }
    )
}

async fn read_after_write(ctx: &Ctx) -> Outcome {
    if ctx.discovery.missing(&["needs-filter".into()]).is_some() {
        return Ok((Verdict::Skip, "–".into(), "the server does not advertise filter.supported".into()));
    }
    let n = 20.min(ctx.opts.max_users);
    let mut missed = Vec::new();
    for i in 0..n {
        let name = format!("{}-raw-{i}", ctx.prefix);
        create_user(ctx, &name).await?;
        let r = one(ctx, Req::get(format!("{}?filter=userName%20eq%20%22{name}%40example.com%22", users(ctx)))).await?;
        if r.json()["totalResults"] != 1 {
            missed.push(name);
        }
    }
    let verdict = if missed.is_empty() { Verdict::Pass } else { Verdict::Fail };
    Ok((
        verdict,
        format!("{} of {n} found at once", n - missed.len()),
        if missed.is_empty() { String::new() } else { format!("not found right after their 201: {missed:?}") },
    ))
}

/// The IdPs' steady traffic over users `{prefix}-{tag}-{i}` with ids `ids`: 45% lookups by
/// userName (how Okta and Entra match users), 35% reads by id, 20% deactivations and
/// reactivations (Okta's path-less PATCH).
fn steady_mix(ctx: &Ctx, tag: &str, ids: Vec<String>) -> impl Fn(usize, u64) -> Req + Send + Sync + Clone + 'static {
    let (ids, prefix, base, tag) = (Arc::new(ids), ctx.prefix.clone(), ctx.base.clone(), tag.to_owned());
    move |c: usize, k: u64| {
        let i = (c * 31 + k as usize) % ids.len();
        match k % 20 {
            0..=8 => Req::get(format!(
                "{base}/Users?filter=userName%20eq%20%22{prefix}-{tag}-{i}%40example.com%22&startIndex=1&count=100"
            )),
            9..=15 => Req::get(format!("{base}/Users/{}", ids[i])),
            _ => Req::with_body(
                "PATCH",
                format!("{base}/Users/{}", ids[i]),
                &patch_body(json!({"op": "replace", "value": {"active": k.is_multiple_of(2)}})),
            ),
        }
    }
}

async fn sustained(ctx: &Ctx) -> Outcome {
    let seeds = create_users(ctx, "s", 50.min(ctx.opts.max_users)).await?;
    if seeds.is_empty() {
        return Err("no user could be created to look up".into());
    }
    let steady = steady_mix(ctx, "s", seeds);
    let (prefix, base) = (ctx.prefix.clone(), ctx.base.clone());
    // Creates use the full create body; the name is put in per request.
    let template = user_body(ctx, "LOAD-NAME").to_string();
    let make = move |c: usize, k: u64| {
        if (14..=16).contains(&(k % 20)) {
            // 15% creates
            Req {
                method: "POST",
                path: format!("{base}/Users"),
                body: Some(template.replace("LOAD-NAME", &format!("{prefix}-sc-{c}-{k}")).into()),
                auth: None,
            }
        } else {
            steady(c, k)
        }
    };
    let rate = ctx.opts.rate;
    let conns = (rate / 10.0).ceil().clamp(1.0, 64.0) as usize;
    let pace = Pace { connections: conns, duration: ctx.opts.duration, rate: Some(rate), max_requests: None };
    // Users created under load are remembered from their 201s, for cleanup.
    let (created, users_path) = (ctx.created.clone(), users(ctx));
    let ok = move |r: &Resp| {
        if r.status == 201
            && let Some(id) = r.json()["id"].as_str()
        {
            created.add(format!("{users_path}/{id}"));
        }
        (200..300).contains(&r.status)
    };
    let stats = driver::drive(&ctx.target, pace, make, ok).await?;
    let held = stats.rps() >= 0.9 * rate;
    let verdict = if stats.error_rate() < 0.01 && stats.throttled == 0 && held { Verdict::Pass } else { Verdict::Fail };
    let detail = match (held, stats.throttled) {
        (false, _) => format!("the server answered {:.1} of the {rate} req/s asked", stats.rps()),
        (true, t) if t > 0 => format!("{t} requests were throttled (429) at {rate} req/s"),
        _ if stats.errors > 0 => format!("{} of {} requests failed", stats.errors, stats.requests),
        _ => String::new(),
    };
    Ok((verdict, figure(&stats), detail))
}

async fn ramp(ctx: &Ctx) -> Outcome {
    let seeds = create_users(ctx, "r", 20).await?;
    if seeds.is_empty() {
        return Err("no user could be created to read".into());
    }
    // The steady mix without creates: at thousands of requests per second they would exceed --max-users.
    let steady = steady_mix(ctx, "r", seeds);
    let step = (ctx.opts.duration / 4).max(Duration::from_secs(1));
    let mut best: Option<(f64, driver::Stats)> = None;
    let mut rate: f64 = 25.0;
    let mut why = String::new();
    // (offered, achieved, p50 ms, p99 ms) per step, the failing one included.
    let mut steps: Vec<(f64, f64, f64, f64)> = Vec::new();
    while rate <= 200_000.0 {
        let conns = (rate / 50.0).ceil().clamp(2.0, 64.0) as usize;
        let make = steady.clone();
        let s = driver::drive(
            &ctx.target,
            Pace { connections: conns, duration: step, rate: Some(rate), max_requests: None },
            make,
            |r| (200..300).contains(&r.status),
        )
        .await?;
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        steps.push((rate, s.rps(), ms(s.q(0.5)), ms(s.q(0.99))));
        let held =
            s.rps() >= 0.9 * rate && s.error_rate() < 0.01 && s.q(0.99) < Duration::from_secs(1) && s.throttled == 0;
        if !held {
            why = format!("at {rate:.0} req/s asked: {}", figure(&s));
            break;
        }
        best = Some((rate, s));
        rate *= 2.0;
    }
    let line = |f: fn(&(f64, f64, f64, f64)) -> f64| steps.iter().map(|p| (p.0, f(p))).collect::<Vec<_>>();
    ctx.chart(super::plot::Chart {
        title: "Achieved rate against offered rate".into(),
        x_label: "offered (req/s)".into(),
        y_label: "req/s".into(),
        log_x: true,
        series: vec![("achieved".into(), line(|p| p.1)), ("offered".into(), line(|p| p.0))],
    });
    ctx.chart(super::plot::Chart {
        title: "Latency against offered rate".into(),
        x_label: "offered (req/s)".into(),
        y_label: "ms".into(),
        log_x: true,
        series: vec![("p50".into(), line(|p| p.2)), ("p99".into(), line(|p| p.3))],
    });
    match best {
        Some((r, s)) => {
            let verdict = if r >= 25.0 { Verdict::Pass } else { Verdict::Fail };
            Ok((
                verdict,
                format!("{r:.0} req/s held: {}", figure(&s)),
                if why.is_empty() {
                    "stopped at the generator's cap".into()
                } else {
                    format!("next step failed {why}")
                },
            ))
        }
        None => Ok((Verdict::Fail, "below 25 req/s".into(), why)),
    }
}
