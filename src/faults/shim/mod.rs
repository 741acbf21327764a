//! The behaviour of each fault: a rewrite of the request before the correct server sees it
//! ([`handle`], with the request helpers in `rewrite`), of the response after (`respond`), or a
//! few extra requests to it. A table in code, one arm per fault.

mod respond;
mod rewrite;

use rewrite::*;

use crate::api::{Method, Request, Response};
use crate::app::App;
use crate::filter::{CompValue, CompareOp, Filter};
use serde_json::{Value, json};

/// Whether a fault name has a behaviour here (checked against `faults.toml` by a test).
pub fn implemented(name: &str) -> bool {
    NAMES.contains(&name)
}

const NAMES: &[&str] = &[
    "create-200",
    "externalid-eq-empty",
    "async-202-with-body",
    "async-no-set-txn",
    "async-txn-mismatch",
    "async-accept-406",
    "roles-paging-ignored",
    "entitlement-no-value",
    "prov-patch-event-lost",
    "create-no-location",
    "location-mismatch",
    "created-no-body",
    "delete-200",
    "not-found-400",
    "content-type-json",
    "no-www-authenticate",
    "content-location-wrong",
    "spc-auth-required",
    "error-status-number",
    "error-status-mismatch",
    "error-no-scimtype",
    "error-no-schemas",
    "error-plain-text",
    "error-no-detail",
    "filter-ne-as-eq",
    "filter-co-as-sw",
    "filter-ew-as-eq",
    "filter-gt-as-ge",
    "filter-lt-as-le",
    "filter-not-ignored",
    "filter-left-to-right",
    "filter-value-path-split",
    "filter-no-match-404",
    "filter-pr-always",
    "filter-username-case-sensitive",
    "filter-invalid-ignored",
    "filter-boolean-ordering",
    "page-off-by-one",
    "page-total-of-page",
    "page-count-ignored",
    "page-count-zero-default",
    "page-negative-count-400",
    "page-start-below-1-400",
    "page-no-items-per-page",
    "page-no-start-index",
    "sort-ignored",
    "sort-descending-default",
    "sort-case-sensitive",
    "sort-missing-first",
    "sort-first-value",
    "attributes-ignored",
    "excluded-ignored",
    "excluded-removes-id",
    "attributes-ignored-on-writes",
    "password-returned",
    "patch-ops-case-sensitive",
    "patch-string-booleans-refused",
    "patch-first-op-only",
    "patch-not-atomic",
    "patch-entra-remove-ignored",
    "patch-entra-remove-all",
    "patch-200-empty",
    "patch-200-partial",
    "patch-no-target-ignored",
    "patch-remove-required-invalid-value",
    "patch-pathless-refused",
    "patch-schemas-stale",
    "put-merges-values",
    "put-creates",
    "put-readonly-refused",
    "etag-if-match-ignored",
    "etag-frozen",
    "etag-if-none-match-ignored",
    "etag-not-meta-version",
    "bulk-bulkid-unresolved",
    "bulk-stops-at-first-error",
    "bulk-no-bulkid",
    "bulk-no-location",
    "bulk-error-bare",
    "bulk-413-vague",
    "bulk-no-max-operations",
    "uniqueness-no-409",
    "uniqueness-400",
    "delete-soft",
    "delete-twice-204",
    "spc-claims-bulk",
    "schemas-missing",
    "schemas-lists-messages",
    "resource-types-bare-array",
    "discovery-query-applied",
    "last-modified-not-created",
    "meta-no-resource-type",
    "meta-location-relative",
    "external-id-invented",
    "external-id-lowercased",
    "utf8-mangled",
    "schemas-duplicated",
    "groups-from-user-put",
    "readonly-meta-applied",
    "empty-username-accepted",
    "version-ignored",
    "dot-search-404",
    "unknown-params-400",
    "me-404",
    "create-race-500",
    "member-add-lost-update",
    "group-patch-slow",
];

/// Answers `req` as a server with the named fault would.
pub fn handle(app: &App, fault: &str, mut req: Request, origin: &str) -> Response {
    let Some(scim) = scim_rest(&req.path).map(str::to_owned) else { return app.handle_clean(req, origin) };
    let s = Shim { app, origin, scim: scim.clone(), auth: req.header("authorization").map(str::to_owned) };
    let kind = Kind::of(&scim, req.method);
    match fault {
        "version-ignored" => {
            req.path = req.path.replacen("/scim/v3/", "/scim/v2/", 1);
        }
        "spc-auth-required" if scim == "/ServiceProviderConfig" && req.header("authorization").is_none() => {
            return Response::error(&crate::error::ScimError::unauthorized("credentials are required"));
        }
        "me-404" if scim.starts_with("/Me") => return Response::error(&crate::error::ScimError::not_found("no /Me")),
        "unknown-params-400"
            if req.query.iter().any(|(k, _)| !KNOWN_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(k))) =>
        {
            return Response::error(&crate::error::ScimError::invalid_value("unknown query parameter"));
        }
        "dot-search-404" if scim.ends_with("/.search") => {
            return Response::error(&crate::error::ScimError::not_found("no such endpoint"));
        }
        "spc-claims-bulk" if scim == "/Bulk" => {
            return Response::error(&crate::error::ScimError::not_found("no /Bulk"));
        }
        "schemas-missing" if scim.starts_with("/Schemas") => {
            return Response::error(&crate::error::ScimError::not_found("no /Schemas"));
        }
        "discovery-query-applied" if scim == "/ResourceTypes" => {
            let mut resp = app.handle_clean(req.clone(), origin);
            let count = req.param("count").and_then(|c| c.parse::<usize>().ok());
            if let (Some(n), Some(list)) = (count, resp.body.as_mut().and_then(|b| b["Resources"].as_array_mut())) {
                list.truncate(n);
            }
            return resp;
        }
        "filter-ne-as-eq" => rewrite_filter(&mut req, &|f| swap_op(f, CompareOp::Ne, CompareOp::Eq)),
        "filter-co-as-sw" => rewrite_filter(&mut req, &|f| swap_op(f, CompareOp::Co, CompareOp::Sw)),
        "filter-ew-as-eq" => rewrite_filter(&mut req, &|f| swap_op(f, CompareOp::Ew, CompareOp::Eq)),
        "filter-gt-as-ge" => rewrite_filter(&mut req, &|f| swap_op(f, CompareOp::Gt, CompareOp::Ge)),
        "filter-lt-as-le" => rewrite_filter(&mut req, &|f| swap_op(f, CompareOp::Lt, CompareOp::Le)),
        "filter-not-ignored" => rewrite_filter(&mut req, &drop_not),
        "filter-left-to-right" => rewrite_filter(&mut req, &left_to_right),
        "filter-value-path-split" => rewrite_filter(&mut req, &split_value_paths),
        "filter-pr-always" => rewrite_filter(&mut req, &pr_always),
        "page-off-by-one" => {
            let start = req.param("startIndex").and_then(|s| s.parse::<i64>().ok()).unwrap_or(1);
            set_param(&mut req, "startIndex", &(start.max(1) + 1).to_string());
        }
        "page-count-ignored" => remove_param(&mut req, "count"),
        "page-count-zero-default" if req.param("count") == Some("0") => remove_param(&mut req, "count"),
        "page-negative-count-400" if req.param("count").is_some_and(|c| c.starts_with('-')) => {
            return Response::error(&crate::error::ScimError::invalid_value("count must not be negative"));
        }
        "page-start-below-1-400"
            if req.param("startIndex").and_then(|s| s.parse::<i64>().ok()).is_some_and(|s| s < 1) =>
        {
            return Response::error(&crate::error::ScimError::invalid_value("startIndex must be 1 or more"));
        }
        "sort-ignored" => {
            remove_param(&mut req, "sortBy");
            remove_param(&mut req, "sortOrder");
        }
        "sort-descending-default" if req.param("sortBy").is_some() && req.param("sortOrder").is_none() => {
            set_param(&mut req, "sortOrder", "descending");
        }
        "attributes-ignored" => remove_param(&mut req, "attributes"),
        "excluded-ignored" => remove_param(&mut req, "excludedAttributes"),
        "attributes-ignored-on-writes" if matches!(req.method, Method::Post | Method::Put | Method::Patch) => {
            remove_param(&mut req, "attributes");
        }
        "etag-if-match-ignored" => req.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("if-match")),
        "etag-if-none-match-ignored" => req.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("if-none-match")),
        "patch-ops-case-sensitive"
            if kind == Kind::Patch
                && ops(&req).iter().any(|o| o["op"].as_str().is_some_and(|op| op.chars().any(char::is_uppercase))) =>
        {
            return Response::error(&crate::error::ScimError::invalid_syntax("op must be add, replace or remove"));
        }
        "patch-string-booleans-refused" if kind == Kind::Patch => {
            let stringy = |v: &Value| {
                v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false"))
            };
            if ops(&req)
                .iter()
                .any(|o| stringy(&o["value"]) || o["value"].as_object().is_some_and(|m| m.values().any(stringy)))
            {
                return Response::error(&crate::error::ScimError::invalid_value("a boolean must be true or false"));
            }
        }
        "patch-pathless-refused"
            if kind == Kind::Patch && ops(&req).iter().any(|o| o.get("path").is_none_or(Value::is_null)) =>
        {
            return Response::error(&crate::error::ScimError::invalid_syntax("every operation needs a path"));
        }
        "patch-first-op-only" if kind == Kind::Patch => edit_body(&mut req, |b| {
            if let Some(list) = b["Operations"].as_array_mut() {
                list.truncate(1);
            }
        }),
        "patch-not-atomic" if kind == Kind::Patch => return s.patch_one_by_one(req),
        "patch-entra-remove-ignored" | "patch-entra-remove-all" if kind == Kind::Patch => {
            let all = fault == "patch-entra-remove-all";
            edit_body(&mut req, |b| {
                for o in b["Operations"].as_array_mut().into_iter().flatten() {
                    let entra = o["op"].as_str().is_some_and(|op| op.eq_ignore_ascii_case("remove"))
                        && o["path"].as_str().is_some_and(|p| p.eq_ignore_ascii_case("members"))
                        && o.get("value").is_some();
                    if entra && all {
                        o.as_object_mut().expect("an operation").remove("value");
                    } else if entra {
                        *o = json!({"op": "replace", "path": "meta.version", "ignored": true});
                    }
                }
                if let Some(list) = b["Operations"].as_array_mut() {
                    list.retain(|o| o.get("ignored").is_none());
                }
            });
            if !all && ops(&req).is_empty() {
                return s.get(&format!("{}{}", SCIM, scim.split('?').next().unwrap_or(&scim)));
            }
        }
        "put-merges-values" if kind == Kind::Put => {
            let current = s.get(&format!("{SCIM}{scim}"));
            edit_body(&mut req, |b| merge_multi(b, current.body.as_ref()));
        }
        "put-creates" if kind == Kind::Put => {
            let resp = app.handle_clean(req.clone(), origin);
            if resp.status != 404 {
                return resp;
            }
            let endpoint = scim.rsplit_once('/').map(|(e, _)| e).unwrap_or(&scim).to_owned();
            return s.send(Method::Post, &format!("{SCIM}{endpoint}"), Some(body_of(&req)));
        }
        "put-readonly-refused" if kind == Kind::Put => {
            let b = body_of(&req);
            if ["id", "meta", "groups"].iter().any(|k| b.get(*k).is_some()) {
                return Response::error(&crate::error::ScimError::invalid_value("id, meta and groups are read-only"));
            }
        }
        "groups-from-user-put" if kind == Kind::Put && scim.starts_with("/Users/") => {
            let id = scim.trim_start_matches("/Users/").to_owned();
            for g in body_of(&req)["groups"].as_array().cloned().unwrap_or_default() {
                if let Some(gid) = g["value"].as_str() {
                    let op = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                        "Operations": [{"op": "add", "path": "members", "value": [{"value": id}]}]});
                    s.send(Method::Patch, &format!("{SCIM}/Groups/{gid}"), Some(op));
                }
            }
        }
        "bulk-bulkid-unresolved" if scim == "/Bulk" => edit_body(&mut req, |b| {
            for op in b["Operations"].as_array_mut().into_iter().flatten() {
                if let Some(d) = op.get_mut("data") {
                    drop_bulk_refs(d);
                }
            }
        }),
        "bulk-stops-at-first-error" if scim == "/Bulk" => edit_body(&mut req, |b| {
            if b.get("failOnErrors").is_none_or(Value::is_null) {
                b["failOnErrors"] = json!(1);
            }
        }),
        "bulk-no-max-operations" if scim == "/Bulk" => edit_body(&mut req, |b| {
            if let Some(list) = b["Operations"].as_array_mut() {
                list.truncate(crate::api::bulk::MAX_OPERATIONS);
            }
        }),
        "delete-soft" if kind == Kind::Delete && scim.starts_with("/Users/") => {
            let exists = s.get(&format!("{SCIM}{scim}"));
            if exists.status != 200 || exists.body.as_ref().is_some_and(|b| b["active"] == false) {
                return Response::error(&crate::error::ScimError::not_found("no such user"));
            }
            let op = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "active", "value": false}]});
            s.send(Method::Patch, &format!("{SCIM}{scim}"), Some(op));
            return Response::empty(204);
        }
        "create-race-500" if kind == Kind::Create && scim == "/Users" => {
            return super::races::create_race(app, req, origin);
        }
        "member-add-lost-update" if kind == Kind::Patch && scim.starts_with("/Groups/") => {
            if let Some(r) = super::races::member_add_by_put(app, &req, origin) {
                return r;
            }
        }
        "group-patch-slow" if kind == Kind::Patch && scim.starts_with("/Groups/") => {
            super::races::slow_by_size(app, &req, origin);
        }
        "empty-username-accepted" if kind == Kind::Create && scim == "/Users" => edit_body(&mut req, |b| {
            if b["userName"] == "" {
                b["userName"] = json!(format!("generated-{}", uuid::Uuid::new_v4().simple()));
            }
        }),
        _ => {}
    }
    let client_body = body_of(&req);
    let resp = app.handle_clean(req.clone(), origin);
    s.after(fault, kind, &req, &client_body, resp)
}

const SCIM: &str = "/scim/v2";

/// Parameters RFC 7644 defines for queries (the rest are "unknown" to `unknown-params-400`).
const KNOWN_PARAMS: &[&str] =
    &["filter", "sortBy", "sortOrder", "startIndex", "count", "attributes", "excludedAttributes", "cursor"];

/// The path after `/scim/v2` (also under `/t/{tenant}`); `None` for the admin API and the rest.
fn scim_rest(path: &str) -> Option<&str> {
    let p = match path.strip_prefix("/t/") {
        Some(rest) => &rest[rest.find('/')?..],
        None => path,
    };
    p.strip_prefix("/scim/v2").or_else(|| p.strip_prefix("/scim/v3"))
}

/// What a request does, as far as faults care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Create,
    List,
    Get,
    Put,
    Patch,
    Delete,
    Other,
}

impl Kind {
    fn of(scim: &str, m: Method) -> Kind {
        let segs: Vec<&str> = scim.split('/').filter(|s| !s.is_empty()).collect();
        let resource = matches!(segs.first(), Some(&"Users") | Some(&"Groups"));
        match (resource, segs.len(), m) {
            (true, 1, Method::Post) => Kind::Create,
            (true, 1, Method::Get) => Kind::List,
            (true, 2, Method::Post) if segs[1] == ".search" => Kind::List,
            (true, 2, Method::Get) => Kind::Get,
            (true, 2, Method::Put) => Kind::Put,
            (true, 2, Method::Patch) => Kind::Patch,
            (true, 2, Method::Delete) => Kind::Delete,
            _ => Kind::Other,
        }
    }
}

/// Access to the correct server for faults that need more than one request.
struct Shim<'a> {
    app: &'a App,
    origin: &'a str,
    scim: String,
    auth: Option<String>,
}

impl Shim<'_> {
    fn send(&self, method: Method, path: &str, body: Option<Value>) -> Response {
        let mut r = Request::new(method, path);
        if let Some(a) = &self.auth {
            r.headers.push(("authorization".into(), a.clone()));
        }
        if let Some(b) = body {
            r.headers.push(("content-type".into(), "application/scim+json".into()));
            r.body = serde_json::to_vec(&b).unwrap_or_default();
        }
        self.app.handle_clean(r, self.origin)
    }

    fn get(&self, path: &str) -> Response {
        self.send(Method::Get, path, None)
    }

    /// A PATCH applied one operation at a time: what applied stays when a later one fails.
    fn patch_one_by_one(&self, req: Request) -> Response {
        let body = body_of(&req);
        let mut last = Response::empty(204);
        for op in body["Operations"].as_array().cloned().unwrap_or_default() {
            let one = json!({"schemas": body["schemas"].clone(), "Operations": [op]});
            last = self.send(Method::Patch, &format!("{SCIM}{}", self.scim), Some(one));
            if last.status >= 400 {
                return last;
            }
        }
        last
    }
}
