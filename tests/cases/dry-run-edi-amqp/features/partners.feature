Feature: Partner orders

  Scenario: A partner's purchase order is acknowledged and announced
    When I post the EDI fixture "edi/purchase-order-850.x12" to "/as2/inbound"
    Then the EDI acknowledgement should be accepted
    When I publish to exchange "orders" on "events" with routing key "order.created"
      """
      {"orderNo": "PO-4711", "partner": "{{ env.partner }}"}
      """
    And I send a GET request to "/as2/status/PO-4711"
