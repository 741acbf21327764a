//! What the server under test says it offers, read before any scenario runs: its
//! ServiceProviderConfig, ResourceTypes and Schemas.
//!
//! Discovery decides what applies. A scenario tagged `@needs-groups` is skipped, with the
//! reason, on a server without a Group resource type; `@needs-enterprise` on one whose User
//! type does not declare the enterprise extension; `@needs-etag` and the other SPC flags on a
//! server that does not advertise them; `@lacks-patch` the other way round (a scenario about how
//! a server refuses what it does not offer). It also builds the fixture bodies: every required
//! attribute of the server's declared schemas gets a valid value of its type, so a server that
//! requires more than `userName` is not failed for what the suite left out.

use serde_json::{Map, Value};

pub const ENTERPRISE_URN: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const USER_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";

/// The server's own description of itself (each part `None` when it could not be read).
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    pub spc: Option<Value>,
    pub resource_types: Option<Vec<Value>>,
    pub schemas: Option<Vec<Value>>,
    /// Why the admin API cannot be used, if it cannot.
    pub admin: Option<String>,
    /// User-supplied templates per resource type (`--fixtures`), merged over the defaults.
    pub fixtures: Map<String, Value>,
    /// Probe attributes the target does not keep, each with why (see `suite::probe`).
    pub not_kept: Vec<(String, String)>,
    /// The RFC 8936 poll endpoint of the target's events (`check --events-poll`).
    pub events_poll: Option<String>,
    /// Whether the suite receives the target's pushed events (`check --events-listen`).
    pub events_pushed: bool,
}

/// The `@needs-*` tags and what each reads.
const SPC_NEEDS: &[(&str, &str, &str)] = &[
    ("patch", "/patch/supported", "patch.supported"),
    ("bulk", "/bulk/supported", "bulk.supported"),
    ("filter", "/filter/supported", "filter.supported"),
    ("sort", "/sort/supported", "sort.supported"),
    ("etag", "/etag/supported", "etag.supported"),
    ("changepassword", "/changePassword/supported", "changePassword.supported"),
    ("cursor", "/pagination/cursor", "pagination.cursor"),
    ("roles", "/RolesAndEntitlements/roles/supported", "RolesAndEntitlements.roles.supported"),
    ("entitlements", "/RolesAndEntitlements/entitlements/supported", "RolesAndEntitlements.entitlements.supported"),
];

impl Discovery {
    /// Why a scenario cannot be judged on this server, from its `@needs-<feature>` tags.
    pub fn missing(&self, tags: &[String]) -> Option<String> {
        for lack in tags.iter().filter_map(|t| t.strip_prefix("lacks-")) {
            if lack == "async" && self.async_offered() {
                return Some("the server offers asynchronous requests (securityEvents.asyncRequest), so its synchronous answer to one cannot be seen".into());
            }
            if let Some((_, pointer, label)) = SPC_NEEDS.iter().find(|(n, ..)| *n == lack)
                && self.spc_flag(pointer, label).is_none()
            {
                return Some(format!("the server advertises {label}, so how it refuses the feature cannot be seen"));
            }
        }
        for need in tags.iter().filter_map(|t| t.strip_prefix("needs-")) {
            let why = match need {
                "admin" => self.admin.clone(),
                "async" => (!self.async_offered()).then(|| {
                    "the server's ServiceProviderConfig does not offer asynchronous requests (securityEvents.asyncRequest is absent or \"none\"; RFC 9967 §4)".to_owned()
                }),
                "prov-events" => (!self.emits_provisioning_events()).then(|| {
                    "the server's ServiceProviderConfig lists no provisioning event URIs (securityEvents.eventUris urn:ietf:params:scim:event:prov:…)".to_owned()
                }),
                "events" => (self.events_poll.is_none() && !self.events_pushed).then(|| {
                    "neither --events-poll URL nor --events-listen ADDR was given, so the events the server emits cannot be read".to_owned()
                }),
                "groups" => (!self.has_groups())
                    .then(|| "the server's /ResourceTypes has no Group resource type (Groups are optional)".to_owned()),
                "enterprise" => (!self.has_enterprise()).then(|| {
                    "the server does not declare the enterprise User extension (RFC 7643 §4.3 makes it optional)"
                        .to_owned()
                }),
                _ => match SPC_NEEDS.iter().find(|(n, ..)| *n == need) {
                    Some((_, pointer, label)) => self.spc_flag(pointer, label),
                    None => None,
                },
            };
            if why.is_some() {
                return why;
            }
        }
        None
    }

    /// RFC 9967 §4: `securityEvents.eventUris` names provisioning events (§2.4).
    pub fn emits_provisioning_events(&self) -> bool {
        let uris =
            self.spc.as_ref().and_then(|spc| find_ci(spc, "/securityEvents/eventUris")).and_then(Value::as_array);
        uris.into_iter()
            .flatten()
            .any(|u| u.as_str().is_some_and(|u| u.starts_with("urn:ietf:params:scim:event:prov:")))
    }

    /// RFC 9967 §4: `securityEvents.asyncRequest` is "request" or "long".
    pub fn async_offered(&self) -> bool {
        let mode =
            self.spc.as_ref().and_then(|spc| find_ci(spc, "/securityEvents/asyncRequest")).and_then(Value::as_str);
        mode.is_some_and(|m| m.eq_ignore_ascii_case("request") || m.eq_ignore_ascii_case("long"))
    }

    fn spc_flag(&self, pointer: &str, label: &str) -> Option<String> {
        let Some(spc) = &self.spc else {
            return Some(format!("needs {label}, but the ServiceProviderConfig could not be read"));
        };
        let on = spc.pointer(pointer).or_else(|| find_ci(spc, pointer)).is_some_and(|v| v == &Value::Bool(true));
        (!on).then(|| format!("the server's ServiceProviderConfig does not advertise {label}"))
    }

    pub fn resource_type(&self, name: &str) -> Option<&Value> {
        self.resource_types.as_ref()?.iter().find(|rt| {
            rt["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name))
                || rt["endpoint"].as_str().is_some_and(|e| e.eq_ignore_ascii_case(&format!("/{name}s")))
        })
    }

    /// Groups are there unless /ResourceTypes was read and lists no Group type.
    pub fn has_groups(&self) -> bool {
        self.resource_types.is_none() || self.resource_type("Group").is_some()
    }

    /// The enterprise extension is there when the User resource type declares it (when
    /// /ResourceTypes cannot be read: when /Schemas lists it, or cannot be read either, so that
    /// a server with no discovery is judged on everything).
    pub fn has_enterprise(&self) -> bool {
        let in_rt = self.resource_type("User").map(|rt| {
            rt["schemaExtensions"].as_array().is_some_and(|x| {
                x.iter().any(|e| e["schema"].as_str().is_some_and(|s| s.eq_ignore_ascii_case(ENTERPRISE_URN)))
            })
        });
        // /Schemas listing the extension is not enough: the User type must declare it.
        match (in_rt, &self.resource_types) {
            (Some(declared), _) => declared,
            (None, Some(_)) => false,
            (None, None) => self.schemas.is_none() || self.schema(ENTERPRISE_URN).is_some(),
        }
    }

    /// A declared schema by its URN.
    pub fn schema(&self, urn: &str) -> Option<&Value> {
        self.schemas.as_ref()?.iter().find(|s| s["id"].as_str().is_some_and(|id| id.eq_ignore_ascii_case(urn)))
    }
}

/// A JSON pointer lookup with case-insensitive keys.
pub fn find_ci<'v>(v: &'v Value, pointer: &str) -> Option<&'v Value> {
    let mut cur = v;
    for part in pointer.split('/').filter(|p| !p.is_empty()) {
        cur = cur.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(part))?.1;
    }
    Some(cur)
}

/// Reads the three discovery endpoints (and the admin API, when a token is given).
pub async fn discover(
    client: &reqwest::Client,
    base_url: &str,
    headers: &[(String, String)],
    admin: Option<(&str, &str)>,
) -> Discovery {
    let get = |path: &str| {
        let mut req = client.get(format!("{base_url}{path}")).header("accept", "application/scim+json");
        for (k, v) in headers {
            req = req.header(k, v);
        }
        async move {
            match req.send().await {
                Ok(r) if r.status().is_success() => r.json::<Value>().await.ok(),
                _ => None,
            }
        }
    };
    let spc = get("/ServiceProviderConfig").await;
    let list = |v: Option<Value>| v.and_then(|v| v.get("Resources").and_then(Value::as_array).cloned());
    let resource_types = list(get("/ResourceTypes").await);
    let schemas = list(get("/Schemas").await);
    let admin = match admin {
        None => Some("no --admin-token was given, so the product's admin API cannot be used".to_owned()),
        Some((url, token)) => match client.get(format!("{url}/settings")).bearer_auth(token).send().await {
            Ok(r) if r.status().is_success() => None,
            Ok(r) => Some(format!("the admin API answered {} to GET /admin/v1/settings", r.status())),
            Err(e) => Some(format!("the admin API is unreachable: {e}")),
        },
    };
    Discovery { spc, resource_types, schemas, admin, ..Discovery::default() }
}
