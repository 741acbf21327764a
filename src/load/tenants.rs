//! Many tenants at once (`bench --tenants N`, `load --tenants N`): N tenants of a scimcheck
//! server, each with its own API key, users and group, driven together at a paced rate per
//! tenant with the request mix an IdP's steady sync sends, and judged per tenant.
//!
//! Tenants are created through the default tenant's admin API (so this needs a scimcheck
//! server and its admin token), or named in a file with their tokens, on any server
//! ([`super::listed`]). Each tenant is driven on its own connection (past
//! [`MAX_CONNS`] tenants, a connection serves several in turn), so a tenant's requests are
//! sequential as one IdP job's are.
//! Latency is measured from when a request was due, not when it was sent: a server that falls
//! behind shows its queue in the figures instead of slowing the generator down (open loop).
//! A run may start with a warm-up at the same load, whose requests are sent but counted apart:
//! a thousand jobs starting in the same instant is a start, not the sustained load measured.

use super::driver::{Req, Resp, Target};
use hdrhistogram::Histogram;
use serde::Serialize;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The most connections a tenants run opens: one per tenant up to this, then tenants share
/// (the reference server accepts 1,024 at once by default).
pub const MAX_CONNS: usize = 1000;

/// One tenant, ready to drive.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub name: String,
    /// `Bearer <its SCIM key>`.
    pub auth: Arc<str>,
    /// Its SCIM base path, `/t/<name>/scim/v2`.
    pub base: String,
    /// `(id, userName, externalId)` of its seeded users.
    pub users: Vec<(String, String, String)>,
    pub group: String,
    /// Where the users the run's creates make are recorded for removal, for a tenant that is
    /// not removed whole at the end (`--tenants-file`).
    pub made: Option<super::Created>,
    /// The tenant's own target, when it is on another origin than the run's (`--tenants-file`).
    pub target: Option<Target>,
}

/// The mix, out of 20 requests: 7 `userName eq` lookups, 3 `externalId eq` lookups (Entra's
/// matching), 7 reads by id, 1 create, 1 path-less deactivation (or reactivation), 1 member
/// add or remove on the tenant's group. Reads 85%, durable writes 15%.
pub const MIX: &str = "35% userName eq, 15% externalId eq, 35% GET by id, 5% create, 5% path-less (de)activation PATCH, 5% one-member group PATCH";

/// Creates `n` tenants named `<prefix>-<i>` with `users` users each (one /Bulk) and a group of
/// up to 10 of them, 8 tenants at a time. `admin` carries the default tenant's admin token.
pub async fn provision(admin: &Target, prefix: &str, n: usize, users: usize) -> Result<Vec<Tenant>, String> {
    let mut out = Vec::with_capacity(n);
    for chunk in (0..n).collect::<Vec<_>>().chunks(8) {
        let mut tasks = Vec::new();
        for &i in chunk {
            let (admin, name) = (admin.clone(), format!("{prefix}-{i}"));
            tasks.push(tokio::spawn(async move { provision_one(&admin, &name, users).await }));
        }
        for t in tasks {
            out.push(t.await.map_err(|e| e.to_string())??);
        }
    }
    Ok(out)
}

async fn provision_one(admin: &Target, name: &str, users: usize) -> Result<Tenant, String> {
    let mut conn = admin.connect().await?;
    let expect = |r: Resp, want: u16, what: &str| -> Result<Value, String> {
        if r.status == want {
            Ok(r.json())
        } else {
            Err(format!("{what} for tenant {name}: {} {}", r.status, String::from_utf8_lossy(&r.body)))
        }
    };
    let r = conn.send(admin, &Req::with_body("POST", "/admin/v1/tenants", &json!({"name": name}))).await?;
    let token: Arc<str> =
        format!("Bearer {}", expect(r, 201, "creating the tenant")?["admin_token"].as_str().unwrap_or("")).into();
    let tadmin = format!("/t/{name}/admin/v1");
    let body = json!({"name": "idp", "privileges": ["scim_provisioner"]});
    let r =
        conn.send(admin, &Req::with_body("POST", format!("{tadmin}/service-users"), &body).authorized(&token)).await?;
    let user_id = expect(r, 201, "creating its service user")?["id"].as_str().unwrap_or("").to_owned();
    let body = json!({"user_id": user_id});
    let r = conn.send(admin, &Req::with_body("POST", format!("{tadmin}/api-keys"), &body).authorized(&token)).await?;
    let key = expect(r, 201, "creating its API key")?["token"].as_str().unwrap_or("").to_owned();
    let auth: Arc<str> = format!("Bearer {key}").into();
    let base = format!("/t/{name}/scim/v2");
    let ops: Vec<Value> = (0..users)
        .map(|i| {
            json!({"method": "POST", "path": "/Users", "bulkId": format!("u{i}"),
                "data": {"userName": format!("{name}-u{i}@example.com"), "externalId": format!("{name}-x{i}"),
                    "name": {"givenName": "Tenant", "familyName": format!("U{i}")}, "active": true,
                    "emails": [{"value": format!("{name}-u{i}@example.com"), "type": "work", "primary": true}]}})
        })
        .collect();
    let bulk = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": ops});
    let r = conn.send(admin, &Req::with_body("POST", format!("{base}/Bulk"), &bulk).authorized(&auth)).await?;
    let answer = expect(r, 200, "seeding its users")?;
    let mut seeded = Vec::with_capacity(users);
    for (i, op) in answer["Operations"].as_array().into_iter().flatten().enumerate() {
        let id = op["location"].as_str().and_then(|l| l.rsplit('/').next()).unwrap_or("").to_owned();
        if op["status"] != "201" || id.is_empty() {
            return Err(format!("seeding user {i} of tenant {name}: {op}"));
        }
        seeded.push((id, format!("{name}-u{i}@example.com"), format!("{name}-x{i}")));
    }
    let members: Vec<Value> = seeded.iter().take(10).map(|(id, ..)| json!({"value": id})).collect();
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": format!("{name}-staff"), "members": members});
    let r = conn.send(admin, &Req::with_body("POST", format!("{base}/Groups"), &body).authorized(&auth)).await?;
    let group = expect(r, 201, "creating its group")?["id"].as_str().unwrap_or("").to_owned();
    Ok(Tenant { name: name.to_owned(), auth, base, users: seeded, group, made: None, target: None })
}

/// A PATCH may answer 200 with the resource or 204 without it (RFC 7644 §3.5.2).
const PATCHED: &[u16] = &[200, 204];

/// The `k`-th request of a tenant (`run` tells runs apart, so creates never repeat a name), and
/// the statuses that answer it successfully.
pub fn request(t: &Tenant, k: u64, run: &str) -> (Req, &'static [u16]) {
    let n = t.users.len().max(1);
    let (id, user_name, external_id) = &t.users[(k as usize * 7 + 3) % n];
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let patch = |op: Value| json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [op]});
    let (req, want): (Req, &'static [u16]) = match k % 20 {
        0..=6 => {
            let f = enc(&format!("userName eq \"{user_name}\""));
            (Req::get(format!("{}/Users?filter={f}&startIndex=1&count=100", t.base)), &[200])
        }
        7..=9 => {
            (Req::get(format!("{}/Users?filter={}", t.base, enc(&format!("externalId eq \"{external_id}\"")))), &[200])
        }
        10..=16 => (Req::get(format!("{}/Users/{id}", t.base)), &[200]),
        17 => {
            let name = format!("{}-{run}-{k}@example.com", t.name);
            let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": name, "externalId": format!("{run}-{k}"), "active": true});
            (Req::with_body("POST", format!("{}/Users", t.base), &body), &[201])
        }
        18 => {
            let body = patch(json!({"op": "replace", "value": {"active": (k / 20) % 2 == 1}}));
            (Req::with_body("PATCH", format!("{}/Users/{id}", t.base), &body), PATCHED)
        }
        _ => {
            // A user outside the first ten (the group's seed members) goes in, then out again.
            let (other, ..) = &t.users[(10 + (k / 40) as usize) % n];
            let op = if (k / 20).is_multiple_of(2) {
                json!({"op": "add", "path": "members", "value": [{"value": other}]})
            } else {
                json!({"op": "remove", "path": format!("members[value eq \"{other}\"]")})
            };
            (Req::with_body("PATCH", format!("{}/Groups/{}", t.base, t.group), &patch(op)), PATCHED)
        }
    };
    (req.authorized(&t.auth), want)
}

/// One tenant's figures.
#[derive(Debug, Clone, Serialize)]
pub struct TenantFigures {
    pub name: String,
    pub requests: u64,
    pub errors: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// A run of many tenants.
#[derive(Debug, Clone, Serialize)]
pub struct TenantRun {
    pub tenants: usize,
    pub rate_per_tenant: f64,
    pub seconds: f64,
    pub requests: u64,
    pub errors: u64,
    /// Creates and PATCHes answered with success: each made durable before its answer.
    pub durable_writes: u64,
    /// Measured requests that had to open a new connection, the server having closed the last
    /// (`Connection: close`, HTTP/1.0): their latency includes the TCP handshake.
    pub new_connections: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The warm-up before the measured run, in seconds (0 for none), and its p99 in ms.
    pub warmup_seconds: f64,
    pub warmup_p99_ms: f64,
    /// Per tenant, in the order they were created.
    pub per_tenant: Vec<TenantFigures>,
}

impl TenantRun {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds.max(1e-9)
    }
    /// `(median tenant's p99, slowest tenant's p99)` in ms.
    pub fn p99_spread(&self) -> (f64, f64) {
        let mut p99: Vec<f64> = self.per_tenant.iter().map(|t| t.p99_ms).collect();
        p99.sort_by(f64::total_cmp);
        (p99.get(p99.len() / 2).copied().unwrap_or(0.0), p99.last().copied().unwrap_or(0.0))
    }
    /// Tenants that got fewer than 90% of the requests offered to them.
    pub fn starved(&self) -> usize {
        let offered = self.rate_per_tenant * self.seconds;
        self.per_tenant.iter().filter(|t| (t.requests as f64) < 0.9 * offered).count()
    }
}

/// What one tenant's connection counted: requests, errors, durable writes, latencies.
type Counted = (u64, u64, u64, Histogram<u32>);

/// What one connection counted: each of its tenants' figures, the warm-up's latencies, and its
/// measured requests that opened a new connection.
type ConnFigures = (Vec<(usize, Counted)>, Histogram<u32>, u64);

fn histogram() -> Histogram<u32> {
    Histogram::<u32>::new_with_bounds(1, 60_000_000, 2).expect("valid bounds")
}

fn ms(h: &Histogram<u32>, q: f64) -> f64 {
    h.value_at_quantile(q) as f64 / 1000.0
}

/// Which tenants each connection serves: round robin, except that a connection serves tenants
/// of one origin only, each origin getting its share of the `conns` connections (at least one).
fn assign(tenants: &[Tenant], conns: usize) -> Vec<Vec<usize>> {
    let mut groups: Vec<(Option<&str>, Vec<usize>)> = Vec::new();
    for (i, t) in tenants.iter().enumerate() {
        let origin = t.target.as_ref().map(|t| t.origin.as_str());
        match groups.iter_mut().find(|(o, _)| *o == origin) {
            Some((_, g)) => g.push(i),
            None => groups.push((origin, vec![i])),
        }
    }
    let n = tenants.len().max(1);
    let mut out = Vec::new();
    for (_, g) in groups {
        let share = (g.len() * conns / n).clamp(1, g.len());
        out.extend((0..share).map(|c| g.iter().skip(c).step_by(share).copied().collect::<Vec<_>>()));
    }
    out
}

/// Drives every tenant at `rate` requests/s for `warmup` and then `duration` over `conns`
/// connections; only the requests due after the warm-up are counted.
pub async fn drive(
    target: &Target,
    tenants: Arc<Vec<Tenant>>,
    rate: f64,
    (warmup, duration): (Duration, Duration),
    conns: usize,
) -> Result<TenantRun, String> {
    let assigned = assign(&tenants, conns.clamp(1, tenants.len().max(1)));
    let conns = assigned.len();
    let run = uuid::Uuid::new_v4().simple().to_string()[..6].to_owned();
    // Every connection is open before the clock starts: a thousand connects at once would
    // otherwise be measured too (a SYN dropped from a full accept queue waits a second).
    let connected = Arc::new(tokio::sync::Barrier::new(conns + 1));
    let (start_tx, start_rx) = tokio::sync::watch::channel(None::<Instant>);
    let mut tasks = Vec::new();
    for (c, mine) in assigned.into_iter().enumerate() {
        let target = tenants[mine[0]].target.clone().unwrap_or_else(|| target.clone());
        let (tenants, run) = (tenants.clone(), run.clone());
        let (connected, mut start_rx) = (connected.clone(), start_rx.clone());
        tasks.push(tokio::spawn(async move {
            let interval = Duration::from_secs_f64(1.0 / (rate * mine.len() as f64).max(1e-9));
            let opened = target.connect().await;
            connected.wait().await;
            let mut conn = opened?;
            let started = loop {
                if let Some(at) = *start_rx.borrow_and_update() {
                    break at;
                }
                if start_rx.changed().await.is_err() {
                    return Err("the run was abandoned".to_owned());
                }
            };
            let measured = started + warmup;
            let deadline = measured + duration;
            let mut figures: Vec<Counted> = mine.iter().map(|_| (0, 0, 0, histogram())).collect();
            let (mut warming, mut reopened) = (histogram(), 0u64);
            // Staggered, so that the connections do not all send at the same instant.
            let mut due = started + interval.mul_f64(c as f64 / conns as f64);
            let mut turn = 0usize;
            // Requests still due when the time is up are not sent: they count against the
            // tenant (a server that fell behind starves someone), not as extra time.
            while due < deadline && Instant::now() < deadline {
                tokio::time::sleep_until(due.into()).await;
                let slot = turn % mine.len();
                let k = (turn / mine.len()) as u64;
                // Each tenant starts at its own place in the mix: IdP jobs are not in step,
                // and tenants all writing in the same instant would measure the generator.
                let phase = (mine[slot] as u64 * 7) % 20;
                let tenant = &tenants[mine[slot]];
                let (req, want) = request(tenant, k + phase, &run);
                let reopens = conn.closed();
                let answer = conn.send(&target, &req).await;
                let late = due.elapsed().as_micros().max(1) as u64;
                let ok = matches!(&answer, Ok(r) if want.contains(&r.status));
                if let (true, [201], Some(made), Ok(r)) = (ok, want, &tenant.made, &answer)
                    && let Some(id) = r.json()["id"].as_str()
                {
                    made.add_as(format!("{}/Users/{id}", tenant.base), &tenant.auth, tenant.target.as_ref());
                }
                if due < measured {
                    let _ = warming.record(late);
                } else {
                    reopened += u64::from(reopens);
                    let f = &mut figures[slot];
                    let _ = f.3.record(late);
                    f.0 += 1;
                    if ok {
                        f.2 += u64::from(req.method != "GET");
                    } else {
                        f.1 += 1;
                    }
                }
                if answer.is_err() {
                    conn = target.connect().await?;
                }
                turn += 1;
                due += interval;
            }
            Ok::<ConnFigures, String>((mine.into_iter().zip(figures).collect(), warming, reopened))
        }));
    }
    connected.wait().await;
    let started = Instant::now();
    let _ = start_tx.send(Some(started));
    let mut per: Vec<Option<Counted>> = vec![None; tenants.len()];
    let (mut warming, mut new_connections) = (histogram(), 0);
    for t in tasks {
        let (figures, w, reopened) = t.await.map_err(|e| e.to_string())??;
        let _ = warming.add(&w);
        new_connections += reopened;
        for (i, f) in figures {
            per[i] = Some(f);
        }
    }
    let seconds = (started.elapsed().saturating_sub(warmup)).as_secs_f64();
    let mut all = histogram();
    let mut run = TenantRun {
        tenants: tenants.len(),
        rate_per_tenant: rate,
        seconds,
        requests: 0,
        errors: 0,
        durable_writes: 0,
        new_connections,
        p50_ms: 0.0,
        p99_ms: 0.0,
        warmup_seconds: warmup.as_secs_f64(),
        warmup_p99_ms: if warming.is_empty() { 0.0 } else { ms(&warming, 0.99) },
        per_tenant: Vec::with_capacity(tenants.len()),
    };
    for (t, f) in tenants.iter().zip(per) {
        let (n, e, w, h) = f.unwrap_or_else(|| (0, 0, 0, histogram()));
        let _ = all.add(&h);
        run.requests += n;
        run.errors += e;
        run.durable_writes += w;
        run.per_tenant.push(TenantFigures {
            name: t.name.clone(),
            requests: n,
            errors: e,
            p50_ms: ms(&h, 0.5),
            p99_ms: ms(&h, 0.99),
        });
    }
    run.p50_ms = ms(&all, 0.5);
    run.p99_ms = ms(&all, 0.99);
    Ok(run)
}

/// The tenants phase of `scimcheck load`: creates `--tenants N` tenants (12 users each), or
/// gives the `--tenants-file` tenants 12 users each, drives them at `--rate` each for
/// `--duration`, judges them, and removes what it made.
pub(super) async fn phase(ctx: &super::phases::Ctx) -> super::phases::Outcome {
    use super::Verdict;
    let n = ctx.opts.tenants;
    if !ctx.opts.listed.is_empty() {
        let prefix = format!("{}-t", ctx.prefix);
        return match super::listed::seed(&ctx.target, &ctx.opts.listed, &prefix, 12, &ctx.created).await {
            Err(e) => Err(format!("giving the listed tenants their users: {e}")),
            Ok(tenants) => {
                let conns = tenants.len().min(MAX_CONNS);
                drive(&ctx.target, Arc::new(tenants), ctx.opts.rate, (Duration::ZERO, ctx.opts.duration), conns)
                    .await
                    .map(|run| judge(ctx, &run))
            }
        };
    }
    let Some(admin_token) = ctx.opts.admin_token.clone().filter(|_| n > 0) else {
        return Ok((
            Verdict::Skip,
            "–".into(),
            "give --tenants N and the default tenant's --admin-token of a scimcheck server (the embedded one needs neither token), or --tenants-file FILE with the base URL and token of tenants that exist".into(),
        ));
    };
    let mut admin = ctx.target.clone();
    admin.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("authorization"));
    admin.headers.push(("authorization".into(), format!("Bearer {admin_token}")));
    let prefix = format!("{}-t", ctx.prefix);
    let made = provision(&admin, &prefix, n, 12).await;
    let outcome = match &made {
        Err(e) => Err(format!("creating the tenants: {e}")),
        Ok(tenants) => {
            let conns = n.min(MAX_CONNS);
            drive(&admin, Arc::new(tenants.clone()), ctx.opts.rate, (Duration::ZERO, ctx.opts.duration), conns)
                .await
                .map(|run| judge(ctx, &run))
        }
    };
    // The tenants go again, whatever happened (each with everything in it).
    for i in 0..n {
        let mut conn = match admin.connect().await {
            Ok(c) => c,
            Err(_) => break,
        };
        let _ = conn.send(&admin, &Req::delete(format!("/admin/v1/tenants/{prefix}-{i}"))).await;
    }
    outcome
}

fn judge(ctx: &super::phases::Ctx, run: &TenantRun) -> (super::Verdict, String, String) {
    let (median, worst) = run.p99_spread();
    let error_rate = run.errors as f64 / run.requests.max(1) as f64;
    let figure = format!(
        "{} tenants: {:.0} of {:.0} req/s offered, p50 {:.1} ms, p99 {:.1} ms, per-tenant p99 median {median:.1} ms, slowest {worst:.1} ms, {:.1}% errors",
        run.tenants,
        run.rps(),
        run.rate_per_tenant * run.tenants as f64,
        run.p50_ms,
        run.p99_ms,
        100.0 * error_rate
    );
    let mut p99: Vec<f64> = run.per_tenant.iter().map(|t| t.p99_ms).collect();
    p99.sort_by(f64::total_cmp);
    let n = p99.len().max(1) as f64;
    ctx.chart(super::plot::Chart {
        title: format!("Per-tenant p99, {} tenants sorted", run.tenants),
        x_label: "tenants (percent, by p99)".into(),
        y_label: "ms".into(),
        log_x: false,
        series: vec![("p99".into(), p99.iter().enumerate().map(|(i, v)| (100.0 * (i + 1) as f64 / n, *v)).collect())],
    });
    let starved = run.starved();
    let figure = match run.new_connections {
        0 => figure,
        n => format!("{figure}; {n} of {} requests opened a new connection", run.requests),
    };
    // A server that closes every connection makes each request pay for a new one: the reader
    // should know that the latency includes it.
    let reopened = if 2 * run.new_connections > run.requests {
        "; the server closed the connection after each answer (HTTP/1.0 or Connection: close), so the latency of every request includes a new TCP connection"
    } else {
        ""
    };
    let (verdict, detail) = if starved > 0 {
        (super::Verdict::Fail, format!("{starved} tenant(s) got under 90% of their {:.0} req/s", run.rate_per_tenant))
    } else if error_rate >= 0.01 {
        (super::Verdict::Fail, format!("{} of {} requests failed", run.errors, run.requests))
    } else if worst >= 1000.0 {
        (super::Verdict::Fail, format!("the slowest tenant's p99 is {worst:.0} ms"))
    } else {
        (super::Verdict::Pass, String::new())
    };
    let detail = if detail.is_empty() { detail } else { format!("{detail}{reopened}") };
    (verdict, figure, detail)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(target: Option<&Target>) -> Tenant {
        let (auth, users) = (Arc::from("Bearer t"), vec![]);
        Tenant {
            name: "t".into(),
            auth,
            base: "/scim/v2".into(),
            users,
            group: "g".into(),
            made: None,
            target: target.cloned(),
        }
    }

    /// On one origin the connections take the tenants in turn; across origins a connection
    /// never mixes two, and each origin gets its share of the connections.
    #[test]
    fn a_connection_serves_tenants_of_one_origin_in_turn() {
        let same: Vec<Tenant> = (0..5).map(|_| tenant(None)).collect();
        assert_eq!(assign(&same, 2), [vec![0, 2, 4], vec![1, 3]]);
        assert_eq!(assign(&same, 5), [vec![0], vec![1], vec![2], vec![3], vec![4]]);
        let client = crate::suite::http_client(false).unwrap();
        let other = Target::new("https://acme.example.com/scim/v2", vec![], client).unwrap();
        let mixed: Vec<Tenant> = (0..6).map(|i| tenant((i % 3 == 2).then_some(&other))).collect();
        assert_eq!(assign(&mixed, 3), [vec![0, 3], vec![1, 4], vec![2, 5]]);
        assert_eq!(assign(&mixed, 6), [vec![0], vec![1], vec![3], vec![4], vec![2], vec![5]]);
    }
}
