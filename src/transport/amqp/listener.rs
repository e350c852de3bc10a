//! Listeners: how the harness sees messages without taking them away.
//!
//! By default a listener declares its own exclusive, auto-deleted,
//! server-named queue (`amq.gen-…`) and binds it to the exchange the real
//! consumers read from: every real queue still gets its copy. Reading a real
//! queue ([`ListenerSource::Queue`]) is destructive and explicit; only the
//! messages an expectation takes are acknowledged, the rest go back to the
//! queue when the listener closes.
//!
//! ```text
//! exchange "orders" ──order.*──▶ amq.gen-Xk2… (exclusive, auto-delete) ──▶ Listener "orderEvents"
//!                   └─order.*──▶ erp.orders (real consumer, untouched)
//! ```

use std::collections::VecDeque;
use std::time::Instant;

use futures::StreamExt as _;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions, QueueBindOptions,
    QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{Acker, Channel, Consumer};

use super::{AmqpError, Origin, message_from_delivery};
use crate::trace::AmqpMessage;

/// What a listener reads.
#[derive(Debug, Clone, PartialEq)]
pub enum ListenerSource {
    /// The harness's own queue bound to `exchange` with `binding` (non-destructive).
    Exchange {
        /// Exchange name.
        exchange: String,
        /// Binding key (a topic pattern on topic exchanges).
        binding: String,
    },
    /// A real queue, read destructively.
    Queue {
        /// Queue name.
        queue: String,
    },
}

impl std::fmt::Display for ListenerSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ListenerSource::Exchange { exchange, binding } => {
                write!(f, "exchange `{exchange}` binding `{binding}`")
            }
            ListenerSource::Queue { queue } => write!(f, "queue `{queue}` (destructive)"),
        }
    }
}

/// Messages arriving for one listener, buffered until an expectation takes them.
pub struct Listener {
    origin: Origin,
    channel: Channel,
    consumer: Consumer,
    source: ListenerSource,
    pending: VecDeque<(AmqpMessage, Option<Acker>)>,
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("source", &self.source)
            .field("pending", &self.pending.len())
            .finish()
    }
}

impl Listener {
    /// Declares and binds the queue (or opens the real one) and starts consuming.
    pub(super) async fn start(
        origin: Origin,
        channel: Channel,
        source: ListenerSource,
    ) -> Result<Listener, AmqpError> {
        let (queue, no_ack) = match &source {
            ListenerSource::Exchange { exchange, binding } => {
                let options = QueueDeclareOptions {
                    exclusive: true,
                    auto_delete: true,
                    ..QueueDeclareOptions::default()
                };
                let queue = channel
                    .queue_declare("".into(), options, FieldTable::default())
                    .await
                    .map_err(|e| origin.failed(&channel, "declare the listener queue", e))?;
                let name = queue.name().as_str().to_owned();
                channel
                    .queue_bind(
                        name.as_str().into(),
                        exchange.as_str().into(),
                        binding.as_str().into(),
                        QueueBindOptions::default(),
                        FieldTable::default(),
                    )
                    .await
                    .map_err(|e| {
                        origin.failed(&channel, &format!("bind to exchange `{exchange}`"), e)
                    })?;
                (name, true)
            }
            ListenerSource::Queue { queue } => {
                channel
                    .basic_qos(100, BasicQosOptions::default())
                    .await
                    .map_err(|e| origin.failed(&channel, "basic.qos", e))?;
                (queue.clone(), false)
            }
        };
        let options = BasicConsumeOptions {
            no_ack,
            ..BasicConsumeOptions::default()
        };
        let consumer = channel
            .basic_consume(
                queue.as_str().into(),
                "".into(),
                options,
                FieldTable::default(),
            )
            .await
            .map_err(|e| origin.failed(&channel, &format!("consume from queue `{queue}`"), e))?;
        Ok(Listener {
            origin,
            channel,
            consumer,
            source,
            pending: VecDeque::new(),
        })
    }

    /// What this listener reads.
    pub fn source(&self) -> &ListenerSource {
        &self.source
    }

    /// Waits for one more delivery until `deadline`; false when none came in time.
    async fn pull(&mut self, deadline: Instant) -> Result<bool, AmqpError> {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let next = match tokio::time::timeout(remaining, self.consumer.next()).await {
            Err(_) => return Ok(false),
            Ok(next) => next,
        };
        match next {
            Some(Ok(delivery)) => {
                let message = message_from_delivery(&delivery);
                let acker = (!self.no_ack()).then_some(delivery.acker);
                self.pending.push_back((message, acker));
                Ok(true)
            }
            Some(Err(e)) => Err(self.origin.lost(e)),
            None => Err(self
                .origin
                .lost(format!("the consumer on {} was cancelled", self.source))),
        }
    }

    fn no_ack(&self) -> bool {
        matches!(self.source, ListenerSource::Exchange { .. })
    }

    /// The first message matching `wanted` that arrived or arrives before `deadline`.
    pub async fn take(
        &mut self,
        wanted: &dyn Fn(&AmqpMessage) -> bool,
        deadline: Instant,
    ) -> Result<Option<AmqpMessage>, AmqpError> {
        loop {
            if let Some(at) = self.pending.iter().position(|(m, _)| wanted(m)) {
                return self.accept(at).await.map(Some);
            }
            if !self.pull(deadline).await? {
                return Ok(None);
            }
        }
    }

    /// Every message matching `wanted` until `deadline`, or, once `enough` have
    /// arrived, until `settle` later (to see whether more follow).
    pub async fn collect(
        &mut self,
        wanted: &dyn Fn(&AmqpMessage) -> bool,
        deadline: Instant,
        enough: Option<usize>,
        settle: std::time::Duration,
    ) -> Result<Vec<AmqpMessage>, AmqpError> {
        let mut taken = Vec::new();
        let mut deadline = deadline;
        loop {
            while let Some(at) = self.pending.iter().position(|(m, _)| wanted(m)) {
                taken.push(self.accept(at).await?);
            }
            if enough.is_some_and(|n| taken.len() >= n) {
                deadline = deadline.min(Instant::now() + settle);
            }
            if !self.pull(deadline).await? {
                return Ok(taken);
            }
        }
    }

    /// The next message in arrival order, not yet acknowledged: the caller
    /// acknowledges it (on a real queue) once it has kept it safely.
    pub async fn next_unacknowledged(
        &mut self,
        deadline: Instant,
    ) -> Result<Option<Unacknowledged>, AmqpError> {
        if self.pending.is_empty() && !self.pull(deadline).await? {
            return Ok(None);
        }
        Ok(self
            .pending
            .pop_front()
            .map(|(message, acker)| Unacknowledged {
                message,
                acker,
                origin: self.origin.clone(),
            }))
    }

    /// Removes a pending message, acknowledging it on a real queue.
    async fn accept(&mut self, at: usize) -> Result<AmqpMessage, AmqpError> {
        let Some((message, acker)) = self.pending.remove(at) else {
            return Err(self.origin.lost("internal: pending message vanished"));
        };
        if let Some(acker) = acker {
            acker
                .ack(BasicAckOptions::default())
                .await
                .map_err(|e| self.origin.lost(format!("ack: {e}")))?;
        }
        Ok(message)
    }
}

/// A message handed out before its acknowledgement.
#[derive(Debug)]
pub struct Unacknowledged {
    /// The message.
    pub message: AmqpMessage,
    acker: Option<Acker>,
    origin: Origin,
}

impl Unacknowledged {
    /// Acknowledges the message (nothing to do on the harness's own queue).
    pub async fn ack(self) -> Result<(), AmqpError> {
        if let Some(acker) = self.acker {
            acker
                .ack(BasicAckOptions::default())
                .await
                .map_err(|e| self.origin.lost(format!("ack: {e}")))?;
        }
        Ok(())
    }
}

impl Drop for Listener {
    /// Gives unclaimed messages of a real queue back and closes the channel
    /// (which deletes the harness's auto-delete queue).
    fn drop(&mut self) {
        let channel = self.channel.clone();
        let ackers: Vec<Acker> = self.pending.drain(..).filter_map(|(_, a)| a).collect();
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        handle.spawn(async move {
            for acker in ackers {
                let _ = acker
                    .nack(BasicNackOptions {
                        requeue: true,
                        ..BasicNackOptions::default()
                    })
                    .await;
            }
            super::close_quietly(&channel).await;
        });
    }
}
