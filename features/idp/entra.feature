@entra
Feature: Microsoft Entra ID's requests, replayed
  What Entra's provisioning service sends: its test connection, user creation with the
  enterprise extension, the legacy bodies (string booleans, capitalised ops, remove with a
  value) and the aadOptscim062020 bodies (dotted keys, remove by filter), manager changes and
  group provisioning.

  @entra-test-connection @needs-filter @must
  Scenario: Test connection: a filter on a random GUID is an empty list
    When I GET "/Users?filter=userName eq "8f3e5c1d-9a1b-4e6f-b2c7-0d4a6e8f1b3c""
    Then the response status is 200
    And the response is a list of 0 resources out of 0

  @entra-create @must
  Scenario: Create a user with the enterprise extension, meta and empty roles
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
    And the JSON at "meta.created" is a string
    And the JSON at "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department" is "Sales"

  @entra-legacy @needs-patch @must
  Scenario: Legacy bodies: capitalised ops, "False" as a string, single-valued Add
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

  @entra-legacy @needs-patch @must
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

  @entra-aadoptscim062020 @needs-patch @must
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

  @entra-aadoptscim062020 @needs-patch @must
  Scenario: aadOptscim062020: member removal by filter
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

  @entra-manager @needs-patch @must
  Scenario: Manager set as a bare id, changed as an object, cleared with an empty value
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
    When I GET "/Users/${worker}"
    Then the JSON at "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value" is "${boss2}"
    When I PATCH "/Users/${worker}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
        {"op":"replace","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager","value":{"value":""}}]}
      """
    When I GET "/Users/${worker}"
    Then the JSON at "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager" does not exist

  @entra-groups @needs-patch @needs-filter @must
  Scenario: Group provisioning: create with Microsoft's schema URN, rename, add and remove members, read without members
    Given a user "member" exists
    When I POST to "/Groups" with:
      """
      {"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group","http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
       "externalId":"8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159","displayName":"${p}displayName","meta":{"resourceType":"Group"}}
      """
    Then the response status is 201
    And I remember the JSON at "id" as "gid"
    When I PATCH "/Groups/${gid}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"displayName","value":"${p}updatedDisplayName"}]}
      """
    Then the response status is one of 200, 204
    When I PATCH "/Groups/${gid}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Add","path":"members","value":[{"$ref":null,"value":"${member}"}]}]}
      """
    Then the response status is one of 200, 204
    When I GET "/Groups/${gid}?excludedAttributes=members"
    Then the JSON at "displayName" is "${p}updatedDisplayName"
    And the JSON at "members" does not exist
    When I GET "/Groups?excludedAttributes=members&filter=displayName eq "${p}updatedDisplayName""
    Then the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].members" does not exist
    When I GET "/Groups/${gid}"
    Then the JSON at "members" contains {"value": "${member}"}
    When I PATCH "/Groups/${gid}" with:
      """
      {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Remove","path":"members","value":[{"$ref":null,"value":"${member}"}]}]}
      """
    Then the response status is one of 200, 204
    When I DELETE "/Groups/${gid}"
    Then the response status is 204
