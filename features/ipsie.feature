@ipsie
Feature: The OpenID IPSIE AL SCIM 2.0 profile (AL1 deprovisioning, AL2 users and groups)
  What the IPSIE profile (draft, Sept 2026) asks of a SCIM service beyond RFC 7644, as issue 19
  summarises it: the lookups an identity provider relies on, deactivation and reactivation,
  reusable user names, groups without members, large membership PATCHes and bounded pages.
  --profile ipsie-al1 runs the AL1 scenarios, --profile ipsie-al2 both levels. The rate limit
  and throughput it asks for are measured by `scimcheck load`, not here.

  @ipsie-al1 @ipsie-al1-deactivate @ipsie-al1-reactivate @needs-patch @must
  Scenario: IPSIE AL1: a user is deactivated and reactivated
    Given a user "cycled" exists
    When I PATCH "/Users/${cycled}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "active", "value": false}]}
      """
    Then the PATCH succeeded
    When I GET "/Users/${cycled}"
    Then the JSON at "active" is false
    When I PATCH "/Users/${cycled}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "active", "value": true}]}
      """
    Then the PATCH succeeded
    When I GET "/Users/${cycled}"
    Then the JSON at "active" is true

  @ipsie-al1 @ipsie-al1-lookup @must
  Scenario: IPSIE AL1: users are found by userName eq and by externalId eq
    Given a user "found" exists with:
      """
      {"externalId": "${p}ipsie-ext-1"}
      """
    When I GET "/Users?filter=userName eq "${found.userName}""
    Then the response is a list of 1 resources out of 1
    When I GET "/Users?filter=externalId eq "${p}ipsie-ext-1""
    Then the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].id" is "${found}"

  @ipsie-al1 @ipsie-al1-reuse-username @must
  Scenario: IPSIE AL1: a deleted user's userName can be used again
    Given a user "gone" exists
    And I DELETE "/Users/${gone}"
    And the response status is 204
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${gone.userName}"}
      """
    Then the response status is 201

  @ipsie-al2 @ipsie-al2-user-email-filters @must
  Scenario: IPSIE AL2: users are found by their work email
    Given a user "mailed" exists with:
      """
      {"emails": [{"value": "${p}ipsie-work@example.com", "type": "work", "primary": true}, {"value": "${p}ipsie-home@example.com", "type": "home"}]}
      """
    And a user "unmailed" exists without "emails"
    When I GET "/Users?filter=emails[value eq "${p}ipsie-work@example.com"]"
    Then the response is a list of 1 resources out of 1
    When I GET "/Users?filter=emails[type eq "work" and value eq "${p}ipsie-work@example.com"]"
    Then the response is a list of 1 resources out of 1
    When I GET "/Users?filter=emails[type eq "work" and value eq "${p}ipsie-home@example.com"]"
    Then the response is a list of 0 resources out of 0

  @ipsie-al2 @ipsie-al2-group-filters @ipsie-al2-empty-group @needs-groups @must
  Scenario: IPSIE AL2: groups are created empty and found by displayName, externalId and member
    Given a user "member" exists
    And a group "bare" exists
    When I POST to "/Groups" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "${p}ipsie-team", "externalId": "${p}ipsie-grp-ext"}
      """
    Then the response status is 201
    And I remember the JSON at "id" as "team"
    When I GET "/Groups?filter=displayName eq "${p}ipsie-team""
    Then the response is a list of 1 resources out of 1
    When I GET "/Groups?filter=externalId eq "${p}ipsie-grp-ext""
    Then the response is a list of 1 resources out of 1
    When I PATCH "/Groups/${team}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": "members", "value": [{"value": "${member}"}]}]}
      """
    Then the PATCH succeeded
    When I GET "/Groups?filter=members[value eq "${member}"]"
    Then the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].id" is "${team}"

  @ipsie-al2 @ipsie-al2-fifty-member-ops @needs-groups @needs-patch @must
  Scenario: IPSIE AL2: one PATCH with 50 member operations is carried out whole
    Given 50 users exist as "crowd"
    And a group "crowded" exists
    When I PATCH group "crowded" adding each of the 50 "crowd" users in its own operation
    Then the PATCH succeeded
    When I GET "/Groups/${crowded}"
    Then the JSON at "members" has 50 items

  @ipsie-al2 @ipsie-al2-page-size @must
  Scenario: IPSIE AL2: a page holds at most 1,000 users
    When I GET "/Users?startIndex=1&count=5000"
    Then the response status is 200
    And the JSON at "itemsPerPage" is at most 1000

  @ipsie-al2 @ipsie-al2-bulk @must
  Scenario: IPSIE AL2: /Bulk is offered
    When I GET "/ServiceProviderConfig"
    Then the JSON at "bulk.supported" is true

  @ipsie-al2 @ipsie-al2-no-password @must
  Scenario: IPSIE AL2: password changes are not offered over SCIM
    When I GET "/ServiceProviderConfig"
    Then the JSON at "changePassword.supported" is false
