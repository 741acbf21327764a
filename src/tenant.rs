//! A tenant of the provisioning product: its SCIM service (users, groups, audit log) and its
//! admin state (settings, service users and API keys, teams, group mappings).
//!
//! Credentials are kept as SHA-256 hashes only. Only keys of a service user with the
//! `scim_provisioner` privilege may use the SCIM API; other valid keys get 403, unknown or
//! revoked keys 401. Local accounts (the break-glass admin, service users) are not SCIM
//! resources: provisioning can neither see nor remove them.

use crate::api::auth::{self, hash};
use crate::api::{Api, Config, Request};
use crate::error::{Result, ScimError};
use crate::product::{Assignment, ROOT_TEAM, Settings, UserRules};
use crate::store::{Database, Store};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

/// The privilege that lets a service user's keys use the SCIM API.
pub const SCIM_PROVISIONER: &str = "scim_provisioner";

/// A non-human user that owns API keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceUser {
    pub id: String,
    pub name: String,
    pub privileges: Vec<String>,
}

/// An API key: only its hash is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: String,
    pub user_id: String,
    pub hash: [u8; 32],
    pub revoked: bool,
    pub created: String,
}

/// A group's configured assignments, under the group's name as configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    pub group: String,
    pub assignments: Vec<Assignment>,
}

/// Everything the admin API manages.
#[derive(Debug, Clone)]
pub struct AdminState {
    pub settings: Settings,
    pub admin_token: [u8; 32],
    pub service_users: Vec<ServiceUser>,
    pub keys: Vec<ApiKey>,
    pub teams: BTreeSet<String>,
    /// Keyed by the lower-cased group name.
    pub mappings: BTreeMap<String, Mapping>,
    /// Where the tenant's events are pushed (RFC 8935), if anywhere.
    pub stream: Option<crate::api::stream::EventStream>,
}

fn hex(b: &[u8; 32]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if s.len() != 64 {
        return None;
    }
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

impl AdminState {
    /// The state as stored in the database (hashes only, never tokens).
    pub fn to_json(&self) -> Value {
        json!({
            "settings": self.settings,
            "admin_token_sha256": hex(&self.admin_token),
            "service_users": self.service_users,
            "keys": self.keys.iter().map(|k| json!({"id": k.id, "user_id": k.user_id, "sha256": hex(&k.hash), "revoked": k.revoked, "created": k.created})).collect::<Vec<_>>(),
            "teams": self.teams,
            "mappings": self.mappings.values().collect::<Vec<_>>(),
            "stream": self.stream,
        })
    }

    /// The state from its stored form.
    pub fn from_json(v: &Value) -> Option<AdminState> {
        let keys = v["keys"]
            .as_array()?
            .iter()
            .map(|k| {
                Some(ApiKey {
                    id: k["id"].as_str()?.to_owned(),
                    user_id: k["user_id"].as_str()?.to_owned(),
                    hash: unhex(k["sha256"].as_str()?)?,
                    revoked: k["revoked"].as_bool()?,
                    created: k["created"].as_str().unwrap_or_default().to_owned(),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let mappings: Vec<Mapping> = serde_json::from_value(v["mappings"].clone()).ok()?;
        Some(AdminState {
            settings: serde_json::from_value(v["settings"].clone()).ok()?,
            admin_token: unhex(v["admin_token_sha256"].as_str()?)?,
            service_users: serde_json::from_value(v["service_users"].clone()).ok()?,
            keys,
            teams: serde_json::from_value(v["teams"].clone()).ok()?,
            mappings: mappings.into_iter().map(|m| (m.group.to_lowercase(), m)).collect(),
            stream: serde_json::from_value(v["stream"].clone()).ok().flatten(),
        })
    }
}

/// One tenant.
pub struct Tenant {
    pub name: String,
    pub api: Api,
    state: RwLock<AdminState>,
    rate: Mutex<(Instant, u32)>,
    /// How pushing its events goes (see [`crate::api::stream`]).
    pub push: Mutex<crate::api::stream::PushStatus>,
    /// Where the admin state is saved, for a durable server.
    db: Option<Database>,
}

impl std::fmt::Debug for Tenant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tenant").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Tenant {
    /// A tenant with its store and admin token; SCIM on, a root team, no keys yet.
    pub fn new(name: &str, store: Arc<dyn Store>, config: Config, admin_token: &str) -> Tenant {
        Tenant {
            name: name.to_owned(),
            api: Api::new(store, config),
            state: RwLock::new(Self::new_state(admin_token)),
            rate: Mutex::new((Instant::now(), 0)),
            push: Mutex::default(),
            db: None,
        }
    }

    /// A tenant kept in a database: its store, saved admin state and audit log.
    pub fn durable(name: &str, db: &Database, config: Config, state: AdminState) -> Result<Tenant> {
        let api = Api::new(Arc::new(db.store(name)), config);
        let t = Tenant {
            name: name.to_owned(),
            api,
            state: RwLock::new(state),
            rate: Mutex::new((Instant::now(), 0)),
            push: Mutex::default(),
            db: Some(db.clone()),
        };
        let settings = t.state().settings.clone();
        t.api.product_rules.store(settings.user_rules == UserRules::Product, Ordering::Relaxed);
        t.persist()?;
        Ok(t)
    }

    /// A fresh admin state with this admin token.
    pub fn new_state(admin_token: &str) -> AdminState {
        AdminState {
            settings: Settings::default(),
            admin_token: hash(admin_token),
            service_users: Vec::new(),
            keys: Vec::new(),
            teams: BTreeSet::from([ROOT_TEAM.to_owned()]),
            mappings: BTreeMap::new(),
            stream: None,
        }
    }

    /// Saves the admin state, when the tenant is durable.
    pub fn persist(&self) -> Result<()> {
        match &self.db {
            Some(db) => db.save_tenant(&self.name, &self.state().to_json()),
            None => Ok(()),
        }
    }

    /// Replaces the admin token (a durable server restarted with `--admin-token`).
    pub fn set_admin_token(&self, token: &str) -> Result<()> {
        self.state_mut().admin_token = hash(token);
        self.persist()
    }

    /// Whether some unrevoked key has this token.
    pub fn has_key(&self, token: &str) -> bool {
        let h = hash(token);
        self.state().keys.iter().any(|k| !k.revoked && auth::matches(&k.hash, &h))
    }

    pub fn state(&self) -> RwLockReadGuard<'_, AdminState> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn state_mut(&self) -> RwLockWriteGuard<'_, AdminState> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies new settings (the product rules switch takes effect at once).
    pub fn set_settings(&self, s: Settings) {
        self.api.product_rules.store(s.user_rules == UserRules::Product, Ordering::Relaxed);
        self.state_mut().settings = s;
        let _ = self.persist();
    }

    /// Creates a service user.
    pub fn add_service_user(&self, name: &str, privileges: Vec<String>) -> ServiceUser {
        let u = ServiceUser { id: auth::generate_id(), name: name.to_owned(), privileges };
        self.state_mut().service_users.push(u.clone());
        let _ = self.persist();
        u
    }

    /// Creates an API key for a service user, from a token (or a new random one); returns
    /// `(key id, token)`. The token is not kept.
    pub fn add_key(&self, user_id: &str, token: Option<&str>) -> Result<(String, String)> {
        let mut st = self.state_mut();
        if !st.service_users.iter().any(|u| u.id == user_id) {
            return Err(ScimError::not_found(format!("service user '{user_id}' not found")));
        }
        let token = token.map(str::to_owned).unwrap_or_else(|| auth::generate_token("scim"));
        let id = auth::generate_id();
        st.keys.push(ApiKey {
            id: id.clone(),
            user_id: user_id.to_owned(),
            hash: hash(&token),
            revoked: false,
            created: crate::clock::now(),
        });
        drop(st);
        // Acknowledged means stored: a key shown to its user must survive a restart.
        self.persist()?;
        Ok((id, token))
    }

    /// Revokes a key at once.
    pub fn revoke_key(&self, id: &str) -> Result<()> {
        let mut st = self.state_mut();
        let key = st
            .keys
            .iter_mut()
            .find(|k| k.id == id)
            .ok_or_else(|| ScimError::not_found(format!("API key '{id}' not found")))?;
        key.revoked = true;
        drop(st);
        self.persist()
    }

    /// Authenticates a SCIM request; the acting service user's name.
    pub fn authenticate_scim(&self, req: &Request) -> Result<String> {
        let presented = hash(auth::bearer(req)?);
        let st = self.state();
        // Compare against every key so timing does not depend on which one matches.
        let mut found = None;
        for k in &st.keys {
            if auth::matches(&k.hash, &presented) && !k.revoked {
                found = Some(k);
            }
        }
        let Some(key) = found else {
            if auth::matches(&st.admin_token, &presented) {
                return Err(ScimError::forbidden(
                    "the admin token cannot be used on the SCIM API; use an API key of a SCIM Provisioner",
                ));
            }
            return Err(ScimError::unauthorized("the bearer token is not a valid API key for this tenant"));
        };
        let user = st.service_users.iter().find(|u| u.id == key.user_id);
        match user {
            Some(u) if u.privileges.iter().any(|p| p == SCIM_PROVISIONER) => Ok(u.name.clone()),
            _ => Err(ScimError::forbidden("this API key's user lacks the SCIM Provisioner privilege")),
        }
    }

    /// Authenticates an admin request.
    pub fn authenticate_admin(&self, req: &Request) -> Result<()> {
        let presented = hash(auth::bearer(req)?);
        let st = self.state();
        if auth::matches(&st.admin_token, &presented) {
            return Ok(());
        }
        if st.keys.iter().any(|k| auth::matches(&k.hash, &presented) && !k.revoked) {
            return Err(ScimError::forbidden("API keys cannot use the admin API; use the tenant's admin token"));
        }
        Err(ScimError::unauthorized("the bearer token is not this tenant's admin token"))
    }

    /// Counts a request against a per-minute limit; 429 with the seconds to wait beyond it.
    pub fn rate_check(&self, per_minute: u32) -> Result<(), u64> {
        let mut r = self.rate.lock().unwrap_or_else(|p| p.into_inner());
        let elapsed = r.0.elapsed().as_secs();
        if elapsed >= 60 {
            *r = (Instant::now(), 0);
        }
        if r.1 >= per_minute {
            return Err(60 - r.0.elapsed().as_secs().min(59));
        }
        r.1 += 1;
        Ok(())
    }
}
