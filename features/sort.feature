@sort @needs-sort @needs-filter
Feature: Sorting
  sortBy and sortOrder (RFC 7644 §3.4.2.3): any singular attribute, or the primary value of a
  multi-valued one; ascending by default.

  Background:
    Given a user "charlie" exists with:
      """
      {"name": {"givenName": "Charlie", "familyName": "${p}Brown"}, "emails": [{"value": "${p}z@example.com", "primary": true}]}
      """
    And a user "alice" exists with:
      """
      {"name": {"givenName": "Alice", "familyName": "${p}carter"}, "emails": [{"value": "${p}y@example.com", "primary": true}]}
      """
    And a user "bob" exists with:
      """
      {"name": {"givenName": "Bob", "familyName": "${p}Adams"}, "emails": [{"value": "${p}a@example.com"}, {"value": "${p}x@example.com", "primary": true}]}
      """

  @rfc7644-3.4.2.3 @must
  Scenario: sortBy userName sorts ascending by default
    When I GET "/Users?filter=userName sw "${p}"&sortBy=userName"
    Then the response is a list of 3 resources out of 3
    And the JSON at "Resources[0].id" is "${alice}"
    And the JSON at "Resources[1].id" is "${bob}"
    And the JSON at "Resources[2].id" is "${charlie}"

  @rfc7644-3.4.2.3 @must
  Scenario: sortOrder=descending reverses the order
    When I GET "/Users?filter=userName sw "${p}"&sortBy=userName&sortOrder=descending"
    Then the JSON at "Resources[0].id" is "${charlie}"
    And the JSON at "Resources[2].id" is "${alice}"

  @rfc7644-3.4.2.3 @must
  Scenario: A case-insensitive sub-attribute sorts without regard to case
    When I GET "/Users?filter=userName sw "${p}"&sortBy=name.familyName"
    Then the JSON at "Resources[0].id" is "${bob}"
    And the JSON at "Resources[1].id" is "${charlie}"
    And the JSON at "Resources[2].id" is "${alice}"

  @rfc7644-3.4.2.3 @should
  Scenario: A multi-valued attribute sorts by its primary value
    When I GET "/Users?filter=userName sw "${p}"&sortBy=emails.value"
    Then the JSON at "Resources[0].id" is "${bob}"
    And the JSON at "Resources[1].id" is "${alice}"
    And the JSON at "Resources[2].id" is "${charlie}"

  @rfc7644-3.4.2.3 @should
  Scenario: An unknown sortOrder is rejected
    When I GET "/Users?sortBy=userName&sortOrder=sideways"
    Then the response is a SCIM error with status "400"
