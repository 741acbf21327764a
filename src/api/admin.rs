//! The admin API (`/admin/v1`): JSON over HTTP, authenticated with the tenant's admin token.
//! It is how a person, and the `@product` features, set the product up: settings, service
//! users and API keys, teams and roles, group mappings, the access view, a SAML login
//! simulation, the audit log, and (default tenant only) new tenants.

use super::{Method, Request, Response};
use crate::app::{App, DEFAULT_TENANT};
use crate::error::{Result, ScimError};
use crate::filter::{AttrPath, CompValue, CompareOp, Filter, eval};
use crate::model::{Kind, Mode, normalize};
use crate::product::{self, Assignment, ROLES, Settings, SettingsError};
use crate::store::{ListQuery, NewResource, Update, Window};
use crate::tenant::{Mapping, Tenant};
use serde_json::{Value, json};

/// Answers an admin request (already authenticated).
pub fn handle(app: &App, t: &Tenant, req: &Request, origin: &str) -> Response {
    match route(app, t, req, origin) {
        Ok(r) => r,
        Err(e) => Response::error(&e),
    }
}

fn route(app: &App, t: &Tenant, req: &Request, origin: &str) -> Result<Response> {
    let rest = req.path.strip_prefix(crate::app::ADMIN_PREFIX).unwrap_or("");
    let segs: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            form_urlencoded::parse(format!("x={s}").as_bytes()).next().map(|(_, v)| v.into_owned()).unwrap_or_default()
        })
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    use Method::*;
    match (segs.as_slice(), req.method) {
        (["settings"], Get) => Ok(ok(json!(t.state().settings))),
        (["settings"], Put) => put_settings(t, req),
        (["service-users"], Get) => Ok(ok(json!({"service_users": t.state().service_users}))),
        (["service-users"], Post) => {
            let body = req.json()?;
            let name = string(&body, "name")?;
            let privileges: Vec<String> = body["privileges"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            let u = t.add_service_user(&name, privileges);
            t.api.audit(
                "admin",
                "service_user.create",
                "ServiceUser",
                &u.id,
                None,
                Some(json!({"name": u.name, "privileges": u.privileges})),
            );
            Ok(Response::json(201, json!(u)))
        }
        (["api-keys"], Get) => {
            let keys: Vec<Value> = t
                .state()
                .keys
                .iter()
                .map(|k| json!({"id": k.id, "user_id": k.user_id, "revoked": k.revoked, "created": k.created}))
                .collect();
            Ok(ok(json!({"api_keys": keys})))
        }
        (["api-keys"], Post) => {
            let body = req.json()?;
            let user_id = string(&body, "user_id")?;
            let (id, token) = t.add_key(&user_id, None)?;
            t.api.audit("admin", "api_key.create", "ApiKey", &id, None, Some(json!({"user_id": user_id})));
            Ok(Response::json(201, json!({"id": id, "user_id": user_id, "token": token})))
        }
        (["api-keys", id], Delete) => {
            t.revoke_key(id)?;
            t.api.audit("admin", "api_key.revoke", "ApiKey", id, None, None);
            Ok(Response::empty(204))
        }
        (["teams"], Get) => Ok(ok(json!({"teams": teams(t)?}))),
        (["teams"], Post) => {
            let name = string(&req.json()?, "name")?;
            if !t.state_mut().teams.insert(name.clone()) {
                return Err(ScimError::uniqueness(format!("team '{name}' already exists")));
            }
            t.persist()?;
            t.api.audit("admin", "team.create", "Team", &name, None, None);
            Ok(Response::json(201, json!({"name": name})))
        }
        (["roles"], Get) => {
            Ok(ok(json!(ROLES.iter().map(|(n, d)| json!({"name": n, "description": d})).collect::<Vec<_>>())))
        }
        (["group-mappings"], Get) => Ok(ok(json!({"group_mappings": t.state().mappings.values().collect::<Vec<_>>()}))),
        (["group-mappings", group], Put) => put_mapping(t, req, group),
        (["group-mappings", group], Get) => {
            let st = t.state();
            let m = st
                .mappings
                .get(&group.to_lowercase())
                .ok_or_else(|| ScimError::not_found(format!("no mapping for group '{group}'")))?;
            Ok(ok(json!(m)))
        }
        (["group-mappings", group], Delete) => {
            let removed = t.state_mut().mappings.remove(&group.to_lowercase());
            if removed.is_none() {
                return Err(ScimError::not_found(format!("no mapping for group '{group}'")));
            }
            t.persist()?;
            t.api.audit("admin", "mapping.delete", "GroupMapping", group, removed.map(|m| json!(m)), None);
            Ok(Response::empty(204))
        }
        (["users", id, "access"], Get) => Ok(ok(access(t, id)?)),
        (["saml", "login"], Post) => saml_login(t, req),
        (["event-stream"], _) => super::stream::handle(t, req, origin),
        (["events"], Get) => {
            let after = req.int_param("after")?.unwrap_or(0).max(0) as u64;
            let limit = match req.int_param("limit")? {
                None => crate::audit::DEFAULT_PAGE,
                Some(n) if (1..=crate::audit::PAGE as i64).contains(&n) => n as usize,
                Some(n) => {
                    return Err(ScimError::invalid_value(format!(
                        "limit must be between 1 and {}, got {n}",
                        crate::audit::PAGE
                    )));
                }
            };
            let (events, more) = t.api.store.audit_after(after, limit)?;
            // Where to continue: the sequence number of the last event returned (or `after`).
            let next_after = events.last().map_or(after, |e| e.seq);
            Ok(ok(json!({"events": events, "next_after": next_after, "more": more})))
        }
        (["local-accounts"], Get) => {
            let st = t.state();
            let mut accounts =
                vec![json!({"name": "admin", "kind": "break-glass", "team": product::ROOT_TEAM, "role": "admin"})];
            accounts.extend(
                st.service_users.iter().map(|u| json!({"name": u.name, "kind": "service", "privileges": u.privileges})),
            );
            Ok(ok(json!({"local_accounts": accounts})))
        }
        (["tenants", name], Delete) => {
            if t.name != DEFAULT_TENANT || *name == DEFAULT_TENANT {
                return Err(ScimError::forbidden("only the default tenant's admin can remove other tenants"));
            }
            if !app.remove_tenant(name) {
                return Err(ScimError::not_found(format!("no tenant named '{name}'")));
            }
            t.api.audit("admin", "tenant.delete", "Tenant", name, None, None);
            Ok(Response::empty(204))
        }
        (["tenants"], Post) => {
            if t.name != DEFAULT_TENANT {
                return Err(ScimError::forbidden("only the default tenant's admin can create tenants"));
            }
            let name = string(&req.json()?, "name")?;
            let valid = !name.is_empty()
                && name.len() <= 63
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            if !valid {
                return Err(ScimError::invalid_value("a tenant name is 1-63 letters, digits, '-' or '_'"));
            }
            if app.tenant(&name).is_some() {
                return Err(ScimError::uniqueness(format!("tenant '{name}' already exists")));
            }
            let admin_token = super::auth::generate_token("admin");
            app.add_tenant(&name, &admin_token);
            t.api.audit("admin", "tenant.create", "Tenant", &name, None, None);
            Ok(Response::json(
                201,
                json!({
                    "name": name,
                    "admin_token": admin_token,
                    "scim_base_url": format!("{origin}/t/{name}/scim/v2"),
                    "admin_base_url": format!("{origin}/t/{name}/admin/v1"),
                }),
            ))
        }
        _ => Err(ScimError::not_found(format!("no such admin endpoint: {} {}", req.method.as_str(), req.path))),
    }
}

fn ok(v: Value) -> Response {
    Response::json(200, v)
}

fn string(body: &Value, name: &str) -> Result<String> {
    body.get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_owned)
        .ok_or_else(|| ScimError::invalid_value(format!("'{name}' must be a non-empty string")))
}

fn put_settings(t: &Tenant, req: &Request) -> Result<Response> {
    let body = req.json()?;
    let current = t.state().settings.clone();
    // Fields left out keep their value.
    let mut merged = serde_json::to_value(&current).expect("settings serialise");
    let Value::Object(fields) = body else { return Err(ScimError::invalid_syntax("settings must be a JSON object")) };
    for (k, v) in fields {
        if merged.get(&k).is_none() {
            return Err(ScimError::invalid_value(format!("unknown setting '{k}'")));
        }
        merged[k] = v;
    }
    let requested: Settings =
        serde_json::from_value(merged).map_err(|e| ScimError::invalid_value(format!("bad settings: {e}")))?;
    let next = current.apply(&requested).map_err(|e| match e {
        SettingsError::JitWhileScim => ScimError::new(
            409,
            None,
            "SAML JIT provisioning and metadata sync cannot be on while SCIM provisioning is on",
        ),
        SettingsError::UnknownRole(r) => ScimError::invalid_value(format!("unknown role '{r}'")),
    })?;
    t.set_settings(next.clone());
    t.api.audit("admin", "settings.update", "Settings", &t.name, Some(json!(current)), Some(json!(next)));
    Ok(ok(json!(next)))
}

fn put_mapping(t: &Tenant, req: &Request, group: &str) -> Result<Response> {
    let body = req.json()?;
    let Some(list) = body.get("assignments").and_then(Value::as_array) else {
        return Err(ScimError::invalid_value("'assignments' must be an array of {team, role}"));
    };
    let mut assignments = Vec::new();
    for a in list {
        let (team, role) = (string(a, "team")?, string(a, "role")?);
        if !ROLES.iter().any(|(r, _)| *r == role) {
            return Err(ScimError::invalid_value(format!("unknown role '{role}'")));
        }
        assignments.push(Assignment { team, role });
    }
    let mapping = Mapping { group: group.to_owned(), assignments };
    let before = t.state_mut().mappings.insert(group.to_lowercase(), mapping.clone());
    t.persist()?;
    t.api.audit("admin", "mapping.update", "GroupMapping", group, before.map(|m| json!(m)), Some(json!(mapping)));
    Ok(ok(json!(mapping)))
}

/// Teams: root, the ones created by hand, and one per pushed group (renamed and removed with it).
fn teams(t: &Tenant) -> Result<Vec<Value>> {
    let mut out: Vec<Value> = t.state().teams.iter().map(|n| json!({"name": n, "source": "local"})).collect();
    let groups = t.api.store.list(
        Kind::Group,
        &ListQuery { filter: None, sort: None, window: Window::Offset { offset: 0, count: usize::MAX } },
    )?;
    for g in groups.records {
        if let Some(name) = g.attrs.get("displayName").and_then(Value::as_str) {
            out.push(json!({"name": name, "source": "group", "group_id": g.id}));
        }
    }
    Ok(out)
}

/// `GET /users/{id}/access`.
fn access(t: &Tenant, id: &str) -> Result<Value> {
    let user =
        t.api.store.get(Kind::User, id)?.ok_or_else(|| ScimError::not_found(format!("user '{id}' not found")))?;
    let active = user.attrs.get("active").and_then(Value::as_bool).unwrap_or(true);
    let groups: Vec<String> = t.api.store.groups_of(id)?.into_iter().filter_map(|g| g.display).collect();
    let st = t.state();
    let mappings = st.mappings.iter().map(|(k, m)| (k.clone(), m.assignments.clone())).collect();
    let assignments = product::access(active, &groups, &mappings, &st.settings.default_role);
    Ok(json!({"user_id": id, "active": active, "groups": groups, "assignments": assignments}))
}

/// `POST /saml/login`: stands in for a SAML assertion.
fn saml_login(t: &Tenant, req: &Request) -> Result<Response> {
    let body = req.json()?;
    let name_id = string(&body, "name_id")?;
    let attrs = body.get("attributes").cloned().unwrap_or(json!({}));
    let settings = t.state().settings.clone();
    let rt = t.api.registry().resource_type("User").expect("User exists").clone();
    let by_name = Filter::Compare(
        AttrPath { urn: None, attr: "userName".into(), sub: None },
        CompareOp::Eq,
        CompValue::Str(name_id.as_str().into()),
    );
    let compiled = eval::compile(&rt, &by_name, false)?;
    let found = t.api.store.list(
        Kind::User,
        &ListQuery { filter: Some(&compiled), sort: None, window: Window::Offset { offset: 0, count: 1 } },
    )?;
    let profile = |existing: Option<&serde_json::Map<String, Value>>| -> Value {
        let a = |k: &str| attrs.get(k).and_then(Value::as_str).map(str::to_owned);
        let mut v =
            existing.cloned().map(Value::Object).unwrap_or_else(|| json!({"userName": name_id, "active": true}));
        if let Some(g) = a("givenName") {
            v["name"]["givenName"] = json!(g);
        }
        if let Some(f) = a("familyName") {
            v["name"]["familyName"] = json!(f);
        }
        if let Some(d) = a("displayName") {
            v["displayName"] = json!(d);
        }
        if let Some(e) = a("email") {
            v["emails"] = json!([{"value": e, "primary": true, "type": "work"}]);
        }
        v
    };
    match found.records.first() {
        None if settings.scim_enabled => Err(ScimError::forbidden(format!(
            "'{name_id}' is not provisioned; with SCIM on, users are created by the identity provider only"
        ))),
        None if settings.saml_jit_enabled => {
            let n = normalize(&rt, &profile(None), Mode::default())?;
            let unique = crate::model::normalize::unique_keys(&rt, &n.attrs);
            let new = NewResource { attrs: n.attrs, unique, members: vec![], actor: "saml".into() };
            let r = t.api.store.create(Kind::User, new)?;
            Ok(Response::json(201, json!({"user_id": r.id, "created": true, "profile_updated": false})))
        }
        None => Err(ScimError::forbidden(format!("'{name_id}' has no account and SAML JIT provisioning is off"))),
        Some(user) => {
            let sync = !settings.scim_enabled && settings.saml_metadata_sync_enabled;
            if sync {
                let n = normalize(&rt, &profile(Some(&user.attrs)), Mode::default())?;
                t.api.store.update(Kind::User, &user.id, None, &mut |_, _| {
                    Ok(Update {
                        unique: crate::model::normalize::unique_keys(&rt, &n.attrs),
                        attrs: n.attrs.clone(),
                        members: None,
                        put: false,
                        actor: "saml".into(),
                    })
                })?;
            }
            t.api.audit("saml", "saml.login", "User", &user.id, None, None);
            Ok(ok(json!({"user_id": user.id, "created": false, "profile_updated": sync})))
        }
    }
}
