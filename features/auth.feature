@auth
Feature: Authentication
  Requests without valid credentials are refused with 401 and a SCIM error body; a bearer
  challenge tells the client how to authenticate (RFC 7644 §2, RFC 6750 §3).

  @rfc7644-2 @okta-spec @must
  Scenario: A request with a non-bearer Authorization header is 401 with a SCIM error
    When I send GET to "/Users?filter=userName%20eq%20%22nobody%40example.com%22" with the Authorization header "non-token"
    Then the response is a SCIM error with status "401"

  @rfc7644-2 @must
  Scenario: A request without credentials is 401
    When I send GET to "/Users" without a token
    Then the response is a SCIM error with status "401"

  @rfc6750-3 @should
  Scenario: A 401 carries a Bearer challenge
    When I send GET to "/Users" without a token
    Then the response status is 401
    And the header "WWW-Authenticate" starts with "Bearer"

  @rfc7644-2 @must
  Scenario: A wrong bearer token is 401
    When I send GET to "/Users" with the Authorization header "Bearer not-the-right-token"
    Then the response is a SCIM error with status "401"

  @rfc7644-2 @must
  Scenario: Writes without credentials are refused and change nothing
    When I send POST to "/Users" without a token
    Then the response is a SCIM error with status "401"
