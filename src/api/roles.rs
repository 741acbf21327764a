//! The product's role catalogue as the `/Roles` resource type of draft-ietf-scim-roles-
//! entitlements (-01): what an IdP that asks (Okta's entitlements test, March 2026) can read
//! before it assigns roles. The ServiceProviderConfig advertises it (`RolesAndEntitlements`),
//! /ResourceTypes and /Schemas describe it, and `GET /Roles[/{id}]` lists the roles, paged.
//! Roles are read-only here: they are the product's fixed catalogue, granted through group
//! mappings (`../shared/spec/provisioning-product-doc.md`), not through SCIM writes.
//! Entitlements are not offered (`entitlements.supported: false`).

use super::{Request, Response};
use crate::error::{Result, ScimError};
use crate::product::ROLES;
use serde_json::{Value, json};

pub const ROLE_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Role";

/// The `RolesAndEntitlements` block of the ServiceProviderConfig.
pub fn spc_block() -> Value {
    json!({
        "roles": {"supported": true, "multipleRolesSupported": true, "primarySupported": false, "typeSupported": false},
        "entitlements": {"supported": false},
    })
}

/// The Role resource type, as /ResourceTypes lists it.
pub fn resource_type(base_url: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": "Role", "name": "Role", "endpoint": "/Roles",
        "description": "The product's roles, granted through group mappings (read-only)",
        "schema": ROLE_URN,
        "meta": {"resourceType": "ResourceType", "location": format!("{base_url}/ResourceTypes/Role")},
    })
}

/// The Role schema, as /Schemas lists it.
pub fn schema(base_url: &str) -> Value {
    let attr = |name: &str, ty: &str, required: bool, description: &str| {
        json!({"name": name, "type": ty, "multiValued": false, "description": description, "required": required,
               "caseExact": false, "mutability": "readOnly", "returned": "default", "uniqueness": "none"})
    };
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": ROLE_URN, "name": "Role", "description": "A role of the product (draft-ietf-scim-roles-entitlements)",
        "attributes": [
            attr("value", "string", true, "The value of the role, as a User's roles.value carries it."),
            attr("display", "string", false, "A human-readable description of the role."),
            attr("type", "string", false, "A label indicating the role's function."),
            attr("supported", "boolean", true, "Whether the role is usable in the product."),
        ],
        "meta": {"resourceType": "Schema", "location": format!("{base_url}/Schemas/{ROLE_URN}")},
    })
}

fn role(base_url: &str, name: &str, description: &str) -> Value {
    json!({
        "schemas": [ROLE_URN], "id": name, "value": name, "display": description, "supported": true,
        "meta": {"resourceType": "Role", "location": format!("{base_url}/Roles/{name}")},
    })
}

/// `GET /Roles`: a ListResponse, paged with `startIndex` and `count` (RFC 7644 §3.4.2.4).
pub fn list(req: &Request) -> Result<Response> {
    let start = req.int_param("startIndex")?.unwrap_or(1).max(1) as usize;
    let count = req.int_param("count")?.unwrap_or(100).clamp(0, 200) as usize;
    if req.param("filter").is_some() {
        return Err(ScimError::invalid_filter("the roles cannot be filtered; list them all"));
    }
    let page: Vec<Value> = ROLES.iter().skip(start - 1).take(count).map(|(n, d)| role(&req.base_url, n, d)).collect();
    Ok(Response::json(
        200,
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": ROLES.len(), "startIndex": start, "itemsPerPage": page.len(), "Resources": page,
        }),
    ))
}

/// `GET /Roles/{id}`.
pub fn get(req: &Request, id: &str) -> Result<Response> {
    let (n, d) =
        ROLES.iter().find(|(n, _)| *n == id).ok_or_else(|| ScimError::not_found(format!("role '{id}' not found")))?;
    Ok(Response::json(200, role(&req.base_url, n, d)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Method;

    #[test]
    fn roles_are_listed_paged_and_read_by_id() {
        let mut req = Request::new(Method::Get, "/scim/v2/Roles?startIndex=2&count=2");
        req.base_url = "http://h/scim/v2".into();
        let page = list(&req).unwrap().body.unwrap();
        assert_eq!((page["totalResults"].as_u64(), page["itemsPerPage"].as_u64()), (Some(ROLES.len() as u64), Some(2)));
        assert_eq!(page["Resources"][0]["value"], ROLES[1].0);
        assert_eq!(get(&req, "admin").unwrap().body.unwrap()["supported"], true);
        assert_eq!(get(&req, "nope").unwrap_err().status, 404);
    }
}
