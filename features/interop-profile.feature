@iop-profile
Feature: The SCIM interop profile (draft-zollner-scim-interop-profile-02)
  A stricter profile than RFC 7644. Okta and Entra traffic breaks some of its rules (path-less
  PATCH, unknown attributes), so these scenarios run only with --profile interop-profile, and
  the reference server passes them only with --strict.

  @iop-5.3-unknown-attributes @must
  Scenario: Unknown attributes in a POST are rejected with invalidSyntax
    When I POST to "/Users" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "${p}iop@example.com", "favoriteColor": "blue"}
      """
    Then the response is a SCIM error with status "400" and scimType "invalidSyntax"

  @iop-5.3-unknown-attributes @needs-groups @must
  Scenario: Unknown schema URNs in a POST are rejected with invalidSyntax
    When I POST to "/Groups" with:
      """
      {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"], "displayName": "${p}iop"}
      """
    Then the response is a SCIM error with status "400" and scimType "invalidSyntax"

  @iop-6.5.1.1-path-required @needs-patch @must
  Scenario: A PATCH operation without a path is rejected with invalidSyntax
    Given a user "pathless" exists
    When I PATCH "/Users/${pathless}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "value": {"active": false}}]}
      """
    Then the response is a SCIM error with status "400" and scimType "invalidSyntax"

  @iop-6.5-filtered-sub-attribute @needs-patch @may
  Scenario: A value filter in a replace must target a sub-attribute
    Given a user "filtered" exists
    When I PATCH "/Users/${filtered}" with:
      """
      {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "emails[type eq \"work\"]", "value": {"value": "x@example.com"}}]}
      """
    Then the response status is 400

  @iop-5.1-resource-type-id @must
  Scenario: A resource type's id equals its name
    When I GET "/ResourceTypes"
    Then the JSON at "Resources" contains {"id": "User", "name": "User"}

  @iop-5.7-filter-unknown-attribute @needs-filter @must
  Scenario: A filter on an attribute the resource type lacks is invalidFilter
    When I GET "/Users?filter=favoriteColor eq "blue""
    Then the response is a SCIM error with status "400" and scimType "invalidFilter"

  @iop-02-conformant-flag @may
  Scenario: The ServiceProviderConfig says whether the server claims the profile
    When I GET "/ServiceProviderConfig"
    Then the response status is 200
    And the JSON at "interopProfileConformant" is true

  @iop-02-canonical-values @must
  Scenario: Every typed multi-valued attribute declares the canonical values of its type
    When I GET "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User"
    Then the response status is 200
    And every multi-valued attribute with a type sub-attribute declares its canonicalValues

  @iop-02-count-100 @must
  Scenario: A page of up to 100 is honoured
    When I GET "/ServiceProviderConfig"
    Then the page size limit the server advertises is at least 100
