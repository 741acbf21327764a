@product @needs-admin
Feature: SCIM switch and SAML JIT provisioning
  When SCIM provisioning is turned on, SAML Just-in-Time provisioning and SAML metadata sync are
  turned off, so that user profiles come only from the identity provider (product doc,
  "SAML and SCIM interaction"). While SCIM is off, the SCIM API refuses requests.

  Background:
    Given a tenant of its own

  @must
  Scenario: A tenant starts with SCIM on and SAML JIT off
    When I send an admin GET to "/settings"
    Then the response status is 200
    And the JSON at "scim_enabled" is true
    And the JSON at "saml_jit_enabled" is false
    And the JSON at "saml_metadata_sync_enabled" is false

  @must
  Scenario: Turning SCIM on forces both SAML flags off, whatever the request says
    Given the settings are changed with:
      """
      {"scim_enabled": false, "saml_jit_enabled": true, "saml_metadata_sync_enabled": true}
      """
    When I send an admin PUT to "/settings" with:
      """
      {"scim_enabled": true, "saml_jit_enabled": true, "saml_metadata_sync_enabled": true}
      """
    Then the response status is 200
    And the JSON at "scim_enabled" is true
    And the JSON at "saml_jit_enabled" is false
    And the JSON at "saml_metadata_sync_enabled" is false

  @must
  Scenario: Turning SAML JIT on while SCIM stays on is a conflict
    When I send an admin PUT to "/settings" with:
      """
      {"saml_jit_enabled": true}
      """
    Then the response status is 409
    When I send an admin GET to "/settings"
    Then the JSON at "saml_jit_enabled" is false

  @must
  Scenario: While SCIM is off the SCIM API answers 403 with a SCIM error
    Given the settings are changed with:
      """
      {"scim_enabled": false}
      """
    When I GET "/Users"
    Then the response is a SCIM error with status "403"
