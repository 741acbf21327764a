@discovery
Feature: Discovery endpoints
  A client learns what a service provider supports from /ServiceProviderConfig, /ResourceTypes
  and /Schemas before it sends anything else (RFC 7644 §4). Okta's governance templates and
  Entra's schema discovery read all three.

  @rfc7644-4 @must
  Scenario: ServiceProviderConfig describes the server's capabilities
    When I GET "/ServiceProviderConfig"
    Then the response status is 200
    And the header "Content-Type" starts with "application/scim+json"
    And the response matches the "ServiceProviderConfig" schema
    And the JSON at "patch.supported" exists
    And the JSON at "filter.maxResults" is a number
    And the JSON at "authenticationSchemes" is not empty

  @rfc7644-4 @must
  Scenario: ResourceTypes lists Users and Groups with their endpoints and schemas
    When I GET "/ResourceTypes"
    Then the response status is 200
    And the response matches the "ListResponse" schema
    And the JSON at "Resources" contains {"name": "User", "endpoint": "/Users", "schema": "urn:ietf:params:scim:schemas:core:2.0:User"}
    And the JSON at "Resources" contains {"name": "Group", "endpoint": "/Groups", "schema": "urn:ietf:params:scim:schemas:core:2.0:Group"}

  @rfc7644-4 @must
  Scenario: A single resource type is addressable by its id
    When I GET "/ResourceTypes/User"
    Then the response status is 200
    And the response matches the "ResourceType" schema
    And the JSON at "endpoint" is "/Users"

  @rfc7644-4 @must
  Scenario: Schemas lists the User and Group schemas with attribute definitions
    When I GET "/Schemas"
    Then the response status is 200
    And the response matches the "ListResponse" schema
    And the JSON at "Resources" contains {"id": "urn:ietf:params:scim:schemas:core:2.0:User"}
    And the JSON at "Resources" contains {"id": "urn:ietf:params:scim:schemas:core:2.0:Group"}

  @rfc7643-7 @must
  Scenario: The User schema defines userName as required and unique
    When I GET "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"
    Then the response status is 200
    And the response matches the "Schema" schema
    And the JSON at "attributes" contains {"name": "userName", "required": true, "uniqueness": "server"}

  @rfc7643-4.3 @should
  Scenario: The enterprise User extension is published for the User resource type
    When I GET "/ResourceTypes/User"
    Then the response status is 200
    And the JSON at "schemaExtensions" contains {"schema": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}

  @rfc7644-4 @should
  Scenario: An unknown schema is not found
    When I GET "/Schemas/urn:example:no-such-schema"
    Then the response is a SCIM error with status "404"

  @rfc7644-4 @may
  Scenario: Discovery endpoints are read-only
    When I send a DELETE request to "/ServiceProviderConfig"
    Then the response status is one of 404, 405, 501
