@etag @needs-etag
Feature: ETags and conditional requests
  Versions (RFC 7644 §3.14): where a server advertises etag.supported, every resource has a
  version, sent as an ETag header; If-Match makes writes conditional; If-None-Match saves a
  download. A server that does not advertise ETags skips this feature.

  @rfc7644-3.14-etag-header @must
  Scenario: GET returns an ETag header, and it changes on every write
    Given a user "v" exists
    When I GET "/Users/${v}"
    Then the response status is 200
    And I remember the header "ETag" as "before"
    When I PUT "/Users/${v}" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${v.userName}", "title": "new"}
      """
    Then the response status is 200
    When I GET "/Users/${v}"
    Then I remember the header "ETag" as "after"
    And the header "ETag" is not "${before}"

  @rfc7644-3.14-meta-version @should
  Scenario: The ETag header equals meta.version
    Given a user "mv" exists
    When I GET "/Users/${mv}"
    Then the header "ETag" equals the JSON at "meta.version"

  @rfc7644-3.14-if-none-match @should
  Scenario: If-None-Match with the current version is 304 Not Modified
    Given a user "cached" exists
    When I GET "/Users/${cached}"
    Then I remember the header "ETag" as "etag"
    When I send GET to "/Users/${cached}" with header "If-None-Match: ${etag}"
    Then the response status is 304

  @rfc7644-3.14-if-match @must
  Scenario: PUT with a stale If-Match changes nothing
    Given a user "stale" exists
    When I send PUT to "/Users/${stale}" with header "If-Match: not-the-version" and body:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${stale.userName}", "title": "overwritten"}
      """
    Then the request is refused with a 4xx status
    When I GET "/Users/${stale}"
    Then the JSON at "title" does not exist

  @rfc7644-3.12-status-412 @should
  Scenario: PUT with a stale If-Match is 412
    Given a user "stale412" exists
    When I send PUT to "/Users/${stale412}" with header "If-Match: not-the-version" and body:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${stale412.userName}", "title": "overwritten"}
      """
    Then the response status is 412

  @rfc7644-3.14-if-match @needs-patch @must
  Scenario: PATCH with the current If-Match succeeds; with the old one it changes nothing
    Given a user "cond" exists
    When I GET "/Users/${cond}"
    Then I remember the header "ETag" as "v1"
    When I send PATCH to "/Users/${cond}" with header "If-Match: ${v1}" and body:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "title", "value": "one"}]}
      """
    Then the PATCH succeeded
    When I send PATCH to "/Users/${cond}" with header "If-Match: ${v1}" and body:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "title", "value": "two"}]}
      """
    Then the request is refused with a 4xx status
    When I GET "/Users/${cond}"
    Then the JSON at "title" is "one"

  @rfc7644-3.14-if-match @must
  Scenario: DELETE with a stale If-Match leaves the resource
    Given a user "kept" exists
    When I send DELETE to "/Users/${kept}" with header "If-Match: stale-version"
    Then the request is refused with a 4xx status
    When I GET "/Users/${kept}"
    Then the response status is 200
