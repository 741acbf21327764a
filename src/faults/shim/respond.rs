//! The response side of the faults: how each one rewrites what the correct server answered,
//! and the helpers for editing response bodies.

use super::*;

impl Shim<'_> {
    /// The response rewrites.
    pub(super) fn after(&self, fault: &str, kind: Kind, req: &Request, sent: &Value, mut r: Response) -> Response {
        let error = r.status >= 400;
        match fault {
            "create-200" if kind == Kind::Create && r.status == 201 => r.status = 200,
            "create-no-location" if r.status == 201 => r.headers.retain(|(k, _)| *k != "location"),
            "location-mismatch" if r.status == 201 => {
                for (k, v) in &mut r.headers {
                    if *k == "location" {
                        v.push('/');
                    }
                }
            }
            "created-no-body" if r.status == 201 => r.body = None,
            "delete-200" if kind == Kind::Delete && r.status == 204 => {
                r.status = 200;
                r.body = Some(json!({"deleted": true}));
            }
            "not-found-400"
                if r.status == 404 && matches!(kind, Kind::Get | Kind::Put | Kind::Patch | Kind::Delete) =>
            {
                r = Response::error(&crate::error::ScimError::invalid_value("invalid resource id"));
            }
            "content-type-json" if r.body.is_some() => r.headers.push(("content-type", "application/json".into())),
            "no-www-authenticate" => r.headers.retain(|(k, _)| *k != "www-authenticate"),
            "content-location-wrong" if kind == Kind::Get && !error => {
                r.headers.push(("content-location", format!("{}{SCIM}/elsewhere", self.origin)));
            }
            "error-status-number" if error => body(&mut r, |b| b["status"] = json!(r_status(b))),
            "error-status-mismatch" if error => body(&mut r, |b| b["status"] = json!("500")),
            "error-no-scimtype" if error => body(&mut r, |b| remove(b, "scimType")),
            "error-no-schemas" if error => body(&mut r, |b| remove(b, "schemas")),
            "error-plain-text" if error => {
                r.headers.push(("content-type", "text/plain".into()));
                r.body = Some(Value::String(format!("Error {}", r.status)));
            }
            "error-no-detail" if error => body(&mut r, |b| remove(b, "detail")),
            "filter-no-match-404" if kind == Kind::List && r.body.as_ref().is_some_and(|b| b["totalResults"] == 0) => {
                r = Response::error(&crate::error::ScimError::not_found("no resource matches the filter"));
            }
            "async-202-with-body" if r.status == 202 => r.body = Some(json!({"id": "accepted"})),
            "async-accept-406"
                if r.status == 202 && req.headers.iter().any(|(k, v)| k == "accept" && v.contains("text/html")) =>
            {
                r = Response::error(&crate::error::ScimError::new(406, None, "only application/scim+json is served"));
            }
            "prov-patch-event-lost" if req.path.trim_end_matches('/').ends_with("/Events") => body(&mut r, |b| {
                if let Some(sets) = b["sets"].as_object_mut() {
                    sets.retain(|_, set| !set.as_str().is_some_and(|s| set_mentions(s, ":prov:patch:")));
                }
            }),
            "entitlement-no-value" if req.path.trim_end_matches('/').ends_with("/Entitlements") => body(&mut r, |b| {
                for e in b["Resources"].as_array_mut().into_iter().flatten() {
                    remove(e, "value");
                }
            }),
            "roles-paging-ignored" if req.path.trim_end_matches('/').ends_with("/Roles") => {
                let mut first = req.clone();
                remove_param(&mut first, "startIndex");
                r = self.app.handle_clean(first, self.origin);
            }
            "async-no-set-txn" if r.status == 202 => r.headers.retain(|(k, _)| *k != "set-txn"),
            "async-txn-mismatch" if r.status == 202 => {
                for (k, v) in &mut r.headers {
                    if *k == "set-txn" {
                        v.push_str("-other");
                    }
                }
            }
            "externalid-eq-empty" if kind == Kind::List => {
                if let Some(Filter::Compare(p, CompareOp::Eq, _)) = parsed_filter(req)
                    && p.attr.eq_ignore_ascii_case("externalId")
                {
                    keep_resources(&mut r, |_| false);
                }
            }
            "filter-username-case-sensitive" if kind == Kind::List => {
                if let Some(Filter::Compare(p, CompareOp::Eq, CompValue::Str(v))) = parsed_filter(req)
                    && p.attr.eq_ignore_ascii_case("userName")
                {
                    keep_resources(&mut r, |res| res["userName"].as_str() == Some(v.as_str()));
                }
            }
            "filter-invalid-ignored" if kind == Kind::List && r.status == 400 && scim_type(&r) == "invalidFilter" => {
                let mut plain = req.clone();
                remove_param(&mut plain, "filter");
                r = self.app.handle_clean(plain, self.origin);
            }
            "filter-boolean-ordering" if r.status == 400 && scim_type(&r) == "invalidFilter" => {
                let detail = r.body.as_ref().and_then(|b| b["detail"].as_str()).unwrap_or("").to_ascii_lowercase();
                if detail.contains("boolean") || detail.contains("binary") || detail.contains("order") {
                    r = Response::json(200, crate::api::discovery::list(vec![]));
                }
            }
            "page-total-of-page" if kind == Kind::List => body(&mut r, |b| {
                let n = b["Resources"].as_array().map_or(0, Vec::len);
                b["totalResults"] = json!(n);
            }),
            "page-no-items-per-page" if kind == Kind::List => body(&mut r, |b| remove(b, "itemsPerPage")),
            "page-no-start-index" if kind == Kind::List => body(&mut r, |b| remove(b, "startIndex")),
            "sort-case-sensitive" | "sort-missing-first" | "sort-first-value" if kind == Kind::List => {
                if let Some(by) = req.param("sortBy") {
                    let desc = req.param("sortOrder").is_some_and(|o| o.eq_ignore_ascii_case("descending"));
                    resort(&mut r, by, desc, fault);
                }
            }
            "excluded-removes-id"
                if req
                    .param("excludedAttributes")
                    .is_some_and(|e| e.split(',').any(|a| a.trim().eq_ignore_ascii_case("id"))) =>
            {
                each_resource(&mut r, |res| remove(res, "id"));
            }
            "password-returned" => each_resource(&mut r, |res| {
                if res.get("userName").is_some() {
                    res["password"] = json!("{SSHA}9f86d081884c7d659a2feaa0c55ad015");
                }
            }),
            "patch-200-empty" if kind == Kind::Patch && r.status == 200 => r.body = Some(json!({})),
            "patch-200-partial" if kind == Kind::Patch && r.status == 200 => body(&mut r, |b| {
                *b = json!({"schemas": b["schemas"].clone(), "id": b["id"].clone()});
            }),
            "patch-no-target-ignored" if kind == Kind::Patch && scim_type(&r) == "noTarget" => {
                r = self.get(&format!("{SCIM}{}", self.scim));
            }
            "patch-remove-required-invalid-value" if kind == Kind::Patch && scim_type(&r) == "mutability" => {
                body(&mut r, |b| b["scimType"] = json!("invalidValue"));
            }
            "patch-schemas-stale" => each_resource(&mut r, |res| {
                if let Some(list) = res["schemas"].as_array_mut() {
                    list.truncate(1);
                }
            }),
            "etag-frozen" => {
                for (k, v) in &mut r.headers {
                    if *k == "etag" {
                        *v = "W/\"1\"".into();
                    }
                }
                each_resource(&mut r, |res| {
                    if res["meta"].get("version").is_some() {
                        res["meta"]["version"] = json!("W/\"1\"");
                    }
                });
            }
            "etag-not-meta-version" => {
                for (k, v) in &mut r.headers {
                    if *k == "etag" {
                        *v = format!("\"{}\"", v.trim_start_matches("W/").trim_matches('"'));
                    }
                }
            }
            "bulk-no-bulkid" if self.scim == "/Bulk" => bulk_ops(&mut r, |op| remove(op, "bulkId")),
            "bulk-no-location" if self.scim == "/Bulk" => bulk_ops(&mut r, |op| remove(op, "location")),
            "bulk-error-bare" if self.scim == "/Bulk" => bulk_ops(&mut r, |op| {
                if let Some(t) = op["response"].get("scimType").cloned() {
                    op["response"] = json!({"scimType": t});
                }
            }),
            "bulk-413-vague" if r.status == 413 => body(&mut r, |b| b["detail"] = json!("request too large")),
            "uniqueness-no-409" if kind == Kind::Create && r.status == 409 => {
                let mut again = sent.clone();
                if let Some(u) = again["userName"].as_str() {
                    again["userName"] = json!(format!("{u}-{}", &uuid::Uuid::new_v4().simple().to_string()[..6]));
                    r = self.send(Method::Post, &format!("{SCIM}{}", self.scim), Some(again));
                }
            }
            "uniqueness-400" if kind == Kind::Create && r.status == 409 => {
                r = Response::error(&crate::error::ScimError::bad_request(
                    crate::error::ScimType::Uniqueness,
                    "that userName is taken",
                ));
            }
            "delete-twice-204" if kind == Kind::Delete && r.status == 404 => r = Response::empty(204),
            "schemas-lists-messages" if self.scim == "/Schemas" => body(&mut r, |b| {
                if let Some(list) = b["Resources"].as_array_mut() {
                    list.push(json!({"id": crate::schema::registry::LIST_RESPONSE_URN, "name": "ListResponse", "attributes": []}));
                }
                b["totalResults"] = json!(b["Resources"].as_array().map_or(0, Vec::len));
            }),
            "resource-types-bare-array" if self.scim == "/ResourceTypes" => {
                body(&mut r, |b| *b = b["Resources"].clone())
            }
            "last-modified-not-created" if r.status == 201 => body(&mut r, |b| {
                b["meta"]["lastModified"] = json!("2000-01-01T00:00:00.000Z");
            }),
            "meta-no-resource-type" => each_resource(&mut r, |res| {
                if let Some(m) = res["meta"].as_object_mut() {
                    m.remove("resourceType");
                }
            }),
            "meta-location-relative" => {
                let base = format!("{}{SCIM}", self.origin);
                each_resource(&mut r, |res| {
                    if let Some(l) = res["meta"]["location"].as_str().and_then(|l| l.strip_prefix(&base)) {
                        res["meta"]["location"] = json!(l);
                    }
                });
            }
            "external-id-invented" => each_resource(&mut r, |res| {
                if res.get("id").is_some() && res.get("externalId").is_none() && res.get("meta").is_some() {
                    res["externalId"] = json!(format!("ext-{}", res["id"].as_str().unwrap_or("")));
                }
            }),
            "external-id-lowercased" => each_resource(&mut r, |res| {
                if let Some(e) = res["externalId"].as_str() {
                    res["externalId"] = json!(e.to_lowercase());
                }
            }),
            "utf8-mangled" => {
                if let Some(b) = r.body.as_mut() {
                    mangle(b);
                }
            }
            "schemas-duplicated" => each_resource(&mut r, |res| {
                if let Some(first) = res["schemas"].as_array().and_then(|l| l.first()).cloned() {
                    res["schemas"].as_array_mut().expect("an array").push(first);
                }
            }),
            "readonly-meta-applied" if r.status == 201 => {
                if let Some(c) = sent["meta"].get("created").cloned() {
                    body(&mut r, |b| b["meta"]["created"] = c);
                }
            }
            _ => {}
        }
        r
    }
}

pub(super) fn r_status(b: &Value) -> u64 {
    b["status"].as_str().and_then(|s| s.parse().ok()).unwrap_or(500)
}

pub(super) fn scim_type(r: &Response) -> &str {
    r.body.as_ref().and_then(|b| b["scimType"].as_str()).unwrap_or("")
}

pub(super) fn remove(v: &mut Value, key: &str) {
    if let Some(o) = v.as_object_mut() {
        o.remove(key);
    }
}

pub(super) fn body(r: &mut Response, f: impl FnOnce(&mut Value)) {
    if let Some(b) = r.body.as_mut().filter(|b| b.is_object()) {
        f(b);
    }
}

/// Each resource of a body: the body itself, or every item of `Resources`.
pub(super) fn each_resource(r: &mut Response, mut f: impl FnMut(&mut Value)) {
    let Some(b) = r.body.as_mut() else { return };
    if let Some(list) = b.get_mut("Resources").and_then(Value::as_array_mut) {
        list.iter_mut().for_each(&mut f);
    } else if b.get("id").is_some() {
        f(b);
    }
}

pub(super) fn bulk_ops(r: &mut Response, f: impl FnMut(&mut Value)) {
    if let Some(list) = r.body.as_mut().and_then(|b| b["Operations"].as_array_mut()) {
        list.iter_mut().for_each(f);
    }
}

pub(super) fn keep_resources(r: &mut Response, keep: impl Fn(&Value) -> bool) {
    body(r, |b| {
        if let Some(list) = b["Resources"].as_array_mut() {
            list.retain(|x| keep(x));
            let n = list.len();
            b["totalResults"] = json!(n);
            b["itemsPerPage"] = json!(n);
        }
    });
}

/// Re-sorts a page the wrong way: by code point (`sort-case-sensitive`), with missing values
/// first when ascending and last when descending (`sort-missing-first`), or a multi-valued
/// attribute by its first value (`sort-first-value`).
pub(super) fn resort(r: &mut Response, by: &str, desc: bool, fault: &str) {
    let (attr, sub) = by.split_once('.').unwrap_or((by, ""));
    let value = |res: &Value| -> Option<Value> {
        let top = res.get(attr)?;
        let v = match top {
            Value::Array(a) if fault == "sort-first-value" => a.first()?,
            Value::Array(a) => a.iter().find(|x| x["primary"] == true).or(a.first())?,
            other => other,
        };
        Some(if sub.is_empty() { v.clone() } else { v.get(sub)?.clone() })
    };
    let multi = |res: &Value| res.get(attr).is_some_and(Value::is_array);
    body(r, |b| {
        let Some(list) = b["Resources"].as_array_mut() else { return };
        match fault {
            "sort-missing-first" => {
                // A stable partition: the server's order otherwise.
                let (mut missing, present): (Vec<Value>, Vec<Value>) =
                    list.drain(..).partition(|x| value(x).is_none_or(|v| v.is_null()));
                if desc {
                    list.extend(present);
                    list.append(&mut missing);
                } else {
                    missing.extend(present);
                    *list = missing;
                }
            }
            "sort-first-value" if !list.iter().any(multi) => {}
            _ => {
                let key = |x: &Value| -> Option<String> {
                    let s = value(x)?.as_str()?.to_owned();
                    Some(if fault == "sort-case-sensitive" { s } else { crate::model::fold(&s) })
                };
                list.sort_by(|x, y| {
                    let ord = match (key(x), key(y)) {
                        (None, None) => std::cmp::Ordering::Equal,
                        (None, _) => std::cmp::Ordering::Greater,
                        (_, None) => std::cmp::Ordering::Less,
                        (Some(a), Some(b)) => a.cmp(&b),
                    };
                    if desc { ord.reverse() } else { ord }
                });
            }
        }
    });
}

pub(super) fn mangle(v: &mut Value) {
    match v {
        Value::String(s) if !s.is_ascii() => *s = s.chars().map(|c| if c.is_ascii() { c } else { '?' }).collect(),
        Value::Array(a) => a.iter_mut().for_each(mangle),
        Value::Object(o) => o.values_mut().for_each(mangle),
        _ => {}
    }
}

/// Whether a SET (an unsecured JWT) names `needle` in its claims.
fn set_mentions(set: &str, needle: &str) -> bool {
    use base64::Engine as _;
    set.split('.')
        .nth(1)
        .and_then(|c| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(c).ok())
        .is_some_and(|bytes| String::from_utf8_lossy(&bytes).contains(needle))
}
