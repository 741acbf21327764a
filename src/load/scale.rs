//! The phases about size: membership PATCH latency as a group grows to 10,000 members, and
//! paging through users while others are written.

use super::Verdict;
use super::driver::{self, Pace, Req};
use super::phases::{Ctx, Outcome, create_group, create_user, create_users, groups, one, patch_body, room, users};
use serde_json::{Value, json};
use std::time::Duration;

pub(super) async fn membership(ctx: &Ctx) -> Outcome {
    if ctx.discovery.missing(&["needs-groups".into(), "needs-patch".into()]).is_some() {
        return Ok((Verdict::Skip, "–".into(), "the server offers no Groups or no PATCH".into()));
    }
    // Room is kept for the paging phase's users.
    let room = room(ctx).saturating_sub(PAGING_USERS);
    let sizes: Vec<usize> = [100, 1_000, 10_000].into_iter().filter(|s| *s < room).collect();
    if sizes.is_empty() {
        let need = ctx.opts.max_users.saturating_sub(super::phases::room(ctx)) + PAGING_USERS + 101;
        return Ok((
            Verdict::Skip,
            "–".into(),
            format!(
                "--max-users leaves room for {room} users and the smallest group needs 101; run with --max-users {need} or more"
            ),
        ));
    }
    let largest = *sizes.last().expect("not empty");
    let users = create_users(ctx, "g", largest + 1).await?;
    if users.len() <= largest {
        return Err(format!("only {} of the {} users for the groups could be created", users.len(), largest + 1));
    }
    let (spare, pool) = users.split_last().ok_or("no users")?;
    let mut measured = Vec::new();
    for &size in &sizes {
        let gid = create_group(ctx, &format!("size-{size}"), &[]).await?;
        // Fill the group 1,000 members per PATCH, as an initial push would.
        for chunk in pool[..size.min(pool.len())].chunks(1000) {
            let values: Vec<Value> = chunk.iter().map(|m| json!({"value": m})).collect();
            let body = patch_body(json!({"op": "add", "path": "members", "value": values}));
            let r = one(ctx, Req::with_body("PATCH", format!("{}/{gid}", groups(ctx)), &body)).await?;
            if !(200..300).contains(&r.status) {
                return Err(format!("filling a group of {size} answered {}", r.status));
            }
        }
        // Then the deltas group push sends: one member added, the same member removed.
        let (spare, base) = (spare.clone(), ctx.base.clone());
        let make = move |_: usize, k: u64| {
            let op = if k.is_multiple_of(2) {
                json!({"op": "add", "path": "members", "value": [{"value": spare, "display": "Load"}]})
            } else {
                json!({"op": "remove", "path": format!("members[value eq \"{spare}\"]")})
            };
            Req::with_body("PATCH", format!("{base}/Groups/{gid}"), &patch_body(op))
        };
        let pace = Pace { connections: 1, duration: Duration::from_secs(10), rate: None, max_requests: Some(40) };
        let s = driver::drive(&ctx.target, pace, make, |r| (200..300).contains(&r.status)).await?;
        if s.errors > 0 {
            return Ok((
                Verdict::Fail,
                format!("{size}: {} of {} PATCHes failed", s.errors, s.requests),
                String::new(),
            ));
        }
        measured.push((size, s.q(0.5), s.q(0.99)));
    }
    let fig: Vec<String> = measured.iter().map(|(n, p50, p99)| format!("{n}: p50 {p50:.1?} p99 {p99:.1?}")).collect();
    let curve = |q: fn(&(usize, Duration, Duration)) -> Duration| {
        measured.iter().map(|m| (m.0 as f64, q(m).as_secs_f64() * 1000.0)).collect::<Vec<_>>()
    };
    ctx.chart(super::plot::Chart {
        title: "Membership PATCH latency against group size".into(),
        x_label: "members (log scale)".into(),
        y_label: "ms".into(),
        log_x: true,
        series: vec![("p50".into(), curve(|m| m.1)), ("p99".into(), curve(|m| m.2))],
    });
    let worst = measured.iter().map(|m| m.2).max().unwrap_or_default();
    let (first, last) = (measured[0].1, measured[measured.len() - 1].1);
    let growth = last.as_secs_f64() / first.as_secs_f64().max(1e-6);
    let flat = growth <= 2.0 || last < FLAT_ENOUGH;
    let verdict = if worst < Duration::from_secs(1) && flat { Verdict::Pass } else { Verdict::Fail };
    let detail = format!("p50 at {largest} members is {growth:.1}x p50 at 100; worst p99 {worst:.1?}");
    Ok((verdict, fig.join("; "), detail))
}

/// The users paged through while others are written.
const PAGING_USERS: usize = 300;

/// The longest one walk through the pages may take.
const PAGING_BUDGET: Duration = Duration::from_secs(90);

/// Below this, a PATCH is fast enough whatever its growth with the group's size.
const FLAT_ENOUGH: Duration = Duration::from_millis(20);

pub(super) async fn paging(ctx: &Ctx) -> Outcome {
    if ctx.discovery.missing(&["needs-filter".into()]).is_some() {
        return Ok((
            Verdict::Skip,
            "–".into(),
            "the server does not advertise filter.supported (pages cannot be scoped to this run)".into(),
        ));
    }
    let stable = create_users(ctx, "p", PAGING_USERS).await?;
    if stable.len() < 2 {
        return Ok((Verdict::Skip, "–".into(), "--max-users leaves no room for the users to page through".into()));
    }
    let cursor = ctx.discovery.missing(&["needs-cursor".into()]).is_none();
    let scope = format!("filter=userName%20sw%20%22{}-p%22", ctx.prefix);
    let mut notes = Vec::new();
    let mut verdict = Verdict::Pass;
    for by_cursor in [false, true] {
        if by_cursor && !cursor {
            continue;
        }
        // While pages are read, another connection creates and deletes users in the same scope.
        // It is stopped between iterations, never inside one: a create whose answer was cut
        // off would leave a user behind that the run cannot name.
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let churn = {
            let (ctx, stop) = (ctx.clone(), stop.clone());
            tokio::spawn(async move {
                for i in 0..1_000 {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    let name = format!("{}-p-churn-{by_cursor}-{i}", ctx.prefix);
                    let Ok(id) = create_user(&ctx, &name).await else { break };
                    let path = format!("{}/{id}", users(&ctx));
                    if one(&ctx, Req::delete(path.clone())).await.is_ok() {
                        ctx.created.forget(&path);
                    }
                }
            })
        };
        let mut seen: Vec<String> = Vec::new();
        let mut next = if by_cursor { Some(String::new()) } else { None };
        let mut start = 1;
        let deadline = std::time::Instant::now() + PAGING_BUDGET;
        let mut finished = false;
        for _ in 0..1_000 {
            if std::time::Instant::now() > deadline {
                break;
            }
            let url = match &next {
                Some(c) => format!("{}?{scope}&count=50&cursor={c}", users(ctx)),
                None => format!("{}?{scope}&count=50&startIndex={start}", users(ctx)),
            };
            let r = one(ctx, Req::get(url)).await?.json();
            let list = r["Resources"].as_array().cloned().unwrap_or_default();
            seen.extend(list.iter().filter_map(|u| u["id"].as_str().map(str::to_owned)));
            if by_cursor {
                match r["nextCursor"].as_str() {
                    Some(c) if !list.is_empty() => next = Some(c.to_owned()),
                    _ => {
                        finished = true;
                        break;
                    }
                }
            } else {
                start += list.len();
                // Stop as the IdPs do: at an empty page or past totalResults.
                if list.is_empty() || r["totalResults"].as_u64().is_some_and(|t| start as u64 > t) {
                    finished = true;
                    break;
                }
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = churn.await;
        let how = if by_cursor { "cursor" } else { "index" };
        if !finished {
            notes.push(format!("{how}: the walk did not finish within {PAGING_BUDGET:?}"));
            verdict = if verdict == Verdict::Fail { Verdict::Fail } else { Verdict::Warn };
            continue;
        }
        let skipped = stable.iter().filter(|id| !seen.contains(id)).count();
        let repeated = stable.iter().filter(|id| seen.iter().filter(|s| s == id).count() > 1).count();
        notes.push(format!("{how}: {skipped} skipped, {repeated} repeated of {}", stable.len()));
        if skipped + repeated > 0 {
            verdict = match (by_cursor, verdict) {
                (true, _) | (_, Verdict::Fail) => Verdict::Fail,
                _ => Verdict::Warn,
            };
        }
    }
    Ok((
        verdict,
        notes.join("; "),
        if cursor { String::new() } else { "cursor pagination is not advertised: index pages only".into() },
    ))
}
