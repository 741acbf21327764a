@product @needs-admin
Feature: The audit log
  Every provisioning change is recorded (who, what, which resource, before and after, when), so
  unexpected provisioning or deprovisioning can be monitored.

  Background:
    Given a tenant of its own

  @must
  Scenario: Create, deactivate and delete are recorded with the acting key's user
    Given a user "audited" exists
    When I PATCH "/Users/${audited}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "active", "value": false}]}
      """
    And I DELETE "/Users/${audited}"
    And I send an admin GET to "/events?after=0"
    Then the JSON at "events" contains {"action": "create", "resource_type": "User", "resource_id": "${audited}", "actor": "provisioner"}
    And the JSON at "events" contains {"action": "patch", "resource_id": "${audited}", "before": {"active": true}, "after": {"active": false}}
    And the JSON at "events" contains {"action": "delete", "resource_id": "${audited}"}

  @must
  Scenario: Membership changes name the members added and removed
    Given users "in, out" exist
    And a group "watched" exists with members "out"
    When I PATCH "/Groups/${watched}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": "${in}"}]},
        {"op": "remove", "path": "members[value eq \"${out}\"]"}]}
      """
    And I send an admin GET to "/events?after=0"
    Then the JSON at "events" contains {"action": "patch", "resource_id": "${watched}", "after": {"members_added": ["${in}"], "members_removed": ["${out}"]}}
