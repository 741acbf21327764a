@pagination
Feature: Pagination
  Index pagination (RFC 7644 §3.4.2.4), as Okta and Entra page, and cursor pagination
  (RFC 9865).

  Background:
    Given users "p1, p2, p3, p4, p5" exist

  @rfc7644-3.4.2.4 @needs-filter @okta-import @must
  Scenario: startIndex and count select a window; totalResults counts all matches
    When I GET "/Users?filter=userName sw "${p}"&startIndex=2&count=2"
    Then the response is a list of 2 resources out of 5
    And the JSON at "startIndex" is 2

  @rfc7644-3.4.2.4 @needs-filter @must
  Scenario: Pages are stable and cover every match exactly once
    When I GET "/Users?filter=userName sw "${p}"&startIndex=1&count=2"
    Then I remember the JSON at "Resources[0].id" as "first"
    When I GET "/Users?filter=userName sw "${p}"&startIndex=5&count=2"
    Then the response is a list of 1 resources out of 5
    And the JSON at "Resources[0].id" does not contain "${first}"
    When I GET "/Users?filter=userName sw "${p}"&startIndex=1&count=2"
    Then the JSON at "Resources[0].id" is "${first}"

  @rfc7644-3.4.2.4 @needs-filter @must
  Scenario: startIndex below 1 is read as 1
    When I GET "/Users?filter=userName sw "${p}"&startIndex=0&count=1"
    Then the response status is 200
    And the JSON at "startIndex" is 1
    And the response is a list of 1 resources out of 5

  @rfc7644-3.4.2.4 @needs-filter @must
  Scenario: A negative count is read as 0: only totalResults
    When I GET "/Users?filter=userName sw "${p}"&count=-5"
    Then the response status is 200
    And the response is a list of 0 resources out of 5

  @rfc7644-3.4.2.4 @needs-filter @should
  Scenario: A start past the end is an empty page, not an error
    When I GET "/Users?filter=userName sw "${p}"&startIndex=100"
    Then the response is a list of 0 resources out of 5

  @rfc7644-3.4.2.4 @iop @should
  Scenario: A count above the server's maximum gets fewer results, not an error
    When I GET "/Users?count=100000"
    Then the response status is 200
    And the response matches the "ListResponse" schema

  @rfc9865 @needs-cursor @needs-filter @must
  Scenario: Cursor pagination walks every match with nextCursor, and previousCursor goes back
    When I GET "/Users?filter=userName sw "${p}"&sortBy=userName&count=2&cursor="
    Then the response is a list of 2 resources out of 5
    And the JSON at "previousCursor" does not exist
    And I remember the JSON at "nextCursor" as "page2"
    And I remember the JSON at "Resources[0].id" as "first"
    When I GET "/Users?filter=userName sw "${p}"&sortBy=userName&count=2&cursor=${page2}"
    Then the response is a list of 2 resources out of 5
    And I remember the JSON at "nextCursor" as "page3"
    And I remember the JSON at "previousCursor" as "back"
    When I GET "/Users?filter=userName sw "${p}"&sortBy=userName&count=2&cursor=${page3}"
    Then the response is a list of 1 resources out of 5
    And the JSON at "nextCursor" does not exist
    When I GET "/Users?filter=userName sw "${p}"&sortBy=userName&count=2&cursor=${back}"
    Then the JSON at "Resources[0].id" is "${first}"

  @rfc9865 @needs-cursor @needs-filter @must
  Scenario: Pages stay correct when resources are added between requests
    When I GET "/Users?filter=userName sw "${p}"&sortBy=userName&count=2&cursor="
    Then I remember the JSON at "nextCursor" as "page2"
    Given a user "p0" exists
    When I GET "/Users?filter=userName sw "${p}"&sortBy=userName&count=2&cursor=${page2}"
    Then the JSON at "Resources[0].userName" is "${p}p3@example.com"
    And the JSON at "Resources[1].userName" is "${p}p4@example.com"

  @rfc9865 @needs-cursor @must
  Scenario: A modified cursor is invalidCursor, never another page
    When I GET "/Users?count=1&cursor="
    Then I remember the JSON at "nextCursor" as "next"
    When I GET "/Users?count=1&cursor=${next}AA"
    Then the response is a SCIM error with status "400" and scimType "invalidCursor"
    When I GET "/Users?count=1&cursor=garbage"
    Then the response is a SCIM error with status "400" and scimType "invalidCursor"

  @rfc9865 @needs-cursor @should
  Scenario: Changing count in the middle of a paged query is invalidCount
    When I GET "/Users?count=1&cursor="
    Then I remember the JSON at "nextCursor" as "next"
    When I GET "/Users?count=2&cursor=${next}"
    Then the response is a SCIM error with status "400" and scimType "invalidCount"
