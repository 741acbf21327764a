@patch @needs-patch
Feature: PATCH
  Partial modification (RFC 7644 §3.5.2): add, replace and remove on attributes, sub-attributes,
  value filters and extension attributes; atomic; group membership changed member by member.

  @rfc7644-3.5.2.3 @must
  Scenario: replace a singular attribute (200 with the resource, or 204)
    Given a user "pat" exists
    When I PATCH "/Users/${pat}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "title", "value": "Manager"}]}
      """
    Then the PATCH succeeded
    When I GET "/Users/${pat}"
    Then the JSON at "title" is "Manager"

  @rfc7644-3.5.2.1 @must
  Scenario: add to a multi-valued attribute merges without duplicates
    Given a user "multi" exists
    When I PATCH "/Users/${multi}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "add", "path": "phoneNumbers", "value": [{"value": "555-0100", "type": "work"}]},
                      {"op": "add", "path": "phoneNumbers", "value": [{"value": "555-0100", "type": "work"}]}]}
      """
    Then the PATCH succeeded
    When I GET "/Users/${multi}"
    Then the JSON at "phoneNumbers" has 1 item

  @rfc7644-3.5.2.3 @entra @must
  Scenario: replace through a value filter and sub-attribute (Entra's email update)
    Given a user "ent" exists
    When I PATCH "/Users/${ent}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "${p}updated@example.com"},
                      {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"}]}
      """
    Then the PATCH succeeded
    When I GET "/Users/${ent}"
    Then the JSON at "emails" contains {"type": "work", "value": "${p}updated@example.com"}
    And the JSON at "name.familyName" is "updatedFamilyName"

  @rfc7644-3.5.2 @must
  Scenario: A PATCH with one failing operation changes nothing, not even the version
    Given a user "atomic" exists
    When I GET "/Users/${atomic}"
    Then I remember the JSON at "meta.version" as "v1"
    When I PATCH "/Users/${atomic}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "title", "value": "changed"},
                      {"op": "replace", "path": "id", "value": "stolen"}]}
      """
    Then the response is a SCIM error with status "400" and scimType "mutability"
    When I GET "/Users/${atomic}"
    Then the JSON at "title" does not exist
    And the JSON at "meta.version" is "${v1}"

  @rfc7644-3.5.2 @must
  Scenario: A malformed path is invalidPath
    Given a user "badpath" exists
    When I PATCH "/Users/${badpath}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "emails[type eq", "value": "x"}]}
      """
    Then the response is a SCIM error with status "400" and scimType "invalidPath"

  @rfc7644-3.5.2.2 @should
  Scenario: Removing a required attribute is refused
    Given a user "req" exists
    When I PATCH "/Users/${req}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove", "path": "userName"}]}
      """
    Then the response status is 400
    And the response is a SCIM error with status "400"

  @rfc7644-3.5.2.3 @must
  Scenario: Changing userName to one already taken is 409
    Given users "first, second" exist
    When I PATCH "/Users/${second}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "userName", "value": "${first.userName}"}]}
      """
    Then the response is a SCIM error with status "409" and scimType "uniqueness"

  @rfc7644-3.5.2.1 @must
  Scenario: Adding a member keeps the others
    Given users "m1, m2" exist
    And a group "team" exists with members "m1"
    When I PATCH "/Groups/${team}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "add", "path": "members", "value": [{"value": "${m2}"}]}]}
      """
    Then the PATCH succeeded
    When I GET "/Groups/${team}"
    Then the JSON at "members" has 2 items

  @rfc7643-4.1 @may
  Scenario: A user shows the groups it was added to by PATCH (User.groups)
    Given users "g1" exist
    And a group "shown" exists
    When I PATCH "/Groups/${shown}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "add", "path": "members", "value": [{"value": "${g1}"}]}]}
      """
    Then the PATCH succeeded
    When I GET "/Users/${g1}"
    Then the JSON at "groups" contains {"value": "${shown}"}

  @rfc7644-3.5.2.2 @okta @must
  Scenario: remove members[value eq "x"] removes exactly that member
    Given users "a, b" exist
    And a group "crew" exists with members "a, b"
    When I PATCH "/Groups/${crew}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "remove", "path": "members[value eq \"${a}\"]"}]}
      """
    Then the PATCH succeeded
    When I GET "/Groups/${crew}"
    Then the JSON at "members" has 1 item
    And the JSON at "members" contains {"value": "${b}"}

  @rfc7644-3.5.2.2 @must
  Scenario: remove of members without a value removes them all
    Given users "x, y" exist
    And a group "all" exists with members "x, y"
    When I PATCH "/Groups/${all}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove", "path": "members"}]}
      """
    Then the PATCH succeeded
    When I GET "/Groups/${all}"
    Then the JSON at "members" does not exist

  @rfc7644-3.5.2.3 @must
  Scenario: replace of members sets the full membership
    Given users "r1, r2, r3" exist
    And a group "set" exists with members "r1, r2"
    When I PATCH "/Groups/${set}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "members", "value": [{"value": "${r3}"}]}]}
      """
    Then the PATCH succeeded
    When I GET "/Groups/${set}"
    Then the JSON at "members" has 1 item
    And the JSON at "members" contains {"value": "${r3}"}

  @rfc7644-3.5.2 @entra @should
  Scenario: PATCH honours excludedAttributes on the request URL
    Given users "e1" exist
    And a group "quiet" exists with members "e1"
    When I PATCH "/Groups/${quiet}?excludedAttributes=members" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "displayName", "value": "${p}quieter"}]}
      """
    Then the PATCH succeeded
    And if a resource was returned, the JSON at "members" does not exist

  @rfc7644-3.5.2 @should
  Scenario: Adding a member that does not exist is refused and changes nothing
    Given a group "ghosts" exists
    When I PATCH "/Groups/${ghosts}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "displayName", "value": "${p}renamed"},
                      {"op": "add", "path": "members", "value": [{"value": "no-such-user-id"}]}]}
      """
    Then the response status is 400
    When I GET "/Groups/${ghosts}"
    Then the JSON at "displayName" is "${p}ghosts"
