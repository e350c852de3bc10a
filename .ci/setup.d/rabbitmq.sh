#!/usr/bin/env bash
# RabbitMQ for the AMQP tests: broker on 127.0.0.1:5672 (guest/guest) and the
# management API on :15672. Idempotent: starts only what is not running.
set -euo pipefail

answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! answers 5672; then
  if ! command -v rabbitmq-server >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server
  fi
  rabbitmq-server -detached
  # The node registers with epmd a moment after -detached returns; until
  # then await_startup fails at once, so retry it.
  for _ in $(seq 1 60); do
    if rabbitmqctl await_startup --timeout 120 >/dev/null 2>&1; then
      break
    fi
    sleep 2
  done
  if ! answers 5672; then
    echo "rabbitmq: the broker did not start on :5672 (see /var/log/rabbitmq)" >&2
    exit 1
  fi
fi

if ! rabbitmq-plugins list -e -m 2>/dev/null | grep -qx rabbitmq_management; then
  rabbitmq-plugins enable rabbitmq_management
fi

for _ in $(seq 1 60); do
  if curl -fsS -u guest:guest http://127.0.0.1:15672/api/overview >/dev/null 2>&1; then
    echo "rabbitmq: broker on :5672, management API on :15672"
    exit 0
  fi
  sleep 1
done
echo "rabbitmq: the management API on :15672 did not answer within 60 s" >&2
exit 1
