@pagination
Feature: Pagination
  Index pagination (RFC 7644 §3.4.2.4), as Okta and Entra page, and cursor pagination
  (RFC 9865). Pagination is not optional, so only the scenarios that scope their window with a
  filter need filter support; the rest page through the whole user list.

  Background:
    Given users "p1, p2, p3, p4, p5" exist

  @rfc7644-3.4.2.4-window @needs-filter @okta-import @msl-pagination @must
  Scenario: startIndex and count select a window; totalResults counts all matches
    When I GET "/Users?filter=userName sw "${p}"&startIndex=2&count=2"
    Then the response is a list of 2 resources out of 5

  @rfc7644-3.4.2-start-index @must
  Scenario: A partial page says where it starts
    When I GET "/Users?startIndex=2&count=2"
    Then the response status is 200
    And the JSON at "startIndex" is 2

  @rfc7644-3.4.2-items-per-page @must
  Scenario: A partial page says how many resources it holds
    When I GET "/Users?startIndex=1&count=2"
    Then the response status is 200
    And the JSON at "Resources" has 2 items
    And the JSON at "itemsPerPage" is 2

  @rfc7644-3.4.2.4-count-limit @must
  Scenario: No more results than count
    When I GET "/Users?count=3"
    Then the response status is 200
    And the JSON at "Resources" has 3 items

  @rfc7644-3.4.2.4-window @needs-filter @must
  Scenario: The last page of a query holds the remainder
    When I GET "/Users?filter=userName sw "${p}"&startIndex=5&count=2"
    Then the response is a list of 1 resources out of 5

  @rfc7644-3.4.2.4-start-index-below-1 @serial @must
  Scenario: startIndex below 1 is read as 1
    When I GET "/Users?startIndex=1&count=1"
    Then I remember the JSON at "Resources[0].id" as "first"
    When I GET "/Users?startIndex=0&count=1"
    Then the response status is 200
    And the JSON at "Resources[0].id" is "${first}"
    When I GET "/Users?startIndex=-3&count=1"
    Then the response status is 200
    And the JSON at "Resources[0].id" is "${first}"

  @rfc7644-3.4.2.4-negative-count @must
  Scenario: A negative count is read as 0: only totalResults
    When I GET "/Users?count=-5"
    Then the response status is 200
    And the JSON at "Resources" has 0 items
    And the JSON at "totalResults" is a number

  @rfc7644-3.4.2.4-count-zero @serial @must
  Scenario: count=0 returns no resources but the total
    When I GET "/Users"
    Then I remember the JSON at "totalResults" as "total"
    When I GET "/Users?count=0"
    Then the response status is 200
    And the JSON at "Resources" has 0 items
    And the JSON at "totalResults" is ${total}

  @rfc7644-3.4.2.4-count-zero @needs-filter @must
  Scenario: count=0 on a filtered query gives the filtered total
    When I GET "/Users?filter=userName sw "${p}"&count=0"
    Then the response is a list of 0 resources out of 5

  @rfc7644-3.4.2.4-start-past-end @needs-filter @must
  Scenario: A start past the end holds no resources
    When I GET "/Users?filter=userName sw "${p}"&startIndex=100"
    Then the response status is 200
    And the JSON at "Resources" has 0 items

  @iop-pagination-max @must
  Scenario: A count above the server's maximum gets fewer results, not an error
    When I GET "/Users?count=100000"
    Then the response status is 200
    And the JSON at "Resources" is an array

  @rfc9865-next-cursor @needs-cursor @needs-filter @must
  Scenario: Cursor pagination walks every match with nextCursor
    When I GET "/Users?filter=userName sw "${p}"&sortBy=userName&count=2&cursor="
    Then the response is a list of 2 resources out of 5
    And I remember the JSON at "nextCursor" as "page2"
    When I GET "/Users?filter=userName sw "${p}"&sortBy=userName&count=2&cursor=${page2}"
    Then the response is a list of 2 resources out of 5
    And I remember the JSON at "nextCursor" as "page3"
    When I GET "/Users?filter=userName sw "${p}"&sortBy=userName&count=2&cursor=${page3}"
    Then the response is a list of 1 resources out of 5
    And the JSON at "nextCursor" does not exist

  @rfc9865-previous-cursor @needs-cursor @needs-filter @may
  Scenario: previousCursor goes back and is absent on the first page
    When I GET "/Users?filter=userName sw "${p}"&sortBy=userName&count=2&cursor="
    Then the JSON at "previousCursor" does not exist
    And I remember the JSON at "nextCursor" as "page2"
    And I remember the JSON at "Resources[0].id" as "first"
    When I GET "/Users?filter=userName sw "${p}"&sortBy=userName&count=2&cursor=${page2}"
    Then I remember the JSON at "previousCursor" as "back"
    When I GET "/Users?filter=userName sw "${p}"&sortBy=userName&count=2&cursor=${back}"
    Then the JSON at "Resources[0].id" is "${first}"

  @rfc9865-next-cursor @needs-cursor @needs-filter @must
  Scenario: Cursor pages stay correct when resources are added between requests
    When I GET "/Users?filter=userName sw "${p}"&sortBy=userName&count=2&cursor="
    Then I remember the JSON at "nextCursor" as "page2"
    Given a user "p0" exists
    When I GET "/Users?filter=userName sw "${p}"&sortBy=userName&count=2&cursor=${page2}"
    Then the JSON at "Resources[0].userName" is "${p}p3@example.com"
    And the JSON at "Resources[1].userName" is "${p}p4@example.com"

  @rfc9865-invalid-cursor @needs-cursor @must
  Scenario: A modified cursor is invalidCursor, never another page
    When I GET "/Users?count=1&cursor="
    Then I remember the JSON at "nextCursor" as "next"
    When I GET "/Users?count=1&cursor=${next}AA"
    Then the response is a SCIM error with status "400" and scimType "invalidCursor"
    When I GET "/Users?count=1&cursor=garbage"
    Then the response is a SCIM error with status "400" and scimType "invalidCursor"

  @rfc9865-invalid-count @needs-cursor @should
  Scenario: Changing count in the middle of a paged query is invalidCount
    When I GET "/Users?count=1&cursor="
    Then I remember the JSON at "nextCursor" as "next"
    When I GET "/Users?count=2&cursor=${next}"
    Then the response is a SCIM error with status "400" and scimType "invalidCount"
