@product @needs-admin
Feature: SAML logins and SCIM
  A SAML login (simulated by the admin API) creates unknown users and syncs their profile only
  while SAML JIT provisioning is on. With SCIM on, an unknown user is refused and a known user
  signs in without any profile change.

  Background:
    Given a tenant of its own

  @must
  Scenario: With SCIM on, an unknown user is refused and a known user's profile is untouched
    Given a user "known" exists
    When I send an admin POST to "/saml/login" with:
      """
      {"name_id": "${p}stranger@example.com", "attributes": {"givenName": "S"}}
      """
    Then the response status is 403
    When I send an admin POST to "/saml/login" with:
      """
      {"name_id": "${known.userName}", "attributes": {"givenName": "Changed", "displayName": "Changed Name"}}
      """
    Then the response status is 200
    And the JSON at "profile_updated" is false
    When I GET "/Users/${known}"
    Then the JSON at "name.givenName" is "known"

  @must
  Scenario: With SCIM off and JIT on, an unknown user is created and profiles are synced
    Given the settings are changed with:
      """
      {"scim_enabled": false, "saml_jit_enabled": true, "saml_metadata_sync_enabled": true}
      """
    When I send an admin POST to "/saml/login" with:
      """
      {"name_id": "${p}jit@example.com", "attributes": {"givenName": "Jit", "familyName": "User", "email": "${p}jit@example.com"}}
      """
    Then the response status is 201
    And the JSON at "created" is true
    When I send an admin POST to "/saml/login" with:
      """
      {"name_id": "${p}jit@example.com", "attributes": {"givenName": "Renamed"}}
      """
    Then the response status is 200
    And the JSON at "profile_updated" is true
