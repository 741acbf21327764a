@okta
Feature: Okta's requests, replayed
  The request sequences Okta sends (its SCIM 2.0 spec test, user lifecycle and group push),
  with Okta's bodies and headers. Okta needs each of these to work to provision at all.

  @okta-spec @must
  Scenario: Okta SCIM 2.0 spec test, steps 1 to 12
    # Step 1 reads the first user of the list and needs it active with a name and an email;
    # on a shared server the suite scopes the list to the user it created for the purpose.
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
    And I remember the JSON at "Resources[0].id" as "ISVUserid"
    # 2: Get Users/{{id}}
    When I GET "/Users/${ISVUserid}"
    Then the response status is 200
    And the JSON at "id" is "${ISVUserid}"
    And the JSON at "name.familyName" is not empty
    And the JSON at "emails[0].value" is not empty
    # 3: invalid user by username
    When I GET "/Users?filter=userName eq "abcdefgh@example.com""
    Then the response status is 200
    And the JSON at "totalResults" is 0
    # 4: invalid user by id
    When I GET "/Users/010101001010101011001010101011"
    Then the response is a SCIM error with status "404"
    # 5: the random user does not exist yet
    When I GET "/Users?filter=userName eq "${p}Runscope300Hfluaklab151@example.com""
    Then the response status is 200
    And the JSON at "totalResults" is 0
    # 6: create with realistic values (Okta posts application/json)
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
    # 7: verify
    When I GET "/Users/${idUserOne}"
    Then the response status is 200
    And the JSON at "userName" is "${p}Runscope300Hfluaklab151@example.com"
    # 8: recreating the same user is a conflict
    When I POST to "/Users" with content type "application/json" and body:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],
       "userName":"${p}Runscope300Hfluaklab151@example.com",
       "name":{"givenName":"Runscope300","familyName":"Hfluaklab151"},
       "emails":[{"primary":true,"value":"${p}Runscope300Hfluaklab151@example.com","type":"work"}],
       "displayName":"Runscope300 Hfluaklab151","active":true}
      """
    Then the response status is 409
    # 9: user name case sensitivity
    When I GET "/Users?filter=userName eq "${p}RUNSCOPE300HFLUAKLAB151@EXAMPLE.COM""
    Then the response status is 200
    # 10: groups endpoint
    When I GET "/Groups"
    Then the response status is 200
    # 11: 401 with a SCIM error
    When I send GET to "/Users?filter=userName eq "${p}RUNSCOPE300HFLUAKLAB151@EXAMPLE.COM"" with the Authorization header "non-token"
    Then the response is a SCIM error with status "401"
    # 12: 404 with a SCIM error
    When I GET "/Users/00919288221112222"
    Then the response is a SCIM error with status "404"

  @okta-lifecycle @needs-patch @needs-filter @must
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
    Then the response status is 200
    And the JSON at "active" is false
    When I PATCH "/Users/${uid}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Users/${uid}"
    Then the JSON at "active" is true

  @okta-group-push @needs-patch @needs-filter @must
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
    When I GET "/Users/${u1}"
    Then the JSON at "groups" does not exist
