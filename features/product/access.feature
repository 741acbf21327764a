@product @needs-admin
Feature: Access follows group membership, with permission persistence
  When a user's group membership changes in the IdP, their team/role assignments follow. A
  permission granted by several groups remains until the user is removed from every group
  granting it (product doc, "Permission persistence").

  Background:
    Given a tenant of its own
    And the group "${p}admins-a" is mapped to root/admin
    And the group "${p}admins-b" is mapped to root/admin

  @must
  Scenario: A role granted by two groups survives removal from one
    Given a user "dana" exists
    And a group "admins-a" exists with members "dana"
    And a group "admins-b" exists with members "dana"
    Then the access of "dana" is active with root/admin (granted by ${p}admins-a, ${p}admins-b)
    When I PATCH "/Groups/${admins-a}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove", "path": "members[value eq \"${dana}\"]"}]}
      """
    Then the access of "dana" is active with root/admin (granted by ${p}admins-b)
    When I PATCH "/Groups/${admins-b}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove", "path": "members"}]}
      """
    Then the access of "dana" is active with nothing

  @must
  Scenario: Deleting a group removes the access it granted
    Given a user "erik" exists
    And a group "admins-a" exists with members "erik"
    When I DELETE "/Groups/${admins-a}"
    Then the access of "erik" is active with nothing

  @must
  Scenario: User.groups in a request never changes memberships or access
    Given a user "fay" exists
    And a group "admins-a" exists
    When I PUT "/Users/${fay}" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${fay.userName}", "groups": [{"value": "${admins-a}"}]}
      """
    Then the access of "fay" is active with nothing
