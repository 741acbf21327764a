@discovery
Feature: A known run
  A fixed set of verdicts against the reference server, for testing the reports.

  @rfc7644-4-spc @must
  Scenario: passes
    When I GET "/ServiceProviderConfig"
    Then the response status is 200

  @rfc7644-4-spc @must
  Scenario: fails at must level
    When I GET "/ServiceProviderConfig"
    Then the response status is 418

  @rfc7644-3.12-status-404 @should
  Scenario: fails at should level
    When I GET "/Users/no-such-user"
    Then the response status is 200

  @needs-admin @must
  Scenario: skipped without an admin token
    When I send an admin GET to "/settings"
    Then the response status is 200

  @rfc7644-4-spc @must
  Scenario: inconclusive when its setup is refused
    Given I GET "/Users/no-such-user"
    And the response status is 200
    When I GET "/ServiceProviderConfig"
    Then the response status is 200

  @rfc7644-4-schemas @may
  Scenario: passes too
    When I GET "/Schemas"
    Then the response status is 200
