//! Tenants that already exist (`load --tenants-file FILE`): the tenants phase on any
//! multi-tenant SCIM server, not only on a scimcheck server whose admin API can create them.
//!
//! The file names one tenant per line, its SCIM base URL and its bearer token, separated by
//! white space (blank lines and lines starting with `#` are skipped). Tenants may be on other
//! hosts than `--base-url` (`acme.example.com`, `globex.example.com`): a connection only ever
//! serves tenants of one origin, with the headers and TLS settings of `--base-url`. Each tenant
//! gets users and a group of its own, named with the run's prefix and made with its own token;
//! they, and the users the run's creates made, are removed again with that token at the end of
//! the run (or after Ctrl-C, through [`super::Created`]).

use super::Created;
use super::driver::{Conn, Req, Target, parse_base};
use super::tenants::Tenant;
use serde_json::json;
use std::sync::Arc;

/// One tenant of the file: its SCIM base URL's origin and path, and its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// `scheme://host:port`, the port always written.
    pub origin: String,
    /// The base URL's path, e.g. `/t/acme/scim/v2`.
    pub base: String,
    pub token: String,
}

/// Reads a tenants file's text. The error names the line and what to write instead.
pub fn parse(text: &str) -> Result<Vec<Listed>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let at = |why: String| format!("line {}: {why}", i + 1);
        let mut words = line.split_whitespace();
        let (Some(url), Some(token), None) = (words.next(), words.next(), words.next()) else {
            return Err(at("expected a tenant's SCIM base URL and its bearer token, separated by a space".into()));
        };
        let (u, origin) = parse_base(url).map_err(at)?;
        if !matches!(u.scheme(), "http" | "https") {
            return Err(at(format!("{url} is not an http or https URL")));
        }
        out.push(Listed { origin, base: u.path().trim_end_matches('/').to_owned(), token: token.to_owned() });
    }
    if out.is_empty() {
        return Err("it names no tenant: write one tenant per line, its SCIM base URL and its bearer token".into());
    }
    Ok(out)
}

/// Gives each listed tenant `users` users and a group of up to 10 of them, made with its own
/// token (on its own origin, with `target`'s headers) and recorded in `created`, 8 tenants at a
/// time.
pub async fn seed(
    target: &Target,
    listed: &[Listed],
    prefix: &str,
    users: usize,
    created: &Created,
) -> Result<Vec<Tenant>, String> {
    let mut out = Vec::with_capacity(listed.len());
    for (chunk_at, chunk) in listed.chunks(8).enumerate() {
        let mut tasks = Vec::new();
        for (j, l) in chunk.iter().enumerate() {
            // A tenant on another origin keeps its own target; on `target`'s, it shares it.
            let own = (l.origin != target.origin)
                .then(|| target.elsewhere(&format!("{}{}", l.origin, l.base)))
                .transpose()?;
            let (target, l, created) = (target.clone(), l.clone(), created.clone());
            let name = format!("{prefix}-t{}", chunk_at * 8 + j);
            tasks.push(tokio::spawn(async move { seed_one(&target, own, &l, &name, users, &created).await }));
        }
        for t in tasks {
            out.push(t.await.map_err(|e| e.to_string())??);
        }
    }
    Ok(out)
}

/// Where one tenant's resources are made, and who removes them.
struct Seeder<'a> {
    target: &'a Target,
    /// The tenant's own target, when not on `target`'s origin.
    own: Option<&'a Target>,
    base: &'a str,
    auth: &'a Arc<str>,
    created: &'a Created,
}

impl Seeder<'_> {
    /// Creates a resource with the tenant's token and records it for removal; its id.
    async fn post(&self, conn: &mut Conn, kind: &str, body: serde_json::Value, what: &str) -> Result<String, String> {
        let req = Req::with_body("POST", format!("{}/{kind}", self.base), &body).authorized(self.auth);
        let r = conn.send(self.own.unwrap_or(self.target), &req).await?;
        let id = r.json()["id"].as_str().unwrap_or("").to_owned();
        if r.status != 201 || id.is_empty() {
            return Err(format!("{what} at {}: {} {}", self.base, r.status, String::from_utf8_lossy(&r.body)));
        }
        self.created.add_as(format!("{}/{kind}/{id}", self.base), self.auth, self.own);
        Ok(id)
    }
}

async fn seed_one(
    target: &Target,
    own: Option<Target>,
    l: &Listed,
    name: &str,
    users: usize,
    created: &Created,
) -> Result<Tenant, String> {
    let auth: Arc<str> = format!("Bearer {}", l.token).into();
    let seeder = Seeder { target, own: own.as_ref(), base: &l.base, auth: &auth, created };
    let mut conn = own.as_ref().unwrap_or(target).connect().await?;
    let mut seeded = Vec::with_capacity(users);
    for i in 0..users {
        let (user_name, external_id) = (format!("{name}-u{i}@example.com"), format!("{name}-x{i}"));
        let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": user_name,
            "externalId": external_id, "name": {"givenName": "Tenant", "familyName": format!("U{i}")}, "active": true,
            "emails": [{"value": user_name, "type": "work", "primary": true}]});
        let id = seeder.post(&mut conn, "Users", body, &format!("creating user {i}")).await?;
        seeded.push((id, user_name, external_id));
    }
    let members: Vec<_> = seeded.iter().take(10).map(|(id, ..)| json!({"value": id})).collect();
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": format!("{name}-staff"), "members": members});
    let group = seeder.post(&mut conn, "Groups", body, "creating a group").await?;
    Ok(Tenant {
        name: name.to_owned(),
        auth: auth.clone(),
        base: l.base.clone(),
        users: seeded,
        group,
        made: Some(created.clone()),
        target: own,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tenants_file_names_each_tenant_by_origin_base_path_and_token() {
        let text = "# acme and globex\n\nhttp://127.0.0.1:8080/t/acme/scim/v2/  tok-a\n\thttps://globex.example.com/scim/v2 tok-g\n";
        let listed = parse(text).unwrap();
        assert_eq!(
            listed,
            [
                Listed {
                    origin: "http://127.0.0.1:8080".into(),
                    base: "/t/acme/scim/v2".into(),
                    token: "tok-a".into()
                },
                Listed {
                    origin: "https://globex.example.com:443".into(),
                    base: "/scim/v2".into(),
                    token: "tok-g".into()
                },
            ]
        );
    }

    #[test]
    fn a_bad_tenants_file_names_the_line_and_the_fix() {
        for (text, says) in [
            ("http://127.0.0.1:8080/t/a/scim/v2\n", "line 1: expected a tenant's SCIM base URL and its bearer token"),
            ("# x\nhttp://127.0.0.1:8080/t/a tok extra\n", "line 2: expected"),
            ("not-a-url tok\n", "line 1: 'not-a-url' is not a URL"),
            ("ftp://files.example.com/t/a tok\n", "line 1: ftp://files.example.com/t/a is not an http or https URL"),
            ("# nothing\n\n", "it names no tenant"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.contains(says), "{text:?}: {err}");
        }
    }
}
