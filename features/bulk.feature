@bulk @needs-bulk
Feature: Bulk operations
  POST /Bulk (RFC 7644 §3.7): several operations in one request, with bulkId references that
  resolve in any order, per-operation status, location and version, and failOnErrors.

  @rfc7644-3.7 @must
  Scenario: Create a user and a group that refers to it by bulkId, in reverse order
    When I POST to "/Bulk" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
       "Operations": [
         {"method": "POST", "path": "/Groups", "bulkId": "grp",
          "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "${p}bulk group",
                   "members": [{"type": "User", "value": "bulkId:usr"}]}},
         {"method": "POST", "path": "/Users", "bulkId": "usr",
          "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}bulk@example.com"}}]}
      """
    Then the response status is 200
    And the response matches the "BulkResponse" schema
    And the JSON at "Operations[0].bulkId" is "grp"
    And the JSON at "Operations[0].status" is "201"
    And the JSON at "Operations[0].location" is a string
    And the JSON at "Operations[1].status" is "201"
    And the JSON at "Operations[1].version" is a string
    And I remember the JSON at "Operations[0].location" as "group"
    And I remember the JSON at "Operations[1].location" as "user"
    When I GET "${group}"
    Then the JSON at "members" has 1 item
    When I DELETE "${group}"
    And I DELETE "${user}"
    Then the response status is 204

  @rfc7644-3.7 @must
  Scenario: PUT, PATCH and DELETE by bulk, with a version as If-Match
    Given a user "target" exists
    When I GET "/Users/${target}"
    Then I remember the JSON at "meta.version" as "v"
    When I POST to "/Bulk" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
       "Operations": [
         {"method": "PATCH", "path": "/Users/${target}", "version": "${v}",
          "data": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "title", "value": "bulk"}]}},
         {"method": "PATCH", "path": "/Users/${target}", "version": "${v}",
          "data": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "title", "value": "stale"}]}}]}
      """
    Then the response status is 200
    And the JSON at "Operations[0].status" is one of "200", "204"
    And the JSON at "Operations[1].status" is "412"
    When I GET "/Users/${target}"
    Then the JSON at "title" is "bulk"

  @rfc7644-3.7.3 @must
  Scenario: failOnErrors stops after that many errors
    When I POST to "/Bulk" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "failOnErrors": 1,
       "Operations": [
         {"method": "POST", "path": "/Users", "bulkId": "bad", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}},
         {"method": "POST", "path": "/Users", "bulkId": "good", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}never@example.com"}}]}
      """
    Then the response status is 200
    And the JSON at "Operations" has 1 item
    And the JSON at "Operations[0].status" is "400"
    And the JSON at "Operations[0].response.scimType" is "invalidValue"
    When I GET "/Users?filter=userName eq "${p}never@example.com""
    Then the JSON at "totalResults" is 0

  @rfc7644-3.7.1 @should
  Scenario: Circular bulkId references are reported as errors
    When I POST to "/Bulk" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
       "Operations": [
         {"method": "POST", "path": "/Groups", "bulkId": "a", "data": {"displayName": "${p}A", "members": [{"value": "bulkId:b"}]}},
         {"method": "POST", "path": "/Groups", "bulkId": "b", "data": {"displayName": "${p}B", "members": [{"value": "bulkId:a"}]}}]}
      """
    Then the response status is 200
    And the JSON at "Operations[0].status" is "409"
    And the JSON at "Operations[1].status" is "409"

  @rfc7644-3.7.4 @must
  Scenario: More operations than the advertised maxOperations is 413
    When I POST a bulk request with one operation more than maxOperations
    Then the response status is 413
    And the response is a SCIM error with status "413"
