//! What the server offers. `serve --without etag,bulk,...` turns optional SCIM features off the
//! way a smaller real server would: the ServiceProviderConfig, /ResourceTypes and /Schemas say
//! so, and requests for what is off are refused (501) or ignored where the RFC lets a client
//! send it anyway (sortBy, cursor, If-Match).
//!
//! This is configuration, not a fault: a server without ETags is still conformant, and the
//! suite must skip, with a reason, what it does not offer (`cargo xtask faults` checks that).

use std::fmt;

/// An optional feature of RFC 7643/7644 (and RFC 9865) that a server may leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Feature {
    Etag,
    Bulk,
    Sort,
    Filter,
    Patch,
    Groups,
    Enterprise,
    Cursor,
    /// RFC 9967 asynchronous requests (`Prefer: respond-async`) and their events.
    Async,
}

impl Feature {
    pub const ALL: [Feature; 9] = [
        Feature::Etag,
        Feature::Bulk,
        Feature::Sort,
        Feature::Filter,
        Feature::Patch,
        Feature::Groups,
        Feature::Enterprise,
        Feature::Cursor,
        Feature::Async,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Feature::Etag => "etag",
            Feature::Bulk => "bulk",
            Feature::Sort => "sort",
            Feature::Filter => "filter",
            Feature::Patch => "patch",
            Feature::Groups => "groups",
            Feature::Enterprise => "enterprise",
            Feature::Cursor => "cursor",
            Feature::Async => "async",
        }
    }
}

/// The features turned off (none by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Without(u16);

impl Without {
    /// Parses a comma-separated list, e.g. `etag,bulk`.
    pub fn parse(list: &str) -> Result<Without, String> {
        let mut w = Without::default();
        for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let f = Feature::ALL.iter().find(|f| f.name().eq_ignore_ascii_case(name)).ok_or_else(|| {
                format!(
                    "unknown feature '{name}' for --without; choose from {}",
                    Feature::ALL.map(Feature::name).join(", ")
                )
            })?;
            w.0 |= 1 << (*f as u16);
        }
        Ok(w)
    }

    pub fn has(self, f: Feature) -> bool {
        self.0 & (1 << (f as u16)) != 0
    }

    /// Whether the feature is offered.
    pub fn offers(self, f: Feature) -> bool {
        !self.has(f)
    }
}

impl fmt::Display for Without {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Feature::ALL.iter().filter(|x| self.has(**x)).map(|x| x.name()).collect();
        f.write_str(&names.join(","))
    }
}

/// The request as a server without `w` reads it: the validators (`If-Match`,
/// `If-None-Match`) of a server without ETags, `sortBy`/`sortOrder` of one without sorting and
/// `cursor` of one without cursors are not looked at.
pub fn trim_request(req: &super::Request, w: Without) -> super::Request {
    let mut r = req.clone();
    if w.has(Feature::Etag) {
        r.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("if-match") && !k.eq_ignore_ascii_case("if-none-match"));
    }
    let dropped = |k: &str| {
        (w.has(Feature::Sort) && (k == "sortBy" || k == "sortOrder")) || (w.has(Feature::Cursor) && k == "cursor")
    };
    r.query.retain(|(k, _)| !dropped(k));
    r
}

/// What is refused outright: 501 for PATCH, /Bulk and filters when they are off.
pub fn refusal(req: &super::Request, w: Without) -> Option<crate::error::ScimError> {
    let not =
        |what: &str| Some(crate::error::ScimError::new(501, None, format!("{what} is not supported by this server")));
    let search = req.method == super::Method::Post && req.path.ends_with("/.search");
    let discovery = ["/ServiceProviderConfig", "/ResourceTypes", "/Schemas"].iter().any(|d| req.path.contains(d));
    let bulk = req.path.trim_end_matches('/').ends_with("/Bulk");
    if w.has(Feature::Patch) && req.method == super::Method::Patch {
        return not("PATCH");
    }
    if w.has(Feature::Bulk) && bulk {
        return not("/Bulk");
    }
    let body_filter = search && req.json().ok().is_some_and(|b| b.get("filter").is_some_and(|f| !f.is_null()));
    if w.has(Feature::Filter) && !discovery && (req.param("filter").is_some() || body_filter) {
        return not("filtering");
    }
    None
}

/// The response as a server without ETags sends it: no `ETag` header, no `meta.version`.
pub fn strip_versions(mut resp: super::Response) -> super::Response {
    resp.headers.retain(|(k, _)| !k.eq_ignore_ascii_case("etag"));
    fn strip(v: &mut serde_json::Value) {
        if let Some(meta) = v.get_mut("meta").and_then(serde_json::Value::as_object_mut) {
            meta.remove("version");
        }
    }
    if let Some(body) = resp.body.as_mut() {
        strip(body);
        for list in ["Resources", "Operations"] {
            for item in body.get_mut(list).and_then(serde_json::Value::as_array_mut).into_iter().flatten() {
                strip(item);
                if let Some(o) = item.as_object_mut() {
                    o.remove("version");
                }
            }
        }
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_feature_lists() {
        let w = Without::parse("etag, Bulk,groups").unwrap();
        assert!(w.has(Feature::Etag) && w.has(Feature::Bulk) && w.has(Feature::Groups));
        assert!(w.offers(Feature::Patch));
        assert_eq!(w.to_string(), "etag,bulk,groups");
        assert!(Without::parse("etag,teleport").unwrap_err().contains("unknown feature 'teleport'"));
        assert_eq!(Without::parse("").unwrap(), Without::default());
    }
}
