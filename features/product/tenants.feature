@product @needs-admin
Feature: Tenants
  Every tenant has its own users, groups, keys, settings, mappings and audit log, served under
  /t/{tenant}/scim/v2 and /t/{tenant}/admin/v1. A key of one tenant is refused by another.

  @must
  Scenario: A user of one tenant is invisible in another, and its key is 401 there
    Given a tenant of its own
    And a user "local" exists
    And an API key "mine" of a service user with privileges "scim_provisioner"
    When I GET "/Users/${local}"
    Then the response status is 200
    When I send GET to "${base}/Users" with the API key "mine"
    Then the response status is 200
    When I send GET to "${default_base}/Users" with the API key "mine"
    Then the response is a SCIM error with status "401"

  @must
  Scenario: A tenant's own admin token cannot create tenants
    Given a tenant of its own
    When I send an admin POST to "/tenants" with:
      """
      {"name": "${p}nested"}
      """
    Then the response status is 403
