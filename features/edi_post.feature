@edi
Feature: Supplier EDI flows
  Purchase orders reach the supplier's EDI gateway as an X12 850 or an
  EDIFACT ORDERS and are acknowledged with a 997 or a CONTRL. Each document
  is a template under scenarios/edi/ with unique control numbers, today's
  date and each environment's partner ids; it is checked before it is sent.

  Background:
    Given the variable "poNumber" is "PO-{{ random_int(10000, 99999) }}"
    And the variable "groupControl" is "{{ control_number() | int }}"

  @writes-allowed
  Scenario: An X12 850 purchase order is accepted with a 997
    Given the request headers are:
      | AS2-From   | {{ env.edi_sender }}     |
      | AS2-To     | {{ env.edi_receiver }}   |
      | Message-Id | <{{ uuid() }}@driftgate> |
    When I post the EDI fixture "edi/purchase-order-850.x12" to "/as2/x12" on "edi"
    Then the response status should be 200
    And the response header "content-type" should be "application/edi-x12"
    And the EDI acknowledgement should be accepted
    And the EDI response element "AK1[1]/AK102" should be "{{ groupControl }}"
    And the EDI response element "AK2[1]/AK202" should be "0001"
    And the EDI response should have 1 "AK2" segment
    And I capture the EDI response element "ISA13" as "ackInterchange"

  @writes-allowed
  Scenario: An EDIFACT ORDERS is acknowledged by a CONTRL
    Given the request header "AS2-From" is "{{ env.edi_sender_gln }}"
    When I post the EDI fixture "edi/orders.edifact" to "/as2/edifact" on "edi"
    Then the response status should be 200
    And the EDI acknowledgement should be accepted
    And the EDI response element "UCI+4" should be "7"
    And the EDI response element "UCM+2:1" should be "ORDERS"
    And the EDI response element "UCM+1" should be "1"
