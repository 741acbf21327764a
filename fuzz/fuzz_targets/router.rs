//! Whole requests through the router (tenants, auth, SCIM and admin APIs): the first byte picks
//! the method and credential, the next line is the path and query, the rest is the body.
#![no_main]
use scimcheck::api::{Method, Request};
use std::sync::OnceLock;

fn app() -> &'static scimcheck::app::App {
    static APP: OnceLock<scimcheck::app::App> = OnceLock::new();
    APP.get_or_init(|| scimcheck::app::App::in_memory(Default::default(), "tok", "adm"))
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let (path, body) = text.split_once('\n').unwrap_or((&text, ""));
    let method =
        [Method::Get, Method::Post, Method::Put, Method::Patch, Method::Delete, Method::Other][first as usize % 6];
    let mut req = Request::new(method, path);
    let auth = if first & 0x80 != 0 { "Bearer adm" } else { "Bearer tok" };
    req.headers.push(("authorization".into(), auth.into()));
    req.body = body.as_bytes().to_vec();
    let resp = app().handle(req, "http://localhost");
    assert!((200..600).contains(&resp.status));
    if resp.status >= 400 {
        assert!(resp.body.is_some(), "errors carry a body");
    }
});
