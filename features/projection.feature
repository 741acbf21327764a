@projection
Feature: Projection: attributes and excludedAttributes
  RFC 7644 §3.4.2.5 and §3.9 on every response that returns resources, honouring each
  attribute's returned characteristic (RFC 7643 §7).

  @rfc7644-3.4.2.5-attributes-supported @rfc7644-3.9-attributes @must
  Scenario: attributes= returns only the requested attributes and id
    Given a user "gina" exists
    When I GET "/Users/${gina}?attributes=userName"
    Then the response status is 200
    And the JSON at "id" is "${gina}"
    And the JSON at "userName" is "${gina.userName}"
    And the JSON at "name" does not exist
    And the JSON at "emails" does not exist

  @rfc7644-3.4.2.5-attributes-supported @rfc7644-3.9-excluded-attributes @must
  Scenario: excludedAttributes= leaves the named attributes out
    Given a user "hank" exists
    When I GET "/Users/${hank}?excludedAttributes=emails,name"
    Then the response status is 200
    And the JSON at "userName" is "${hank.userName}"
    And the JSON at "emails" does not exist
    And the JSON at "name" does not exist

  @rfc7644-3.9-attributes @needs-filter @must
  Scenario: attributes= applies to every resource of a list
    Given a user "lp" exists
    When I GET "/Users?filter=userName eq "${lp.userName}"&attributes=userName,emails"
    Then the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].id" is "${lp}"
    And the JSON at "Resources[0].emails" is not empty
    And the JSON at "Resources[0].name" does not exist
    And the JSON at "Resources[0].active" does not exist

  @rfc7644-3.9-attributes @must
  Scenario: A sub-attribute can be selected
    Given a user "sub" exists
    When I GET "/Users/${sub}?attributes=name.givenName"
    Then the JSON at "name.givenName" is "sub"
    And the JSON at "name.familyName" does not exist
    And the JSON at "userName" does not exist

  @rfc7644-3.9-attributes @needs-enterprise @must
  Scenario: A URN-qualified attribute can be selected
    Given a user "urn" exists with:
      """
      {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Ops", "costCenter": "4130"}}
      """
    When I GET "/Users/${urn}?attributes=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"
    Then the JSON at "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department" is "Ops"
    And the JSON at "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter" does not exist
    And the JSON at "userName" does not exist

  @rfc7644-3.4.2.5-returned-always @rfc7644-3.9-excluded-attributes @must
  Scenario: id is always returned, even when excluded
    Given a user "always" exists
    When I GET "/Users/${always}?excludedAttributes=id,userName"
    Then the JSON at "id" is "${always}"
    And the JSON at "userName" does not exist

  @rfc7644-3.9-attributes @must
  Scenario: POST responses honour attributes= too
    When I POST to "/Users?attributes=userName" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}proj@example.com", "title": "Chief"}
      """
    Then the response status is 201
    And the JSON at "userName" is "${p}proj@example.com"
    And the JSON at "title" does not exist

  @rfc7644-3.9-attributes @must
  Scenario: PUT responses honour attributes= too
    Given a user "putproj" exists
    When I PUT "/Users/${putproj}?attributes=userName" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${putproj.userName}", "title": "Chief"}
      """
    Then the response status is 200
    And the JSON at "title" does not exist

  @rfc7643-7-returned-never @rfc7643-4.1.1-password-never-returned @must
  Scenario: A returned-never attribute is not returned even when asked for
    When I POST to "/Users?attributes=userName,password" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}never@example.com", "password": "s3cr3t!"}
      """
    Then the response status is 201
    And the JSON at "password" does not exist

  @rfc7643-2.1-names-case-insensitive @rfc7644-3.9-attributes @must
  Scenario: Names in attributes= are case-insensitive
    Given a user "projcase" exists
    When I GET "/Users/${projcase}?attributes=USERNAME,Name.GivenName"
    Then the response status is 200
    And the JSON at "userName" is "${projcase.userName}"
    And the JSON at "name.givenName" is "projcase"
    And the JSON at "emails" does not exist

  @rfc7643-2.1-names-case-insensitive @rfc7644-3.9-excluded-attributes @must
  Scenario: Names in excludedAttributes= are case-insensitive
    Given a user "exccase" exists
    When I GET "/Users/${exccase}?excludedAttributes=EMAILS,NaMe"
    Then the response status is 200
    And the JSON at "userName" is "${exccase.userName}"
    And the JSON at "emails" does not exist
    And the JSON at "name" does not exist
