@discovery
Feature: Discovery endpoints and representations
  A client learns what a service provider supports from /ServiceProviderConfig, /ResourceTypes
  and /Schemas before it sends anything else (RFC 7644 §4). The scenarios that check a body
  against the RFC 7643 JSON Schemas live here, one per representation, so a representation
  defect fails the scenario about it and nothing else.

  @rfc7644-4-spc @rfc7643-5-spc-required @rfc7644-3.7.4-limits-defined @must
  Scenario: ServiceProviderConfig describes the server's capabilities
    When I GET "/ServiceProviderConfig"
    Then the response status is 200
    And the response matches the "ServiceProviderConfig" schema

  @rfc7643-5-spc-public @should
  Scenario: ServiceProviderConfig is readable without credentials
    When I send GET to "/ServiceProviderConfig" without a token
    Then the response status is 200

  @rfc7644-4-resource-types @rfc7644-4-list-form @rfc7643-6-resource-type @must
  Scenario: ResourceTypes lists Users with its endpoint and schema
    When I GET "/ResourceTypes"
    Then the response status is 200
    And the response matches the "ListResponse" schema
    And the JSON at "Resources" contains {"name": "User", "endpoint": "/Users", "schema": "urn:ietf:params:scim:schemas:core:2.0:User"}

  @rfc7644-4-resource-types @needs-groups @must
  Scenario: ResourceTypes lists Groups with its endpoint and schema
    When I GET "/ResourceTypes"
    Then the JSON at "Resources" contains {"name": "Group", "endpoint": "/Groups", "schema": "urn:ietf:params:scim:schemas:core:2.0:Group"}

  @rfc7644-4-resource-types @must
  Scenario: A single resource type is addressable by its id
    When I GET "/ResourceTypes/User"
    Then the response status is 200
    And the response matches the "ResourceType" schema
    And the JSON at "endpoint" is "/Users"

  @rfc7644-4-schemas @rfc7644-4-list-form @rfc7643-6-schema-id @rfc7643-7-schema-id @must
  Scenario: Schemas lists the User schema with attribute definitions
    When I GET "/Schemas"
    Then the response status is 200
    And the response matches the "ListResponse" schema
    And the JSON at "Resources" contains {"id": "urn:ietf:params:scim:schemas:core:2.0:User"}

  @rfc7644-4-schemas @rfc7643-6-schema-id @needs-groups @must
  Scenario: Schemas lists the Group schema
    When I GET "/Schemas"
    Then the JSON at "Resources" contains {"id": "urn:ietf:params:scim:schemas:core:2.0:Group"}

  @rfc7643-6-extension-schema-id @needs-enterprise @must
  Scenario: Every declared schema extension is in /Schemas
    When I GET "/Schemas"
    Then the JSON at "Resources" contains {"id": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}

  @rfc7644-3.1-messages-not-in-schemas @must
  Scenario: /Schemas lists no message schemas
    When I GET "/Schemas"
    Then the response status is 200
    And the JSON at "Resources" has no item whose "id" starts with "urn:ietf:params:scim:api:"

  @rfc7643-7-attribute-definitions @rfc7643-4.1.1-username-unique @must
  Scenario: The User schema defines userName as required and unique
    When I GET "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"
    Then the response status is 200
    And the response matches the "Schema" schema
    And the JSON at "attributes" contains {"name": "userName", "required": true}

  @rfc7644-4-ignore-query @must
  Scenario: Query parameters on /ResourceTypes and /Schemas are ignored
    When I GET "/ResourceTypes"
    Then I remember the JSON at "totalResults" as "types"
    When I GET "/ResourceTypes?count=1&startIndex=2&sortBy=name"
    Then the response status is 200
    And the JSON at "totalResults" is ${types}
    And the JSON at "Resources" has ${types} items

  @rfc7644-4-filter-403 @should
  Scenario: A filter on a discovery endpoint is 403
    When I GET "/Schemas?filter=id eq "x""
    Then the response status is 403

  @rfc7643-4.3-enterprise @may
  Scenario: The enterprise User extension is published for the User resource type
    When I GET "/ResourceTypes/User"
    Then the response status is 200
    And the JSON at "schemaExtensions" contains {"schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}

  @rfc7644-3.12-status-404 @should
  Scenario: An unknown schema is not found
    When I GET "/Schemas/urn:example:no-such-schema"
    Then the response is a SCIM error with status "404"

  @rfc7644-3.5-patch-supported @should
  Scenario: ServiceProviderConfig advertises PATCH
    When I GET "/ServiceProviderConfig"
    Then the JSON at "patch.supported" is true

  @rfc7643-6-required-extension @must
  Scenario: A created user carries every schema extension its resource type requires
    Given a user "req" exists
    When I GET "/Users/${req}"
    Then the resource names every schema extension its resource type requires

  @rfc7643-2.1-schemas-attribute @rfc7643-3-schemas-non-empty @rfc7643-2.3.5-datetime @must
  Scenario: A user follows the RFC 7643 User representation
    Given a user "rep" exists
    When I GET "/Users/${rep}"
    Then the response matches the "User" schema

  @rfc7643-2.1-schemas-attribute @rfc7643-3-schemas-non-empty @needs-groups @must
  Scenario: A group follows the RFC 7643 Group representation
    Given a group "rep" exists
    When I GET "/Groups/${rep}"
    Then the response matches the "Group" schema

  @rfc7644-3.4.2-list-response-urn @rfc7644-3.4.2-total-results @rfc7644-3.4.2-resources @must
  Scenario: A list follows the ListResponse representation
    Given a user "listed" exists
    When I GET "/Users?count=1"
    Then the response matches the "ListResponse" schema

  @rfc7644-3.12-error-json @must
  Scenario: An error follows the Error representation
    When I GET "/Users/010101001010101011001010101011"
    Then the response matches the "Error" schema

  @msl-schema-discoverability @must
  Scenario: Schema_Discoverability: the three discovery endpoints answer
    When I GET "/ServiceProviderConfig"
    Then the response status is 200
    When I GET "/ResourceTypes"
    Then the response status is 200
    When I GET "/Schemas"
    Then the response status is 200
