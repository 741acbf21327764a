//! Before any scenario: can the target be reached and is it a SCIM server that takes our
//! credentials? A run that cannot even start says why in one line and what to try, instead of
//! failing every scenario with the same transport error. It stops only for what stops
//! everything: unreachable, TLS, no SCIM JSON at /ServiceProviderConfig, 401/403.

use serde_json::Value;

/// Why a request never got an answer, in words: connection refused, unknown host, TLS, timeout.
pub fn cause(e: &reqwest::Error) -> String {
    let mut chain = Vec::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    let all = chain.join(": ").to_lowercase();
    if e.is_timeout() {
        "no answer in time (timed out)".into()
    } else if all.contains("connection refused") {
        "connection refused".into()
    } else if all.contains("dns error")
        || all.contains("failed to lookup address")
        || all.contains("name or service not known")
    {
        "the host name could not be resolved".into()
    } else if all.contains("certificate") || all.contains("tls") || all.contains("handshake") {
        format!("the TLS handshake failed ({})", chain.last().cloned().unwrap_or_default())
    } else if all.contains("connection reset") || all.contains("connection closed") {
        "the server closed the connection".into()
    } else {
        chain.last().cloned().unwrap_or_else(|| e.to_string())
    }
}

/// Checks that `base_url` answers as a SCIM server with these credentials. `Err` is the one
/// line to print (the run then exits 2).
pub async fn check(client: &reqwest::Client, base_url: &str, headers: &[(String, String)]) -> Result<(), String> {
    let get = |path: &str| {
        let mut req = client.get(format!("{base_url}{path}")).header("accept", "application/scim+json");
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req.timeout(std::time::Duration::from_secs(15)).send()
    };
    let spc_url = format!("{base_url}/ServiceProviderConfig");
    let spc = get("/ServiceProviderConfig").await.map_err(|e| unreachable(base_url, &e))?;
    let (status, ct) = (spc.status().as_u16(), content_type(&spc));
    let body = spc.text().await.unwrap_or_default();
    not_scim(&spc_url, status, &ct, &body)?;
    refused(&spc_url, status)?;
    // The ServiceProviderConfig may be public; a resource endpoint tells whether the
    // credentials are accepted. Any other answer there (a 500, a page that is not JSON) is a
    // finding of the scenarios that send that request, not a reason to stop.
    let users_url = format!("{base_url}/Users?count=1");
    let users = get("/Users?count=1").await.map_err(|e| unreachable(base_url, &e))?;
    refused(&users_url, users.status().as_u16())
}

fn content_type(r: &reqwest::Response) -> String {
    r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
}

fn unreachable(base_url: &str, e: &reqwest::Error) -> String {
    let host = reqwest::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host_str().map(|h| format!("{h}:{}", u.port_or_known_default().unwrap_or(0))))
        .unwrap_or_else(|| base_url.to_owned());
    let why = cause(e);
    let hint = match why.as_str() {
        "connection refused" => "is the server running, and are the host and port in --base-url right?",
        "the host name could not be resolved" => "check the host name in --base-url",
        "no answer in time (timed out)" => "is the server up and reachable from here (firewall, proxy)?",
        w if w.starts_with("the TLS handshake") => {
            "for a self-signed test certificate pass --insecure; check https vs http"
        }
        _ => "check --base-url",
    };
    format!("cannot reach {host}: {why}; {hint}")
}

fn refused(url: &str, status: u16) -> Result<(), String> {
    match status {
        401 => Err(format!(
            "{url} answered 401: the server did not accept the credentials; check --token (sent as \"Authorization: Bearer …\") or give your server's header with --header"
        )),
        403 => Err(format!(
            "{url} answered 403: the credentials are valid but may not use SCIM; give the token of a provisioning client"
        )),
        _ => Ok(()),
    }
}

/// A body that is not JSON (an HTML page, a plain text 404) means the URL is not a SCIM base.
fn not_scim(url: &str, status: u16, content_type: &str, body: &str) -> Result<(), String> {
    if serde_json::from_str::<Value>(body).is_ok() || (status == 204 && body.trim().is_empty()) {
        return Ok(());
    }
    let what = if content_type.is_empty() { "no content type".to_owned() } else { content_type.to_owned() };
    Err(format!(
        "{url} answered {status} with {what}, not SCIM JSON: --base-url must be the SCIM base URL, the one /ServiceProviderConfig and /Users hang off (for example https://example.com/scim/v2)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_json_answers_and_refusals_are_named() {
        let html =
            not_scim("http://h/x/ServiceProviderConfig", 404, "text/html", "<html>Not Found</html>").unwrap_err();
        assert!(html.contains("answered 404 with text/html, not SCIM JSON") && html.contains("--base-url"));
        assert!(not_scim("u", 404, "application/scim+json", r#"{"status":"404"}"#).is_ok());
        assert!(refused("http://h/Users", 401).unwrap_err().contains("--token"));
        assert!(refused("http://h/Users", 200).is_ok());
    }
}
