@product @needs-admin
Feature: API keys of a SCIM Provisioner
  The identity provider authenticates with an API key of a dedicated service user holding the
  SCIM Provisioner privilege. Keys are shown once, stored as hashes, revocable at once, and
  scoped to one tenant.

  Background:
    Given a tenant of its own

  @must
  Scenario: A key of a user with the SCIM Provisioner privilege may use the SCIM API
    Given an API key "okta" of a service user with privileges "scim_provisioner"
    When I send GET to "/Users" with the API key "okta"
    Then the response status is 200

  @must
  Scenario: A valid key of a user without the privilege is 403
    Given an API key "reporting" of a service user without privileges
    When I send GET to "/Users" with the API key "reporting"
    Then the response is a SCIM error with status "403"

  @must
  Scenario: A revoked key is refused at once with 401
    Given an API key "old" of a service user with privileges "scim_provisioner"
    When I send GET to "/Users" with the API key "old"
    Then the response status is 200
    When I send an admin DELETE to "/api-keys/${old.key}"
    Then the response status is 204
    When I send GET to "/Users" with the API key "old"
    Then the response is a SCIM error with status "401"

  @must
  Scenario: The token is shown once; listings never show it
    Given an API key "shown" of a service user with privileges "scim_provisioner"
    When I send an admin GET to "/api-keys"
    Then the response status is 200
    And the JSON at "api_keys" contains {"id": "${shown.key}", "revoked": false}
    And the JSON at "api_keys[0].token" does not exist

  @must
  Scenario: The admin token is not a SCIM key, and a SCIM key is not an admin token
    Given an API key "idp" of a service user with privileges "scim_provisioner"
    When I use the API key "idp" to send an admin GET to "/settings"
    Then the response status is 403
