//! The behaviour of each fault: a rewrite of the request before the correct server sees it, of
//! the response after, or a few extra requests to it. A table in code, one arm per fault.

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

    /// The response rewrites.
    fn after(&self, fault: &str, kind: Kind, req: &Request, sent: &Value, mut r: Response) -> Response {
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

fn r_status(b: &Value) -> u64 {
    b["status"].as_str().and_then(|s| s.parse().ok()).unwrap_or(500)
}

fn scim_type(r: &Response) -> &str {
    r.body.as_ref().and_then(|b| b["scimType"].as_str()).unwrap_or("")
}

fn remove(v: &mut Value, key: &str) {
    if let Some(o) = v.as_object_mut() {
        o.remove(key);
    }
}

fn body(r: &mut Response, f: impl FnOnce(&mut Value)) {
    if let Some(b) = r.body.as_mut().filter(|b| b.is_object()) {
        f(b);
    }
}

/// Each resource of a body: the body itself, or every item of `Resources`.
fn each_resource(r: &mut Response, mut f: impl FnMut(&mut Value)) {
    let Some(b) = r.body.as_mut() else { return };
    if let Some(list) = b.get_mut("Resources").and_then(Value::as_array_mut) {
        list.iter_mut().for_each(&mut f);
    } else if b.get("id").is_some() {
        f(b);
    }
}

fn bulk_ops(r: &mut Response, f: impl FnMut(&mut Value)) {
    if let Some(list) = r.body.as_mut().and_then(|b| b["Operations"].as_array_mut()) {
        list.iter_mut().for_each(f);
    }
}

fn keep_resources(r: &mut Response, keep: impl Fn(&Value) -> bool) {
    body(r, |b| {
        if let Some(list) = b["Resources"].as_array_mut() {
            list.retain(|x| keep(x));
            let n = list.len();
            b["totalResults"] = json!(n);
            b["itemsPerPage"] = json!(n);
        }
    });
}

fn body_of(req: &Request) -> Value {
    serde_json::from_slice(&req.body).unwrap_or(Value::Null)
}

fn edit_body(req: &mut Request, f: impl FnOnce(&mut Value)) {
    let mut b = body_of(req);
    if b.is_object() {
        f(&mut b);
        req.body = serde_json::to_vec(&b).unwrap_or_default();
    }
}

fn ops(req: &Request) -> Vec<Value> {
    body_of(req)["Operations"].as_array().cloned().unwrap_or_default()
}

fn set_param(req: &mut Request, key: &str, value: &str) {
    remove_param(req, key);
    req.query.push((key.to_owned(), value.to_owned()));
}

fn remove_param(req: &mut Request, key: &str) {
    req.query.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
}

fn parsed_filter(req: &Request) -> Option<Filter> {
    crate::filter::parse(req.param("filter")?).ok()
}

/// Rewrites the `filter` query parameter (left alone when it does not parse).
fn rewrite_filter(req: &mut Request, f: &dyn Fn(Filter) -> Filter) {
    if let Some(parsed) = parsed_filter(req) {
        set_param(req, "filter", &f(parsed).to_string());
    }
}

/// Applies `f` to every node, children first.
fn map(f: Filter, g: &dyn Fn(Filter) -> Filter) -> Filter {
    let inner = match f {
        Filter::Not(a) => Filter::Not(Box::new(map(*a, g))),
        Filter::And(a, b) => Filter::And(Box::new(map(*a, g)), Box::new(map(*b, g))),
        Filter::Or(a, b) => Filter::Or(Box::new(map(*a, g)), Box::new(map(*b, g))),
        Filter::ValuePath(p, a) => Filter::ValuePath(p, Box::new(map(*a, g))),
        leaf => leaf,
    };
    g(inner)
}

fn swap_op(f: Filter, from: CompareOp, to: CompareOp) -> Filter {
    map(f, &|n| match n {
        Filter::Compare(p, op, v) if op == from => Filter::Compare(p, to, v),
        n => n,
    })
}

fn drop_not(f: Filter) -> Filter {
    map(f, &|n| match n {
        Filter::Not(a) => *a,
        n => n,
    })
}

fn pr_always(f: Filter) -> Filter {
    map(f, &|n| match n {
        Filter::Present(p) => {
            Filter::Or(Box::new(Filter::Present(p.clone())), Box::new(Filter::Not(Box::new(Filter::Present(p)))))
        }
        n => n,
    })
}

/// `a or b and c` read as `(a or b) and c`: the operators applied in the order written.
fn left_to_right(f: Filter) -> Filter {
    fn flatten(f: Filter, out: &mut Vec<(Option<bool>, Filter)>, op: Option<bool>) {
        match f {
            Filter::And(a, b) => {
                flatten(*a, out, op);
                flatten(*b, out, Some(true));
            }
            Filter::Or(a, b) => {
                flatten(*a, out, op);
                flatten(*b, out, Some(false));
            }
            leaf => out.push((op, leaf)),
        }
    }
    let mut parts = Vec::new();
    flatten(f, &mut parts, None);
    let mut it = parts.into_iter();
    let first = it.next().map(|(_, f)| f).expect("a filter has a term");
    it.fold(first, |acc, (op, term)| match op {
        Some(true) => Filter::And(Box::new(acc), Box::new(term)),
        _ => Filter::Or(Box::new(acc), Box::new(term)),
    })
}

/// `emails[type eq "work" and value co "x"]` → `emails.type eq "work" and emails.value co "x"`.
fn split_value_paths(f: Filter) -> Filter {
    fn qualify(f: Filter, parent: &crate::filter::AttrPath) -> Filter {
        let q = |p: crate::filter::AttrPath| crate::filter::AttrPath {
            urn: parent.urn.clone(),
            attr: parent.attr.clone(),
            sub: Some(p.attr),
        };
        match f {
            Filter::Compare(p, op, v) => Filter::Compare(q(p), op, v),
            Filter::Present(p) => Filter::Present(q(p)),
            Filter::Not(a) => Filter::Not(Box::new(qualify(*a, parent))),
            Filter::And(a, b) => Filter::And(Box::new(qualify(*a, parent)), Box::new(qualify(*b, parent))),
            Filter::Or(a, b) => Filter::Or(Box::new(qualify(*a, parent)), Box::new(qualify(*b, parent))),
            other => other,
        }
    }
    map(f, &|n| match n {
        Filter::ValuePath(p, inner) => qualify(*inner, &p),
        n => n,
    })
}

/// Re-sorts a page the wrong way: by code point (`sort-case-sensitive`), with missing values
/// first when ascending and last when descending (`sort-missing-first`), or a multi-valued
/// attribute by its first value (`sort-first-value`).
fn resort(r: &mut Response, by: &str, desc: bool, fault: &str) {
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

/// Multi-valued values of `current` added to those of the PUT body (a merge, not a replace).
fn merge_multi(b: &mut Value, current: Option<&Value>) {
    let Some(cur) = current.and_then(Value::as_object) else { return };
    for (k, v) in cur {
        if let (Some(old), Some(new)) = (v.as_array(), b.get_mut(k).and_then(Value::as_array_mut)) {
            for item in old {
                if !new.contains(item) {
                    new.push(item.clone());
                }
            }
        }
    }
}

/// Removes every value holding a `bulkId:` reference.
fn drop_bulk_refs(v: &mut Value) {
    match v {
        Value::Array(a) => {
            a.retain(|x| !refers(x));
            a.iter_mut().for_each(drop_bulk_refs);
        }
        Value::Object(o) => {
            o.retain(|_, x| !refers(x));
            o.values_mut().for_each(drop_bulk_refs);
        }
        _ => {}
    }
}

fn refers(v: &Value) -> bool {
    match v {
        Value::String(s) => s.starts_with("bulkId:"),
        Value::Object(o) => o.get("value").is_some_and(refers),
        _ => false,
    }
}

fn mangle(v: &mut Value) {
    match v {
        Value::String(s) if !s.is_ascii() => *s = s.chars().map(|c| if c.is_ascii() { c } else { '?' }).collect(),
        Value::Array(a) => a.iter_mut().for_each(mangle),
        Value::Object(o) => o.values_mut().for_each(mangle),
        _ => {}
    }
}
