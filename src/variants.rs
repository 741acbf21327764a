//! Variants: the reference server as a stricter or smaller, but still conformant, real server.
//! `scimcheck serve --variant schema-subset,strict-required,...` differs from the reference
//! server the ways independent servers do without breaking RFC 7643/7644, so that the suite can
//! be held to 0 failures on servers it was not written against (`cargo xtask faults` runs the
//! whole suite on each).
//!
//! Like the faults, a variant is a rewrite of requests and responses around
//! [`App::handle_clean`]; the core never knows. Unlike a fault it breaks nothing.

use crate::api::{Method, Request, Response};
use crate::app::App;
use crate::error::ScimError;
use serde_json::{Value, json};

/// One way a conformant server differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Declares and keeps only part of the User schema: no `title`, `nickName`,
    /// `phoneNumbers`, `addresses`, `x509Certificates`, `ims`, `photos`, `profileUrl`.
    SchemaSubset,
    /// Requires more: `emails`, `name.formatted` (when `name` is sent) and a member's `$ref`.
    StrictRequired,
    /// Sends `null` for unassigned values, in discovery and in resources (RFC 7643 §2.5).
    Nulls,
    /// Groups carry no `meta.lastModified` (RFC 7643 §3.1: the attribute is optional).
    GroupsNoLastModified,
    /// `filter.supported: false` in the ServiceProviderConfig, while `userName eq` and the
    /// other filters still answer.
    FilterUnadvertised,
    /// Answers a successful PATCH of a User or Group with 204 and no body (RFC 7644 §3.5.2
    /// allows it; scim2-server does it), unless `attributes` asked for the resource.
    PatchNoContent,
    /// Closes the connection after every answer (`Connection: close`), as servers that speak
    /// HTTP/1.0 do (scim2-server).
    CloseConnections,
}

impl Variant {
    pub const ALL: [Variant; 7] = [
        Variant::SchemaSubset,
        Variant::StrictRequired,
        Variant::Nulls,
        Variant::GroupsNoLastModified,
        Variant::FilterUnadvertised,
        Variant::PatchNoContent,
        Variant::CloseConnections,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Variant::SchemaSubset => "schema-subset",
            Variant::StrictRequired => "strict-required",
            Variant::Nulls => "nulls",
            Variant::GroupsNoLastModified => "groups-no-lastmodified",
            Variant::FilterUnadvertised => "filter-unadvertised",
            Variant::PatchNoContent => "patch-no-content",
            Variant::CloseConnections => "close-connections",
        }
    }

    /// What it changes, for `--help` and docs/faults.md.
    pub fn what(self) -> &'static str {
        match self {
            Variant::SchemaSubset => {
                "declares and keeps no title, nickName, phoneNumbers, addresses, x509Certificates, ims, photos, profileUrl"
            }
            Variant::StrictRequired => "requires emails, name.formatted and members.$ref (400 invalidValue without)",
            Variant::Nulls => "sends null for unassigned attributes in resources and discovery",
            Variant::GroupsNoLastModified => "groups carry no meta.lastModified",
            Variant::FilterUnadvertised => "says filter.supported: false while filters still answer",
            Variant::PatchNoContent => "answers a successful PATCH of a User or Group with 204 and no body",
            Variant::CloseConnections => "closes the connection after every answer (Connection: close)",
        }
    }

    /// A comma-separated list, e.g. `nulls,strict-required`.
    pub fn parse_list(list: &str) -> Result<Vec<Variant>, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|name| {
                Variant::ALL.into_iter().find(|v| v.name().eq_ignore_ascii_case(name)).ok_or_else(|| {
                    format!("unknown variant '{name}'; choose from {}", Variant::ALL.map(Variant::name).join(", "))
                })
            })
            .collect()
    }
}

const DROPPED: &[&str] =
    &["title", "nickName", "phoneNumbers", "addresses", "x509Certificates", "ims", "photos", "profileUrl"];
const NULLED: &[&str] = &["externalId", "nickName", "title", "profileUrl", "userType", "locale", "timezone"];

/// Answers `req` as the reference server with `variants` would.
pub fn handle(app: &App, variants: &[Variant], req: Request, origin: &str) -> Response {
    let mut r = answer(app, variants, req, origin);
    if variants.contains(&Variant::CloseConnections) {
        r.headers.push(("connection", "close".into()));
    }
    r
}

fn answer(app: &App, variants: &[Variant], mut req: Request, origin: &str) -> Response {
    let has = |v: Variant| variants.contains(&v);
    let kind = resource_kind(&req.path);
    let writes = matches!(req.method, Method::Post | Method::Put);
    if has(Variant::StrictRequired)
        && writes
        && let (Some(kind), Ok(body)) = (kind, req.json())
        && let Some(e) = missing_required(kind, &body)
    {
        return Response::error(&e);
    }
    if has(Variant::SchemaSubset)
        && kind == Some("User")
        && matches!(req.method, Method::Post | Method::Put | Method::Patch)
        && let Ok(mut body) = req.json()
    {
        drop_attrs(&mut body);
        if let Some(ops) = body.get_mut("Operations").and_then(Value::as_array_mut) {
            ops.retain(|op| {
                let path = op.get("path").and_then(Value::as_str).unwrap_or("");
                !DROPPED.iter().any(|d| path.split(['[', '.']).next().is_some_and(|p| p.eq_ignore_ascii_case(d)))
            });
            for op in ops {
                if let Some(v) = op.get_mut("value") {
                    drop_attrs(v);
                }
            }
        }
        req.body = body.to_string().into_bytes();
    }
    let path = req.path.clone();
    let no_content = has(Variant::PatchNoContent)
        && req.method == Method::Patch
        && kind.is_some()
        && !req.query.iter().any(|(k, _)| k.to_ascii_lowercase().ends_with("attributes"));
    let mut r = app.handle_clean(req, origin);
    if no_content && r.status == 200 {
        r.status = 204;
        r.body = None;
        r.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
        return r;
    }
    let Some(body) = r.body.as_mut() else { return r };
    if path.ends_with("/ServiceProviderConfig") {
        if has(Variant::FilterUnadvertised) {
            body["filter"]["supported"] = json!(false);
        }
        if has(Variant::Nulls) {
            body["documentationUri"] = Value::Null;
        }
    }
    if path.contains("/Schemas") {
        for schema in each_resource(body) {
            adjust_schema(schema, variants);
        }
    }
    if path.contains("/ResourceTypes") && has(Variant::Nulls) {
        for rt in each_resource(body) {
            if rt.get("description").is_none() {
                rt["description"] = Value::Null;
            }
        }
    }
    for res in each_resource(body) {
        let rt = res.pointer("/meta/resourceType").and_then(Value::as_str).unwrap_or("").to_owned();
        let is = |t: &str| rt == t;
        if is("User") && has(Variant::SchemaSubset) {
            drop_attrs(res);
        }
        if is("Group")
            && has(Variant::GroupsNoLastModified)
            && let Some(meta) = res.get_mut("meta").and_then(Value::as_object_mut)
        {
            meta.remove("lastModified");
        }
        if is("User")
            && has(Variant::Nulls)
            && let Some(obj) = res.as_object_mut()
        {
            for name in NULLED {
                if !obj.keys().any(|k| k.eq_ignore_ascii_case(name)) {
                    obj.insert((*name).to_owned(), Value::Null);
                }
            }
        }
    }
    r
}

/// `Users` or `Groups` write endpoints (not `.search`).
fn resource_kind(path: &str) -> Option<&'static str> {
    let rest = path.split("/scim/v2/").nth(1)?;
    let first = rest.split('/').next()?;
    let search = rest.ends_with(".search");
    match first {
        "Users" if !search => Some("User"),
        "Groups" if !search => Some("Group"),
        _ => None,
    }
}

/// The resource itself, every list member and every bulk operation's response.
fn each_resource(body: &mut Value) -> Vec<&mut Value> {
    if body.get("Resources").is_some() {
        return body["Resources"].as_array_mut().map(|a| a.iter_mut().collect()).unwrap_or_default();
    }
    if body.get("Operations").is_some() {
        return body["Operations"]
            .as_array_mut()
            .map(|a| a.iter_mut().filter_map(|op| op.get_mut("response")).collect())
            .unwrap_or_default();
    }
    vec![body]
}

fn drop_attrs(v: &mut Value) {
    if let Some(obj) = v.as_object_mut() {
        obj.retain(|k, _| !DROPPED.iter().any(|d| d.eq_ignore_ascii_case(k)));
    }
}

/// What a strict server refuses: a User without `emails`, a `name` without `formatted`, a
/// Group member without `$ref`.
fn missing_required(kind: &str, body: &Value) -> Option<ScimError> {
    let get = |name: &str| body.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v);
    let refuse = |what: &str| Some(ScimError::invalid_value(format!("{what} is required by this server's schema")));
    if kind == "User" {
        let emails = get("emails").and_then(Value::as_array).is_some_and(|a| !a.is_empty());
        if !emails && get("userName").is_some() {
            return refuse("emails");
        }
        if let Some(name) = get("name").filter(|n| n.is_object())
            && !name.as_object().is_some_and(|n| n.keys().any(|k| k.eq_ignore_ascii_case("formatted")))
        {
            return refuse("name.formatted");
        }
    }
    if kind == "Group"
        && let Some(members) = get("members").and_then(Value::as_array)
        && members.iter().any(|m| m.get("$ref").is_none_or(Value::is_null))
    {
        return refuse("members.$ref");
    }
    None
}

fn adjust_schema(schema: &mut Value, variants: &[Variant]) {
    let id = schema["id"].as_str().unwrap_or("").to_owned();
    let Some(attrs) = schema.get_mut("attributes").and_then(Value::as_array_mut) else { return };
    if variants.contains(&Variant::SchemaSubset) && id.ends_with(":core:2.0:User") {
        attrs.retain(|a| !a["name"].as_str().is_some_and(|n| DROPPED.contains(&n)));
    }
    for a in attrs.iter_mut() {
        let name = a["name"].as_str().unwrap_or("").to_owned();
        if variants.contains(&Variant::StrictRequired) {
            if id.ends_with(":core:2.0:User") && name == "emails" {
                a["required"] = json!(true);
            }
            let sub = match (id.as_str(), name.as_str()) {
                (i, "name") if i.ends_with(":core:2.0:User") => Some("formatted"),
                (i, "members") if i.ends_with(":core:2.0:Group") => Some("$ref"),
                _ => None,
            };
            if let Some(sub) = sub {
                for s in a["subAttributes"].as_array_mut().into_iter().flatten() {
                    if s["name"] == sub {
                        s["required"] = json!(true);
                    }
                }
            }
        }
        if variants.contains(&Variant::Nulls) && a.get("canonicalValues").is_none() {
            a["canonicalValues"] = Value::Null;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_strict_servers_refuse_what_they_require() {
        assert_eq!(Variant::parse_list("nulls, Strict-Required").unwrap(), [Variant::Nulls, Variant::StrictRequired]);
        assert!(Variant::parse_list("nulls,lax").unwrap_err().contains("unknown variant 'lax'"));
        let user = json!({"userName": "u", "emails": [{"value": "u@x"}], "name": {"givenName": "g"}});
        assert!(missing_required("User", &user).unwrap().detail.contains("name.formatted"));
        assert!(missing_required("User", &json!({"userName": "u"})).is_some());
        assert!(missing_required("Group", &json!({"displayName": "g", "members": [{"value": "u"}]})).is_some());
        assert!(
            missing_required("Group", &json!({"displayName": "g", "members": [{"value": "u", "$ref": "r"}]})).is_none()
        );
    }
}
