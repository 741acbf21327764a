//! The product's role catalogue as the `/Roles` resource type of draft-ietf-scim-roles-
//! entitlements (-01): what an IdP that asks (Okta's entitlements test, March 2026) can read
//! before it assigns roles. The ServiceProviderConfig advertises it (`RolesAndEntitlements`),
//! /ResourceTypes and /Schemas describe it, and `GET /Roles[/{id}]` lists the roles, paged.
//! Roles are read-only here: they are the product's fixed catalogue, granted through group
//! mappings (`../shared/spec/provisioning-product-doc.md`), not through SCIM writes.
//! `/Entitlements` lists the tenant's teams (type `Team`), the other half of an assignment: a
//! group mapping grants a role on a team. They live in the tenant's admin state, so `app` routes
//! `GET /Entitlements` here with them.

use super::{Request, Response};
use crate::error::{Result, ScimError};
use crate::product::ROLES;
use serde_json::{Value, json};

pub const ROLE_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Role";
pub const ENTITLEMENT_URN: &str = "urn:ietf:params:scim:schemas:core:2.0:Entitlement";

/// The `RolesAndEntitlements` block of the ServiceProviderConfig.
pub fn spc_block() -> Value {
    json!({
        "roles": {"supported": true, "multipleRolesSupported": true, "primarySupported": false, "typeSupported": false},
        "entitlements": {"supported": true, "multipleEntitlementsSupported": true, "primarySupported": false, "typeSupported": true, "types": ["Team"]},
    })
}

/// A read-only resource type of the extension, as /ResourceTypes lists it.
fn type_of(base_url: &str, name: &str, endpoint: &str, schema: &str, description: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": name, "name": name, "endpoint": endpoint, "description": description, "schema": schema,
        "meta": {"resourceType": "ResourceType", "location": format!("{base_url}/ResourceTypes/{name}")},
    })
}

/// The Role resource type, as /ResourceTypes lists it.
pub fn resource_type(base_url: &str) -> Value {
    type_of(base_url, "Role", "/Roles", ROLE_URN, "The product's roles, granted through group mappings (read-only)")
}

/// The Entitlement resource type, as /ResourceTypes lists it.
pub fn entitlement_type(base_url: &str) -> Value {
    let description = "The tenant's teams, on which group mappings grant roles (read-only)";
    type_of(base_url, "Entitlement", "/Entitlements", ENTITLEMENT_URN, description)
}

fn attr(name: &str, ty: &str, required: bool, description: &str) -> Value {
    json!({"name": name, "type": ty, "multiValued": false, "description": description, "required": required,
           "caseExact": false, "mutability": "readOnly", "returned": "default", "uniqueness": "none"})
}

/// The Entitlement schema, as /Schemas lists it.
pub fn entitlement_schema(base_url: &str) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": ENTITLEMENT_URN, "name": "Entitlement",
        "description": "An entitlement of the product: access to a team (draft-ietf-scim-roles-entitlements)",
        "attributes": [
            attr("value", "string", true, "The value of the entitlement: the team's name."),
            attr("display", "string", false, "A human-readable name."),
            attr("type", "string", false, "A label indicating the entitlement's function: Team."),
            attr("supported", "boolean", false, "Whether the entitlement is usable in the product."),
        ],
        "meta": {"resourceType": "Schema", "location": format!("{base_url}/Schemas/{ENTITLEMENT_URN}")},
    })
}

/// The Role schema, as /Schemas lists it.
pub fn schema(base_url: &str) -> Value {
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
    let all: Vec<Value> = ROLES.iter().map(|(n, d)| role(&req.base_url, n, d)).collect();
    page(req, all, "roles")
}

fn entitlement(base_url: &str, team: &str) -> Value {
    json!({
        "schemas": [ENTITLEMENT_URN], "id": team, "value": team, "type": "Team",
        "display": format!("Access to team {team}"), "supported": true,
        "meta": {"resourceType": "Entitlement", "location": format!("{base_url}/Entitlements/{team}")},
    })
}

/// `GET /Entitlements[/{id}]` over the tenant's teams.
pub fn entitlements(req: &Request, teams: &[String], id: Option<&str>) -> Result<Response> {
    match id {
        None => page(req, teams.iter().map(|t| entitlement(&req.base_url, t)).collect(), "entitlements"),
        Some(id) => match teams.iter().find(|t| *t == id) {
            Some(t) => Ok(Response::json(200, entitlement(&req.base_url, t))),
            None => Err(ScimError::not_found(format!("entitlement '{id}' not found"))),
        },
    }
}

/// One page of a small read-only list, by `startIndex` and `count`.
fn page(req: &Request, all: Vec<Value>, what: &str) -> Result<Response> {
    let start = req.int_param("startIndex")?.unwrap_or(1).max(1) as usize;
    let count = req.int_param("count")?.unwrap_or(100).clamp(0, 200) as usize;
    if req.param("filter").is_some() {
        return Err(ScimError::invalid_filter(format!("the {what} cannot be filtered; list them all")));
    }
    let total = all.len();
    let page: Vec<Value> = all.into_iter().skip(start - 1).take(count).collect();
    Ok(Response::json(
        200,
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": total, "startIndex": start, "itemsPerPage": page.len(), "Resources": page,
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

    #[test]
    fn the_teams_are_the_entitlements() {
        let mut req = Request::new(Method::Get, "/scim/v2/Entitlements?count=1&startIndex=2");
        req.base_url = "http://h/scim/v2".into();
        let teams = vec!["root".to_owned(), "sales".to_owned()];
        let page = entitlements(&req, &teams, None).unwrap().body.unwrap();
        assert_eq!((page["totalResults"].as_u64(), page["Resources"][0]["value"].as_str()), (Some(2), Some("sales")));
        let one = entitlements(&req, &teams, Some("root")).unwrap().body.unwrap();
        assert_eq!(
            (one["type"].as_str(), one["meta"]["location"].as_str()),
            (Some("Team"), Some("http://h/scim/v2/Entitlements/root"))
        );
        assert_eq!(entitlements(&req, &teams, Some("ops")).unwrap_err().status, 404);
        req.query.push(("filter".into(), "value eq \"root\"".into()));
        assert_eq!(
            entitlements(&req, &teams, None).unwrap_err().scim_type,
            Some(crate::error::ScimType::InvalidFilter)
        );
    }
}
