//! The whole reference server as one value: its tenants, and the routing in front of them.
//!
//! `App::handle` picks the tenant from the path (`/scim/v2` and `/admin/v1` are the default
//! tenant; `/t/{tenant}/scim/v2` and `/t/{tenant}/admin/v1` the others), applies the rate
//! limit, authenticates (API key for SCIM, admin token for the admin API), refuses the SCIM
//! API while SCIM is off, and hands the request to the tenant's SCIM service or to the admin
//! API. Like `api`, it is synchronous and knows nothing of hyper.

use crate::api::{self, Config, Request, Response, SCIM_PREFIX};
use crate::error::ScimError;
use crate::store::{Database, MemoryStore, Store};
use crate::tenant::{SCIM_PROVISIONER, Tenant};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The name of the tenant served at `/scim/v2` and `/admin/v1`.
pub const DEFAULT_TENANT: &str = "default";

/// The admin API's path prefix.
pub const ADMIN_PREFIX: &str = "/admin/v1";

/// Makes the store of a new tenant.
pub type StoreFactory = Box<dyn Fn(&str) -> Arc<dyn Store> + Send + Sync>;

/// Tokens generated at start-up, as `(what, token)`, to be shown once.
pub type Generated = Vec<(&'static str, String)>;

/// The reference server.
pub struct App {
    pub config: Config,
    /// Requests per minute per tenant; `None` for no limit.
    pub rate_limit: Option<u32>,
    tenants: RwLock<HashMap<String, Arc<Tenant>>>,
    new_store: StoreFactory,
    /// The database of a durable server (tenants, their data, admin state and audit logs).
    db: Option<Database>,
    /// A defect to show on purpose (`serve --fault`); `None` for the correct server.
    pub fault: Option<&'static crate::faults::Fault>,
    /// Ways to differ from the reference server and still conform (`serve --variant`).
    pub variants: Vec<crate::variants::Variant>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("config", &self.config).finish_non_exhaustive()
    }
}

impl App {
    /// A server with a default tenant whose admin token is `admin_token` and whose built-in
    /// "SCIM Provisioner" service user has an API key `scim_token`.
    pub fn new(config: Config, scim_token: &str, admin_token: &str, new_store: StoreFactory) -> App {
        let app = App {
            config,
            rate_limit: None,
            tenants: RwLock::new(HashMap::new()),
            new_store,
            db: None,
            fault: None,
            variants: Vec::new(),
        };
        let t = app.add_tenant(DEFAULT_TENANT, admin_token);
        let user = t.add_service_user("SCIM Provisioner", vec![SCIM_PROVISIONER.to_owned()]);
        t.add_key(&user.id, Some(scim_token)).expect("the service user was just created");
        app
    }

    /// An in-memory server (tests, demos, `check` without a target).
    pub fn in_memory(config: Config, scim_token: &str, admin_token: &str) -> App {
        App::new(config, scim_token, admin_token, Box::new(|_| Arc::new(MemoryStore::new())))
    }

    /// A durable server on a database: every saved tenant is loaded; the default tenant is
    /// created when missing. A given SCIM token becomes a key of the built-in SCIM Provisioner
    /// (if it is not one already) and a given admin token replaces the stored one. Tokens that
    /// had to be generated are returned as `(what, token)`, to be shown once.
    pub fn open(
        config: Config,
        db: Database,
        scim_token: Option<&str>,
        admin_token: Option<&str>,
    ) -> Result<(App, Generated), String> {
        let factory_db = db.clone();
        let app = App {
            config: config.clone(),
            rate_limit: None,
            tenants: RwLock::new(HashMap::new()),
            new_store: Box::new(move |name| Arc::new(factory_db.store(name))),
            db: Some(db.clone()),
            fault: None,
            variants: Vec::new(),
        };
        let mut generated = Vec::new();
        for (name, state) in db.tenants().map_err(|e| e.detail)? {
            let state = crate::tenant::AdminState::from_json(&state)
                .ok_or_else(|| format!("the stored state of tenant '{name}' is unreadable"))?;
            let t = Tenant::durable(&name, &db, config.clone(), state).map_err(|e| e.detail)?;
            app.tenants.write().unwrap_or_else(|p| p.into_inner()).insert(name, Arc::new(t));
        }
        let t = match app.tenant(DEFAULT_TENANT) {
            Some(t) => {
                if let Some(a) = admin_token {
                    t.set_admin_token(a).map_err(|e| e.detail)?;
                }
                t
            }
            None => {
                let a = admin_token.map(str::to_owned).unwrap_or_else(|| {
                    let a = api::auth::generate_token("admin");
                    generated.push(("admin token", a.clone()));
                    a
                });
                app.add_tenant(DEFAULT_TENANT, &a)
            }
        };
        let provisioner = t.state().service_users.iter().find(|u| u.name == "SCIM Provisioner").map(|u| u.id.clone());
        let provisioner =
            provisioner.unwrap_or_else(|| t.add_service_user("SCIM Provisioner", vec![SCIM_PROVISIONER.to_owned()]).id);
        match scim_token {
            Some(token) if !t.has_key(token) => {
                t.add_key(&provisioner, Some(token)).map_err(|e| e.detail)?;
            }
            Some(_) => {}
            None if t.state().keys.iter().all(|k| k.revoked) => {
                let (_, token) = t.add_key(&provisioner, None).map_err(|e| e.detail)?;
                generated.push(("SCIM provisioning key", token));
            }
            None => {}
        }
        Ok((app, generated))
    }

    /// Adds a tenant; returns it. An existing tenant of that name is kept.
    pub fn add_tenant(&self, name: &str, admin_token: &str) -> Arc<Tenant> {
        let mut map = self.tenants.write().unwrap_or_else(|p| p.into_inner());
        map.entry(name.to_owned())
            .or_insert_with(|| {
                let t = match &self.db {
                    Some(db) => Tenant::durable(name, db, self.config.clone(), Tenant::new_state(admin_token))
                        .unwrap_or_else(|_| {
                            Tenant::new(name, (self.new_store)(name), self.config.clone(), admin_token)
                        }),
                    None => Tenant::new(name, (self.new_store)(name), self.config.clone(), admin_token),
                };
                Arc::new(t)
            })
            .clone()
    }

    /// Removes a tenant and everything in it; whether it existed.
    pub fn remove_tenant(&self, name: &str) -> bool {
        let removed = self.tenants.write().unwrap_or_else(|p| p.into_inner()).remove(name).is_some();
        if removed
            && let Some(db) = &self.db
            && let Err(e) = db.remove_tenant(name)
        {
            tracing::error!(tenant = name, error = %e, "could not remove a tenant's data");
        }
        removed
    }

    /// Every tenant's name.
    pub fn tenant_names(&self) -> Vec<String> {
        self.tenants.read().unwrap_or_else(|p| p.into_inner()).keys().cloned().collect()
    }

    /// A tenant by name.
    pub fn tenant(&self, name: &str) -> Option<Arc<Tenant>> {
        self.tenants.read().unwrap_or_else(|p| p.into_inner()).get(name).cloned()
    }

    /// The default tenant's SCIM service (for tests and tools).
    pub fn default_api(&self) -> Arc<Tenant> {
        self.tenant(DEFAULT_TENANT).expect("the default tenant always exists")
    }

    /// Answers one request; `origin` is `scheme://host` as the client reached the server.
    /// With a fault on, the fault's shim answers (see [`crate::faults`]).
    pub fn handle(&self, req: Request, origin: &str) -> Response {
        match self.fault {
            Some(f) => crate::faults::shim::handle(self, &f.name, req, origin),
            None if !self.variants.is_empty() => crate::variants::handle(self, &self.variants, req, origin),
            None => self.handle_clean(req, origin),
        }
    }

    /// Answers one request correctly, whatever fault is on.
    pub fn handle_clean(&self, mut req: Request, origin: &str) -> Response {
        if req.path == "/healthz" {
            return Response::json(200, serde_json::json!({"status": "ok"}));
        }
        let (tenant_name, prefix_len) = match req.path.strip_prefix("/t/") {
            Some(rest) => {
                let name = rest.split('/').next().unwrap_or("");
                (name.to_owned(), 3 + name.len())
            }
            None => (DEFAULT_TENANT.to_owned(), 0),
        };
        let tenant_prefix = req.path[..prefix_len].to_owned();
        let rest = req.path[prefix_len..].to_owned();
        let scim = rest == SCIM_PREFIX || rest.starts_with(&format!("{SCIM_PREFIX}/"));
        let admin = rest == ADMIN_PREFIX || rest.starts_with(&format!("{ADMIN_PREFIX}/"));
        if !scim && !admin {
            return Response::error(&ScimError::not_found(format!("no such endpoint: {}", req.path)));
        }
        let Some(tenant) = self.tenant(&tenant_name) else {
            return Response::error(&ScimError::not_found(format!("no tenant named '{tenant_name}'")));
        };
        if let Some(limit) = self.rate_limit
            && let Err(wait) = tenant.rate_check(limit)
        {
            return Response::error(&ScimError::new(
                429,
                None,
                format!("more than {limit} requests per minute for this tenant"),
            ))
            .with_header("retry-after", wait.to_string());
        }
        req.path = rest;
        req.base_url = format!("{origin}{tenant_prefix}{SCIM_PREFIX}");
        if admin {
            return match tenant.authenticate_admin(&req) {
                Ok(()) => api::admin::handle(self, &tenant, &req, &format!("{origin}{tenant_prefix}")),
                Err(e) => Response::error(&e),
            };
        }
        // RFC 7643 §5: the ServiceProviderConfig (it names the authentication schemes) is
        // readable without credentials; a request that sends some is still checked.
        let public = req.method == api::Method::Get
            && req.path == format!("{SCIM_PREFIX}/ServiceProviderConfig")
            && req.header("authorization").is_none();
        match tenant.authenticate_scim(&req) {
            Ok(actor) => req.actor = actor,
            Err(_) if public => req.actor = "anonymous".into(),
            Err(e) => return Response::error(&e),
        }
        if !tenant.state().settings.scim_enabled {
            return Response::error(&ScimError::forbidden("SCIM provisioning is turned off for this tenant"));
        }
        // The entitlements are the tenant's teams, which live in its admin state.
        if let Some(rest) = req.path.strip_prefix(&format!("{SCIM_PREFIX}/Entitlements"))
            && req.method == api::Method::Get
            && (rest.is_empty() || rest.starts_with('/'))
        {
            let teams: Vec<String> = tenant.state().teams.iter().cloned().collect();
            let id = rest.strip_prefix('/').filter(|i| !i.is_empty());
            return api::roles::entitlements(&req, &teams, id).unwrap_or_else(|e| Response::error(&e));
        }
        tenant.api.handle(&req)
    }
}

/// A reference server with one token for SCIM and one for the admin API, in memory.
pub fn reference(scim_token: &str, admin_token: &str, config: Config) -> Arc<App> {
    Arc::new(App::in_memory(config, scim_token, admin_token))
}
