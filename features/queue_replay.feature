@requires-amqp @writes-allowed
Feature: Order events and their replay
  Order events travel over the plant's message broker. The harness listens
  through its own temporary queue, so real consumers keep every message.
  After a recovery, the captured events are replayed, in order, with fresh
  message ids, and must each arrive exactly once.

  Background:
    Given the variable "runId" is "{{ uuid() }}"
    And I listen on exchange "amq.topic" on "events" with routing key "demo.{{ runId }}.{{ env.plant }}.#" as "orderEvents"

  Scenario: A released order is announced on the event bus
    Given the variable "orderNo" is "PO-{{ random_int(10000, 99999) }}"
    And the message properties are:
      | message_id    | {{ uuid() }} |
      | delivery_mode | 2            |
      | type          | OrderEvent   |
    And the message headers are:
      | x-plant | {{ env.plant }} |
    When I publish the fixture "orders/order-event.json" to exchange "amq.topic" with routing key "demo.{{ runId }}.{{ env.plant }}.order.released"
    Then a message with routing key "demo.*.*.order.released" should arrive on "orderEvents" within 5 seconds
    And the message body should contain:
      """
      { "orderNo": "{{ orderNo }}", "plant": "{{ env.plant }}", "status": "RELEASED" }
      """
    And the message header "x-plant" should be "{{ env.plant }}"
    And the message property "delivery_mode" should be 2
    And I capture the message property "message_id" as "eventId"
    And no message with routing key "#.order.rejected" should arrive on "orderEvents" within 300 ms

  Scenario: Captured order events replay in order, each once
    When I replay the messages of "replay/order-events.jsonl" to exchange "amq.topic"
      | field       | template                                       |
      | routing_key | demo.{{ runId }}.{{ env.plant }}.{{ original }} |
      | message_id  | {{ uuid() }}                                   |
      | header:x-plant | {{ env.plant }}                             |
    Then 3 messages should arrive on "orderEvents" within 5 seconds in order
    And the message routing key should be "demo.{{ runId }}.{{ env.plant }}.order.shipped"
    And the message field "$.orderNo" should be "PO-10003"
