@product @needs-admin
Feature: The product's user rules
  With "user_rules": "product", users created or replaced through SCIM must have an email
  userName, a given and family name, a display name and a primary email, as the product's API
  requires; /Schemas shows them as required. The default ("rfc") requires only userName.

  Background:
    Given a tenant of its own
    And the settings are changed with:
      """
      {"user_rules": "product"}
      """

  @must
  Scenario Outline: A user missing what the product requires is 400 invalidValue: <what>
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], <body>}
      """
    Then the response is a SCIM error with status "400" and scimType "invalidValue"

    Examples:
      | what              | body                                                                                                                                               |
      | no email userName | "userName": "${p}bjensen", "name": {"givenName": "B", "familyName": "J"}, "displayName": "B J", "emails": [{"value": "b@example.com", "primary": true}] |
      | no family name    | "userName": "${p}b@example.com", "name": {"givenName": "B"}, "displayName": "B J", "emails": [{"value": "b@example.com", "primary": true}]            |
      | no display name   | "userName": "${p}b@example.com", "name": {"givenName": "B", "familyName": "J"}, "emails": [{"value": "b@example.com", "primary": true}]               |
      | no primary email  | "userName": "${p}b@example.com", "name": {"givenName": "B", "familyName": "J"}, "displayName": "B J", "emails": [{"value": "b@example.com"}]         |

  @must
  Scenario: The primary-email rule has the product's own message
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}b@example.com",
       "name": {"givenName": "B", "familyName": "J"}, "displayName": "B J", "emails": [{"value": "b@example.com"}]}
      """
    Then the JSON at "detail" is "Email must be marked as primary"

  @must
  Scenario: A complete user is accepted, and /Schemas shows the rules
    Given a user "complete" exists
    When I GET "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"
    Then the JSON at "attributes" contains {"name": "displayName", "required": true}
    And the JSON at "attributes" contains {"name": "emails", "required": true}
