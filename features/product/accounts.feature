@product @needs-admin
Feature: Local accounts are out of provisioning's reach
  The break-glass administrator on the root team and the service users are local accounts:
  the SCIM API neither shows nor changes them, so provisioning can never remove the last admin.

  Background:
    Given a tenant of its own

  @must
  Scenario: The break-glass admin and service users are not SCIM users
    When I send an admin GET to "/local-accounts"
    Then the JSON at "local_accounts" contains {"name": "admin", "kind": "break-glass", "team": "root", "role": "admin"}
    And the JSON at "local_accounts" contains {"name": "provisioner", "kind": "service"}
    When I GET "/Users?filter=userName eq "admin""
    Then the JSON at "totalResults" is 0
    When I GET "/Users?filter=userName eq "provisioner""
    Then the JSON at "totalResults" is 0
    When I GET "/Users"
    Then the JSON at "totalResults" is 0
