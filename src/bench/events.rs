//! `bench --events`: what RFC 9967 event delivery costs. The same durable create is measured
//! without an event stream and then with one pushing to a receiver in this process (the
//! suite's RFC 8935 receiver); then the time until every event of those writes has been
//! delivered gives the events per second the dispatcher sustains behind the writes.

use super::report::Row;
use super::{Plan, SCIM, measure, user_body};
use anyhow::{Result, bail};
use scimcheck::load::driver::{Req, Target};
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The delivery figures.
#[derive(Debug, Clone, Serialize)]
pub struct EventsRun {
    /// Events the receiver accepted (one per write, plus any already waiting).
    pub delivered: u64,
    /// From the first pushed write to the last delivery.
    pub seconds: f64,
    /// Writes per second without and with the stream (the rows' figures).
    pub writes_without: f64,
    pub writes_with: f64,
}

impl EventsRun {
    pub fn events_per_second(&self) -> f64 {
        self.delivered as f64 / self.seconds.max(1e-9)
    }
}

/// The two rows (creates without and with a stream) and the delivery figures.
pub async fn measure_events(scim: &super::Served, admin: &Target, plan: &Plan) -> Result<(Vec<Row>, EventsRun)> {
    let seq = Arc::new(AtomicU64::new(0));
    let make = |seq: Arc<AtomicU64>, tag: &'static str| {
        move |_: usize, _: u64| {
            let k = seq.fetch_add(1, Ordering::Relaxed);
            Req::with_body("POST", format!("{SCIM}/Users"), &user_body(&format!("ev-{tag}-{k}")))
        }
    };
    let without =
        measure(scim, "ev", "POST /Users (durable), no event stream", plan, 201, make(seq.clone(), "a")).await?;
    let receiver = scimcheck::suite::receiver::start("127.0.0.1:0".parse()?).await.map_err(anyhow::Error::msg)?;
    let url = format!("http://{}/", receiver.addr);
    let body = serde_json::json!({"endpoint_url": url});
    let mut conn = admin.connect().await.map_err(anyhow::Error::msg)?;
    let r =
        conn.send(admin, &Req::with_body("PUT", "/admin/v1/event-stream", &body)).await.map_err(anyhow::Error::msg)?;
    if r.status != 200 {
        bail!("the server refused the event stream: {}", r.status);
    }
    // What was written before the stream (the first row) is delivered first.
    let streamed = Instant::now();
    let backlog_done =
        wait_quiet(&receiver.counts.accepted, Duration::from_secs(120)).await.saturating_duration_since(streamed);
    let before = receiver.counts.accepted.load(Ordering::Relaxed);
    let t = Instant::now();
    let with = measure(scim, "ev", "POST /Users (durable), events pushed", plan, 201, make(seq, "b")).await?;
    let writes = (with.rps * plan.secs.as_secs_f64() * plan.runs as f64).round() as u64;
    let last = wait_quiet(&receiver.counts.accepted, Duration::from_secs(120)).await;
    let delivered = receiver.counts.accepted.load(Ordering::Relaxed) - before;
    eprintln!(
        "  events: {} waiting before were delivered by {:.1} s; {delivered} events for about {writes} writes",
        before,
        backlog_done.as_secs_f64()
    );
    let run = EventsRun {
        delivered,
        seconds: last.saturating_duration_since(t).as_secs_f64(),
        writes_without: without.rps,
        writes_with: with.rps,
    };
    Ok((vec![without, with], run))
}

/// Waits until `count` has not moved for half a second (or `limit` passed); returns when it
/// last moved.
async fn wait_quiet(count: &AtomicU64, limit: Duration) -> Instant {
    let started = Instant::now();
    let (mut last, mut moved) = (count.load(Ordering::Relaxed), Instant::now());
    while started.elapsed() < limit {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let now = count.load(Ordering::Relaxed);
        if now != last {
            (last, moved) = (now, Instant::now());
        } else if moved.elapsed() > Duration::from_millis(500) {
            break;
        }
    }
    moved
}
