@crud @groups
Feature: Groups: create, read, list, replace, delete
  Groups carry their members as references to Users (RFC 7643 §4.2). Okta's group push and
  Entra's group provisioning create groups, replace their membership and delete them.

  @rfc7644-3.3 @must
  Scenario: Creating an empty group returns 201 with Location and meta
    When I POST to "/Groups" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "${p}Test SCIMv2", "members": []}
      """
    Then the response status is 201
    And the response matches the "Group" schema
    And the JSON at "displayName" is "${p}Test SCIMv2"
    And the JSON at "meta.resourceType" is "Group"
    And the header "Location" equals the JSON at "meta.location"

  @rfc7643-4.2 @must
  Scenario: A group created with members lists them, and the user may show the group
    Given a user "ann" exists
    When I POST to "/Groups" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "${p}Admins",
       "members": [{"value": "${ann}", "display": "Ann"}]}
      """
    Then the response status is 201
    And the JSON at "members" contains {"value": "${ann}"}
    And I remember the JSON at "id" as "admins"
    When I GET "/Users/${ann}"
    Then the response status is 200
    And if the user shows groups, they include "${admins}"

  @rfc7644-3.4.1 @must
  Scenario: A group can be read back by id
    Given a group "readers" exists
    When I GET "/Groups/${readers}"
    Then the response status is 200
    And the response matches the "Group" schema
    And the JSON at "id" is "${readers}"

  @rfc7644-3.4.2 @okta-import @must
  Scenario: Listing groups returns a ListResponse
    Given a group "listed" exists
    When I GET "/Groups?startIndex=1&count=100"
    Then the response status is 200
    And the response matches the "ListResponse" schema
    And the JSON at "totalResults" is a number

  @rfc7644-3.5.1 @okta-aiw @must
  Scenario: PUT with members sets the full membership
    Given users "u1, u2, u3" exist
    And a group "team" exists with members "u1, u2"
    When I PUT "/Groups/${team}" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "${p}team",
       "members": [{"value": "${u2}"}, {"value": "${u3}"}]}
      """
    Then the response status is 200
    And the JSON at "members" has 2 items
    And the JSON at "members" contains {"value": "${u2}"}
    And the JSON at "members" contains {"value": "${u3}"}
    And the JSON at "members" does not contain {"value": "${u1}"}
    When I GET "/Users/${u1}"
    Then the JSON at "groups" does not exist

  @rfc7643-4.1 @must
  Scenario: A user PUT with groups never changes memberships
    Given a user "solo" exists
    And a group "club" exists
    When I PUT "/Users/${solo}" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${solo.userName}",
       "groups": [{"value": "${club}"}]}
      """
    Then the response status is 200
    And the JSON at "groups" does not exist
    When I GET "/Groups/${club}"
    Then the JSON at "members" does not exist

  @rfc7644-3.6 @should
  Scenario: Deleting a user removes it from its groups
    Given a user "leaver" exists
    And a group "crew" exists with members "leaver"
    When I DELETE "/Users/${leaver}"
    Then the response status is 204
    When I GET "/Groups/${crew}"
    Then the response status is 200
    And the JSON at "members" does not exist

  @rfc7644-3.6 @must
  Scenario: DELETE answers 204 and the group is gone
    Given a group "doomed" exists
    When I DELETE "/Groups/${doomed}"
    Then the response status is 204
    When I GET "/Groups/${doomed}"
    Then the response is a SCIM error with status "404"

  @entra @should
  Scenario: Group displayName is unique regardless of case (Entra requires it; RFC 7643 says uniqueness none)
    Given a group "unique" exists
    When I POST to "/Groups" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "${p}UNIQUE"}
      """
    Then the response is a SCIM error with status "409" and scimType "uniqueness"

  @rfc7644-3.4.2.5 @entra @must
  Scenario: excludedAttributes=members leaves members out of a group read
    Given a user "m1" exists
    And a group "big" exists with members "m1"
    When I GET "/Groups/${big}?excludedAttributes=members"
    Then the response status is 200
    And the JSON at "displayName" is "${p}big"
    And the JSON at "members" does not exist

  @entra @must
  Scenario: Entra's group create with Microsoft's extra schema URN and meta is accepted
    When I POST to "/Groups" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
       "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": "${p}displayName", "meta": {"resourceType": "Group"}}
      """
    Then the response status is 201
    And the JSON at "externalId" is "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"
