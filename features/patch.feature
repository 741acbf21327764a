@patch @needs-patch
Feature: PATCH
  Partial modification (RFC 7644 §3.5.2): add, replace and remove on attributes, sub-attributes,
  value filters and extension attributes; atomic; group membership changed member by member.

  @rfc7644-3.5.2.3-replace-missing-adds @must
  Scenario: replace on an attribute that is not set adds it
    Given a user "pat" exists
    When I PATCH "/Users/${pat}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "title", "value": "Manager"}]}
      """
    Then the PATCH succeeded
    When I GET "/Users/${pat}"
    Then the JSON at "title" is "Manager"

  @rfc7644-3.5.2.3-replace-value @must
  Scenario: replace changes a value that is set
    Given a user "rep" exists with:
      """
      {"title": "Before"}
      """
    When I PATCH "/Users/${rep}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "title", "value": "After"}]}
      """
    Then the PATCH succeeded
    When I GET "/Users/${rep}"
    Then the JSON at "title" is "After"

  @rfc7644-3.5.2-success-200-or-204 @must
  Scenario: A 200 PATCH response carries the entire resource
    Given a user "whole" exists
    When I PATCH "/Users/${whole}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "title", "value": "Whole"}]}
      """
    Then the PATCH succeeded
    And I remember the response as "patched"
    When I GET "/Users/${whole}"
    Then the response equals the remembered "patched", if that was a resource

  @rfc7644-3.5.2-attributes-200 @rfc7644-3.9-attributes @must
  Scenario: A PATCH with attributes= answers 200 with those attributes
    Given a user "asked" exists
    When I PATCH "/Users/${asked}?attributes=userName" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "title", "value": "Asked"}]}
      """
    Then the response status is 200
    And the JSON at "id" is "${asked}"
    And the JSON at "userName" is "${asked.userName}"
    And the JSON at "title" does not exist

  @rfc7644-3.5.2.1-add-merges @must
  Scenario: add to a multi-valued attribute keeps the values there
    Given a user "multi" exists
    When I PATCH "/Users/${multi}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "add", "path": "emails", "value": [{"value": "${p}second@example.com", "type": "home"}]}]}
      """
    Then the PATCH succeeded
    When I GET "/Users/${multi}"
    Then the JSON at "emails" has 2 items
    And the JSON at "emails" contains {"value": "${p}second@example.com"}

  @rfc7644-3.5.2.1-add-existing-no-change @rfc7643-2.4-no-duplicate-values @should
  Scenario: add of a value already there changes nothing
    Given a user "dup" exists
    When I PATCH "/Users/${dup}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "add", "path": "phoneNumbers", "value": [{"value": "555-0100", "type": "work"}]},
                      {"op": "add", "path": "phoneNumbers", "value": [{"value": "555-0100", "type": "work"}]}]}
      """
    Then the PATCH succeeded
    When I GET "/Users/${dup}"
    Then the JSON at "phoneNumbers" has 1 item

  @rfc7644-3.5.2.1-add-no-timestamp @needs-groups @must
  Scenario: Re-adding a member that is there does not change lastModified
    Given a user "m" exists
    And a group "same" exists with members "m"
    And I GET "/Groups/${same}"
    And I remember the JSON at "meta.lastModified" as "before"
    When I PATCH "/Groups/${same}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "add", "path": "members", "value": [{"value": "${m}"}]}]}
      """
    Then the PATCH succeeded
    When I GET "/Groups/${same}"
    Then if the JSON at "members" still has 1 item, the JSON at "meta.lastModified" is "${before}"

  @rfc7644-3.5.2.3-replace-matching @msv-patch-user-replace @must
  Scenario: replace through a value filter and sub-attribute changes only the matching value
    Given a user "ent" exists with:
      """
      {"emails": [{"value": "${p}work@example.com", "type": "work", "primary": true}, {"value": "${p}home@example.com", "type": "home"}]}
      """
    When I PATCH "/Users/${ent}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "${p}updated@example.com"},
                      {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"}]}
      """
    Then the PATCH succeeded
    When I GET "/Users/${ent}"
    Then the JSON at "emails" contains {"type": "work", "value": "${p}updated@example.com"}
    And the JSON at "emails" contains {"type": "home", "value": "${p}home@example.com"}
    And the JSON at "name.familyName" is "updatedFamilyName"

  @rfc7644-3.5.2.3-replace-matching @must
  Scenario: replace of whole values through a value filter replaces every match
    Given a user "phones" exists with:
      """
      {"phoneNumbers": [{"value": "555-0001", "type": "work"}, {"value": "555-0002", "type": "work"}, {"value": "555-0003", "type": "home"}]}
      """
    When I PATCH "/Users/${phones}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "phoneNumbers[type eq \"work\"].value", "value": "555-9999"}]}
      """
    Then the PATCH succeeded
    When I GET "/Users/${phones}"
    Then the JSON at "phoneNumbers" does not contain {"value": "555-0001"}
    And the JSON at "phoneNumbers" does not contain {"value": "555-0002"}
    And the JSON at "phoneNumbers" contains {"value": "555-0003", "type": "home"}

  @rfc7644-3.5.2.3-no-target @must
  Scenario: replace through a value filter that matches nothing is 400 noTarget and changes nothing
    Given a user "miss" exists with:
      """
      {"phoneNumbers": [{"value": "555-0001", "type": "work"}]}
      """
    When I PATCH "/Users/${miss}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "phoneNumbers[type eq \"pager\"]", "value": {"value": "555-0002", "type": "pager"}}]}
      """
    Then the response is a SCIM error with status "400" and scimType "noTarget"
    When I GET "/Users/${miss}"
    Then the JSON at "phoneNumbers" has 1 item

  @rfc7644-3.5.2-primary-reset @must
  Scenario: Setting primary on one value clears it on the others
    Given a user "prim" exists with:
      """
      {"emails": [{"value": "${p}work@example.com", "type": "work", "primary": true}, {"value": "${p}home@example.com", "type": "home"}]}
      """
    When I PATCH "/Users/${prim}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "emails[type eq \"home\"].primary", "value": true}]}
      """
    Then the PATCH succeeded
    When I GET "/Users/${prim}"
    Then at most one value of "emails" is primary
    And the JSON at "emails" contains {"type": "home", "primary": true}

  @rfc7644-3.5.2-schemas-follow @needs-enterprise @must
  Scenario: Adding an extension attribute adds the extension to schemas
    Given a user "ext" exists
    When I PATCH "/Users/${ext}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Ops"}]}
      """
    Then the PATCH succeeded
    When I GET "/Users/${ext}"
    Then the JSON at "schemas" contains "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    And the JSON at "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department" is "Ops"

  @rfc7644-3.5.2-atomic @rfc7644-3.5.2-restore-on-error @must
  Scenario: A PATCH with one failing operation changes nothing
    Given a user "atomic" exists
    When I PATCH "/Users/${atomic}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "title", "value": "changed"},
                      {"op": "replace", "path": "active", "value": 42}]}
      """
    Then the request was not accepted
    When I GET "/Users/${atomic}"
    Then the JSON at "title" does not exist

  @rfc7644-3.5.2-atomic @needs-etag @must
  Scenario: A failed PATCH leaves the version as it was
    Given a user "versioned" exists
    When I GET "/Users/${versioned}"
    Then I remember the JSON at "meta.version" as "v1"
    When I PATCH "/Users/${versioned}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "title", "value": "changed"},
                      {"op": "replace", "path": "active", "value": 42}]}
      """
    Then the request was not accepted
    When I GET "/Users/${versioned}"
    Then the JSON at "meta.version" is "${v1}"

  @rfc7644-3.5.2-incompatible-error @rfc7643-7-readonly @must
  Scenario: replace of the readOnly id is refused and the id stays
    Given a user "ro" exists
    When I PATCH "/Users/${ro}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "id", "value": "stolen"}]}
      """
    Then the request is refused with a 4xx status
    When I GET "/Users/${ro}"
    Then the response status is 200
    And the JSON at "id" is "${ro}"

  @rfc7644-3.12-mutability @should
  Scenario: replace of the readOnly id is 400 mutability
    Given a user "ro2" exists
    When I PATCH "/Users/${ro2}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "id", "value": "stolen"}]}
      """
    Then the response is a SCIM error with status "400" and, if it names one, scimType "mutability"

  @rfc7644-3.5.2-failure-response @must
  Scenario: A failed PATCH answers a SCIM Error message
    Given a user "failing" exists
    When I PATCH "/Users/${failing}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "emails[type eq", "value": "x"}]}
      """
    Then the request is refused with a 4xx status
    And the body is a SCIM Error message

  @rfc7644-3.5.1-immutable-match @rfc7644-3.5.2-incompatible-error @needs-groups @must
  Scenario: An immutable value (a member's value) cannot be changed in place
    Given users "a, b" exist
    And a group "fixed" exists with members "a"
    When I PATCH "/Groups/${fixed}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "members[value eq \"${a}\"].value", "value": "${b}"}]}
      """
    Then the request is refused with a 4xx status
    When I GET "/Groups/${fixed}"
    Then the JSON at "members" contains {"value": "${a}"}
    And the JSON at "members" does not contain {"value": "${b}"}

  @rfc7644-3.5.1-immutable-400 @needs-groups @should
  Scenario: Changing an immutable value is 400 mutability
    Given users "a, b" exist
    And a group "fixed" exists with members "a"
    When I PATCH "/Groups/${fixed}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "members[value eq \"${a}\"].value", "value": "${b}"}]}
      """
    Then the response is a SCIM error with status "400" and scimType "mutability"

  @rfc7644-3.5.1-immutable-set @needs-groups @must
  Scenario: An immutable value that is not set yet is applied (a group's first member)
    Given a user "first" exists
    And a group "empty" exists
    When I PATCH "/Groups/${empty}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "add", "path": "members", "value": [{"value": "${first}"}]}]}
      """
    Then the PATCH succeeded
    When I GET "/Groups/${empty}"
    Then the JSON at "members" contains {"value": "${first}"}

  @rfc7644-3.12-invalid-path @should
  Scenario: A malformed path is invalidPath
    Given a user "badpath" exists
    When I PATCH "/Users/${badpath}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "emails[type eq", "value": "x"}]}
      """
    Then the response is a SCIM error with status "400" and, if it names one, scimType "invalidPath"

  @rfc7644-3.5.2.2-remove-required-mutability @must
  Scenario: Removing a required attribute is 400 mutability
    Given a user "req" exists
    When I PATCH "/Users/${req}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove", "path": "userName"}]}
      """
    Then the response is a SCIM error with status "400" and scimType "mutability"

  @rfc7644-3.5.2.2-remove-required-mutability @must
  Scenario: Removing a read-only attribute is 400 mutability
    Given a user "rom" exists
    When I PATCH "/Users/${rom}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove", "path": "meta"}]}
      """
    Then the response is a SCIM error with status "400" and scimType "mutability"

  @rfc7644-3.5.2.2-remove-no-path @must
  Scenario: remove without a path is 400 noTarget
    Given a user "nopath" exists
    When I PATCH "/Users/${nopath}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove"}]}
      """
    Then the response is a SCIM error with status "400" and scimType "noTarget"

  @rfc7644-3.5.2.2-remove-single @must
  Scenario: remove of a single-valued attribute leaves it unassigned
    Given a user "titled" exists with:
      """
      {"title": "Boss"}
      """
    When I PATCH "/Users/${titled}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove", "path": "title"}]}
      """
    Then the PATCH succeeded
    When I GET "/Users/${titled}"
    Then the JSON at "title" does not exist

  @rfc7644-3.5.2.2-remove-single @needs-filter @must
  Scenario: A removed attribute no longer matches pr
    Given a user "prgone" exists with:
      """
      {"title": "Boss"}
      """
    When I PATCH "/Users/${prgone}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove", "path": "title"}]}
      """
    Then the PATCH succeeded
    When I GET "/Users?filter=userName eq "${prgone.userName}" and title pr"
    Then the JSON at "totalResults" is 0

  @rfc7644-3.5.2.2-remove-filtered @rfc7643-2.5-unassigned @msl-null-update @must
  Scenario: remove of the last matching value leaves the attribute unassigned
    Given a user "lone" exists with:
      """
      {"phoneNumbers": [{"value": "555-0001", "type": "work"}]}
      """
    When I PATCH "/Users/${lone}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove", "path": "phoneNumbers[type eq \"work\"]"}]}
      """
    Then the PATCH succeeded
    When I GET "/Users/${lone}"
    Then the JSON at "phoneNumbers" does not exist

  @rfc7644-3.5.2.2-remove-filtered @okta-group-push @needs-groups @must
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

  @rfc7644-3.5.2.2-remove-all-values @needs-groups @must
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

  @rfc7644-3.5.2.1-add-merges @needs-groups @msv-group-members @must
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

  @rfc7644-3.5.2.3-replace-value @needs-groups @must
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

  @rfc7644-3.5.2-operations-in-order @must
  Scenario: Several operations on one attribute apply in order
    Given a user "order" exists
    When I PATCH "/Users/${order}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "title", "value": "first"},
                      {"op": "replace", "path": "title", "value": "second"},
                      {"op": "add", "path": "nickName", "value": "nick"}]}
      """
    Then the PATCH succeeded
    When I GET "/Users/${order}"
    Then the JSON at "title" is "second"
    And the JSON at "nickName" is "nick"

  @rfc7644-3.12-uniqueness-modify @should
  Scenario: Changing userName to one already taken is a uniqueness error
    Given users "first, second" exist
    When I PATCH "/Users/${second}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "userName", "value": "${first.userName}"}]}
      """
    Then the response status is one of 400, 409
    And the JSON at "scimType" is "uniqueness"

  @rfc7643-4.1.1-username-unique @must
  Scenario: Changing userName to one already taken is refused
    Given users "one, two" exist
    When I PATCH "/Users/${two}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "userName", "value": "${one.userName}"}]}
      """
    Then the request is refused with a 4xx status
    When I GET "/Users/${two}"
    Then the JSON at "userName" is "${two.userName}"

  @rfc7644-3.12-invalid-syntax @should
  Scenario Outline: A malformed PatchOp is a 400 with scimType invalidSyntax or invalidValue, if any: <why>
    Given a user "bad" exists
    When I PATCH "/Users/${bad}" with:
      """
      <body>
      """
    Then the response is a SCIM error with status "400" and, if it names one, scimType "invalidSyntax" or "invalidValue"

    Examples:
      | why                | body                                                                                                 |
      | no Operations      | {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}                                       |
      | unknown op         | {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "merge", "path": "title", "value": "x"}]} |
      | add without value  | {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": "title"}]} |
      | Operations not a list | {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": {"op": "add"}}       |

  @entra-patch-excluded-members @needs-groups @should
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

  @rfc7643-2.3.7-member-cleanup @needs-groups @may
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

  @rfc7644-3.5.2.3-complex-unchanged @must
  Scenario: replace of a complex attribute with some sub-attributes leaves the others unchanged
    Given a user "cx" exists with:
      """
      {"name": {"givenName": "Keep", "familyName": "Before"}}
      """
    When I PATCH "/Users/${cx}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
       "Operations": [{"op": "replace", "path": "name", "value": {"familyName": "After"}}]}
      """
    Then the PATCH succeeded
    When I GET "/Users/${cx}"
    Then the JSON at "name.familyName" is "After"
    And the JSON at "name.givenName" is "Keep"
