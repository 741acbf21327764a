@product @needs-admin
Feature: Deactivation and deletion
  The IdP deactivates a user with active=false: the user stays retrievable and keeps their
  memberships, but every assignment is suspended; reactivation restores what the groups grant.
  DELETE removes the user and all their grants.

  Background:
    Given a tenant of its own
    And the group "${p}ops" is mapped to ${p}ops/operator
    And a user "gus" exists
    And a group "ops" exists with members "gus"

  @must
  Scenario: Deactivating by PATCH suspends access; reactivating restores it
    When I PATCH "/Users/${gus}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "value": {"active": false}}]}
      """
    Then the access of "gus" is inactive with nothing
    When I GET "/Users/${gus}"
    Then the response status is 200
    And the JSON at "active" is false
    And the JSON at "groups" contains {"value": "${ops}"}
    When I PATCH "/Users/${gus}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "value": {"active": true}}]}
      """
    Then the access of "gus" is active with ${p}ops/operator (granted by ${p}ops)

  @must
  Scenario: Deactivating by PUT (Okta custom apps) suspends access too
    When I PUT "/Users/${gus}" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${gus.userName}", "active": false}
      """
    Then the access of "gus" is inactive with nothing

  @must
  Scenario: Deleting a user removes them and their grants
    When I DELETE "/Users/${gus}"
    Then the response status is 204
    When I send an admin GET to "/users/${gus}/access"
    Then the response status is 404
    When I GET "/Groups/${ops}"
    Then the JSON at "members" does not exist
