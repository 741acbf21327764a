@product @needs-admin
Feature: The provisioning lifecycle, end to end
  Walks the product doc's lifecycle diagram: user provisioning, group assignment (teams and
  roles applied), profile updates, removal from groups, and deactivation.

  @must
  Scenario: Create, assign, update, unassign, deactivate
    Given a tenant of its own
    And the group "${p}Platform Admins" is mapped to root/admin and ${p}Platform/operator
    # User provisioning
    When I POST to "/Users" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"${p}jane@example.com",
       "name":{"givenName":"Jane","familyName":"Doe"},"displayName":"Jane Doe",
       "emails":[{"value":"${p}jane@example.com","primary":true,"type":"work"}],"active":true}
      """
    Then the response status is 201
    And I remember the JSON at "id" as "jane"
    And the access of "jane" is active with nothing
    # Group assignment: push group membership, teams and roles applied
    When I POST to "/Groups" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"${p}Platform Admins","members":[{"value":"${jane}"}]}
      """
    Then the response status is 201
    And I remember the JSON at "id" as "platform"
    And the access of "jane" is active with root/admin (granted by ${p}Platform Admins) and ${p}Platform/operator (granted by ${p}Platform Admins)
    # Profile update
    When I PATCH "/Users/${jane}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"name.familyName","value":"Smith"}]}
      """
    Then the JSON at "name.familyName" is "Smith"
    # Deprovisioning: removal from groups, then deactivation
    When I PATCH "/Groups/${platform}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"${jane}\"]"}]}
      """
    Then the access of "jane" is active with nothing
    When I PATCH "/Users/${jane}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}
      """
    Then the access of "jane" is inactive with nothing
    When I GET "/Users/${jane}"
    Then the JSON at "active" is false
    When I send an admin GET to "/events?after=0"
    Then the JSON at "events" contains {"action": "create", "resource_id": "${jane}"}
    And the JSON at "events" contains {"action": "patch", "resource_id": "${platform}", "after": {"members_removed": ["${jane}"]}}
