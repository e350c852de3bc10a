@wms @readonly
Feature: Inventory lookup
  The warehouse reports the stock on hand of every SKU the ERP orders.

  Background:
    Given I poll "/health" on "wms" until the response status is 200 within 2 seconds

  Scenario Outline: Stock on hand for <sku>
    Given the variable "sku" is "<sku>"
    When I send a GET request to "/api/inventory/{{ sku }}" on "wms"
    Then the response status should be 200
    And the response header "content-type" should be "application/json"
    And the response field "$.sku" should be "{{ sku }}"
    And the response field "$.warehouse" should be "WH-01"
    And the response field "$.quantityOnHand" should be 40

    Examples:
      | sku      |
      | BRK-1001 |
      | HYD-2040 |
      | SEN-3310 |
