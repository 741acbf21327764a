//! Pushes each tenant's security events to its receiver (RFC 8935): one task per tenant with
//! an event stream, which reads what is not yet delivered (the same events the poll endpoint
//! serves: completion events, then the store's outbox), POSTs them one by one in order as
//! `application/secevent+jwt`, and forgets each the receiver accepted.
//!
//! A 2xx is a delivery; a 400 is the receiver refusing that event for good (RFC 8935 §2.3), so
//! it is counted and not sent again; anything else (no connection, a timeout, a 5xx) stops the
//! round and retries later with a back-off (100 ms doubling to 25.6 s), starting from the same
//! event, so none is lost or reordered. Events stay in the outbox until delivered, so they
//! survive a restart of the server as the store does.

use crate::api::events;
use crate::api::stream::EventStream;
use crate::app::App;
use crate::tenant::Tenant;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The most events one round reads.
const ROUND: usize = 100;
/// How long an idle tenant waits before looking again.
const IDLE: Duration = Duration::from_millis(20);

/// Runs until dropped: starts and stops one delivery task per tenant as streams come and go.
pub async fn dispatch(app: Arc<App>) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = match reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .no_proxy()
        .pool_idle_timeout(Duration::from_secs(30))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "no HTTP client: events will not be pushed");
            return;
        }
    };
    let mut tasks: HashMap<String, tokio::task::JoinHandle<()>> = HashMap::new();
    loop {
        let streaming: Vec<Arc<Tenant>> =
            app.tenant_names().iter().filter_map(|n| app.tenant(n)).filter(|t| t.state().stream.is_some()).collect();
        tasks.retain(|name, task| {
            let keep = !task.is_finished() && streaming.iter().any(|t| &t.name == name);
            if !keep {
                task.abort();
            }
            keep
        });
        for t in streaming {
            if !tasks.contains_key(&t.name) {
                let (name, client) = (t.name.clone(), client.clone());
                tasks.insert(name, tokio::spawn(deliver_forever(client, t)));
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Delivers one tenant's events while it has a stream.
async fn deliver_forever(client: reqwest::Client, t: Arc<Tenant>) {
    loop {
        let Some(stream) = t.state().stream.clone() else { return };
        let wait = t.push.lock().unwrap_or_else(|p| p.into_inner()).not_before.filter(|nb| *nb > Instant::now());
        if let Some(until) = wait {
            tokio::time::sleep_until(until.into()).await;
            continue;
        }
        if !round(&client, &t, &stream).await {
            tokio::time::sleep(IDLE).await;
        }
    }
}

/// One round: up to [`ROUND`] events sent in order; whether any went out.
async fn round(client: &reqwest::Client, t: &Arc<Tenant>, stream: &EventStream) -> bool {
    let (reader, iss) = (t.clone(), stream.iss.clone());
    let pending = tokio::task::spawn_blocking(move || events::pending(&*reader.api.store, &iss, ROUND)).await;
    let sets = match pending {
        Ok(Ok((sets, _))) => sets,
        Ok(Err(e)) => {
            tracing::error!(tenant = %t.name, error = %e.detail, "cannot read the events to push");
            return false;
        }
        Err(_) => return false,
    };
    let mut done: Vec<String> = Vec::new();
    for (jti, set) in sets {
        let mut post = client
            .post(&stream.endpoint_url)
            .header("content-type", "application/secevent+jwt")
            .header("accept", "application/json")
            .body(set);
        if let Some(auth) = &stream.authorization_header {
            post = post.header("authorization", auth);
        }
        let outcome = match post.send().await {
            Ok(r) if r.status().is_success() => Ok(true),
            Ok(r) if r.status() == reqwest::StatusCode::BAD_REQUEST => {
                let why = r.text().await.unwrap_or_default();
                Err((
                    false,
                    format!("the receiver refused event {jti} (400): {}", why.chars().take(200).collect::<String>()),
                ))
            }
            Ok(r) => Err((true, format!("{} answered {}", stream.endpoint_url, r.status()))),
            Err(e) => Err((true, format!("cannot deliver to {}: {e}", stream.endpoint_url))),
        };
        let mut status = t.push.lock().unwrap_or_else(|p| p.into_inner());
        match outcome {
            Ok(_) => {
                status.delivered += 1;
                status.failures = 0;
                done.push(jti);
            }
            Err((false, why)) => {
                status.rejected += 1;
                status.last_error = Some(why);
                done.push(jti);
            }
            Err((true, why)) => {
                tracing::warn!(tenant = %t.name, error = %why, "event delivery failed; will retry");
                status.failed(why);
                break;
            }
        }
    }
    let sent = !done.is_empty();
    if sent {
        let t = t.clone();
        let forgot = tokio::task::spawn_blocking(move || {
            let jtis: Vec<&str> = done.iter().map(String::as_str).collect();
            events::acknowledge(&*t.api.store, &jtis)
        })
        .await;
        if let Ok(Err(e)) = forgot {
            tracing::error!(error = %e.detail, "delivered events could not be forgotten; they will be sent again");
        }
    }
    sent
}
