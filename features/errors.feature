@errors
Feature: Errors are SCIM Error messages
  RFC 7644 §3.12: an error is a JSON body in the Error schema with the status as a string; the
  status codes and scimTypes of Tables 8 and 9 are SHOULD-level, so they are scenarios of their
  own, apart from the MUST that a request be refused at all.

  @rfc7644-3.12-error-json @rfc7644-3.1-message-urn @must
  Scenario: A 404 body is a SCIM Error message
    When I GET "/Users/010101001010101011001010101011"
    Then the body is a SCIM Error message

  @rfc7644-3.12-error-status-string @must
  Scenario: The error's status is the HTTP status as a JSON string
    When I GET "/Users/010101001010101011001010101011"
    Then the response status is 404
    And the body's status is the string "404"

  @rfc7644-3.12-error-json @rfc7644-3.12-error-status-string @must
  Scenario: A 400 body is a SCIM Error message with a string status
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "displayName": "No Name"}
      """
    Then the response status is 400
    And the body is a SCIM Error message
    And the body's status is the string "400"

  @rfc7644-3.2-error-status-in-body @should
  Scenario: The status in the body matches the HTTP status
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "displayName": "No Name"}
      """
    Then the body's status is the string "400"

  @rfc7644-3.8-accept-scim-json @must
  Scenario: Errors are served as application/scim+json
    When I GET "/Users/010101001010101011001010101011"
    Then the header "Content-Type" starts with "application/scim+json"

  @iop-error-detail @should
  Scenario: An error has a detail a person can act on
    When I GET "/Users/010101001010101011001010101011"
    Then the body's detail is not empty

  @rfc7644-3.12-status-404 @should
  Scenario: An unknown user id is 404
    When I GET "/Users/010101001010101011001010101011"
    Then the response is a SCIM error with status "404"

  @rfc7643-4.1.1-username-required @must
  Scenario: A user without userName is refused
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "displayName": "No Name"}
      """
    Then the request is refused with a 4xx status

  @rfc7643-4.1.1-username-required @must
  Scenario: A user with an empty userName is refused
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": ""}
      """
    Then the request is refused with a 4xx status

  @rfc7644-3.12-invalid-value @should
  Scenario: A user without userName is 400 invalidValue
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "displayName": "No Name"}
      """
    Then the response is a SCIM error with status "400" and, if it names one, scimType "invalidValue"

  @rfc7644-3.12-invalid-value @needs-groups @should
  Scenario: A group without displayName is 400 invalidValue
    When I POST to "/Groups" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"]}
      """
    Then the response is a SCIM error with status "400" and, if it names one, scimType "invalidValue"

  @rfc7644-3.12-status-400 @should
  Scenario: Malformed JSON is 400
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "acve": tre
      """
    Then the response status is 400

  @rfc7644-3.12-invalid-syntax @should
  Scenario: Malformed JSON is invalidSyntax
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "acve": tre
      """
    Then the response is a SCIM error with status "400" and, if it names one, scimType "invalidSyntax"

  @rfc7643-2.2-types @must
  Scenario: A value of the wrong type is refused
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}typed@example.com", "active": 42}
      """
    Then the request is refused with a 4xx status

  @rfc7643-2.2-types @must
  Scenario: A string where a multi-valued complex attribute belongs is refused
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}typed2@example.com", "emails": "nope"}
      """
    Then the request is refused with a 4xx status

  @rfc7644-3.12-invalid-value @should
  Scenario: A value of the wrong type is 400 invalidValue
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}typed3@example.com", "active": 42}
      """
    Then the response is a SCIM error with status "400" and, if it names one, scimType "invalidValue"

  @rfc7644-3.2-put-not-create @must
  Scenario: PUT to an id that does not exist creates nothing
    When I PUT "/Users/00919288221112222" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}ghost@example.com"}
      """
    Then the request is refused with a 4xx status
    When I GET "/Users/00919288221112222"
    Then the response status is 404

  @rfc7644-3.12-status-404 @should
  Scenario: An unknown endpoint is 404
    When I GET "/NoSuchEndpoint"
    Then the response status is 404

  @rfc7644-3.8-accept-json @should
  Scenario: Accept: application/json is answered with JSON
    When I send GET to "/ServiceProviderConfig" with header "Accept: application/json"
    Then the response status is 200
    And the JSON at "schemas" is an array

  @rfc7644-3.8-accept-scim-json @must
  Scenario: Accept: application/scim+json is answered with application/scim+json
    When I GET "/ServiceProviderConfig"
    Then the response status is 200
    And the header "Content-Type" starts with "application/scim+json"

  @rfc7644-3.4.2-ignore-unknown-params @should
  Scenario: Unknown query parameters are ignored
    When I GET "/Users?count=1&x-scimcheck-unknown=1"
    Then the response status is 200

  @rfc7644-3.13-version @must
  Scenario: A SCIM version the server does not serve is not answered as if it were
    When I GET "${base}/../v3/Users"
    Then the request is refused with a 4xx status

  @rfc7644-3.12-status-501 @lacks-patch @should
  Scenario: PATCH on a server that does not support it is 501
    Given a user "nopatch" exists
    When I PATCH "/Users/${nopatch}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "title", "value": "x"}]}
      """
    Then the response status is 501

  @rfc7644-3.12-status-501 @lacks-bulk @should
  Scenario: /Bulk on a server that does not support it is 501
    When I POST to "/Bulk" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": []}
      """
    Then the response status is 501

  @rfc7644-3.11-me-501 @should
  Scenario: /Me, when not supported, is 501
    When I GET "/Me"
    Then the response status is one of 200, 308, 501
