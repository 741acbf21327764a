@bulk @needs-bulk
Feature: Bulk operations
  POST /Bulk (RFC 7644 §3.7): several operations in one request, with bulkId references that
  resolve in any order, per-operation status and location, failOnErrors and advertised limits.

  @rfc7644-3.7-bulk-200 @rfc7644-3.7-bulk-id-returned @rfc7644-3.7.3-all-results @must
  Scenario: Bulk creation answers 200 with each operation's result and bulkId
    When I POST to "/Bulk" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
       "Operations": [
         {"method": "POST", "path": "/Users", "bulkId": "one",
          "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}bulk1@example.com"}},
         {"method": "POST", "path": "/Users", "bulkId": "two",
          "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}bulk2@example.com"}}]}
      """
    Then the response status is 200
    And the JSON at "Operations" has 2 items
    And the JSON at "Operations" contains {"bulkId": "one"}
    And the JSON at "Operations" contains {"bulkId": "two"}
    And bulk operation 0 has status 201
    And bulk operation 1 has status 201

  @rfc7644-3.7.2-bulk-id-replaced @rfc7644-3.7-intent @needs-groups @must
  Scenario: A bulkId reference is replaced by the new id, whatever the order
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
    And bulk operation 0 has status 201
    And I remember the URL at "Operations[0].location" as "group"
    And I remember the URL at "Operations[1].location" as "user"
    When I GET "${user}"
    Then I remember the JSON at "id" as "uid"
    When I GET "${group}"
    Then the JSON at "members" has 1 item
    And the JSON at "members" contains {"value": "${uid}"}

  @rfc7644-3.7-intent @needs-groups @needs-filter @must
  Scenario: A forward bulkId reference creates each resource once
    When I POST to "/Bulk" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
       "Operations": [
         {"method": "POST", "path": "/Groups", "bulkId": "grp",
          "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "${p}once",
                   "members": [{"type": "User", "value": "bulkId:usr"}]}},
         {"method": "POST", "path": "/Users", "bulkId": "usr",
          "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}once@example.com"}}]}
      """
    Then the response status is 200
    When I GET "/Groups?filter=displayName eq "${p}once""
    Then the JSON at "totalResults" is 1

  @rfc7644-3.7.2-extensions @needs-enterprise @must
  Scenario: A bulkId reference inside the enterprise extension is replaced too
    When I POST to "/Bulk" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
       "Operations": [
         {"method": "POST", "path": "/Users", "bulkId": "boss",
          "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}boss@example.com"}},
         {"method": "POST", "path": "/Users", "bulkId": "worker",
          "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                   "userName": "${p}worker@example.com",
                   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": {"value": "bulkId:boss"}}}}]}
      """
    Then the response status is 200
    And I remember the URL at "Operations[0].location" as "boss"
    And I remember the URL at "Operations[1].location" as "worker"
    When I GET "${boss}"
    Then I remember the JSON at "id" as "bossid"
    When I GET "${worker}"
    Then the JSON at "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value" is "${bossid}"

  @rfc7644-3.7.3-location @rfc7644-3.7.3-status-code @needs-patch @must
  Scenario: PUT, PATCH and DELETE by bulk each report a status and a location
    Given users "put, patched, deleted" exist
    When I POST to "/Bulk" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
       "Operations": [
         {"method": "PUT", "path": "/Users/${put}",
          "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${put.userName}", "title": "put"}},
         {"method": "PATCH", "path": "/Users/${patched}",
          "data": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "title", "value": "patched"}]}},
         {"method": "DELETE", "path": "/Users/${deleted}"}]}
      """
    Then the response status is 200
    And bulk operation 0 has status 200
    And bulk operation 1 has status 200 or 204
    And bulk operation 2 has status 204
    And the JSON at "Operations[0].location" is a string
    And the JSON at "Operations[1].location" is a string
    And the JSON at "Operations[2].location" is a string
    When I GET "/Users/${put}"
    Then the JSON at "title" is "put"
    When I GET "/Users/${patched}"
    Then the JSON at "title" is "patched"
    When I GET "/Users/${deleted}"
    Then the response status is 404

  @rfc7644-3.7-continue @must
  Scenario: Without failOnErrors, the operations after a failed one still run
    When I POST to "/Bulk" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
       "Operations": [
         {"method": "POST", "path": "/Users", "bulkId": "bad", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}},
         {"method": "POST", "path": "/Users", "bulkId": "good", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}after@example.com"}}]}
      """
    Then the response status is 200
    And bulk operation 1 has status 201
    And I remember the URL at "Operations[1].location" as "after"
    When I GET "${after}"
    Then the response status is 200

  @rfc7644-3.7-error-body @rfc7644-3.7-error-response @must
  Scenario: A failed operation carries a SCIM error response
    When I POST to "/Bulk" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
       "Operations": [{"method": "POST", "path": "/Users", "bulkId": "bad", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}}]}
      """
    Then the response status is 200
    And bulk operation 0 has status 400
    And bulk operation 0 carries a SCIM error response

  @rfc7644-3.7.3-error-description @must
  Scenario: A failed operation explains its error
    When I POST to "/Bulk" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
       "Operations": [{"method": "POST", "path": "/Users", "bulkId": "bad", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]}}]}
      """
    Then the response status is 200
    And bulk operation 0 explains its error

  @rfc7644-3.7.3-fail-on-errors @needs-filter @must
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
    And bulk operation 0 has status 400
    When I GET "/Users?filter=userName eq "${p}never@example.com""
    Then the JSON at "totalResults" is 0

  @rfc7644-3.7.1-circular @needs-groups @must
  Scenario: Circular bulkId references are resolved, or refused with 409
    When I POST to "/Bulk" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
       "Operations": [
         {"method": "POST", "path": "/Groups", "bulkId": "a", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "${p}A", "members": [{"value": "bulkId:b"}]}},
         {"method": "POST", "path": "/Groups", "bulkId": "b", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "${p}B", "members": [{"value": "bulkId:a"}]}}]}
      """
    Then the response status is 200
    And the circular groups reference each other by id, or were refused with 409

  @rfc7644-3.7.4-max-operations-413 @rfc7644-3.7.4-limit-in-body @must
  Scenario: More operations than the advertised maxOperations is 413 naming the limit
    When I POST a bulk request with one operation more than maxOperations
    Then the response status is 413
    And the error names the limit "maxOperations"

  @rfc7644-3.7.4-max-payload-413 @rfc7644-3.7.4-limit-in-body @must
  Scenario: A body larger than the advertised maxPayloadSize is 413 naming the limit
    When I POST a bulk request larger than maxPayloadSize
    Then the response status is 413
    And the error names the limit "maxPayloadSize"
