@entra
Feature: Microsoft Entra ID's tests and requests, replayed
  What Entra's provisioning service sends (test connection, user creation with the enterprise
  extension, the legacy bodies, the aadOptscim062020 bodies, manager changes, group
  provisioning) and the tests of Microsoft's SCIM Validator and gallery validation, each named
  after the test it reproduces (../shared/spec/idp-interop.md §2, idp-tests.md).

  @entra-test-connection @needs-filter @must
  Scenario: Test connection: a filter on a random GUID is an empty list
    When I GET "/Users?filter=externalId eq "8f3e5c1d-9a1b-4e6f-b2c7-0d4a6e8f1b3c""
    Then the response status is 200
    And the response is a list of 0 resources out of 0

  @entra-create @msv-create-user @needs-enterprise @must
  Scenario: Create a new User (with the enterprise extension, meta and empty roles)
    When I POST to "/Users" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
       "externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"${p}Test_User_00aa@contoso.com","active":true,
       "emails":[{"primary":true,"type":"work","value":"${p}Test_User_11bb@testuser.com"}],
       "meta":{"resourceType":"User"},
       "name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},
       "roles":[],
       "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","employeeNumber":"42"}}
      """
    Then the response status is 201
    And the JSON at "id" is not empty
    And the JSON at "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department" is "Sales"

  @msv-duplicate-user @must
  Scenario: Create a duplicate User
    Given a user "dup" exists
    When I POST to "/Users" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"${dup.userName}","active":true}
      """
    Then the response status is 409

  @msv-filter-user @msv-filter-user-case @needs-filter @must
  Scenario: Filter for an existing user, and with a different case
    Given a user "found" exists
    When I GET "/Users?filter=userName eq "${found.userName}""
    Then the response is a list of 1 resources out of 1
    When I GET "/Users?filter=userName eq "${p}FOUND@EXAMPLE.COM""
    Then the response is a list of 1 resources out of 1

  @msv-filter-no-user @needs-filter @must
  Scenario: Filter for a non-existing user
    When I GET "/Users?filter=userName eq "${p}missing@contoso.com""
    Then the response is a list of 0 resources out of 0

  @msv-patch-user-replace @msl-entra-flows @needs-patch @must
  Scenario: Patch User – Replace Attributes Verbose
    Given a user "verbose" exists
    When I PATCH "/Users/${verbose}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
        {"op":"replace","path":"name.givenName","value":"Verbose"},
        {"op":"replace","path":"name.familyName","value":"Patched"},
        {"op":"replace","path":"emails[type eq \"work\"].value","value":"${p}verbose.new@contoso.com"},
        {"op":"replace","path":"externalId","value":"${p}ext-verbose"}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Users/${verbose}"
    Then the JSON at "name.givenName" is "Verbose"
    And the JSON at "name.familyName" is "Patched"
    And the JSON at "emails" contains {"type": "work", "value": "${p}verbose.new@contoso.com"}
    And the JSON at "externalId" is "${p}ext-verbose"

  @msv-update-username @needs-patch @must
  Scenario: Update User userName
    Given a user "renamed" exists
    When I PATCH "/Users/${renamed}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"userName","value":"${p}renamed.new@contoso.com"}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Users/${renamed}"
    Then the JSON at "userName" is "${p}renamed.new@contoso.com"

  @msv-disable-user @entra-legacy @msl-entra-flows @needs-patch @must
  Scenario: Patch User – Disable User (legacy bodies: capitalised ops, "False" as a string)
    Given a user "legacy" exists
    When I PATCH "/Users/${legacy}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
        {"op":"Add","path":"nickName","value":"Babs"},
        {"op":"Replace","path":"active","value":"False"}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Users/${legacy}"
    Then the JSON at "nickName" is "Babs"
    And the JSON at "active" is false

  @msv-multiple-ops @needs-patch @should
  Scenario: Patch User – Multiple Ops on different attributes and on the same attribute
    Given a user "multi" exists
    When I PATCH "/Users/${multi}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
        {"op":"replace","path":"title","value":"first"},
        {"op":"replace","path":"displayName","value":"Multi Ops"},
        {"op":"replace","path":"title","value":"second"}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Users/${multi}"
    Then the JSON at "title" is "second"
    And the JSON at "displayName" is "Multi Ops"

  @entra-legacy @needs-groups @needs-patch @must
  Scenario: Legacy member removal with a value array removes exactly the listed member
    Given users "keep, drop" exist
    And a group "legacygroup" exists with members "keep, drop"
    When I PATCH "/Groups/${legacygroup}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
        {"op":"Remove","path":"members","value":[{"value":"${drop}"}]}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Groups/${legacygroup}"
    Then the JSON at "members" has 1 item
    And the JSON at "members" contains {"value": "${keep}"}

  @entra-aadoptscim062020 @needs-enterprise @needs-patch @must
  Scenario: aadOptscim062020: path-less replace with dotted and URN-qualified keys
    Given a user "flagged" exists
    When I PATCH "/Users/${flagged}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
        {"op":"replace","path":"emails[type eq \"work\"].value","value":"${p}new@contoso.com"},
        {"op":"replace","value":{"displayName":"Bjfe","name.givenName":"Kkom","name.familyName":"Unua",
          "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber":"Aklq"}}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Users/${flagged}"
    Then the JSON at "displayName" is "Bjfe"
    And the JSON at "name.givenName" is "Kkom"
    And the JSON at "name.familyName" is "Unua"
    And the JSON at "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber" is "Aklq"
    And the JSON at "emails" contains {"type": "work", "value": "${p}new@contoso.com"}
    And the JSON at "name.givenName.name.givenName" does not exist

  @entra-aadoptscim062020 @msv-group-members @needs-groups @needs-patch @must
  Scenario: Patch Group – Remove Member (aadOptscim062020: by filter)
    Given users "stay, go" exist
    And a group "flaggroup" exists with members "stay, go"
    When I PATCH "/Groups/${flaggroup}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
        {"op":"remove","path":"members[value eq \"${go}\"]"}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Groups/${flaggroup}"
    Then the JSON at "members" has 1 item
    And the JSON at "members" contains {"value": "${stay}"}

  @entra-manager @msv-manager @msl-entra-flows @needs-enterprise @needs-patch @must
  Scenario: Patch User – Add, Replace, Remove Manager (a bare id, an object, an empty value)
    Given users "boss, boss2, worker" exist
    When I PATCH "/Users/${worker}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
        {"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":"${boss}"}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Users/${worker}"
    Then the JSON at "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value" is "${boss}"
    When I PATCH "/Users/${worker}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
        {"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":"${boss2}"}}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Users/${worker}"
    Then the JSON at "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value" is "${boss2}"
    When I PATCH "/Users/${worker}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
        {"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":""}}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Users/${worker}"
    Then the JSON at "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager" does not exist

  @msv-delete-user @msl-entra-flows @must
  Scenario: Delete a User
    Given a user "bye" exists
    When I DELETE "/Users/${bye}"
    Then the response status is 204
    When I GET "/Users/${bye}"
    Then the response status is 404

  @msv-delete-missing @should
  Scenario: Delete a non-existent User, and the same User twice
    When I DELETE "/Users/${p}no-such-user"
    Then the response status is 404
    Given a user "twice" exists
    When I DELETE "/Users/${twice}"
    Then the response status is 204
    When I DELETE "/Users/${twice}"
    Then the response status is 404

  @msv-create-group @entra-groups @needs-groups @must
  Scenario: Create a new Group (with Microsoft's extra schema URN and meta)
    When I POST to "/Groups" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
       "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", "displayName": "${p}displayName", "meta": {"resourceType": "Group"}}
      """
    Then the response status is 201
    And the JSON at "externalId" is "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159"

  @entra-group-unique @needs-groups @should
  Scenario: Create a duplicate Group (Entra expects 409; RFC 7643 makes displayName uniqueness none)
    Given a group "unique" exists
    When I POST to "/Groups" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "${p}UNIQUE"}
      """
    Then the response status is 409

  @msv-group-excluding-members @needs-groups @must
  Scenario: Get group by id excluding members
    Given a user "m1" exists
    And a group "big" exists with members "m1"
    When I GET "/Groups/${big}?excludedAttributes=members"
    Then the response status is 200
    And the JSON at "members" does not exist

  @msv-filter-group @msv-group-excluding-members @needs-groups @needs-filter @must
  Scenario: Filter for an existing group (excluding members, in another case) and a non-existing one
    Given a user "m1" exists
    And a group "Finance" exists with members "m1"
    When I GET "/Groups?excludedAttributes=members&filter=displayName eq "${p}Finance""
    Then the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].members" does not exist
    When I GET "/Groups?filter=displayName eq "${p}FINANCE""
    Then the response is a list of 1 resources out of 1
    When I GET "/Groups?filter=displayName eq "${p}Nowhere""
    Then the response is a list of 0 resources out of 0

  @msv-patch-group-replace @needs-groups @needs-patch @must
  Scenario: Patch Group – Replace Attributes, and Update Group displayName
    Given a group "g" exists
    When I PATCH "/Groups/${g}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
        {"op":"Replace","path":"displayName","value":"${p}g renamed"},
        {"op":"Replace","path":"externalId","value":"${p}g-ext"}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Groups/${g}"
    Then the JSON at "displayName" is "${p}g renamed"
    And the JSON at "externalId" is "${p}g-ext"

  @msv-multiple-ops @needs-groups @needs-patch @should
  Scenario: Patch Group – Multiple Ops on the same attribute
    Given users "a, b" exist
    And a group "ops" exists
    When I PATCH "/Groups/${ops}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
        {"op":"Add","path":"members","value":[{"value":"${a}"}]},
        {"op":"Add","path":"members","value":[{"value":"${b}"}]},
        {"op":"Remove","path":"members[value eq \"${a}\"]"}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Groups/${ops}"
    Then the JSON at "members" has 1 item
    And the JSON at "members" contains {"value": "${b}"}

  @entra-groups @msv-group-members @msl-entra-flows @needs-groups @needs-patch @needs-filter @must
  Scenario: Group provisioning: rename, add member, read without members, remove member, delete
    Given a user "member" exists
    And a group "prov" exists
    When I PATCH "/Groups/${prov}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"${p}updatedDisplayName"}]}
      """
    Then the response status is one of 200, 204
    When I PATCH "/Groups/${prov}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"${member}"}]}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Groups/${prov}?excludedAttributes=members"
    Then the JSON at "displayName" is "${p}updatedDisplayName"
    And the JSON at "members" does not exist
    When I GET "/Groups/${prov}"
    Then the JSON at "members" contains {"value": "${member}"}
    When I PATCH "/Groups/${prov}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members[value eq \"${member}\"]"}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Groups/${prov}"
    Then the JSON at "members" does not exist
    When I DELETE "/Groups/${prov}"
    Then the response status is 204

  @msv-delete-group @msl-entra-flows @needs-groups @must
  Scenario: Delete a Group
    Given a group "bye" exists
    When I DELETE "/Groups/${bye}"
    Then the response status is 204
    When I GET "/Groups/${bye}"
    Then the response status is 404

  @msv-delete-missing @needs-groups @should
  Scenario: Delete a non-existent Group, and the same Group twice
    When I DELETE "/Groups/${p}no-such-group"
    Then the response status is 404
    Given a group "twice" exists
    When I DELETE "/Groups/${twice}"
    Then the response status is 204
    When I DELETE "/Groups/${twice}"
    Then the response status is 404

  @msl-null-update @needs-patch @must
  Scenario: SCIM_Null_Update: replacing an attribute with an empty value removes it
    Given a user "nulled" exists with:
      """
      {"title": "Boss"}
      """
    When I PATCH "/Users/${nulled}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"title","value":null}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Users/${nulled}"
    Then the JSON at "title" does not exist

  @msl-pagination @needs-groups @must
  Scenario: SCIM_User_Pagination and SCIM_Group_Pagination: pages of users and groups
    Given users "p1, p2" exist
    And a group "pg" exists
    When I GET "/Users?startIndex=1&count=1"
    Then the response status is 200
    And the JSON at "Resources" has 1 item
    When I GET "/Groups?startIndex=1&count=1"
    Then the response status is 200
    And the JSON at "Resources" has 1 item

  @msl-credentials @must
  Scenario: Validate_Credentials: a request without valid credentials is 401
    When I send GET to "/Users" without a token
    Then the response status is 401
    When I send GET to "/Users" with the Authorization header "Bearer not-the-right-token"
    Then the response status is 401

  @entra-string-booleans @must
  Scenario: Booleans sent as strings are read as booleans (Entra's "True")
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}strbool@example.com", "active": "True"}
      """
    Then the response status is 201
    And the JSON at "active" is true

  @entra-unknown-ignored @should
  Scenario: Unknown attributes are ignored, not stored (Microsoft's "adreses" test)
    Given a user "ivy" exists
    When I PUT "/Users/${ivy}" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${ivy.userName}",
       "adreses": [{"type": "work", "streetAddress": "1 Main St"}]}
      """
    Then the response status is 200
    And the JSON at "adreses" does not exist
    And the JSON at "addresses" does not exist

  @entra-externalid-match @needs-filter @must
  Scenario: Entra's externalId lookup finds the user it created, and only that user
    Given a user "matched" exists with:
      """
      {"externalId": "${p}5d1c9a7e-0b3f-4c2a-9e8d-1f6a2b3c4d5e"}
      """
    And a user "other" exists with:
      """
      {"externalId": "${p}5d1c9a7e-0b3f-4c2a-9e8d-1f6a2b3c4d5f"}
      """
    When I GET "/Users?filter=externalId eq "${p}5d1c9a7e-0b3f-4c2a-9e8d-1f6a2b3c4d5e""
    Then the response status is 200
    And the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].id" is "${matched}"

  @entra-externalid-duplicate @must
  Scenario: A second create of the same user after a missed match is refused as a duplicate
    Given a user "dup" exists with:
      """
      {"externalId": "${p}7e2d4f6a-8b0c-4d1e-9f2a-3b4c5d6e7f80"}
      """
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${dup.userName}",
       "externalId": "${p}7e2d4f6a-8b0c-4d1e-9f2a-3b4c5d6e7f80", "active": true}
      """
    Then the response is a SCIM error with status "409" and scimType "uniqueness"
