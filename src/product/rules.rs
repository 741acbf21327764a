//! The product's user rules (`user_rules: "product"`): what its API requires of a user
//! created or replaced through SCIM, beyond RFC 7643.

use crate::error::{Result, ScimError};
use crate::schema::Registry;
use crate::schema::registry::USER_URN;
use serde_json::{Map, Value};

/// Checks a user's canonical attributes against the product's rules.
pub fn check_user(attrs: &Map<String, Value>) -> Result<()> {
    let user_name = attrs.get("userName").and_then(Value::as_str).unwrap_or("");
    if !is_email(user_name) {
        return Err(ScimError::invalid_value(format!("userName must be an email address, got '{user_name}'")));
    }
    for (sub, label) in [("givenName", "name.givenName"), ("familyName", "name.familyName")] {
        if attrs.get("name").and_then(|n| n.get(sub)).and_then(Value::as_str).is_none_or(str::is_empty) {
            return Err(ScimError::invalid_value(format!("{label} is required")));
        }
    }
    if attrs.get("displayName").and_then(Value::as_str).is_none_or(str::is_empty) {
        return Err(ScimError::invalid_value("displayName is required"));
    }
    let primary = attrs
        .get("emails")
        .and_then(Value::as_array)
        .is_some_and(|emails| emails.iter().any(|e| e.get("primary") == Some(&Value::Bool(true))));
    if !primary {
        return Err(ScimError::invalid_value("Email must be marked as primary"));
    }
    Ok(())
}

fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
        }
        None => false,
    }
}

/// The registry as `/Schemas` shows it under the product's rules: the attributes above required.
pub fn product_registry(base: &Registry) -> Registry {
    let mut reg = base.clone();
    reg.require(USER_URN, &["displayName", "name", "emails"]);
    for s in reg.schemas.iter_mut().filter(|s| s.id == USER_URN) {
        require_name_parts(s);
    }
    for rt in reg.resource_types.iter_mut().filter(|r| r.core.id == USER_URN) {
        require_name_parts(&mut rt.core);
    }
    reg
}

fn require_name_parts(s: &mut crate::schema::Schema) {
    if let Some(name) = s.attributes.iter_mut().find(|a| a.name == "name") {
        for sub in name.sub_attributes.iter_mut().flatten() {
            if sub.name == "givenName" || sub.name == "familyName" {
                sub.required = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn product_user_rules() {
        let ok = json!({"userName": "a@b.co", "name": {"givenName": "A", "familyName": "B"}, "displayName": "A B",
            "emails": [{"value": "a@b.co", "primary": true}]});
        assert!(check_user(ok.as_object().unwrap()).is_ok());
        let mut no_primary = ok.clone();
        no_primary["emails"] = json!([{"value": "a@b.co"}]);
        assert_eq!(check_user(no_primary.as_object().unwrap()).unwrap_err().detail, "Email must be marked as primary");
        let mut not_email = ok.clone();
        not_email["userName"] = json!("bjensen");
        assert!(check_user(not_email.as_object().unwrap()).unwrap_err().detail.contains("email address"));
    }
}
