@crud @groups @needs-groups
Feature: Groups: create, read, list, replace, delete
  Groups carry their members as references to Users (RFC 7643 §4.2). Okta's group push and
  Entra's group provisioning create groups, replace their membership and delete them. Groups
  are optional: a server whose /ResourceTypes has no Group type skips this feature.

  @rfc7644-3.3-created-201 @rfc7644-3.3.1-resource-type @must
  Scenario: Creating an empty group answers 201 with meta.resourceType Group
    When I POST to "/Groups" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "${p}Test SCIMv2", "members": []}
      """
    Then the response status is 201
    And the JSON at "meta.resourceType" is "Group"

  @rfc7644-3.3-location @must
  Scenario: The Location header of a created group equals meta.location
    When I POST to "/Groups" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "${p}located"}
      """
    Then the response status is 201
    And the header "Location" equals the JSON at "meta.location"

  @rfc7643-4.2-members @must
  Scenario: A group created with members lists them
    Given a user "ann" exists
    When I POST to "/Groups" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "${p}Admins",
       "members": [{"value": "${ann}", "display": "Ann"}]}
      """
    Then the response status is 201
    And I remember the JSON at "id" as "admins"
    When I GET "/Groups/${admins}"
    Then the JSON at "members" contains {"value": "${ann}"}

  @rfc7643-4.1.2-groups-value-id @must
  Scenario: A user that shows its groups names them by id
    Given a user "ann" exists
    And a group "admins" exists with members "ann"
    When I GET "/Users/${ann}"
    Then the response status is 200
    And if the user shows groups, they include "${admins}"

  @rfc7643-4.1.2-groups-optional @may
  Scenario: A user shows the groups it is in (User.groups)
    Given a user "g1" exists
    And a group "shown" exists with members "g1"
    When I GET "/Users/${g1}"
    Then the JSON at "groups" contains {"value": "${shown}"}

  @rfc7644-3.4.1-get-200 @must
  Scenario: A group can be read back by id
    Given a group "readers" exists
    When I GET "/Groups/${readers}"
    Then the response status is 200
    And the JSON at "id" is "${readers}"
    And the JSON at "displayName" is "${p}readers"

  @rfc7644-3.4.2-list-response-urn @okta-import @msl-pagination @must
  Scenario: Listing groups returns a ListResponse
    Given a group "listed" exists
    When I GET "/Groups?startIndex=1&count=100"
    Then the response status is 200
    And the JSON at "schemas" contains "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    And the JSON at "totalResults" is a number

  @rfc7644-3.5.1-replace-readwrite @must
  Scenario: PUT with members sets the full membership
    Given users "u1, u2, u3" exist
    And a group "team" exists with members "u1, u2"
    When I PUT "/Groups/${team}" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "${p}team",
       "members": [{"value": "${u2}"}, {"value": "${u3}"}]}
      """
    Then the response status is 200
    When I GET "/Groups/${team}"
    Then the JSON at "members" has 2 items
    And the JSON at "members" contains {"value": "${u2}"}
    And the JSON at "members" contains {"value": "${u3}"}
    And the JSON at "members" does not contain {"value": "${u1}"}

  @rfc7643-4.1.2-groups-readonly @rfc7644-3.5.1-readonly-ignored @must
  Scenario: A user PUT with groups never changes memberships
    Given a user "solo" exists
    And a group "club" exists
    When I PUT "/Users/${solo}" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${solo.userName}",
       "groups": [{"value": "${club}"}]}
      """
    Then the response status is 200
    When I GET "/Groups/${club}"
    Then the JSON at "members" does not exist

  @rfc7644-3.3-readonly-ignored @rfc7643-4.1.2-groups-readonly @must
  Scenario: A user POST with groups never creates memberships
    Given a group "club" exists
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}joiner@example.com",
       "groups": [{"value": "${club}"}]}
      """
    Then the response status is 201
    When I GET "/Groups/${club}"
    Then the JSON at "members" does not exist

  @rfc7643-2.3.7-member-cleanup @may
  Scenario: Deleting a user removes it from its groups
    Given a user "leaver" exists
    And a group "crew" exists with members "leaver"
    When I DELETE "/Users/${leaver}"
    Then the response status is 204
    When I GET "/Groups/${crew}"
    Then the response status is 200
    And the JSON at "members" does not exist

  @rfc7644-3.6-delete-204 @rfc7644-3.6-deleted-404 @must
  Scenario: DELETE answers 204 and the group is gone
    Given a group "doomed" exists
    When I DELETE "/Groups/${doomed}"
    Then the response status is 204
    When I GET "/Groups/${doomed}"
    Then the response status is 404

  @rfc7644-3.4.2.5-attributes-supported @must
  Scenario: excludedAttributes=members leaves members out of a group read
    Given a user "m1" exists
    And a group "big" exists with members "m1"
    When I GET "/Groups/${big}?excludedAttributes=members"
    Then the response status is 200
    And the JSON at "displayName" is "${p}big"
    And the JSON at "members" does not exist

  @rfc7643-3-schemas-declared @rfc7643-7-declared-schema @must
  Scenario: A group follows the server's declared schemas
    Given a user "m" exists
    And a group "declared" exists with members "m"
    When I GET "/Groups/${declared}"
    Then the response status is 200
    And the resource follows the server's declared schemas

  @rfc7643-4.2-display-name-required @must
  Scenario: A group without displayName is refused
    When I POST to "/Groups" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"]}
      """
    Then the request is refused with a 4xx status
