@okta
Feature: Okta's tests and requests, replayed
  Okta's SCIM 2.0 SPEC test (12 steps) and CRUD test, each step a scenario named after it, and
  the request sequences Okta sends in production (lookup, GET-then-PUT, path-less deactivation,
  group push), with Okta's bodies and headers (../shared/spec/idp-interop.md §1).

  @okta-spec-01 @needs-filter @must
  Scenario: Okta SPEC 1: Test Users endpoint
    # Okta reads the first user of the whole list; on a shared server the suite scopes the
    # list to a realistic user it created for the purpose.
    Given a user "existing" exists
    When I GET "/Users?count=1&startIndex=1&filter=userName eq "${existing.userName}""
    Then the response status is 200
    And the JSON at "Resources" is not empty
    And the JSON at "schemas" contains "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    And the JSON at "itemsPerPage" is a number
    And the JSON at "startIndex" is a number
    And the JSON at "totalResults" is a number
    And the JSON at "Resources[0].id" is not empty
    And the JSON at "Resources[0].name.familyName" is not empty
    And the JSON at "Resources[0].name.givenName" is not empty
    And the JSON at "Resources[0].userName" is not empty
    And the JSON at "Resources[0].active" is true
    And the JSON at "Resources[0].emails[0].value" is not empty

  @okta-spec-02 @must
  Scenario: Okta SPEC 2: Get Users/{id}
    Given a user "existing" exists
    When I GET "/Users/${existing}"
    Then the response status is 200
    And the JSON at "id" is "${existing}"
    And the JSON at "name.familyName" is not empty
    And the JSON at "name.givenName" is not empty
    And the JSON at "userName" is not empty
    And the JSON at "active" is true
    And the JSON at "emails[0].value" is not empty

  @okta-spec-03 @needs-filter @must
  Scenario: Okta SPEC 3: Test invalid User by username
    When I GET "/Users?filter=userName eq "${p}abcdefgh@example.com""
    Then the response status is 200
    And the JSON at "schemas" contains "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    And the JSON at "totalResults" is 0

  @okta-spec-04 @must
  Scenario: Okta SPEC 4: Test invalid User by ID
    When I GET "/Users/010101001010101011001010101011"
    Then the response status is 404
    And the body's detail is not empty
    And the JSON at "schemas" contains "urn:ietf:params:scim:api:messages:2.0:Error"

  @okta-spec-05 @needs-filter @must
  Scenario: Okta SPEC 5: Make sure random user doesn't exist
    When I GET "/Users?filter=userName eq "${p}Runscope300Hfluaklab151@example.com""
    Then the response status is 200
    And the JSON at "totalResults" is 0
    And the JSON at "schemas" contains "urn:ietf:params:scim:api:messages:2.0:ListResponse"

  @okta-spec-06 @okta-spec-07 @okta-content-type @must
  Scenario: Okta SPEC 6 and 7: Create Okta user with realistic values, and verify that user was created
    When I POST to "/Users" with content type "application/json" and body:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
       "userName":"${p}Runscope300Hfluaklab151@example.com",
       "name":{"givenName":"Runscope300","familyName":"Hfluaklab151"},
       "emails":[{"primary":true,"value":"${p}Runscope300Hfluaklab151@example.com","type":"work"}],
       "displayName":"Runscope300 Hfluaklab151","active":true}
      """
    Then the response status is 201
    And the JSON at "active" is true
    And the JSON at "id" is not empty
    And the JSON at "name.familyName" is "Hfluaklab151"
    And the JSON at "name.givenName" is "Runscope300"
    And the JSON at "userName" is "${p}Runscope300Hfluaklab151@example.com"
    And the JSON at "schemas" contains "urn:ietf:params:scim:schemas:core:2.0:User"
    And I remember the JSON at "id" as "idUserOne"
    When I GET "/Users/${idUserOne}"
    Then the response status is 200
    And the JSON at "userName" is "${p}Runscope300Hfluaklab151@example.com"
    And the JSON at "name.familyName" is "Hfluaklab151"
    And the JSON at "name.givenName" is "Runscope300"

  @okta-spec-08 @must
  Scenario: Okta SPEC 8: Expect failure when recreating user with same values
    Given a user "again" exists
    When I POST to "/Users" with content type "application/json" and body:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"], "userName":"${again.userName}",
       "name":{"givenName":"again","familyName":"Tester"},
       "emails":[{"primary":true,"value":"${again.userName}","type":"work"}], "active":true}
      """
    Then the response status is 409

  @okta-spec-09 @needs-filter @must
  Scenario: Okta SPEC 9: Username Case Sensitivity Check
    Given a user "casey" exists
    When I GET "/Users?filter=userName eq "${p}CASEY@EXAMPLE.COM""
    Then the response status is 200

  @okta-spec-10 @needs-groups @should
  Scenario: Okta SPEC 10: Verify Groups endpoint (optional)
    When I GET "/Groups"
    Then the response status is 200
    And the response took less than 600 ms

  @okta-spec-11 @needs-filter @must
  Scenario: Okta SPEC 11: Check status 401
    When I send GET to "/Users?filter=userName eq "${p}RUNSCOPE300HFLUAKLAB151@EXAMPLE.COM"" with the Authorization header "non-token"
    Then the response status is 401
    And the body's detail is not empty
    And the body's status is the string "401"
    And the JSON at "schemas" contains "urn:ietf:params:scim:api:messages:2.0:Error"

  @okta-spec-12 @must
  Scenario: Okta SPEC 12: Check status 404
    When I GET "/Users/00919288221112222"
    Then the response status is 404
    And the body's detail is not empty
    And the body's status is the string "404"
    And the JSON at "schemas" contains "urn:ietf:params:scim:api:messages:2.0:Error"

  @okta-crud-create @okta-crud-update @needs-filter @must
  Scenario: Okta CRUD: add a user, assign it, verify created; update firstName, verify the update
    When I POST to "/Users" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"], "userName":"${p}crud.user@okta.local",
       "name":{"givenName":"Crud","familyName":"User"},
       "emails":[{"primary":true,"value":"${p}crud.user@okta.local","type":"work"}], "active":true}
      """
    Then the response status is 201
    When I GET "/Users?filter=userName eq "${p}crud.user@okta.local""
    Then the JSON at "Resources[0].userName" is "${p}crud.user@okta.local"
    And the JSON at "Resources[0].emails[0].value" is "${p}crud.user@okta.local"
    And the JSON at "Resources[0].name.familyName" is "User"
    And the JSON at "Resources[0].name.givenName" is "Crud"
    And I remember the JSON at "Resources[0].id" as "scim_id"
    When I PUT "/Users/${scim_id}" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"], "id":"${scim_id}", "userName":"${p}crud.user@okta.local",
       "name":{"givenName":"Renamed","familyName":"User"},
       "emails":[{"primary":true,"value":"${p}crud.user@okta.local","type":"work"}], "active":true}
      """
    Then the response status is 200
    When I GET "/Users/${scim_id}"
    Then the JSON at "name.givenName" is "Renamed"

  @okta-crud-deactivate @okta-crud-reactivate @okta-patch-active @needs-patch @must
  Scenario: Okta CRUD: deactivate, verify deactivated; reactivate, verify reactivated; unassign, verify deactivated
    Given a user "crud" exists
    When I PATCH "/Users/${crud}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Users/${crud}"
    Then the response status is 200
    And the JSON at "active" is false
    When I PATCH "/Users/${crud}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Users/${crud}"
    Then the response status is 200
    And the JSON at "active" is true
    When I PATCH "/Users/${crud}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Users/${crud}"
    Then the response status is 200
    And the JSON at "active" is false

  @okta-lookup @okta-put @okta-patch-active @needs-patch @needs-filter @must
  Scenario: Okta user lifecycle: lookup, create with password and groups, GET-then-PUT, deactivate, reactivate
    When I GET "/Users?filter=userName eq "${p}test.user@okta.local"&startIndex=1&count=100"
    Then the JSON at "totalResults" is 0
    When I POST to "/Users" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
       "userName":"${p}test.user@okta.local",
       "name":{"givenName":"Test","familyName":"User"},
       "emails":[{"primary":true,"value":"${p}test.user@okta.local","type":"work"}],
       "displayName":"Test User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7",
       "groups":[],"password":"1mz050nq","active":true}
      """
    Then the response status is 201
    And the JSON at "password" does not exist
    And I remember the JSON at "id" as "uid"
    When I GET "/Users/${uid}"
    Then the response status is 200
    When I PUT "/Users/${uid}" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"${uid}",
       "userName":"${p}test.user@okta.local","name":{"givenName":"Another","familyName":"User"},
       "emails":[{"primary":true,"value":"${p}test.user@okta.local","type":"work"}],
       "displayName":"Another User","locale":"en-US","externalId":"00ujl29u0le5T6Aj10h7",
       "groups":[],"password":"1mz050nq","active":true,
       "meta":{"resourceType":"User","created":"04-12-2018 00:00:00","lastModified":"04-12-2018 00:00:00","version":"v1.0"}}
      """
    Then the response status is 200
    And the JSON at "name.givenName" is "Another"
    When I PATCH "/Users/${uid}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Users/${uid}"
    Then the JSON at "active" is false

  @okta-put @must
  Scenario: Okta's PUT body: readOnly id, meta with malformed dates, groups and a password are ignored
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

  @okta-content-type @must
  Scenario: Okta's Content-Type with a charset parameter is accepted
    When I POST to "/Users" with content type "application/scim+json; charset=utf-8" and body:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}charset@example.com"}
      """
    Then the response status is 201

  @okta-group-push @needs-groups @needs-patch @needs-filter @must
  Scenario: Okta group push: lookup, create, rename with id, membership delta, full replace, delete
    Given users "u1, u2, u3" exist
    When I GET "/Groups?filter=displayName eq "${p}Test SCIMv2"&startIndex=1&count=100"
    Then the JSON at "totalResults" is 0
    When I POST to "/Groups" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"${p}Test SCIMv2","members":[]}
      """
    Then the response status is 201
    And I remember the JSON at "id" as "gid"
    When I PATCH "/Groups/${gid}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"id":"${gid}","displayName":"${p}Test SCIMv2 renamed"}}]}
      """
    Then the response status is one of 200, 204
    When I PATCH "/Groups/${gid}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
        {"op":"add","path":"members","value":[{"value":"${u1}","display":"u1"},{"value":"${u2}","display":"u2"}]}]}
      """
    Then the response status is one of 200, 204
    When I PATCH "/Groups/${gid}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
        {"op":"remove","path":"members[value eq \"${u1}\"]"},
        {"op":"add","path":"members","value":[{"value":"${u3}","display":"u3"}]}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Groups/${gid}"
    Then the JSON at "displayName" is "${p}Test SCIMv2 renamed"
    And the JSON at "members" has 2 items
    And the JSON at "members" contains {"value": "${u2}"}
    And the JSON at "members" contains {"value": "${u3}"}
    When I PATCH "/Groups/${gid}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"members","value":[{"value":"${u1}"}]}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Groups/${gid}"
    Then the JSON at "members" has 1 item
    And the JSON at "members" contains {"value": "${u1}"}
    When I DELETE "/Groups/${gid}"
    Then the response status is 204

  @okta-entitlements @roles-spc-advertised @roles-value-supported @needs-roles @must
  Scenario: Okta entitlements test: the Role resource type is discovered and every role read page by page
    When I GET "/ResourceTypes"
    Then the response status is 200
    And the JSON at "Resources" contains {"endpoint": "/Roles"}
    When I GET "/ServiceProviderConfig"
    Then the JSON at "RolesAndEntitlements.roles.supported" is true
    And reading "/Roles" page by page with count 2 yields totalResults resources, each once, each with a value and supported

  @okta-entitlements @roles-spc-advertised @roles-entitlement-value @needs-entitlements @must
  Scenario: Okta entitlements test: the Entitlement resource type is discovered and every entitlement read page by page
    When I GET "/ResourceTypes"
    Then the response status is 200
    And the JSON at "Resources" contains {"endpoint": "/Entitlements"}
    When I GET "/ServiceProviderConfig"
    Then the JSON at "RolesAndEntitlements.entitlements.supported" is true
    And reading "/Entitlements" page by page with count 1 yields totalResults resources, each once, each with a value
