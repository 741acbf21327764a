@auth
Feature: Authentication
  RFC 7644 §2 leaves the scheme open and allows anonymous requests (§2.2), so refusing a
  missing or wrong credential with 401 is Table 8's SHOULD; announcing the schemes in
  WWW-Authenticate is a SHALL. Okta's spec test and Microsoft's validation require the 401.

  @rfc7644-2-www-authenticate @must
  Scenario: A 401 announces the authentication schemes in WWW-Authenticate
    When I send GET to "/Users" without a token
    Then a 401 response carries a "WWW-Authenticate" header
    When I send GET to "/Users" with the Authorization header "Bearer not-the-right-token"
    Then a 401 response carries a "WWW-Authenticate" header

  @rfc7644-3.12-status-401 @should
  Scenario: A request without credentials is 401
    When I send GET to "/Users" without a token
    Then the response status is 401

  @rfc7644-3.12-status-401 @should
  Scenario: A wrong bearer token is 401
    When I send GET to "/Users" with the Authorization header "Bearer not-the-right-token"
    Then the response status is 401

  @rfc7644-3.12-error-json @must
  Scenario: A refused request's body is a SCIM Error message
    When I send GET to "/Users" without a token
    Then if the response is an error, the body is a SCIM Error message

  @rfc7644-3.12-status-401 @should
  Scenario: Writes without credentials are refused
    When I send POST to "/Users" without a token
    Then the response status is 401
