@errors
Feature: Errors are SCIM Error messages
  Every failure is reported with the SCIM error schema, a string status, the right scimType and
  a detail a person can act on (RFC 7644 §3.12).

  @rfc7644-3.12 @okta-spec @must
  Scenario: An unknown user id is 404 with a SCIM error
    When I GET "/Users/010101001010101011001010101011"
    Then the response is a SCIM error with status "404"

  @rfc7644-3.12 @must
  Scenario: A user without userName is 400 invalidValue
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "displayName": "No Name"}
      """
    Then the response is a SCIM error with status "400" and scimType "invalidValue"

  @rfc7644-3.12 @must
  Scenario: A group without displayName is 400 invalidValue
    When I POST to "/Groups" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"]}
      """
    Then the response is a SCIM error with status "400" and scimType "invalidValue"

  @rfc7644-3.12 @must
  Scenario: Malformed JSON is 400 invalidSyntax
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "acve": tre
      """
    Then the response is a SCIM error with status "400" and scimType "invalidSyntax"

  @rfc7644-3.12 @should
  Scenario: A value of the wrong type is 400 invalidValue
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}typed@example.com", "active": 42}
      """
    Then the response is a SCIM error with status "400" and scimType "invalidValue"

  @rfc7644-3.12 @must
  Scenario: Replacing a user that does not exist is 404
    When I PUT "/Users/00919288221112222" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}ghost@example.com"}
      """
    Then the response is a SCIM error with status "404"

  @rfc7644-3.12 @should
  Scenario: An unknown endpoint is 404 with a SCIM error
    When I GET "/NoSuchEndpoint"
    Then the response is a SCIM error with status "404"

  @rfc7644-3.1 @entra @must
  Scenario: application/json request bodies are accepted (Okta's and Entra's POSTs)
    When I POST to "/Users" with content type "application/json" and body:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}json@example.com"}
      """
    Then the response status is 201
    And the header "Content-Type" starts with "application/scim+json"

  @rfc7644-3.1 @should
  Scenario: Media type parameters are accepted
    When I POST to "/Users" with content type "application/scim+json; charset=utf-8" and body:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}charset@example.com"}
      """
    Then the response status is 201

  @entra @should
  Scenario: Booleans sent as strings are read as booleans (Entra's "True")
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}strbool@example.com", "active": "True"}
      """
    Then the response status is 201
    And the JSON at "active" is true

  @entra @should
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
