@search @needs-filter
Feature: Searching with POST /.search
  A SearchRequest body carries what a GET query string would (RFC 7644 §3.4.3), so that filters
  stay out of URLs and logs.

  @rfc7644-3.4.3 @should
  Scenario: POST /Users/.search filters, pages and projects
    Given users "s1, s2, s3" exist
    When I POST to "/Users/.search" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
       "filter": "userName sw \"${p}\"", "sortBy": "userName", "startIndex": 2, "count": 1,
       "attributes": ["userName"]}
      """
    Then the response status is 200
    And the response is a list of 1 resources out of 3
    And the JSON at "Resources[0].userName" is "${p}s2@example.com"
    And the JSON at "Resources[0].name" does not exist

  @rfc7644-3.4.3 @may
  Scenario: POST /.search at the root searches every resource type
    Given a user "root" exists
    And a group "rootgroup" exists
    When I POST to "/.search" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
       "filter": "id eq \"${root}\" or id eq \"${rootgroup}\""}
      """
    Then the response status is 200
    And the JSON at "totalResults" is 2

  @rfc7644-3.4.3 @should
  Scenario: A bad filter in a SearchRequest is invalidFilter
    When I POST to "/Users/.search" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName zz \"x\""}
      """
    Then the response is a SCIM error with status "400" and scimType "invalidFilter"
