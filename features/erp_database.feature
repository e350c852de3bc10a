@erp @database
Feature: ERP database after an order sync
  An order entered through the ERP API is stored in the ERP database with its
  plant and lines, and the database is configured alike in both environments.

  @writes-allowed
  Scenario: A synced order is stored with its lines
    Given the variable "orderNo" is "PO-20931"
    When I send a POST request to "/api/orders" with the fixture "orders/new-order.json"
    Then the response status should be 201
    And I capture the response field "$.id" as "orderId"
    When I poll the query on "erpdb" with parameters "{{ orderNo }}" until the column "Status" is "CREATED" within 5 seconds:
      """
      SELECT OrderNo, Plant, Customer, Status FROM orders WHERE OrderNo = @P1
      """
    Then the query rows should be:
      | OrderNo       | Plant           | Customer  | Status  |
      | {{ orderNo }} | {{ env.plant }} | CUST-0042 | CREATED |
    When I query "erpdb" with parameters "{{ orderNo }}" keyed by "LineNo":
      """
      SELECT LineNo, Sku, Quantity, UnitPrice FROM order_lines WHERE OrderNo = @P1 ORDER BY LineNo
      """
    Then the query should return 2 rows
    And the query rows should contain:
      | Sku      | Quantity |
      | BRK-1001 | 10       |
    And the query result should be the same in both environments

  Scenario: The ERP database is configured alike
    Then the database configuration of "erpdb" should match for the tables "dbo.orders", "dbo.order_lines"
