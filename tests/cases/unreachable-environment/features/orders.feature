Feature: Orders

  Scenario: Read an order
    When I send a GET request to "/api/orders/PO-1"
    Then the response status should be 200
    And the response field "$.orderNo" should be "PO-1"
