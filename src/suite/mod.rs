//! The conformance suite: Gherkin features run by cucumber against any SCIM server over HTTP.
//!
//! [`run`] reads the server's ServiceProviderConfig, decides which scenarios it can judge
//! (a scenario tagged `@needs-patch` is skipped, with the reason, on a server that says it has
//! no PATCH), runs the rest concurrently, deletes what each scenario created, and returns a
//! [`Report`]. The features are embedded in the binary; a directory can replace them.

pub mod adapt;
pub mod causes;
pub mod discovery;
pub mod expect;
pub mod html;
pub mod ipsie;
pub mod output;
pub mod preflight;
pub mod probe;
pub mod progress;
pub mod receiver;
pub mod report;
pub mod requirements;
pub mod steps;
pub mod validate;
pub mod world;
pub mod writer;

pub use report::{Level, Outcome, Report};

use cucumber::feature::Ext as _;
use cucumber::gherkin::{self, GherkinEnv};
use cucumber::tag::Ext as _;
use cucumber::{World as _, cli, parser};
use futures::stream;
use include_dir::{Dir, include_dir};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use world::{ScimWorld, Target};

pub(crate) static FEATURES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/features");

/// How to run the suite.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// SCIM base URL, e.g. `http://127.0.0.1:8080/scim/v2`.
    pub base_url: String,
    /// Headers sent with every request, e.g. `("authorization", "Bearer …")`.
    pub headers: Vec<(String, String)>,
    /// The admin token of a scimcheck reference server (enables `@needs-admin` scenarios).
    pub admin_token: Option<String>,
    /// A cucumber tag expression selecting scenarios (`@rfc7644-3.3 and not @may`).
    pub tags: Option<String>,
    /// A profile selecting scenarios: `rfc`, `okta`, `entra`, `interop-profile`, `product`.
    pub profile: Option<String>,
    /// Known deviations (see [`expect`]).
    pub expectations: Option<expect::Expectations>,
    /// Run the features in this directory instead of the embedded ones.
    pub features_dir: Option<PathBuf>,
    /// Keep what the suite created.
    pub keep: bool,
    /// Accept invalid TLS certificates (self-signed test servers).
    pub insecure: bool,
    /// Scenarios run at once.
    pub concurrency: usize,
    /// Print per-feature progress on stderr.
    pub progress: bool,
    /// Collects what scenarios create, for cleanup after an interruption.
    pub cleanup: world::Cleanup,
    /// Fixture templates per resource type (`--fixtures`), merged over the suite's defaults.
    pub fixtures: serde_json::Map<String, Value>,
    /// The target's RFC 8936 poll endpoint, to read the events its writes emit (RFC 9967).
    pub events_poll: Option<String>,
    /// The log a running [`receiver::Receiver`] fills with the events the target pushes (RFC
    /// 8935, `check --events-listen`), instead of or besides polling.
    pub events_received: Option<Arc<std::sync::Mutex<Vec<Value>>>>,
    /// Allow an IPSIE run to put a target off this machine under load (25 req/s for 10 s).
    pub accept_load: bool,
}

impl RunOptions {
    pub fn new(base_url: &str, token: Option<&str>) -> RunOptions {
        RunOptions {
            base_url: base_url.trim_end_matches('/').to_owned(),
            headers: token.map(|t| vec![("authorization".to_owned(), format!("Bearer {t}"))]).unwrap_or_default(),
            admin_token: None,
            tags: None,
            profile: None,
            expectations: None,
            features_dir: None,
            keep: false,
            insecure: false,
            concurrency: 8,
            progress: false,
            cleanup: world::Cleanup::default(),
            fixtures: serde_json::Map::new(),
            events_poll: None,
            events_received: None,
            accept_load: false,
        }
    }
}

/// Runs the suite and returns the report. Errors only when the suite itself cannot start
/// (bad tag expression, unreadable features, no TLS provider).
pub async fn run(opts: RunOptions) -> Result<Report, String> {
    let client = http_client(opts.insecure)?;
    let tag_filter = match &opts.tags {
        Some(t) => {
            Some(t.parse::<gherkin::tagexpr::TagOperation>().map_err(|e| format!("bad tag expression '{t}': {e}"))?)
        }
        None => None,
    };
    let profile = match opts.profile.as_deref() {
        None => None,
        Some(p) if PROFILES.iter().any(|(n, _)| *n == p) => Some(p.to_owned()),
        Some(p) => {
            return Err(format!(
                "unknown profile '{p}'; choose one of {}",
                PROFILES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
            ));
        }
    };
    let features = load_features(opts.features_dir.as_deref())?;
    preflight::check(&client, &opts.base_url, &opts.headers).await?;
    let admin = opts.admin_token.as_deref().map(|t| (admin_url(&opts.base_url), t.to_owned()));
    let mut caps = discovery::discover(
        &client,
        &opts.base_url,
        &opts.headers,
        admin.as_ref().map(|(u, t)| (u.as_str(), t.as_str())),
    )
    .await;
    caps.fixtures = opts.fixtures.clone();
    caps.events_poll = opts.events_poll.clone();
    caps.events_pushed = opts.events_received.is_some();
    let events = opts.events_received.clone().unwrap_or_default();
    let run_id = format!("scimcheck-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    probe::probe(&client, &opts.base_url, &opts.headers, &mut caps, &format!("{run_id}-")).await;
    let caps = Arc::new(caps);
    let caps_in_filter = caps.clone();
    opts.cleanup.set_sweep(&opts.base_url, &opts.headers, &run_id);
    let async_txns: Arc<std::sync::Mutex<Vec<(String, String)>>> = Arc::default();
    let (events_after, txns_after, client_after) = (events.clone(), async_txns.clone(), client.clone());
    let target = Target {
        async_txns,
        base_url: opts.base_url.clone(),
        admin_url: admin_url(&opts.base_url),
        admin_token: opts.admin_token.clone(),
        auth_headers: opts.headers.clone(),
        run_id,
        keep: opts.keep,
        client,
        cleanup: opts.cleanup.clone(),
        discovery: caps,
        events,
    };

    let started = std::time::Instant::now();
    let meta = report::RunMeta {
        profile: profile.clone(),
        tags: opts.tags.clone(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        started: crate::clock::now(),
        duration_ms: 0,
        ..report::RunMeta::default()
    };
    let report = Arc::new(Mutex::new(Report { base_url: opts.base_url.clone(), meta, ..Report::default() }));
    let skipped = Arc::new(Mutex::new(Vec::new()));
    let skipped_in_filter = skipped.clone();
    let not_applicable = Arc::new(Mutex::new(0usize));
    let not_applicable_in_filter = not_applicable.clone();
    // Every scenario's exchanges, passed ones too, keyed by (feature path, line).
    let transcripts: Arc<Mutex<Transcripts>> = Arc::default();
    let transcripts_in_hook = transcripts.clone();
    let collector = writer::Collector::new(report.clone(), opts.progress);
    let run = ScimWorld::cucumber::<&str>()
        .with_parser(Embedded)
        .with_writer(cucumber::writer::Normalize::new(collector))
        .max_concurrent_scenarios(opts.concurrency.max(1))
        .after(move |f, _, s, _, world| {
            let key = (writer::feature_path(f), s.position.line);
            let transcripts = transcripts_in_hook.clone();
            Box::pin(async move {
                if let Some(w) = world {
                    let ms = w.started.elapsed().as_millis() as u64;
                    transcripts.lock().expect("transcripts").insert(key, (w.transcript.clone(), ms));
                    w.cleanup().await;
                }
            })
        })
        .with_default_cli()
        .filter_run(features, move |f, r, s| {
            let tags = writer::all_tags(f, r, s);
            if tag_filter.as_ref().is_some_and(|op| !op.eval(tags.iter())) {
                return false;
            }
            if !in_profile(profile.as_deref(), &tags) {
                return false;
            }
            if tags.iter().any(|t| t == "product") && caps_in_filter.admin.is_some() {
                *not_applicable_in_filter.lock().expect("product count") += 1;
                return false;
            }
            let gating: Vec<String> =
                tags.iter().filter(|t| !idp_sends_anyway(profile.as_deref(), &tags, t)).cloned().collect();
            let texts = s.steps.iter().flat_map(|st| std::iter::once(st.value.as_str()).chain(st.docstring.as_deref()));
            let outcome = match caps_in_filter.missing(&gating) {
                Some(reason) => Some(Outcome::Skipped(reason)),
                None => caps_in_filter.probe_gap(texts).map(Outcome::Inconclusive),
            };
            if let Some(outcome) = outcome {
                skipped_in_filter.lock().expect("skip list").push(report::ScenarioResult {
                    feature: f.name.clone(),
                    path: writer::feature_path(f),
                    name: s.name.clone(),
                    line: s.position.line,
                    level: Level::from_tags(&tags),
                    tags,
                    outcome,
                    steps: vec![],
                    transcript: vec![],
                    duration_ms: 0,
                });
                return false;
            }
            true
        });
    world::with_target(target, run).await;
    let mut report = report.lock().expect("report lock").clone();
    report.meta.duration_ms = started.elapsed().as_millis() as u64;
    let product = *not_applicable.lock().expect("product count");
    if product > 0 {
        report.meta.not_applicable = Some(format!(
            "{product} @product scenario(s) check scimcheck's own reference server (its admin API, reached with --admin-token); they do not apply to this target and were not run."
        ));
    }
    {
        let mut transcripts = transcripts.lock().expect("transcripts");
        for s in &mut report.scenarios {
            if let Some((t, ms)) = transcripts.remove(&(s.path.clone(), s.line)) {
                if s.transcript.is_empty() {
                    s.transcript = t;
                }
                s.duration_ms = ms;
            }
        }
    }
    report.scenarios.extend(skipped.lock().expect("skip list").drain(..));
    if matches!(opts.profile.as_deref(), Some("ipsie-al1" | "ipsie-al2")) && opts.tags.is_none() {
        report.scenarios.push(ipsie::throughput(&opts).await);
    }
    let txns = std::mem::take(&mut *txns_after.lock().unwrap_or_else(|p| p.into_inner()));
    if !txns.is_empty() && (opts.events_poll.is_some() || opts.events_received.is_some()) {
        let seen = steps::events::EventSource {
            client: &client_after,
            poll: opts.events_poll.as_deref(),
            headers: &opts.headers,
            log: &events_after,
        };
        report.scenarios.push(steps::events::none_missing(&seen, &txns).await);
    }
    report.scenarios.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    if let Some(x) = &opts.expectations {
        x.apply(&mut report);
    }
    Ok(report)
}

/// Exchanges and duration (ms) of every scenario, by (feature path, line).
type Transcripts = HashMap<(String, usize), (Vec<world::Exchange>, u64)>;

/// The profiles `--profile` accepts, with what each selects.
pub const PROFILES: &[(&str, &str)] = &[
    ("rfc", "RFC 7643, RFC 7644 and RFC 9865 scenarios"),
    ("okta", "Okta's request sequences and expectations"),
    ("entra", "Microsoft Entra ID's request sequences and expectations"),
    ("rfc9967", "RFC 9967 security events: asynchronous requests and their completion events"),
    ("ipsie-al1", "the OpenID IPSIE AL1 profile (deprovisioning)"),
    ("ipsie-al2", "the OpenID IPSIE AL2 profile (AL1, users and groups)"),
    ("interop-profile", "the strict draft-zollner SCIM interop profile (not run by default)"),
    ("product", "the reference server's own product behaviours (needs --admin-token)"),
];

/// Whether a scenario belongs to the selected profile. Without a profile, everything but the
/// strict interop profile and IPSIE runs: both ask more than the RFCs (the interop profile
/// refuses what Okta and Entra send; IPSIE requires /Bulk, PATCH and filters the RFCs leave
/// optional), so their verdicts are reported only when asked for.
fn in_profile(profile: Option<&str>, tags: &[String]) -> bool {
    let has = |prefix: &str| tags.iter().any(|t| t.starts_with(prefix));
    match profile {
        None => !has("iop-profile") && !tags.iter().any(|t| t == "ipsie"),
        Some("rfc") => has("rfc") && !has("iop-profile"),
        Some("rfc9967") => has("rfc9967"),
        Some("ipsie-al1") => tags.iter().any(|t| t == "ipsie-al1"),
        Some("ipsie-al2") => tags.iter().any(|t| t == "ipsie-al1" || t == "ipsie-al2"),
        Some("okta") => has("okta"),
        Some("entra") => has("entra") || has("msv-") || has("msl-"),
        Some("interop-profile") => has("iop-profile"),
        Some("product") => has("product"),
        Some(_) => false,
    }
}

/// Under `--profile okta` or `--profile entra`, a scenario of that IdP runs even when the
/// ServiceProviderConfig does not advertise what it uses, because the IdP sends that request
/// anyway: both look users up with `userName eq` (`@needs-filter`), Entra also sends PATCH
/// (`@needs-patch`). Whether `tag` is such a need.
fn idp_sends_anyway(profile: Option<&str>, tags: &[String], tag: &str) -> bool {
    let sends: &[&str] = match profile {
        Some("okta") if in_profile(profile, tags) => &["needs-filter"],
        Some("entra") if in_profile(profile, tags) => &["needs-filter", "needs-patch"],
        _ => return false,
    };
    sends.contains(&tag)
}

/// The admin API next to a SCIM base URL (`…/scim/v2` → `…/admin/v1`).
pub fn admin_url(base: &str) -> String {
    match base.strip_suffix("/scim/v2") {
        Some(root) => format!("{root}/admin/v1"),
        None => format!("{base}/admin/v1"),
    }
}

/// The HTTP client the suite uses: rustls (ring) for `https://`, no proxies, 30 s timeout.
pub fn http_client(insecure: bool) -> Result<reqwest::Client, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_idle_timeout(Duration::from_secs(2))
        .no_proxy()
        .danger_accept_invalid_certs(insecure)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// Feature sources: `(relative path, text)`.
pub type Sources = Vec<(PathBuf, String)>;

/// The feature files: the embedded ones, or those under `dir`.
pub fn load_features(dir: Option<&Path>) -> Result<Sources, String> {
    let mut out = Vec::new();
    match dir {
        None => collect_embedded(&FEATURES, &mut out),
        Some(d) => collect_dir(d, d, &mut out)?,
    }
    out.sort();
    if out.is_empty() {
        return Err("no .feature files found".into());
    }
    Ok(out)
}

fn collect_embedded(dir: &Dir<'_>, out: &mut Sources) {
    for f in dir.files() {
        if f.path().extension().is_some_and(|e| e == "feature")
            && let Some(text) = f.contents_utf8()
        {
            out.push((Path::new("features").join(f.path()), text.to_owned()));
        }
    }
    for d in dir.dirs() {
        collect_embedded(d, out);
    }
}

fn collect_dir(root: &Path, dir: &Path, out: &mut Sources) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect_dir(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "feature") {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            out.push((path.strip_prefix(root).unwrap_or(&path).to_path_buf(), text));
        }
    }
    Ok(())
}

/// A cucumber parser over feature texts already in memory.
#[derive(Debug, Clone, Copy)]
struct Embedded;

impl cucumber::Parser<Sources> for Embedded {
    type Cli = cli::Empty;
    type Output = stream::Iter<std::vec::IntoIter<parser::Result<gherkin::Feature>>>;

    fn parse(self, input: Sources, _: cli::Empty) -> Self::Output {
        let features: Vec<_> = input
            .into_iter()
            .map(|(path, text)| {
                let mut f = gherkin::Feature::parse(&text, GherkinEnv::default()).map_err(|e| {
                    parser::Error::from(gherkin::ParseFileError::Reading {
                        path: path.clone(),
                        source: std::io::Error::other(e.to_string()),
                    })
                })?;
                f.path = Some(path);
                f.expand_examples().map_err(parser::Error::from)
            })
            .collect();
        stream::iter(features)
    }
}
