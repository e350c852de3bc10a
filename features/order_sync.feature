@erp
Feature: Order sync
  Orders entered for a plant reach the ERP, keep their order number and plant,
  can be read back, receive order lines and are announced for shipment.

  Background:
    Given the variable "orderNo" is "PO-{{ random_int(10000, 99999) }}"

  @writes-allowed
  Scenario: A new order is created and can be read back
    When I send a POST request to "/api/orders" with the fixture "orders/new-order.json"
    Then the response status should be 201
    And the response header "content-type" should be "application/json"
    And the response field "$.id" should be "#uuid"
    And the response field "$.orderNo" should be "{{ orderNo }}"
    And the response field "$.plant" should be "{{ env.plant }}"
    And the response field "$.lineCount" should be 2
    And I capture the response field "$.id" as "orderId"
    When I send a GET request to "/api/orders/{{ orderId }}"
    Then the response status should be 200
    And the response body should match:
      """
      {
        "id": "{{ orderId }}",
        "orderNo": "#regex PO-[0-9]+",
        "customer": "CUST-0042",
        "status": "CREATED",
        "currency": "EUR",
        "totalAmount": "#number",
        "lines": [
          { "sku": "BRK-1001", "quantity": 10, "unitPrice": 82.5 },
          { "sku": "HYD-2040", "quantity": 4, "unitPrice": 125.0 }
        ],
        "generatedAt": "#string"
      }
      """
    And the response field "$.lines" should have 2 elements

  @writes-allowed
  Scenario: A shipment notice is announced for a new order
    Given I send a POST request to "/api/orders" with the fixture "orders/new-order.json"
    And the response status should be 201
    And I capture the response field "$.id" as "orderId"
    When I send a POST request to "/api/shipments" with the fixture "shipments/shipment-notice.json"
    Then the response status should be 201
    And the response field "$.shipmentId" should be "#uuid"
    And the response body should contain:
      """
      { "orderId": "{{ orderId }}", "carrier": "DHL", "packageCount": 2, "status": "ANNOUNCED" }
      """
    And I capture the response field "$.shipmentId" as "shipmentId"
    And I poll "/api/shipments/{{ shipmentId }}" until the response field "$.status" is "DISPATCHED" within 5 seconds

  Rule: Every order line names a stocked SKU and a positive quantity

    @writes-allowed
    Scenario Outline: An order line for <sku> is accepted
      Given I send a POST request to "/api/orders" with the fixture "orders/new-order.json"
      And I capture the response field "$.id" as "orderId"
      When I send a POST request to "/api/orders/{{ orderId }}/lines"
        """
        { "sku": "<sku>", "quantity": <quantity> }
        """
      Then the response status should be 201
      And the response field "$.lineId" should be "#uuid"
      And I capture the response field "$.lineId" as "lineId"
      And the response field "$.orderId" should be "{{ orderId }}"
      And the response field "$.sku" should be "<sku>"
      And the response field "$.quantity" should be <quantity>
      And the response field "$.status" should be "ACCEPTED"

      Examples:
        | sku      | quantity |
        | BRK-1001 | 10       |
        | HYD-2040 | 4        |
        | SEN-3310 | 25       |
