Feature: Orders

  Scenario: Ship an order
    When I send a POST request to "/api/shipments"
    Then the response field "$.shipment" should be "SH-1"

  Scenario: Price an order
    When I send a GET request to "/api/orders/PO-1/price"
    Then the response status should be 200

  Scenario: Read the stock
    When I send a GET request to "/api/stock/BRK-1"
    Then the response status should be 200
