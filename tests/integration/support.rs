//! A small DSL for tests that talk to a real server over a socket.

use scimcheck::{api, app, server};
use serde_json::Value;

/// A reference server on 127.0.0.1:0 and a client with its token.
pub struct TestServer {
    pub running: server::Running,
    pub token: String,
    pub admin_token: String,
    pub client: reqwest::Client,
}

impl TestServer {
    pub async fn start() -> TestServer {
        Self::with_config(api::Config::default()).await
    }

    pub async fn with_config(config: api::Config) -> TestServer {
        Self::with(config, |_| {}).await
    }

    /// A server on the SQLite store (an in-memory database), or the memory store.
    pub async fn on(store: &str) -> TestServer {
        match store {
            "memory" => Self::start().await,
            "sqlite" => {
                let token = api::auth::generate_token("scim");
                let admin_token = api::auth::generate_token("admin");
                let db = scimcheck::store::Database::open_in_memory().expect("sqlite");
                let (a, _) =
                    app::App::open(api::Config::default(), db, Some(&token), Some(&admin_token)).expect("durable app");
                let running = server::spawn(std::sync::Arc::new(a)).await.expect("server starts");
                TestServer {
                    running,
                    token,
                    admin_token,
                    client: scimcheck::suite::http_client(false).expect("client"),
                }
            }
            other => panic!("unknown store {other}"),
        }
    }

    /// A server whose `App` is adjusted before it starts (rate limit, ...).
    pub async fn with(config: api::Config, adjust: impl FnOnce(&mut app::App)) -> TestServer {
        let token = api::auth::generate_token("scim");
        let admin_token = api::auth::generate_token("admin");
        let mut a = app::App::in_memory(config, &token, &admin_token);
        adjust(&mut a);
        let running = server::spawn(std::sync::Arc::new(a)).await.expect("server starts");
        TestServer { running, token, admin_token, client: scimcheck::suite::http_client(false).expect("client") }
    }

    /// Sends a request with an explicit Authorization header value (or none).
    pub async fn send_as(&self, auth: Option<&str>, method: &str, url: &str, body: Option<&str>) -> Reply {
        let mut req = self.client.request(reqwest::Method::from_bytes(method.as_bytes()).expect("method"), url);
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_owned());
        }
        Reply::read(req.send().await.expect("request sent")).await
    }

    pub fn admin(&self, path: &str) -> String {
        format!("{}{path}", self.running.admin_url())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.base_url())
    }

    /// Sends a request with the token; returns status, headers and JSON body (Null when empty).
    pub async fn send(&self, method: &str, path: &str, body: Option<&str>) -> Reply {
        let mut req = self
            .client
            .request(reqwest::Method::from_bytes(method.as_bytes()).expect("method"), self.url(path))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.header("content-type", "application/scim+json").body(b.to_owned());
        }
        Reply::read(req.send().await.expect("request sent")).await
    }
}

/// A response, read whole.
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub json: Value,
}

impl Reply {
    pub async fn read(resp: reqwest::Response) -> Reply {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        let json = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("JSON body") };
        Reply { status, headers, json }
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A tiny deterministic generator (xorshift) for generated tests, so they need no extra crate.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }
}
