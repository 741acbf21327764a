//! Steps of the profiles beyond the RFCs: the interop profile's discovery checks, IPSIE's
//! large membership PATCH and page bound, and Okta's entitlements import (every page of a
//! list endpoint read in turn).

use crate::suite::discovery::find_ci;
use crate::suite::world::{AuthMode, ScimWorld};
use cucumber::{then, when};
use serde_json::Value;

/// Interop profile -02: the typed multi-valued attributes for which RFC 7643 §4.1.2 names
/// canonical values (emails, phoneNumbers, ims, photos, addresses) declare them in /Schemas
/// (roles, entitlements and x509Certificates have none in the RFC).
#[then(expr = "every multi-valued attribute with a type sub-attribute declares its canonicalValues")]
async fn typed_canonical(w: &mut ScimWorld) {
    let body = w.body().clone();
    let mut missing = Vec::new();
    const TYPED: &[&str] = &["emails", "phoneNumbers", "ims", "photos", "addresses"];
    for a in body["attributes"].as_array().into_iter().flatten() {
        if a["multiValued"] != Value::Bool(true)
            || !a["name"].as_str().is_some_and(|n| TYPED.iter().any(|t| t.eq_ignore_ascii_case(n)))
        {
            continue;
        }
        let ty = a["subAttributes"].as_array().into_iter().flatten().find(|s| s["name"] == "type");
        if ty.is_some_and(|t| t["canonicalValues"].as_array().is_none_or(Vec::is_empty)) {
            missing.push(a["name"].as_str().unwrap_or("?").to_owned());
        }
    }
    assert!(
        missing.is_empty(),
        "expected canonicalValues on the type of {}, got none\n{}",
        missing.join(", "),
        w.last()
    );
}

/// The page size limit a ServiceProviderConfig advertises: `pagination.maxPageSize` (RFC 9865)
/// or, without it, `filter.maxResults`.
#[then(expr = "the page size limit the server advertises is at least {int}")]
async fn page_limit(w: &mut ScimWorld, n: u64) {
    let body = w.body();
    let limit = find_ci(body, "/pagination/maxPageSize").or_else(|| find_ci(body, "/filter/maxResults"));
    let got = limit.and_then(Value::as_u64);
    assert!(
        got.is_some_and(|g| g >= n),
        "expected pagination.maxPageSize (or filter.maxResults) of at least {n}, got {}\n{}",
        limit.map(Value::to_string).unwrap_or_else(|| "neither".into()),
        w.last()
    );
}

/// One PATCH adding `n` users (`<alias>0` … created before) to a group, one operation each.
#[when(expr = "I PATCH group {string} adding each of the {int} {string} users in its own operation")]
async fn patch_many_members(w: &mut ScimWorld, group: String, n: usize, alias: String) {
    let ops: Vec<Value> = (0..n)
        .map(|i| {
            let id = w.vars.get(&format!("{alias}{i}")).cloned().unwrap_or_default();
            serde_json::json!({"op": "add", "path": "members", "value": [{"value": id}]})
        })
        .collect();
    let body = serde_json::json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
    let id = w.vars.get(&group).cloned().unwrap_or_default();
    w.send("PATCH", &format!("/Groups/{id}"), Some(&body.to_string()), &[], AuthMode::Default).await;
}

#[then(regex = r#"^the JSON at "([^"]*)" is at most (\d+)$"#)]
async fn at_most(w: &mut ScimWorld, path: String, n: u64) {
    let v = crate::suite::world::json_path(w.body(), &path).cloned();
    let ok = v.as_ref().and_then(Value::as_u64).is_some_and(|x| x <= n);
    assert!(
        ok,
        "expected a number of at most {n} at '{path}', got {}\n{}",
        v.map(|v| v.to_string()).unwrap_or("nothing".into()),
        w.last()
    );
}

/// Okta's entitlements import: every page of a list endpoint, `count` at a time, until
/// `totalResults` resources were read; each appears once and carries `value` and, for roles,
/// `supported` (REQUIRED for a Role, OPTIONAL for an Entitlement).
#[then(
    regex = r#"^reading "([^"]+)" page by page with count (\d+) yields totalResults resources, each once, each with a value( and supported)?$"#
)]
async fn read_all_pages(w: &mut ScimWorld, path: String, count: usize, supported: String) {
    let supported = !supported.is_empty();
    let mut seen: Vec<String> = Vec::new();
    let mut start = 1;
    let total = loop {
        w.send("GET", &format!("{path}?startIndex={start}&count={count}"), None, &[], AuthMode::Default).await;
        assert_eq!(w.last().status, 200, "expected 200 for page {start}\n{}", w.last());
        let body = w.body().clone();
        let total = body["totalResults"].as_u64().unwrap_or(0) as usize;
        let page = body["Resources"].as_array().cloned().unwrap_or_default();
        for r in &page {
            let ok = r["value"].as_str().is_some_and(|v| !v.is_empty()) && (!supported || r["supported"].is_boolean());
            let want = if supported { "a value and supported" } else { "a value" };
            assert!(ok, "expected each resource to carry {want}, got {r}\n{}", w.last());
            let id = r["id"].as_str().or(r["value"].as_str()).unwrap_or("").to_owned();
            assert!(!seen.contains(&id), "'{id}' appeared twice while paging\n{}", w.last());
            seen.push(id);
        }
        if page.is_empty() || seen.len() >= total || start > 10_000 {
            break total;
        }
        start += page.len();
    };
    assert_eq!(seen.len(), total, "expected {total} resources (totalResults) over all pages, read {}", seen.len());
}
