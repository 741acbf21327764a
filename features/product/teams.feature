@product @needs-admin
Feature: Teams, roles and group mappings
  Each IdP group maps to one or more team/role assignments. A pushed group creates a team of
  the same name, renamed and removed with the group. A mapping may be configured before the
  IdP pushes the group, and group names match without regard to case.

  Background:
    Given a tenant of its own

  @must
  Scenario: A root team always exists and roles come from a fixed catalogue
    When I send an admin GET to "/teams"
    Then the JSON at "teams" contains {"name": "root"}
    When I send an admin GET to "/roles"
    Then the response status is 200
    And the JSON at "$" contains {"name": "admin"}
    And the JSON at "$" contains {"name": "access_reviewer"}

  @must
  Scenario: A team can be created by hand
    When I send an admin POST to "/teams" with:
      """
      {"name": "${p}Finance"}
      """
    Then the response status is 201
    When I send an admin GET to "/teams"
    Then the JSON at "teams" contains {"name": "${p}Finance", "source": "local"}

  @must
  Scenario: A pushed group creates a team, renamed and removed with the group
    Given a group "Engineering" exists
    When I send an admin GET to "/teams"
    Then the JSON at "teams" contains {"name": "${p}Engineering", "source": "group"}
    When I PATCH "/Groups/${Engineering}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "displayName", "value": "${p}R&D"}]}
      """
    And I send an admin GET to "/teams"
    Then the JSON at "teams" contains {"name": "${p}R&D", "source": "group"}
    And the JSON at "teams" does not contain {"name": "${p}Engineering"}
    When I DELETE "/Groups/${Engineering}"
    And I send an admin GET to "/teams"
    Then the JSON at "teams" does not contain {"name": "${p}R&D"}

  @must
  Scenario: A mapping configured before the push applies, matched without regard to case
    Given the group "${p}OKTA ADMINS" is mapped to root/admin and ${p}ops/operator
    And a user "alice" exists
    And a group "okta admins" exists with members "alice"
    Then the access of "alice" is active with root/admin (granted by ${p}okta admins) and ${p}ops/operator (granted by ${p}okta admins)

  @must
  Scenario: A group without a mapping grants its own team with the default role
    Given a user "bob" exists
    And a group "Sales" exists with members "bob"
    Then the access of "bob" is active with ${p}Sales/viewer (granted by ${p}Sales)

  @must
  Scenario: Changing or removing a mapping changes access at once
    Given a user "carol" exists
    And a group "Support" exists with members "carol"
    And the group "${p}Support" is mapped to root/access_reviewer
    Then the access of "carol" is active with root/access_reviewer (granted by ${p}Support)
    When I send an admin DELETE to "/group-mappings/${p}Support"
    Then the access of "carol" is active with ${p}Support/viewer (granted by ${p}Support)
