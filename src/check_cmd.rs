//! `scimcheck check`: its flags, checked before anything starts, the run (against a given
//! server or the embedded reference server) with Ctrl-C cleanup, and its reports. Every
//! requested report is written, also when the run could not start (with the cause).

use super::{Result, check_base_url, parse_headers};
use anyhow::Context;
use scimcheck::{api, app, server, suite};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering::Relaxed;

/// Run the conformance suite against a SCIM server (the embedded reference server by default).
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// SCIM base URL of the server to check, e.g. https://example.com/scim/v2.
    #[arg(long)]
    base_url: Option<String>,
    /// Bearer token for the server.
    #[arg(long, env = "SCIMCHECK_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Admin token of a scimcheck reference server, to run the @product scenarios.
    #[arg(long, env = "SCIMCHECK_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Extra header sent with every request, as "Name: value" (repeatable).
    #[arg(long = "header")]
    headers: Vec<String>,
    /// Cucumber tag expression selecting scenarios, e.g. "@must and not @okta".
    #[arg(long)]
    tags: Option<String>,
    /// Select scenarios by profile (by default everything but the interop and IPSIE profiles).
    #[arg(long, value_enum)]
    profile: Option<Profile>,
    /// Fixture templates: a JSON object of bodies per resource type ({"User": {...}}), merged
    /// over the suite's defaults; `${p}` and `${alias}` are placeholders.
    #[arg(long, value_name = "FILE")]
    fixtures: Option<PathBuf>,
    /// Known deviations: a JSON file of scenarios expected to fail, each with a reason.
    #[arg(long = "expect", value_name = "FILE")]
    expect: Option<PathBuf>,
    /// Write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a JSON report with transcripts.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write a self-contained HTML report.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// The target's RFC 8936 poll endpoint, to check the events its asynchronous writes emit
    /// (RFC 9967); for the embedded reference server, its own.
    #[arg(long, value_name = "URL")]
    events_poll: Option<String>,
    /// Receive the events the target pushes (RFC 8935) at this address, e.g. 127.0.0.1:9977:
    /// configure the target to deliver there. The embedded reference server is set up to.
    #[arg(long, value_name = "ADDR")]
    events_listen: Option<String>,
    /// Let an IPSIE run (--profile ipsie-al1|ipsie-al2) put a target that is not on this
    /// machine under 25 requests/s for 10 s, to measure the throughput IPSIE asks for.
    #[arg(long)]
    i_accept_load: bool,
    /// Write a SARIF 2.1.0 log (requirement ids as rule ids, feature lines as locations).
    #[arg(long, value_name = "FILE")]
    sarif: Option<PathBuf>,
    /// Run the .feature files in this directory instead of the embedded ones.
    #[arg(long = "features")]
    features_dir: Option<PathBuf>,
    /// Leave the resources the suite created on the server.
    #[arg(long)]
    keep: bool,
    /// Accept invalid TLS certificates.
    #[arg(long)]
    insecure: bool,
    /// Scenarios run at once (at least 1).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    concurrency: u16,
}

/// The profiles `check --profile` accepts (see `suite::PROFILES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    /// RFC 7643, RFC 7644, RFC 9865 and RFC 9967 scenarios.
    Rfc,
    /// RFC 9967 asynchronous requests and their completion events (see --events-poll).
    Rfc9967,
    /// Okta's test lists and request sequences; what Okta sends is run even if not advertised.
    Okta,
    /// Microsoft Entra ID's validator, gallery tests and request sequences.
    Entra,
    /// The OpenID IPSIE AL1 profile (deprovisioning; not run by default).
    #[value(name = "ipsie-al1")]
    IpsieAl1,
    /// The OpenID IPSIE AL2 profile (AL1, users and groups; not run by default).
    #[value(name = "ipsie-al2")]
    IpsieAl2,
    /// The strict draft-zollner-02 interop profile (not run by default).
    #[value(name = "interop-profile")]
    Interop,
    /// The reference server's own product behaviours (needs --admin-token).
    Product,
}

impl Profile {
    fn name(self) -> &'static str {
        match self {
            Profile::Rfc => "rfc",
            Profile::Rfc9967 => "rfc9967",
            Profile::Okta => "okta",
            Profile::Entra => "entra",
            Profile::IpsieAl1 => "ipsie-al1",
            Profile::IpsieAl2 => "ipsie-al2",
            Profile::Interop => "interop-profile",
            Profile::Product => "product",
        }
    }
}

pub async fn run(args: CheckArgs) -> Result<ExitCode> {
    let CheckArgs {
        base_url,
        token,
        admin_token,
        headers,
        tags,
        profile,
        fixtures,
        expect,
        junit,
        json,
        html,
        sarif,
        events_poll,
        events_listen,
        i_accept_load,
        features_dir,
        keep,
        insecure,
        concurrency,
    } = args;
    // Every argument is checked before anything starts.
    let base_url = base_url.as_deref().map(check_base_url).transpose()?;
    let events_poll = events_poll
        .as_deref()
        .map(|u| check_base_url(u).map_err(|_| anyhow::anyhow!("--events-poll '{u}' is not an http(s) URL")))
        .transpose()?;
    let events_listen = events_listen
        .as_deref()
        .map(|a| {
            a.parse::<std::net::SocketAddr>().map_err(|_| {
                anyhow::anyhow!(
                    "--events-listen '{a}' is not an address to listen on; give IP:PORT, e.g. 127.0.0.1:9977"
                )
            })
        })
        .transpose()?;
    if let Some(t) = &tags {
        t.parse::<cucumber::gherkin::tagexpr::TagOperation>().map_err(|e| {
            anyhow::anyhow!("--tags '{t}' is not a tag expression ({e}); e.g. \"@must and not @entra\"")
        })?;
    }
    let expectations = match &expect {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("--expect {}", path.display()))?;
            Some(suite::expect::Expectations::parse(&text).map_err(anyhow::Error::msg)?)
        }
        None => None,
    };
    let fixtures = match &fixtures {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("--fixtures {}", path.display()))?;
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(serde_json::Value::Object(m)) if m.values().all(serde_json::Value::is_object) => m,
                _ => anyhow::bail!(
                    "--fixtures {}: expected a JSON object of templates per resource type, e.g. {{\"User\": {{\"title\": \"x\"}}}}",
                    path.display()
                ),
            }
        }
        None => serde_json::Map::new(),
    };
    if let Some(d) = &features_dir
        && !d.is_dir()
    {
        anyhow::bail!("--features {}: not a directory of .feature files", d.display());
    }
    let profile = profile.map(Profile::name).map(str::to_owned);
    let extra_headers = parse_headers(&headers)?;
    let mut embedded = None;
    let (base, token, admin_token) = match base_url {
        Some(b) => (b, token, admin_token),
        None => {
            let token = api::auth::generate_token("scim");
            let admin = api::auth::generate_token("admin");
            // The interop profile is judged against the reference server's strict mode.
            let strict = profile.as_deref() == Some("interop-profile");
            let config = api::Config { strict, ..api::Config::default() };
            let running = server::spawn(app::reference(&token, &admin, config))
                .await
                .context("starting the embedded reference server")?;
            eprintln!("checking the embedded reference server at {}", running.base_url());
            let base = running.base_url();
            embedded = Some(running);
            (base, Some(token), Some(admin))
        }
    };
    // The receiver listens before the target is told about it, so no delivery finds it closed.
    let receiver = match events_listen {
        Some(addr) => Some(suite::receiver::start(addr).await.map_err(anyhow::Error::msg)?),
        None => None,
    };
    if let (Some(r), Some(_)) = (&receiver, &embedded) {
        let url = format!("http://{}/", r.addr);
        stream_to(&base, admin_token.as_deref().unwrap_or_default(), &url).await?;
        eprintln!("the embedded reference server pushes its events to {url}");
    }
    let mut opts = suite::RunOptions::new(&base, token.as_deref());
    opts.events_received = receiver.as_ref().map(|r| r.log.clone());
    opts.admin_token = admin_token;
    opts.headers.extend(extra_headers);
    opts.tags = tags;
    opts.profile = profile;
    opts.expectations = expectations;
    opts.fixtures = fixtures;
    opts.accept_load = i_accept_load;
    opts.events_poll = match (events_poll, &embedded, &receiver) {
        (Some(url), _, _) => Some(url),
        (None, Some(_), None) => Some(format!("{base}/Events")),
        _ => None,
    };
    opts.features_dir = features_dir;
    opts.keep = keep;
    opts.insecure = insecure;
    opts.concurrency = usize::from(concurrency);
    opts.progress = true;
    let cleanup = opts.cleanup.clone();
    let keep = opts.keep;
    let reports = Reports { junit, json, html, sarif };
    let (profile_name, tags_used) = (opts.profile.clone(), opts.tags.clone());
    let report = tokio::select! {
        r = suite::run(opts) => match r {
            Ok(report) => report,
            Err(why) => {
                // The run could not start: the requested reports still appear, saying why.
                let report = suite::Report::not_started(&base, profile_name, tags_used, &why);
                reports.write(&report)?;
                anyhow::bail!(why);
            }
        },
        () = scimcheck::server::interrupted()? => {
            if keep {
                eprintln!("\ninterrupted: --keep leaves what the suite created");
                return Ok(ExitCode::from(130));
            }
            eprintln!("\ninterrupted: removing what the suite created...");
            let client = suite::http_client(insecure).map_err(anyhow::Error::msg)?;
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            let n = cleanup.run(&client).await;
            eprintln!("removed {n} resource(s); exiting");
            return Ok(ExitCode::from(130));
        }
    };
    if let Some(r) = embedded {
        r.stop().await;
    }
    if let Some(r) = &receiver {
        let c = &r.counts;
        let (accepted, refused) = (c.accepted.load(Relaxed), c.refused.load(Relaxed));
        eprintln!("events received at {}: {accepted} accepted, {refused} refused as not a SET", r.addr);
    }
    reports.write(&report)?;
    report.print(&mut std::io::stdout())?;
    Ok(if report.is_failure() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Tells the embedded reference server to push its events to `url` (its admin API).
async fn stream_to(base: &str, admin_token: &str, url: &str) -> Result<()> {
    let client = suite::http_client(false).map_err(anyhow::Error::msg)?;
    let admin = base.replace("/scim/v2", "/admin/v1");
    let r = client
        .put(format!("{admin}/event-stream"))
        .bearer_auth(admin_token)
        .json(&serde_json::json!({"endpoint_url": url}))
        .send()
        .await
        .context("configuring the embedded server's event stream")?;
    anyhow::ensure!(r.status().is_success(), "the embedded server refused the event stream: {}", r.status());
    Ok(())
}

/// The report files asked for.
struct Reports {
    junit: Option<PathBuf>,
    json: Option<PathBuf>,
    html: Option<PathBuf>,
    sarif: Option<PathBuf>,
}

impl Reports {
    fn write(&self, report: &suite::Report) -> Result<()> {
        let create =
            |path: &PathBuf| std::fs::File::create(path).with_context(|| format!("creating {}", path.display()));
        if let Some(path) = &self.junit {
            suite::output::junit(report, create(path)?).map_err(anyhow::Error::msg)?;
        }
        if let Some(path) = &self.json {
            suite::output::json(report, create(path)?).map_err(anyhow::Error::msg)?;
        }
        if let Some(path) = &self.html {
            std::fs::write(path, suite::output::html(report)).with_context(|| format!("writing {}", path.display()))?;
        }
        if let Some(path) = &self.sarif {
            suite::output::sarif(report, create(path)?).map_err(anyhow::Error::msg)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum as _;

    #[test]
    fn the_profiles_the_flag_takes_are_the_suites() {
        let flag: Vec<&str> = super::Profile::value_variants().iter().map(|p| p.name()).collect();
        let mut suite: Vec<&str> = scimcheck::suite::PROFILES.iter().map(|(n, _)| *n).collect();
        let mut sorted = flag.clone();
        sorted.sort_unstable();
        suite.sort_unstable();
        assert_eq!(sorted, suite, "check --profile and suite::PROFILES list the same profiles");
    }
}
