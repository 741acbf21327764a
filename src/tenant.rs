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
use crate::store::Store;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Instant;

/// The privilege that lets a service user's keys use the SCIM API.
pub const SCIM_PROVISIONER: &str = "scim_provisioner";

/// A non-human user that owns API keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
}

/// One tenant.
pub struct Tenant {
    pub name: String,
    pub api: Api,
    state: RwLock<AdminState>,
    rate: Mutex<(Instant, u32)>,
}

impl std::fmt::Debug for Tenant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tenant").field("name", &self.name).finish_non_exhaustive()
    }
}

impl Tenant {
    /// A tenant with its store and admin token; SCIM on, a root team, no keys yet.
    pub fn new(name: &str, store: Arc<dyn Store>, config: Config, admin_token: &str) -> Tenant {
        let state = AdminState {
            settings: Settings::default(),
            admin_token: hash(admin_token),
            service_users: Vec::new(),
            keys: Vec::new(),
            teams: BTreeSet::from([ROOT_TEAM.to_owned()]),
            mappings: BTreeMap::new(),
        };
        Tenant {
            name: name.to_owned(),
            api: Api::new(store, config),
            state: RwLock::new(state),
            rate: Mutex::new((Instant::now(), 0)),
        }
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
    }

    /// Creates a service user.
    pub fn add_service_user(&self, name: &str, privileges: Vec<String>) -> ServiceUser {
        let u = ServiceUser { id: auth::generate_id(), name: name.to_owned(), privileges };
        self.state_mut().service_users.push(u.clone());
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
        Ok(())
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
