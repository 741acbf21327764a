@filter @needs-filter
Feature: Filtering
  GET /{resource}?filter=... (RFC 7644 §3.4.2.2) with every operator, precedence, value paths,
  case rules and extension attributes. Every scenario scopes its filter to the users it
  created (their userName starts with the scenario prefix), so other data does not interfere.

  @rfc7644-3.4.2.2 @okta-lookup @must
  Scenario: Okta's lookup by userName finds exactly the user
    Given a user "alice" exists
    When I GET "/Users?filter=userName eq "${alice.userName}"&startIndex=1&count=100"
    Then the response status is 200
    And the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].id" is "${alice}"

  @rfc7643-4.1 @must
  Scenario: userName comparison ignores case (caseExact false)
    Given a user "casey" exists
    When I GET "/Users?filter=userName eq "${p}CASEY@EXAMPLE.COM""
    Then the response status is 200
    And the response is a list of 1 resources out of 1

  @rfc7644-3.4.2.2 @okta-spec @must
  Scenario: A lookup that matches nothing is an empty 200 list
    When I GET "/Users?filter=userName eq "${p}nobody@example.com""
    Then the response status is 200
    And the response is a list of 0 resources out of 0

  @entra-test-connection @must
  Scenario: Entra's test connection: a filter on a random GUID is an empty 200 list
    When I GET "/Users?filter=externalId eq "2f1e0a1c-8c1e-4a36-9f52-3b8a7e6a9d11""
    Then the response status is 200
    And the JSON at "totalResults" is 0
    And the JSON at "Resources" has 0 items

  @rfc7644-3.4.2.2 @must
  Scenario Outline: Comparison operators on a string attribute: <op>
    Given a user "anna" exists with:
      """
      {"title": "${p}Senior Engineer"}
      """
    And a user "bert" exists with:
      """
      {"title": "${p}Junior Analyst"}
      """
    When I GET "/Users?filter=userName sw "${p}" and title <op> "<value>""
    Then the response status is 200
    And the JSON at "totalResults" is <count>

    Examples:
      | op | value                   | count |
      | eq | ${p}Senior Engineer     | 1     |
      | ne | ${p}Senior Engineer     | 1     |
      | co | Engineer                | 1     |
      | co | i                       | 2     |
      | sw | ${p}Junior              | 1     |
      | ew | ANALYST                 | 1     |
      | gt | ${p}K                   | 1     |
      | ge | ${p}Junior Analyst      | 2     |
      | lt | ${p}K                   | 1     |
      | le | ${p}Junior Analyst      | 1     |

  @rfc7644-3.4.2.2 @must
  Scenario: pr matches only users with a non-empty value
    Given a user "titled" exists with:
      """
      {"title": "Boss"}
      """
    And a user "untitled" exists
    When I GET "/Users?filter=userName sw "${p}" and title pr"
    Then the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].id" is "${titled}"

  @rfc7644-3.4.2.2 @must
  Scenario: and binds tighter than or
    Given a user "a" exists with:
      """
      {"title": "${p}A"}
      """
    And a user "b" exists with:
      """
      {"title": "${p}B"}
      """
    When I GET "/Users?filter=title eq "${p}A" or title eq "${p}B" and nickName eq "${p}none""
    Then the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].id" is "${a}"
    When I GET "/Users?filter=(title eq "${p}A" or title eq "${p}B") and nickName eq "${p}none""
    Then the response is a list of 0 resources out of 0

  @rfc7644-3.4.2.2 @must
  Scenario: not negates a parenthesised filter
    Given a user "keep" exists with:
      """
      {"title": "${p}keep"}
      """
    And a user "drop" exists with:
      """
      {"title": "${p}drop"}
      """
    When I GET "/Users?filter=userName sw "${p}" and not (title eq "${p}drop")"
    Then the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].id" is "${keep}"

  @rfc7644-3.4.2.2 @erratum-7319 @should
  Scenario: not( without a space is accepted
    Given a user "n1" exists with:
      """
      {"title": "${p}x"}
      """
    When I GET "/Users?filter=userName sw "${p}" and not(title eq "${p}y")"
    Then the response is a list of 1 resources out of 1

  @rfc7644-3.4.2.2 @must
  Scenario: Operators and attribute names are case-insensitive
    Given a user "mixed" exists
    When I GET "/Users?filter=USERNAME EQ "${mixed.userName}" AND Active Eq true"
    Then the response is a list of 1 resources out of 1

  @rfc7644-3.4.2.2 @must
  Scenario: A value path matches when one value satisfies the whole value filter
    Given a user "vp" exists with:
      """
      {"emails": [{"value": "${p}home@example.org", "type": "home"}, {"value": "${p}work@example.com", "type": "work", "primary": true}]}
      """
    When I GET "/Users?filter=emails[type eq "work" and value co "${p}work"]"
    Then the response is a list of 1 resources out of 1
    When I GET "/Users?filter=emails[type eq "work" and value co "${p}home"]"
    Then the response is a list of 0 resources out of 0

  @rfc7644-3.4.2.2 @must
  Scenario: A multi-valued attribute matches when any value matches
    Given a user "multi" exists with:
      """
      {"emails": [{"value": "${p}first@example.org", "type": "home"}, {"value": "${p}second@example.com", "type": "work"}]}
      """
    When I GET "/Users?filter=emails.value eq "${p}second@example.com""
    Then the response is a list of 1 resources out of 1
    When I GET "/Users?filter=emails eq "${p}first@example.org""
    Then the response is a list of 1 resources out of 1

  @rfc7644-3.10 @rfc7643-4.3 @must
  Scenario: An extension attribute is filtered by its URN-qualified name
    Given a user "emp" exists with:
      """
      {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "${p}701984"}}
      """
    When I GET "/Users?filter=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "${p}701984""
    Then the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].id" is "${emp}"

  @rfc7644-3.4.2.2 @must
  Scenario: dateTime attributes compare as instants
    Given a user "dated" exists
    When I GET "/Users?filter=userName eq "${dated.userName}" and meta.lastModified gt "2015-10-10T14:38:21.8617979-07:00""
    Then the response is a list of 1 resources out of 1
    When I GET "/Users?filter=userName eq "${dated.userName}" and meta.created lt "2001-01-01T00:00:00Z""
    Then the response is a list of 0 resources out of 0

  @rfc7644-3.4.2.2 @must
  Scenario: Booleans compare as booleans
    Given a user "on" exists
    And a user "off" exists with:
      """
      {"active": false}
      """
    When I GET "/Users?filter=userName sw "${p}" and active eq false"
    Then the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].id" is "${off}"

  @rfc7644-3.4.2.2 @must
  Scenario: A filter on an attribute the resource type does not have is invalidFilter
    When I GET "/Users?filter=favoriteColor eq "blue""
    Then the response is a SCIM error with status "400" and scimType "invalidFilter"

  @rfc7644-3.4.2.2 @must
  Scenario Outline: A malformed filter is invalidFilter, never ignored: <why>
    When I GET "/Users?filter=<filter>"
    Then the response is a SCIM error with status "400" and scimType "invalidFilter"

    Examples:
      | why                   | filter                           |
      | unknown operator      | userName xx "a"                  |
      | missing value         | userName eq                      |
      | unclosed parenthesis  | (userName eq "a"                 |
      | unclosed string       | userName eq "a                   |
      | dangling and          | userName eq "a" and              |
      | unclosed value filter | emails[type eq "work"            |

  @rfc7644-3.4.2.2 @should
  Scenario: Ordering a boolean is invalidFilter
    When I GET "/Users?filter=active gt true"
    Then the response is a SCIM error with status "400" and scimType "invalidFilter"

  @rfc7644-3.4.2.2 @okta-group-push @must
  Scenario: Okta's group lookup by displayName, and Entra's without members
    Given a user "gm" exists
    And a group "Test SCIMv2" exists with members "gm"
    When I GET "/Groups?filter=displayName eq "${p}Test SCIMv2"&startIndex=1&count=100"
    Then the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].members" has 1 item
    When I GET "/Groups?excludedAttributes=members&filter=displayName eq "${p}TEST scimv2""
    Then the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].members" does not exist

  @entra-legacy @lenient @may
  Scenario: Unquoted values, as legacy Entra and Microsoft's Postman tests send
    Given a user "jyoung" exists with:
      """
      {"externalId": "${p}jyoung"}
      """
    When I GET "/Users?filter=externalId eq ${p}jyoung"
    Then the response is a list of 1 resources out of 1

  @entra @lenient @should
  Scenario: A value path followed by a sub-attribute comparison (Entra's matching)
    Given a user "ew" exists with:
      """
      {"emails": [{"value": "${p}match@contoso.com", "type": "work"}]}
      """
    When I GET "/Users?filter=emails[type eq "work"].value eq "${p}match@contoso.com""
    Then the response is a list of 1 resources out of 1
