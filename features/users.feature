@crud @users
Feature: Users: create, read, list, replace, delete
  The lifecycle every IdP drives (RFC 7644 §3.3–§3.6): a User is created with POST, read by id,
  listed, replaced with PUT and removed with DELETE.

  @rfc7644-3.3-created-201 @must
  Scenario: Creating a user answers 201
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
       "userName": "${p}bjensen@example.com",
       "name": {"givenName": "Barbara", "familyName": "Jensen"},
       "emails": [{"value": "${p}bjensen@example.com", "type": "work", "primary": true}],
       "displayName": "Barbara Jensen", "active": true}
      """
    Then the response status is 201

  @rfc7644-3.3-created-body @should
  Scenario: The 201 carries the created user
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}body@example.com",
       "name": {"givenName": "Barbara", "familyName": "Jensen"}}
      """
    Then the response status is 201
    And the JSON at "userName" is "${p}body@example.com"
    And the JSON at "name.givenName" is "Barbara"

  @rfc7644-3.3-location @must
  Scenario: The Location header of a created user equals meta.location
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}located@example.com"}
      """
    Then the response status is 201
    And the header "Location" equals the JSON at "meta.location"

  @rfc7643-3.1-id-meta-assigned @rfc7643-3.1-id-non-empty @rfc7644-3.3.1-resource-type @must
  Scenario: The server assigns id and meta, with the resourceType of the endpoint
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}meta@example.com"}
      """
    Then the response status is 201
    And the JSON at "id" is not empty
    And the JSON at "meta.resourceType" is "User"

  @rfc7643-3.1-last-modified-created @rfc7643-3.1-meta-datetime @must
  Scenario: A new user's lastModified equals created, both dateTimes
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}fresh@example.com"}
      """
    Then the response status is 201
    And the JSON at "meta.created" is a dateTime
    And the JSON at "meta.lastModified" equals the JSON at "meta.created"

  @rfc7643-3.1-external-id-client @must
  Scenario: The server does not invent an externalId
    Given I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}noext@example.com"}
      """
    And the response status is 201
    Then the JSON at "externalId" does not exist
    And I remember the JSON at "id" as "id"
    When I GET "/Users/${id}"
    Then the JSON at "externalId" does not exist

  @rfc7644-3.3-readonly-ignored @rfc7643-3.1-meta-ignored @must
  Scenario: readOnly id and meta sent in a POST are ignored
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}ro@example.com",
       "id": "${p}chosen-by-client",
       "meta": {"resourceType": "Group", "created": "2001-01-01T00:00:00Z", "location": "https://attacker.example/x"}}
      """
    Then the response status is 201
    And the JSON at "id" is not "${p}chosen-by-client"
    And the JSON at "meta.resourceType" is "User"
    And the JSON at "meta.created" is not "2001-01-01T00:00:00Z"

  @rfc7643-3.1-content-location @must
  Scenario: A Content-Location header, when sent, equals meta.location
    Given a user "cl" exists
    When I GET "/Users/${cl}"
    Then the response status is 200
    And if the header "Content-Location" is present, it equals the JSON at "meta.location"

  @rfc7643-2.3.7-reference-resolvable @must
  Scenario: meta.location can be read with GET
    Given a user "loc" exists
    When I GET "/Users/${loc}"
    Then I remember the URL at "meta.location" as "where"
    When I GET "${where}"
    Then the response status is 200
    And the JSON at "id" is "${loc}"

  @rfc7644-3.14-meta-version @needs-etag @should
  Scenario: The ETag header of a created user equals meta.version
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}etag@example.com"}
      """
    Then the response status is 201
    And the header "ETag" equals the JSON at "meta.version"

  @rfc7644-3.4.1-get-200 @rfc7643-3.1-id-stable @rfc7644-3.1-reflect-state @must
  Scenario: A created user can be read back by id
    Given a user "alice" exists
    When I GET "/Users/${alice}"
    Then the response status is 200
    And the JSON at "id" is "${alice}"
    And the JSON at "userName" is "${alice.userName}"
    And the JSON at "active" is true

  @rfc7643-4.1.1-password-never-returned @rfc7643-7-returned-never @must
  Scenario: The password is accepted but never returned
    Given I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}pw@example.com", "password": "t1meMa$heen"}
      """
    And the response status is 201
    Then the JSON at "password" does not exist
    And I remember the JSON at "id" as "id"
    When I GET "/Users/${id}"
    Then the JSON at "password" does not exist
    When I GET "/Users?startIndex=1&count=200"
    Then the JSON at "Resources[0].password" does not exist

  @rfc7643-2.1-names-case-insensitive @must
  Scenario: Attribute names in a request are case-insensitive
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "USERNAME": "${p}caps@example.com",
       "Name": {"GivenName": "Caps"}}
      """
    Then the response status is 201
    And I remember the JSON at "id" as "id"
    When I GET "/Users/${id}"
    Then the JSON at "name.givenName" is "Caps"
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}caps@example.com"}
      """
    Then the response status is 409

  @rfc7643-2.3.8-order @rfc7643-3-schemas-order @must
  Scenario: Attribute and schema order do not matter
    When I POST to "/Users" with:
      """
      {"name": {"familyName": "Order", "givenName": "Any"}, "userName": "${p}order@example.com",
       "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}
      """
    Then the response status is 201
    And the JSON at "name.familyName" is "Order"

  @rfc7643-3-schemas-no-duplicates @must
  Scenario: A schema URN sent twice is listed once
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}twice@example.com"}
      """
    Then the response status is one of 201, 400
    And the JSON at "schemas" lists each value once

  @rfc7644-3.8-utf8 @rfc7644-3.8-utf8-default @must
  Scenario: Non-ASCII values round-trip as UTF-8
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}zoë@example.com",
       "name": {"givenName": "Zoë 山田", "familyName": "Ñúñez 😀"}}
      """
    Then the response status is 201
    And I remember the JSON at "id" as "id"
    When I GET "/Users/${id}"
    Then the JSON at "name.givenName" is "Zoë 山田"
    And the JSON at "name.familyName" is "Ñúñez 😀"
    And the JSON at "userName" is "${p}zoë@example.com"

  @rfc7644-3.5.1-put-200 @rfc7644-3.5-put-supported @rfc7644-3.5.1-replace-readwrite @must
  Scenario: PUT replaces the values sent
    Given a user "carol" exists
    When I PUT "/Users/${carol}" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${carol.userName}",
       "name": {"givenName": "Carol", "familyName": "Replaced"}, "title": "Engineer", "active": true}
      """
    Then the response status is 200
    And the JSON at "title" is "Engineer"
    And the JSON at "name.familyName" is "Replaced"
    When I GET "/Users/${carol}"
    Then the JSON at "title" is "Engineer"
    And the JSON at "name.familyName" is "Replaced"

  @rfc7644-3.5.1-omitted-may-clear @may
  Scenario: PUT clears attributes left out (the RFC allows keeping them or defaulting them)
    Given a user "omit" exists
    When I PUT "/Users/${omit}" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${omit.userName}", "title": "Engineer"}
      """
    Then the response status is 200
    When I GET "/Users/${omit}"
    Then the JSON at "displayName" does not exist

  @rfc7644-3.5.1-readonly-ignored @must
  Scenario: PUT ignores readOnly id and meta
    Given a user "dave" exists
    When I PUT "/Users/${dave}" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "${dave}", "userName": "${dave.userName}",
       "meta": {"created": "2001-01-01T00:00:00Z", "resourceType": "User"},
       "name": {"givenName": "Dave", "familyName": "Put"}, "active": false}
      """
    Then the response status is 200
    And the JSON at "id" is "${dave}"
    And the JSON at "active" is false
    And the JSON at "meta.created" is not "2001-01-01T00:00:00Z"

  @rfc7644-3.6-delete-204 @must
  Scenario: DELETE answers 204 without a body
    Given a user "erin" exists
    When I DELETE "/Users/${erin}"
    Then the response status is 204
    And the response has no body

  @rfc7644-3.6-deleted-404 @must
  Scenario: Every operation on a deleted user is 404
    Given a user "gone" exists
    When I DELETE "/Users/${gone}"
    Then the response status is 204
    When I GET "/Users/${gone}"
    Then the response status is 404
    When I DELETE "/Users/${gone}"
    Then the response status is 404
    When I PUT "/Users/${gone}" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${gone.userName}"}
      """
    Then the response status is 404

  @rfc7644-3.6-deleted-404 @needs-patch @must
  Scenario: PATCH on a deleted user is 404
    Given a user "patched" exists
    When I DELETE "/Users/${patched}"
    And I PATCH "/Users/${patched}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "title", "value": "x"}]}
      """
    Then the response status is 404

  @rfc7644-3.6-deleted-not-queried @needs-filter @must
  Scenario: A deleted user is gone from query results
    Given a user "hidden" exists
    When I DELETE "/Users/${hidden}"
    Then the response status is 204
    When I GET "/Users?filter=userName eq "${hidden.userName}""
    Then the JSON at "totalResults" is 0
    When I GET "/Users?filter=id eq "${hidden}""
    Then the JSON at "totalResults" is 0

  @rfc7644-3.6-deleted-no-conflict @should
  Scenario: A deleted user's userName can be used again
    Given a user "again" exists
    When I DELETE "/Users/${again}"
    And I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${again.userName}"}
      """
    Then the response status is 201

  @rfc7644-3.3-uniqueness-409 @rfc7643-4.1.1-username-unique @rfc7643-7-uniqueness-server @must
  Scenario: The user name is unique regardless of case
    Given a user "frank" exists
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}FRANK@EXAMPLE.COM"}
      """
    Then the response is a SCIM error with status "409" and scimType "uniqueness"

  @rfc7644-5-precis @must
  Scenario: userName uniqueness follows PRECIS: width and normalisation forms collide
    Given I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}jos\u00e9@example.com"}
      """
    And the response status is 201
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}jose\u0301@example.com"}
      """
    Then the response status is 409
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}\uff4a\uff4f\uff53\u00e9@example.com"}
      """
    Then the response status is 409

  @rfc7643-3.1-id-unique @rfc7643-3.1-id-not-bulkid @needs-groups @must
  Scenario: Ids are unique across resource types and never contain "bulkId"
    Given a user "u" exists
    And a group "g" exists
    When I GET "/Users/${g}"
    Then the response status is 404
    When I GET "/Groups/${u}"
    Then the response status is 404
    When I GET "/Users/${u}"
    Then the JSON at "id" is not "${g}"
    And the JSON at "id" does not contain "bulkId"

  @rfc7643-4.3-enterprise @rfc7643-3-extension-urn @needs-enterprise @must
  Scenario: The enterprise extension round-trips under its URN
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
       "userName": "${p}ent@example.com", "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
       "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "department": "Tour Operations"}}
      """
    Then the response status is 201
    And the JSON at "schemas" contains "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    And the JSON at "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber" is "701984"

  @rfc7643-3-schemas-declared @rfc7643-7-declared-schema @must
  Scenario: A created user's schemas hold only URNs its resource type declares
    Given a user "declared" exists
    When I GET "/Users/${declared}"
    Then the response status is 200
    And the resource follows the server's declared schemas

  @rfc7643-7-case-exact-preserved @must
  Scenario: caseExact values keep their case (externalId)
    Given I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}cased@example.com", "externalId": "${p}MiXeD-Case-Id"}
      """
    And the response status is 201
    And I remember the JSON at "id" as "id"
    When I GET "/Users/${id}"
    Then the JSON at "externalId" is "${p}MiXeD-Case-Id"

  @rfc7643-2.5-unassigned @must
  Scenario: null and [] in a create leave the attribute unassigned
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}nulls@example.com", "title": null, "phoneNumbers": []}
      """
    Then the response status is 201
    And the JSON at "title" does not exist
    And the JSON at "phoneNumbers" does not exist

  @rfc7643-2.4-one-primary @must
  Scenario: At most one email is primary
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}primaries@example.com",
       "emails": [{"value": "${p}a@example.com", "type": "work", "primary": true}, {"value": "${p}b@example.com", "type": "home", "primary": true}]}
      """
    Then the response status is one of 201, 400
    And at most one value of "emails" is primary

  @rfc7644-3.5.1-replace-readwrite @rfc7643-3-extension-urn @needs-enterprise @must
  Scenario: A PUT carrying the enterprise extension keeps it
    Given a user "entput" exists
    When I PUT "/Users/${entput}" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
       "userName": "${entput.userName}",
       "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "${p}42", "department": "Ops"}}
      """
    Then the response status is 200
    When I GET "/Users/${entput}"
    Then the JSON at "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department" is "Ops"
    And the JSON at "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber" is "${p}42"
