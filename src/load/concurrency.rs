//! The phases that race writes against each other: concurrent creates of one userName,
//! concurrent member adds to one group, concurrent writes with one `If-Match`. Each sends its
//! requests at once, each on its own connection, and judges the statuses and the end state.

use super::Verdict;
use super::driver::Req;
use super::phases::{Ctx, Outcome, create_group, create_user, create_users, groups, one, patch_body, user_body, users};
use serde_json::json;

pub(super) async fn concurrent_creates(ctx: &Ctx) -> Outcome {
    let name = format!("{}-same", ctx.prefix);
    let body = user_body(ctx, &name);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (ctx, body) = (ctx.clone(), body.clone());
        tasks.push(tokio::spawn(async move { one(&ctx, Req::with_body("POST", users(&ctx), &body)).await }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        let r = t.await.map_err(|e| e.to_string())??;
        if r.status == 201
            && let Some(id) = r.json()["id"].as_str()
        {
            ctx.created.add(format!("{}/{id}", users(ctx)));
        }
        codes.push(r.status);
    }
    let created = codes.iter().filter(|c| **c == 201).count();
    let conflicts = codes.iter().filter(|c| **c == 409).count();
    let verdict = if created == 1 && conflicts == 15 { Verdict::Pass } else { Verdict::Fail };
    Ok((verdict, format!("{created} created, {conflicts} conflicts of 16"), format!("statuses: {codes:?}")))
}

pub(super) async fn concurrent_member_adds(ctx: &Ctx) -> Outcome {
    if ctx.discovery.missing(&["needs-groups".into(), "needs-patch".into()]).is_some() {
        return Ok((Verdict::Skip, "–".into(), "the server offers no Groups or no PATCH".into()));
    }
    let members = create_users(ctx, "m", 32.min(ctx.opts.max_users)).await?;
    let gid = create_group(ctx, "concurrent", &[]).await?;
    let mut tasks = Vec::new();
    for m in &members {
        let (ctx, m, gid) = (ctx.clone(), m.clone(), gid.clone());
        tasks.push(tokio::spawn(async move {
            let body = patch_body(json!({"op": "add", "path": "members", "value": [{"value": m}]}));
            one(&ctx, Req::with_body("PATCH", format!("{}/{gid}", groups(&ctx)), &body)).await
        }));
    }
    let mut failed = 0;
    for t in tasks {
        if !t.await.map_err(|e| e.to_string())?.is_ok_and(|r| (200..300).contains(&r.status)) {
            failed += 1;
        }
    }
    let g = one(ctx, Req::get(format!("{}/{gid}", groups(ctx)))).await?.json();
    let have: Vec<&str> = g["members"].as_array().into_iter().flatten().filter_map(|m| m["value"].as_str()).collect();
    let lost = members.iter().filter(|m| !have.contains(&m.as_str())).count();
    let verdict = if lost == 0 && failed == 0 { Verdict::Pass } else { Verdict::Fail };
    Ok((
        verdict,
        format!("{} of {} members present", members.len() - lost, members.len()),
        format!("{failed} PATCHes failed, {lost} members lost"),
    ))
}

pub(super) async fn concurrent_if_match(ctx: &Ctx) -> Outcome {
    if ctx.discovery.missing(&["needs-etag".into(), "needs-patch".into()]).is_some() {
        return Ok((
            Verdict::Skip,
            "–".into(),
            "the server does not advertise etag.supported and patch.supported".into(),
        ));
    }
    let id = create_user(ctx, &format!("{}-etag", ctx.prefix)).await?;
    let path = format!("{}/{id}", users(ctx));
    let mut conn = ctx.target.connect().await?;
    let current = conn.send(&ctx.target, &Req::get(path.clone())).await?;
    let version = current.json()["meta"]["version"].as_str().unwrap_or_default().to_owned();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (ctx, path, version) = (ctx.clone(), path.clone(), version.clone());
        tasks.push(tokio::spawn(async move {
            let mut t = ctx.target.clone();
            t.headers.push(("if-match".into(), version));
            let body = patch_body(json!({"op": "replace", "path": "title", "value": format!("writer {i}")}));
            let mut c = t.connect().await?;
            c.send(&t, &Req::with_body("PATCH", path, &body)).await
        }));
    }
    let mut codes = Vec::new();
    for t in tasks {
        codes.push(t.await.map_err(|e| e.to_string())??.status);
    }
    let won = codes.iter().filter(|c| (200..300).contains(*c)).count();
    let refused = codes.iter().filter(|c| **c == 412).count();
    let verdict = if won == 1 && refused == 15 { Verdict::Pass } else { Verdict::Fail };
    Ok((verdict, format!("{won} succeeded, {refused} refused with 412 of 16"), format!("statuses: {codes:?}")))
}
