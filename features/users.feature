@crud @users
Feature: Users: create, read, list, replace, delete
  The lifecycle every IdP drives (RFC 7644 §3.3–§3.6): a User is created with POST, read by id,
  listed, replaced with PUT and removed with DELETE.

  @rfc7644-3.3 @must
  Scenario: Creating a user returns 201 with the resource, Location and ETag
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
       "userName": "${p}bjensen@example.com",
       "name": {"givenName": "Barbara", "familyName": "Jensen"},
       "emails": [{"value": "${p}bjensen@example.com", "type": "work", "primary": true}],
       "displayName": "Barbara Jensen", "active": true}
      """
    Then the response status is 201
    And the header "Content-Type" starts with "application/scim+json"
    And the response matches the "User" schema
    And the JSON at "id" is not empty
    And the JSON at "userName" is "${p}bjensen@example.com"
    And the JSON at "name.givenName" is "Barbara"
    And the JSON at "meta.resourceType" is "User"
    And the JSON at "meta.created" is a string
    And the JSON at "meta.lastModified" is a string
    And the header "Location" equals the JSON at "meta.location"

  @rfc7644-3.14 @should
  Scenario: The ETag header of a created user equals meta.version
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}etag@example.com"}
      """
    Then the response status is 201
    And the header "ETag" equals the JSON at "meta.version"

  @rfc7644-3.4.1 @must
  Scenario: A created user can be read back by id
    Given a user "alice" exists
    When I GET "/Users/${alice}"
    Then the response status is 200
    And the response matches the "User" schema
    And the JSON at "id" is "${alice}"
    And the JSON at "userName" is "${alice.userName}"
    And the JSON at "active" is true

  @rfc7643-7 @must
  Scenario: The password is accepted but never returned
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}pw@example.com", "password": "t1meMa$heen"}
      """
    Then the response status is 201
    And the JSON at "password" does not exist
    When I GET "/Users?startIndex=1&count=200"
    Then the response status is 200
    And the JSON at "Resources[0].password" does not exist

  @rfc7643-2.1 @must
  Scenario: Attribute names in a request are case-insensitive
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "USERNAME": "${p}caps@example.com",
       "Name": {"GivenName": "Caps"}}
      """
    Then the response status is 201
    And the JSON at "userName" is "${p}caps@example.com"
    And the JSON at "name.givenName" is "Caps"

  @rfc7644-3.4.2 @must
  Scenario: Listing users returns a ListResponse with integer counters
    Given a user "lister" exists
    When I GET "/Users?startIndex=1&count=1"
    Then the response status is 200
    And the response matches the "ListResponse" schema
    And the JSON at "totalResults" is a number
    And the JSON at "startIndex" is 1
    And the JSON at "itemsPerPage" is 1
    And the JSON at "Resources" has 1 item

  @rfc7644-3.4.2.4 @must
  Scenario: count=0 returns no resources but the total
    Given a user "counted" exists
    When I GET "/Users?count=0"
    Then the response status is 200
    And the JSON at "Resources" has 0 items
    And the JSON at "itemsPerPage" is 0

  @rfc7644-3.5.1 @must
  Scenario: PUT replaces the user; attributes left out are cleared
    Given a user "carol" exists
    When I PUT "/Users/${carol}" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${carol.userName}",
       "name": {"givenName": "Carol", "familyName": "Replaced"}, "title": "Engineer", "active": true}
      """
    Then the response status is 200
    And the response matches the "User" schema
    And the JSON at "title" is "Engineer"
    And the JSON at "name.familyName" is "Replaced"
    And the JSON at "displayName" does not exist
    When I GET "/Users/${carol}"
    Then the JSON at "title" is "Engineer"
    And the JSON at "displayName" does not exist

  @rfc7643-2.2 @okta-put @must
  Scenario: PUT ignores readOnly id, meta and groups, even with malformed dates (Okta's PUT body)
    Given a user "dave" exists
    When I PUT "/Users/${dave}" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "${dave}", "userName": "${dave.userName}",
       "meta": {"created": "04-12-2018 00:00:00", "version": "v1.0"}, "groups": [], "password": "1mz050nq",
       "name": {"givenName": "Dave", "familyName": "Okta"}, "active": false}
      """
    Then the response status is 200
    And the JSON at "id" is "${dave}"
    And the JSON at "active" is false
    And the JSON at "meta.created" is a string

  @rfc7644-3.6 @must
  Scenario: DELETE answers 204 and the user is gone
    Given a user "erin" exists
    When I DELETE "/Users/${erin}"
    Then the response status is 204
    And the response has no body
    When I GET "/Users/${erin}"
    Then the response is a SCIM error with status "404"
    When I DELETE "/Users/${erin}"
    Then the response is a SCIM error with status "404"

  @rfc7643-4.1 @must
  Scenario: The user name is unique regardless of case
    Given a user "frank" exists
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}FRANK@EXAMPLE.COM"}
      """
    Then the response is a SCIM error with status "409" and scimType "uniqueness"

  @rfc7643-4.3 @entra @must
  Scenario: The enterprise extension round-trips under its URN
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
       "userName": "${p}ent@example.com", "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
       "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "department": "Tour Operations"},
       "meta": {"resourceType": "User"}, "roles": []}
      """
    Then the response status is 201
    And the JSON at "schemas" contains "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    And the JSON at "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber" is "701984"
    And the JSON at "externalId" is "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"

  @rfc7644-3.4.2.5 @must
  Scenario: attributes= returns only the requested attributes and id
    Given a user "gina" exists
    When I GET "/Users/${gina}?attributes=userName"
    Then the response status is 200
    And the JSON at "id" is "${gina}"
    And the JSON at "userName" is "${gina.userName}"
    And the JSON at "name" does not exist
    And the JSON at "emails" does not exist

  @rfc7644-3.4.2.5 @must
  Scenario: excludedAttributes= leaves the named attributes out
    Given a user "hank" exists
    When I GET "/Users/${hank}?excludedAttributes=emails,name"
    Then the response status is 200
    And the JSON at "userName" is "${hank.userName}"
    And the JSON at "emails" does not exist
    And the JSON at "name" does not exist
