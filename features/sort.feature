@sort @needs-sort @needs-filter
Feature: Sorting
  sortBy and sortOrder (RFC 7644 §3.4.2.3): any singular attribute, or the primary value of a
  multi-valued one; ascending by default; case-insensitive for caseExact=false attributes and
  case-sensitive for caseExact=true ones. The names are picked so that the two orders differ.

  Background:
    Given a user "charlie" exists with:
      """
      {"userName": "${p}Charlie@example.com", "externalId": "${p}b-ext", "name": {"givenName": "Charlie", "familyName": "${p}Brown"},
       "emails": [{"value": "${p}z@example.com", "primary": true}]}
      """
    And a user "alice" exists with:
      """
      {"userName": "${p}alice@example.com", "externalId": "${p}B-ext", "name": {"givenName": "Alice", "familyName": "${p}carter"},
       "emails": [{"value": "${p}y@example.com", "primary": true}]}
      """
    And a user "bob" exists with:
      """
      {"userName": "${p}Bob@example.com", "externalId": "${p}a-ext", "name": {"givenName": "Bob", "familyName": "${p}adams"},
       "emails": [{"value": "${p}zz@example.com"}, {"value": "${p}x@example.com", "primary": true}]}
      """

  @rfc7644-3.4.2.3-sort-by @rfc7644-3.4.2.3-ascending-default @must
  Scenario: sortBy userName sorts ascending by default
    When I GET "/Users?filter=userName sw "${p}"&sortBy=userName"
    Then the response is a list of 3 resources out of 3
    And the JSON at "Resources[0].id" is "${alice}"
    And the JSON at "Resources[1].id" is "${bob}"
    And the JSON at "Resources[2].id" is "${charlie}"

  @rfc7644-3.4.2.3-sort-by @must
  Scenario: sortOrder=descending reverses the order
    When I GET "/Users?filter=userName sw "${p}"&sortBy=userName&sortOrder=descending"
    Then the JSON at "Resources[0].id" is "${charlie}"
    And the JSON at "Resources[2].id" is "${alice}"

  @rfc7644-3.4.2.3-sort-by-type @must
  Scenario: A case-insensitive sub-attribute sorts without regard to case
    When I GET "/Users?filter=userName sw "${p}"&sortBy=name.familyName"
    Then the JSON at "Resources[0].id" is "${bob}"
    And the JSON at "Resources[1].id" is "${charlie}"
    And the JSON at "Resources[2].id" is "${alice}"

  @rfc7644-3.4.2.3-sort-by-type @must
  Scenario: A case-exact attribute sorts with regard to case (externalId)
    # Code-point order (B < a < b) or a case-sensitive collation (a < b < B); an order that
    # ignores case and ties B and b at random passes only by luck of the tie.
    When I GET "/Users?filter=userName sw "${p}"&sortBy=externalId"
    Then the ids at "Resources" are in one of the orders "alice, bob, charlie" or "bob, charlie, alice"

  @rfc7644-3.4.2.3-multi-valued-primary @must
  Scenario: A multi-valued attribute sorts by its primary value
    When I GET "/Users?filter=userName sw "${p}"&sortBy=emails.value"
    Then the JSON at "Resources[0].id" is "${bob}"
    And the JSON at "Resources[1].id" is "${alice}"
    And the JSON at "Resources[2].id" is "${charlie}"

  @rfc7644-3.4.2.3-missing-last @must
  Scenario: Resources without a value sort last ascending and first descending
    Given a user "nobody" exists with:
      """
      {"name": {"givenName": "Nobody"}}
      """
    When I GET "/Users?filter=userName sw "${p}"&sortBy=name.familyName"
    Then the JSON at "Resources[3].id" is "${nobody}"
    When I GET "/Users?filter=userName sw "${p}"&sortBy=name.familyName&sortOrder=descending"
    Then the JSON at "Resources[0].id" is "${nobody}"
