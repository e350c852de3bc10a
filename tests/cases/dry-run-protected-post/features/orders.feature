Feature: Orders

  Scenario: Create an order and read it back
    Given the variable "orderNo" is "PO-4711"
    When I send a POST request to "/api/orders" with the fixture "new-order.json"
    Then the response status should be 201
    And I capture the response field "$.id" as "orderId"
    When I send a GET request to "/api/orders/{{ orderId }}"
    Then the response field "$.plant" should be "{{ env.plant }}"
