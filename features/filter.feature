@filter @needs-filter
Feature: Filtering
  GET /{resource}?filter=... (RFC 7644 §3.4.2.2) with every operator, precedence, value paths,
  case rules and extension attributes. Every filter names values only this scenario created
  (they start with the scenario's unique prefix), so other data on the server does not interfere.

  @rfc7644-3.4.2.2-matches-only @okta-lookup @msv-filter-user @must
  Scenario: Okta's lookup by userName finds exactly the user
    Given a user "alice" exists
    When I GET "/Users?filter=userName eq "${alice.userName}"&startIndex=1&count=100"
    Then the response status is 200
    And the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].id" is "${alice}"

  @rfc7644-3.4.2.2-matches-only @okta-lookup @must
  Scenario: A filter whose spaces are encoded as + is read the same
    Given a user "plus" exists
    When I GET "/Users?filter=userName+eq+%22${plus.userName}%22"
    Then the response status is 200
    And the response is a list of 1 resources out of 1

  @rfc7644-3.4.2.2-case-exact @rfc7643-4.1.1-username-unique @msv-filter-user-case @must
  Scenario: userName comparison ignores case (caseExact false)
    Given a user "casey" exists
    When I GET "/Users?filter=userName eq "${p}CASEY@EXAMPLE.COM""
    Then the response status is 200
    And the response is a list of 1 resources out of 1

  @rfc7644-3.4.2.2-case-exact @needs-groups @must
  Scenario: Group displayName comparison ignores case (caseExact false)
    Given a group "Finance Team" exists
    When I GET "/Groups?filter=displayName eq "${p}FINANCE team""
    Then the response is a list of 1 resources out of 1

  @rfc7644-3.4.2.2-case-exact @must
  Scenario: externalId comparison respects case (caseExact true)
    Given a user "exact" exists with:
      """
      {"externalId": "${p}AbC-Case"}
      """
    When I GET "/Users?filter=externalId eq "${p}AbC-Case""
    Then the response is a list of 1 resources out of 1
    When I GET "/Users?filter=externalId eq "${p}abc-case""
    Then the response is a list of 0 resources out of 0

  @rfc7644-3.4.2-no-match-200 @msv-filter-no-user @must
  Scenario: A lookup that matches nothing is an empty 200 list
    When I GET "/Users?filter=userName eq "${p}nobody@example.com""
    Then the response status is 200
    And the response is a list of 0 resources out of 0

  @rfc7644-3.4.2.2-operators @rfc7644-3.4.2.2-matches-only @must
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
    And the JSON at "Resources" contains {"id": "${<found>}"}

    Examples:
      | op | value                   | count | found |
      | eq | ${p}Senior Engineer     | 1     | anna  |
      | ne | ${p}Senior Engineer     | 1     | bert  |
      | co | Engineer                | 1     | anna  |
      | co | i                       | 2     | bert  |
      | sw | ${p}Junior              | 1     | bert  |
      | ew | Analyst                 | 1     | bert  |
      | gt | ${p}Junior Analyst      | 1     | anna  |
      | ge | ${p}Junior Analyst      | 2     | bert  |
      | lt | ${p}Senior Engineer     | 1     | bert  |
      | le | ${p}Junior Analyst      | 1     | bert  |

  @rfc7644-3.4.2.2-pr-non-empty @must
  Scenario: pr matches only users with a non-empty value
    Given a user "titled" exists with:
      """
      {"title": "Boss"}
      """
    And a user "untitled" exists
    And a user "blank" exists with:
      """
      {"phoneNumbers": []}
      """
    When I GET "/Users?filter=userName sw "${p}" and title pr"
    Then the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].id" is "${titled}"
    When I GET "/Users?filter=userName sw "${p}" and phoneNumbers pr"
    Then the response is a list of 0 resources out of 0

  @rfc7644-3.4.2.2-precedence @must
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

  @rfc7644-3.4.2.2-precedence @must
  Scenario: not binds tighter than and, and applies to its parenthesised filter
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
    When I GET "/Users?filter=not (title eq "${p}drop") and userName sw "${p}""
    Then the response is a list of 1 resources out of 1

  @rfc7644-3.4.2.2-names-case-insensitive @must
  Scenario: Operators and attribute names are case-insensitive
    Given a user "mixed" exists
    When I GET "/Users?filter=USERNAME EQ "${mixed.userName}" AND Active Eq true"
    Then the response is a list of 1 resources out of 1

  @rfc7644-3.4.2.2-same-value @must
  Scenario: A value path matches when one value satisfies the whole value filter
    Given a user "vp" exists with:
      """
      {"emails": [{"value": "${p}home@example.org", "type": "home"}, {"value": "${p}work@example.com", "type": "work", "primary": true}]}
      """
    And a user "vpnone" exists without "emails"
    When I GET "/Users?filter=emails[type eq "work" and value co "${p}work"]"
    Then the response is a list of 1 resources out of 1
    When I GET "/Users?filter=emails[type eq "work" and value co "${p}home"]"
    Then the response is a list of 0 resources out of 0

  @rfc7644-3.4.2.2-multi-valued-any @must
  Scenario: A multi-valued attribute matches when any value matches
    Given a user "multi" exists with:
      """
      {"emails": [{"value": "${p}first@example.org", "type": "home"}, {"value": "${p}second@example.com", "type": "work"}]}
      """
    And a user "mailless" exists without "emails"
    When I GET "/Users?filter=emails.value eq "${p}second@example.com""
    Then the response is a list of 1 resources out of 1
    When I GET "/Users?filter=emails.value eq "${p}first@example.org""
    Then the response is a list of 1 resources out of 1

  @rfc7644-3.4.2.2-matches-only @needs-enterprise @must
  Scenario: An extension attribute is filtered by its URN-qualified name
    Given a user "emp" exists with:
      """
      {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "${p}701984"}}
      """
    When I GET "/Users?filter=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "${p}701984""
    Then the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].id" is "${emp}"

  @rfc7644-3.4.2.2-datetime-chronological @must
  Scenario: dateTime attributes compare as instants, not as text
    Given a user "dated" exists
    When I GET "/Users?filter=userName eq "${dated.userName}" and meta.lastModified gt "2015-10-10T14:38:21.8617979-07:00""
    Then the response is a list of 1 resources out of 1
    When I GET "/Users?filter=userName eq "${dated.userName}" and meta.created lt "2001-01-01T00:00:00Z""
    Then the response is a list of 0 resources out of 0
    When I GET "/Users/${dated}"
    Then I remember the JSON at "meta.created" 60 minutes earlier in offset "+14:00" as "earlier"
    And I remember the JSON at "meta.created" 60 minutes later in offset "-12:00" as "later"
    When I GET "/Users?filter=userName eq "${dated.userName}" and meta.created gt "${earlier}""
    Then the response is a list of 1 resources out of 1
    When I GET "/Users?filter=userName eq "${dated.userName}" and meta.created lt "${later}""
    Then the response is a list of 1 resources out of 1

  @rfc7644-3.4.2.2-matches-only @must
  Scenario: Booleans compare as booleans
    Given a user "on" exists
    And a user "off" exists with:
      """
      {"active": false}
      """
    When I GET "/Users?filter=userName sw "${p}" and active eq false"
    Then the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].id" is "${off}"

  @rfc7644-3.4.2.2-defaulted-value @must
  Scenario: A filter on a defaulted attribute uses the value returned
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}defaulted@example.com"}
      """
    Then the response status is 201
    And I remember the response as "created"
    Then a filter on "active" agrees with what the remembered "created" showed

  @rfc7644-3.4.2.2-unknown-operator @must
  Scenario: An unknown operator is 400 invalidFilter, never ignored
    When I GET "/Users?filter=userName xx "a""
    Then the response is a SCIM error with status "400" and scimType "invalidFilter"

  @rfc7644-3.12-invalid-filter @should
  Scenario Outline: A filter with bad syntax is 400 invalidFilter: <why>
    When I GET "/Users?filter=<filter>"
    Then the response is a SCIM error with status "400" and, if it names one, scimType "invalidFilter"

    Examples:
      | why                   | filter                           |
      | missing value         | userName eq                      |
      | unclosed parenthesis  | (userName eq "a"                 |
      | unclosed string       | userName eq "a                   |
      | dangling and          | userName eq "a" and              |
      | unclosed value filter | emails[type eq "work"            |

  @rfc7644-3.4.2.2-boolean-binary-ordering @must
  Scenario Outline: Ordering a boolean is invalidFilter: active <op> true
    When I GET "/Users?filter=active <op> true"
    Then the response is a SCIM error with status "400" and scimType "invalidFilter"

    Examples:
      | op |
      | gt |
      | ge |
      | lt |
      | le |

  @rfc7644-3.4.2.2-boolean-binary-ordering @must
  Scenario: Ordering a binary attribute is invalidFilter
    When I GET "/Users?filter=x509Certificates.value gt "AAAA""
    Then the response is a SCIM error with status "400" and scimType "invalidFilter"

  @rfc7644-3.4.2.2-matches-only @needs-groups @okta-group-push @msv-filter-group @msv-group-excluding-members @must
  Scenario: Okta's group lookup by displayName, and Entra's without members
    Given a user "gm" exists
    And a group "Test SCIMv2" exists with members "gm"
    When I GET "/Groups?filter=displayName eq "${p}Test SCIMv2"&startIndex=1&count=100"
    Then the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].members" has 1 item
    When I GET "/Groups?excludedAttributes=members&filter=displayName eq "${p}Test SCIMv2""
    Then the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].members" does not exist
    When I GET "/Groups?filter=displayName eq "${p}no such group""
    Then the response is a list of 0 resources out of 0

  @rfc7644-3.4.2.2-multi-valued-any @needs-groups @must
  Scenario: The groups a user is in are found with members.value eq
    Given users "inside, outside" exist
    And a group "g1" exists with members "inside"
    And a group "g2" exists with members "inside, outside"
    And a group "g3" exists with members "outside"
    And a group "g4" exists
    When I GET "/Groups?filter=members.value eq "${inside}""
    Then the response is a list of 2 resources out of 2
    And the JSON at "Resources" contains {"id": "${g1}"}
    And the JSON at "Resources" contains {"id": "${g2}"}
    When I GET "/Groups?filter=members[value eq "${outside}"] and displayName eq "${p}g3""
    Then the response is a list of 1 resources out of 1

  @entra-unquoted-filter @may
  Scenario: Unquoted values, as legacy Entra and Microsoft's Postman tests send
    Given a user "jyoung" exists with:
      """
      {"externalId": "${p}jyoung"}
      """
    When I GET "/Users?filter=externalId eq ${p}jyoung"
    Then the response is a list of 1 resources out of 1

  @entra-value-path-compare @should
  Scenario: A value path followed by a sub-attribute comparison (Entra's matching)
    Given a user "ew" exists with:
      """
      {"emails": [{"value": "${p}match@contoso.com", "type": "work"}]}
      """
    And a user "ewnone" exists without "emails"
    When I GET "/Users?filter=emails[type eq "work"].value eq "${p}match@contoso.com""
    Then the response is a list of 1 resources out of 1

  @rfc7644-3.4.2.2-grammar-string @must
  Scenario: A filter value with an escaped quote and a backslash matches the stored value
    Given a user "esc" exists with:
      """
      {"displayName": "${p}say \"hi\" \\ bye"}
      """
    When I GET "/Users?filter=displayName eq "${p}say %5C"hi%5C" %5C%5C bye""
    Then the response is a list of 1 resources out of 1
    And the JSON at "Resources[0].id" is "${esc}"

  @rfc7644-3.4.2.2-case-exact @must
  Scenario Outline: <op> ignores case on a caseExact=false attribute (displayName)
    Given a user "cased" exists with:
      """
      {"displayName": "${p}MiXeD Case Name"}
      """
    When I GET "/Users?filter=userName sw "${p}" and displayName <op> "<value>""
    Then the response is a list of 1 resources out of 1

    Examples:
      | op | value         |
      | sw | ${p}mixed     |
      | ew | CASE NAME     |
      | co | ed cASE n     |
