Feature: Orders

  Scenario: A typo in a step
    When I sned a GET request to "/api/orders/PO-1"
    Then the response status should be 200
