//! Discovery endpoints (RFC 7644 §4): ServiceProviderConfig, ResourceTypes, Schemas.
//!
//! What the server advertises here is what it does: the limits come from [`super::Config`].

use super::{Api, Request, Response};
use crate::error::{Result, ScimError};
use crate::schema::registry::{LIST_RESPONSE_URN, SPC_URN};
use serde_json::{Value, json};

/// `GET /ServiceProviderConfig`.
pub fn service_provider_config(api: &Api, req: &Request) -> Response {
    let c = &api.config;
    let on = |f: super::offer::Feature| c.without.offers(f);
    use super::offer::Feature::*;
    let mut spc = json!({
        "schemas": [SPC_URN],
        "documentationUri": "https://github.com/scimcheck/scimcheck",
        "patch": {"supported": on(Patch)},
        "bulk": {"supported": on(Bulk), "maxOperations": super::bulk::MAX_OPERATIONS, "maxPayloadSize": c.max_body_bytes},
        "filter": {"supported": on(Filter), "maxResults": c.max_results},
        "changePassword": {"supported": false},
        "sort": {"supported": on(Sort)},
        "etag": {"supported": on(Etag)},
        "pagination": {
            "cursor": on(Cursor), "index": true, "defaultPaginationMethod": "index",
            "defaultPageSize": c.default_count, "maxPageSize": c.max_results,
            "cursorTimeout": api.cursors.timeout,
        },
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication with an API key of a SCIM Provisioner, sent as a bearer token",
            "specUri": "https://www.rfc-editor.org/rfc/rfc6750",
            "primary": true,
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": format!("{}/ServiceProviderConfig", req.base_url)},
    });
    if on(Async) {
        spc["securityEvents"] = json!({
            "asyncRequest": "request",
            "eventUris": super::events::event_uris(),
        });
    }
    spc["RolesAndEntitlements"] = super::roles::spc_block();
    if c.strict {
        // The strict server follows the interop profile and says so (draft -02).
        spc["interopProfileConformant"] = json!(true);
    }
    Response::json(200, spc)
}

/// `GET /ResourceTypes`.
pub fn resource_types(api: &Api, req: &Request) -> Response {
    let mut all: Vec<Value> = api.registry().resource_types.iter().map(|r| r.to_json(&req.base_url)).collect();
    all.push(super::roles::resource_type(&req.base_url));
    all.push(super::roles::entitlement_type(&req.base_url));
    Response::json(200, list(all))
}

/// `GET /ResourceTypes/{id}`.
pub fn resource_type(api: &Api, req: &Request, id: &str) -> Result<Response> {
    let rt = api
        .registry()
        .resource_types
        .iter()
        .find(|r| r.id == id)
        .ok_or_else(|| ScimError::not_found(format!("resource type '{id}' not found")))?;
    Ok(Response::json(200, rt.to_json(&req.base_url)))
}

/// `GET /Schemas`.
pub fn schemas(api: &Api, req: &Request) -> Response {
    let mut all: Vec<Value> =
        api.registry().schemas.iter().map(|s| api.registry().schema_json(s, &req.base_url)).collect();
    all.push(super::roles::schema(&req.base_url));
    all.push(super::roles::entitlement_schema(&req.base_url));
    Response::json(200, list(all))
}

/// `GET /Schemas/{urn}`.
pub fn schema(api: &Api, req: &Request, urn: &str) -> Result<Response> {
    let s = api
        .registry()
        .schemas
        .iter()
        .find(|s| s.id == urn)
        .ok_or_else(|| ScimError::not_found(format!("schema '{urn}' not found")))?;
    Ok(Response::json(200, api.registry().schema_json(s, &req.base_url)))
}

/// A complete (unpaged) ListResponse.
pub fn list(resources: Vec<Value>) -> Value {
    json!({
        "schemas": [LIST_RESPONSE_URN],
        "totalResults": resources.len(),
        "startIndex": 1,
        "itemsPerPage": resources.len(),
        "Resources": resources,
    })
}
