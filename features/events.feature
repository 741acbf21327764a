@events @rfc9967
Feature: RFC 9967 asynchronous requests and their completion events
  A client may send a write with "Prefer: respond-async" (RFC 7240). A server that offers
  asynchronous requests (securityEvents.asyncRequest in its ServiceProviderConfig) may answer
  202 Accepted with no body, a Set-Txn header, Preference-Applied and a Location, and later
  emits a completion event whose txn is the Set-Txn value; or it may answer as usual. The
  events are read from the server's RFC 8936 poll endpoint given with --events-poll, or
  received as the server pushes them (RFC 8935) to the address given with --events-listen.

  @rfc9967-2.5.1.1-no-body @needs-async @must
  Scenario: An asynchronous answer has no body
    When I send POST to "/Users" with header "Prefer: respond-async" and body:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}async-body@example.com"}
      """
    Then the response status is one of 201, 202
    And if the answer is asynchronous, it has no body

  @rfc9967-3-set-txn @needs-async @must
  Scenario: An asynchronous answer carries Set-Txn
    When I send POST to "/Users" with header "Prefer: respond-async" and body:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}async-txn@example.com"}
      """
    Then the response status is one of 201, 202
    And if the answer is asynchronous, it carries the header "Set-Txn"

  @rfc9967-2.5.1.1-preference-applied @needs-async @should
  Scenario: An asynchronous answer says the preference was applied
    When I send POST to "/Users" with header "Prefer: respond-async" and body:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}async-pref@example.com"}
      """
    Then the response status is one of 201, 202
    And if the answer is asynchronous, it carries the header "Preference-Applied" with "respond-async"

  @rfc9967-2.5.1.1-location @needs-async @needs-patch @must
  Scenario: An asynchronous answer's Location can be read
    Given a user "later" exists
    When I send PATCH to "/Users/${later}" with header "Prefer: respond-async" and body:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "active", "value": false}]}
      """
    Then the response status is one of 200, 204, 202
    And if the answer is asynchronous, it carries the header "Location"
    When I GET "/Users/${later}"
    Then the JSON at "active" is false

  @rfc9967-2.5.1.1-accept-ignored @needs-async @must
  Scenario: The Accept header does not stop an asynchronous request
    When I send POST to "/Users" with headers "Prefer: respond-async" and "Accept: text/html" and body:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}async-accept@example.com"}
      """
    Then the response status is one of 201, 202

  @rfc9967-2.5.1.1-normal-response @lacks-async @must
  Scenario: Without asynchronous requests, Prefer: respond-async is answered as usual
    When I send POST to "/Users" with header "Prefer: respond-async" and body:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}sync@example.com"}
      """
    Then the response status is 201
    And the JSON at "userName" is "${p}sync@example.com"

  @rfc9967-2.5.1.1-txn-match @needs-async @needs-events @must
  Scenario: The completion event's txn is the Set-Txn of the 202
    Given a user "evented" exists
    When I send PUT to "/Users/${evented}" with header "Prefer: respond-async" and body:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${evented.userName}", "displayName": "Evented"}
      """
    Then I read the completion events of that request
    And a completion event carries the Set-Txn value as its txn

  @rfc9967-2.1-sub-id @needs-async @needs-events @must
  Scenario: A completion event names its subject with sub_id, never sub
    Given a user "subject" exists
    When I send DELETE to "/Users/${subject}" with header "Prefer: respond-async"
    Then I read the completion events of that request
    And every completion event names its subject with sub_id of format scim, and not with sub

  @rfc9967-2.5.1.2-bulk-txn @needs-async @needs-events @needs-bulk @must
  Scenario: An asynchronous bulk emits one completion event per operation, txn <txn>:<index>
    When I send POST to "/Bulk" with header "Prefer: respond-async" and body:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": [
        {"method": "POST", "path": "/Users", "bulkId": "a", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}bulk-a@example.com"}},
        {"method": "POST", "path": "/Users", "bulkId": "b", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}bulk-b@example.com"}}]}
      """
    Then I read the completion events of that request
    And the bulk's 2 operations each have one completion event, with txn <Set-Txn>:<index>

  @rfc9967-2.4-every-change @rfc9967-2.4-payload @needs-prov-events @needs-events @needs-patch @must
  Scenario: Every write emits its provisioning event, with attributes or data but not both
    Given a user "tracked" exists
    When I PATCH "/Users/${tracked}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "displayName", "value": "Tracked"}]}
      """
    Then the PATCH succeeded
    When I DELETE "/Users/${tracked}"
    Then the response status is 204
    And the provisioning events of "tracked" are "create, patch, delete"
