@search @needs-filter
Feature: Searching with POST /.search
  A SearchRequest body carries what a GET query string would (RFC 7644 §3.4.3), so that filters
  stay out of URLs and logs.

  @rfc7644-3.4.3-dot-search @must
  Scenario: POST /Users/.search is a query
    Given users "s1, s2, s3" exist
    When I POST to "/Users/.search" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
       "filter": "userName sw \"${p}\"", "startIndex": 2, "count": 1}
      """
    Then the response status is 200
    And the response is a list of 1 resources out of 3

  @rfc7644-3.4.3-dot-search @rfc7644-3.9-attributes @needs-sort @must
  Scenario: POST /Users/.search sorts, pages and projects
    Given users "s1, s2, s3" exist
    When I POST to "/Users/.search" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
       "filter": "userName sw \"${p}\"", "sortBy": "userName", "startIndex": 2, "count": 1,
       "attributes": ["userName"]}
      """
    Then the response status is 200
    And the JSON at "Resources[0].userName" is "${p}s2@example.com"
    And the JSON at "Resources[0].name" does not exist

  @rfc7644-3.4.2.1-root-query @rfc7644-3.4.2.1-root-filter @needs-groups @must
  Scenario: POST /.search at the root, when answered, searches every resource type
    Given a user "root" exists
    And a group "rootgroup" exists
    When I POST to "/.search" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
       "filter": "id eq \"${root}\" or id eq \"${rootgroup}\""}
      """
    Then if the root query was answered, the JSON at "totalResults" is 2

  @rfc7644-3.4.2.1-absent-attribute @needs-groups @must
  Scenario: At the root, an attribute a type lacks is treated as having no value
    Given a user "root" exists
    And a group "rootgroup" exists
    When I POST to "/.search" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
       "filter": "userName eq \"${root.userName}\" or displayName eq \"${p}rootgroup\""}
      """
    Then if the root query was answered, the JSON at "totalResults" is 2

  @rfc7644-3.4.2.2-unknown-operator @must
  Scenario: A bad filter in a SearchRequest is invalidFilter
    When I POST to "/Users/.search" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName zz \"x\""}
      """
    Then the response is a SCIM error with status "400" and scimType "invalidFilter"

  @rfc7644-3.12-invalid-syntax @should
  Scenario: A SearchRequest that is not an object is invalidSyntax
    When I POST to "/Users/.search" with:
      """
      ["userName eq \"x\""]
      """
    Then the response is a SCIM error with status "400" and, if it names one, scimType "invalidSyntax"
