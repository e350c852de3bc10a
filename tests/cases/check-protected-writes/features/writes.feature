Feature: Writes on every transport

  Scenario: An order placed four ways
    When I send a POST request to "/api/orders"
    And I post the EDI fixture "edi/purchase-order-850.x12" to "/as2/inbound" on "edi"
    And I publish to exchange "orders" on "events" with routing key "order.created"
      """
      {"orderNo": "PO-4711"}
      """
    And I query "erpdb" with parameters "PO-4711":
      """
      INSERT INTO dbo.orders (OrderNo) VALUES (@P1)
      """
