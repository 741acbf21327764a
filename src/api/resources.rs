//! The resource endpoints (RFC 7644 §3.3–§3.6): create, read, list, replace, delete.
//!
//! Each handler reads the request at the edge (body through `model::normalize`, projection
//! through `Projection::parse`), makes one call to the store, and renders the result.

use super::{Api, Request, Response};
use crate::error::{Result, ScimError};
use crate::model::normalize::unique_keys;
use crate::model::render::{Related, location};
use crate::model::{Kind, Projection, Record, normalize, render};
use crate::schema::{Mutability, ResourceType};
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
    let members = input.members.unwrap_or_default().into_iter().map(|m| (m.value, m.display)).collect();
    let unique = unique_keys(rt, &input.attrs);
    let record = api.store.create(kind_of(rt), NewResource { attrs: input.attrs, unique, members })?;
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
    let members = input.members.clone().unwrap_or_default();
    let record = api.store.update(kind_of(rt), id, req.header("if-match"), &mut |current, _| {
        check_immutable(rt, &current.attrs, &input.attrs)?;
        Ok(Update {
            attrs: input.attrs.clone(),
            unique: unique_keys(rt, &input.attrs),
            members: rt
                .is_group()
                .then(|| MemberChange::Replace(members.iter().map(|m| (m.value.clone(), m.display.clone())).collect())),
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
        Ok(Update { unique: unique_keys(rt, &out.attrs), attrs: out.attrs, members: out.members })
    })?;
    let body = render_record(api, rt, &record, &req.base_url, &proj)?;
    Ok(Response::json(200, body).with_header("etag", record.etag()))
}

/// `DELETE /{endpoint}/{id}`: 204, and the resource is gone with its memberships.
pub fn delete(api: &Api, req: &Request, rt: &ResourceType, id: &str) -> Result<Response> {
    api.store.delete(kind_of(rt), id, req.header("if-match"))?;
    Ok(Response::empty(204))
}

/// Reads a resource or fails with 404.
pub fn find(api: &Api, rt: &ResourceType, id: &str) -> Result<Record> {
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

/// An `immutable` attribute may be set once and then only resent unchanged (RFC 7643 §7).
fn check_immutable(rt: &ResourceType, old: &Map<String, Value>, new: &Map<String, Value>) -> Result<()> {
    for attr in rt.core.attributes.iter().filter(|a| a.mutability == Mutability::Immutable) {
        if let Some(prev) = old.get(&attr.name)
            && new.get(&attr.name) != Some(prev)
        {
            return Err(ScimError::mutability(format!("attribute '{}' is immutable", attr.name)));
        }
    }
    Ok(())
}
