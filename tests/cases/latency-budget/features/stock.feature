Feature: Stock

  Scenario: Look up stock within budget
    When I send a GET request to "/api/stock/BRK-1"
    Then the response status should be 200
    And the p95 of "GET /api/stock/*" should be under 300 ms
