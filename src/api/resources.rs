//! The resource endpoints (RFC 7644 §3.3–§3.6): create, read, list, replace, delete.
//!
//! Each handler reads the request at the edge (body through `model::normalize`, projection
//! through `Projection::parse`), makes one call to the store, and renders the result.

use super::{Api, Request, Response};
use crate::error::{Result, ScimError};
use crate::model::normalize::unique_keys;
use crate::model::render::{Related, location};
use crate::model::{Kind, Projection, Record, normalize, render};
use crate::schema::ResourceType;
use crate::store::{MemberChange, NewResource, Update, if_match_ok};
use serde_json::{Map, Value};

/// The store kind behind a resource type.
pub fn kind_of(rt: &ResourceType) -> Kind {
    if rt.is_group() { Kind::Group } else { Kind::User }
}

/// `POST /{endpoint}`: 201 with the resource, `Location` and `ETag`.
pub fn create(api: &Api, req: &Request, rt: &ResourceType) -> Result<Response> {
    let proj = projection(req, rt)?;
    let input = normalize(rt, &req.json()?, api.config.mode())?;
    check_rules(api, rt, &input.attrs)?;
    let members: Vec<(String, Option<String>)> =
        input.members.unwrap_or_default().into_iter().map(|m| (m.value, m.display)).collect();
    let unique = unique_keys(rt, &input.attrs);
    let new = NewResource { attrs: input.attrs, unique, members, actor: req.actor.clone() };
    let record = api.store.create(kind_of(rt), new)?;
    let body = render_record(api, rt, &record, &req.base_url, &proj)?;
    Ok(Response::json(201, body)
        .with_header("location", location(rt, &record, &req.base_url))
        .with_header("etag", record.etag()))
}

/// `GET /{endpoint}/{id}`: 200 with the resource and `ETag`, or 304 when `If-None-Match` matches.
pub fn get(api: &Api, req: &Request, rt: &ResourceType, id: &str) -> Result<Response> {
    let proj = projection(req, rt)?;
    let record = find(api, rt, id)?;
    if let Some(h) = req.header("if-none-match")
        && if_match_ok(h, &record.etag())
    {
        return Ok(Response::empty(304).with_header("etag", record.etag()));
    }
    let body = render_record(api, rt, &record, &req.base_url, &proj)?;
    Ok(Response::json(200, body).with_header("etag", record.etag()))
}

/// `PUT /{endpoint}/{id}`: replaces the resource (RFC 7644 §3.5.1). Attributes left out are
/// cleared; readOnly values in the body are ignored; a group's `members` become the full set;
/// a user's group memberships never change.
pub fn replace(api: &Api, req: &Request, rt: &ResourceType, id: &str) -> Result<Response> {
    let proj = projection(req, rt)?;
    let input = normalize(rt, &req.json()?, api.config.mode())?;
    check_rules(api, rt, &input.attrs)?;
    let members = input.members.clone().unwrap_or_default();
    let record = api.store.update(kind_of(rt), id, req.header("if-match"), &mut |current, _| {
        crate::patch::check_immutable(rt, &current.attrs, &input.attrs)?;
        Ok(Update {
            attrs: input.attrs.clone(),
            unique: unique_keys(rt, &input.attrs),
            members: rt
                .is_group()
                .then(|| MemberChange::Replace(members.iter().map(|m| (m.value.clone(), m.display.clone())).collect())),
            put: true,
            actor: req.actor.clone(),
        })
    })?;
    let body = render_record(api, rt, &record, &req.base_url, &proj)?;
    Ok(Response::json(200, body).with_header("etag", record.etag()))
}

/// `PATCH /{endpoint}/{id}`: applies every operation or none (RFC 7644 §3.5.2); 200 with the
/// resource, honouring `attributes`/`excludedAttributes` on the URL.
pub fn patch(api: &Api, req: &Request, rt: &ResourceType, id: &str) -> Result<Response> {
    let proj = projection(req, rt)?;
    let mode = api.config.mode();
    let ops = crate::patch::parse_request(&req.json()?, mode)?;
    let record = api.store.update(kind_of(rt), id, req.header("if-match"), &mut |current, members| {
        let out = crate::patch::apply(rt, &current.id, &current.attrs, members, &ops, mode)?;
        check_rules(api, rt, &out.attrs)?;
        Ok(Update {
            unique: unique_keys(rt, &out.attrs),
            attrs: out.attrs,
            members: out.members,
            put: false,
            actor: req.actor.clone(),
        })
    })?;
    // A group's full representation grows with its members (a 5,000-member group is ~1 MB to
    // render and send on every member add), and IdPs do not read it back: Entra prefers 204 for
    // groups, Okta accepts either. RFC 7644 §3.5.2 allows 204 unless `attributes` asks for 200.
    let asked = req.param("attributes").is_some() || req.param("excludedAttributes").is_some();
    if rt.is_group() && !asked {
        return Ok(Response::empty(204).with_header("etag", record.etag()));
    }
    let body = render_record(api, rt, &record, &req.base_url, &proj)?;
    Ok(Response::json(200, body).with_header("etag", record.etag()))
}

/// `DELETE /{endpoint}/{id}`: 204, and the resource is gone with its memberships.
pub fn delete(api: &Api, req: &Request, rt: &ResourceType, id: &str) -> Result<Response> {
    api.store.delete(kind_of(rt), id, req.header("if-match"), &req.actor)?;
    Ok(Response::empty(204))
}

/// The product's user rules, when they are on.
fn check_rules(api: &Api, rt: &ResourceType, attrs: &Map<String, Value>) -> Result<()> {
    if !rt.is_group() && api.product_rules.load(std::sync::atomic::Ordering::Relaxed) {
        crate::product::rules::check_user(attrs)?;
    }
    Ok(())
}

/// Reads a resource or fails with 404.
pub fn find(api: &Api, rt: &ResourceType, id: &str) -> Result<std::sync::Arc<Record>> {
    api.store.get(kind_of(rt), id)?.ok_or_else(|| ScimError::not_found(format!("{} '{id}' not found", rt.name)))
}

/// The request's projection.
pub fn projection(req: &Request, rt: &ResourceType) -> Result<Projection> {
    Projection::parse(rt, req.param("attributes"), req.param("excludedAttributes"))
}

/// Renders a record, reading members or groups only when the projection shows them.
pub fn render_record(api: &Api, rt: &ResourceType, record: &Record, base: &str, proj: &Projection) -> Result<Value> {
    let body = if rt.is_group() && proj.wants(rt, "members") {
        let members = api.store.members(&record.id)?;
        render(rt, record, Related::Members(&members), base, proj)
    } else if !rt.is_group() && proj.wants(rt, "groups") {
        let groups = api.store.groups_of(&record.id)?;
        render(rt, record, Related::Groups(&groups), base, proj)
    } else {
        render(rt, record, Related::None, base, proj)
    };
    Ok(body)
}

/// Renders a page of records, reading the groups of all users on it in one store call.
pub fn render_page(
    api: &Api,
    rt: &ResourceType,
    records: &[std::sync::Arc<Record>],
    base: &str,
    proj: &Projection,
) -> Result<Vec<Value>> {
    if rt.is_group() || !proj.wants(rt, "groups") {
        return records.iter().map(|r| render_record(api, rt, r, base, proj)).collect();
    }
    let ids: Vec<&str> = records.iter().map(|r| r.id.as_str()).collect();
    let groups = api.store.groups_of_many(&ids)?;
    Ok(records
        .iter()
        .map(|r| {
            let g = groups.get(&r.id).map(Vec::as_slice).unwrap_or(&[]);
            render(rt, r, Related::Groups(g), base, proj)
        })
        .collect())
}
