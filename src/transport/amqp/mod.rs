//! AMQP transport (lapin on tokio): one connection per environment and
//! service, a channel per publish or listener, publisher confirms always on
//! and the mandatory flag always set, so an unroutable message is reported,
//! never lost silently.
//!
//! ```text
//! AmqpClient::publish(AmqpMessage { exchange: "orders", routing_key: "order.created", body, .. })
//!   └─▶ PublishConfirm::Confirmed | Returned | Nacked
//! AmqpClient::listen(exchange "orders", binding "order.*")
//!   └─▶ Listener on an exclusive, auto-deleted, server-named queue (amq.gen-…):
//!       the real consumers keep every message.
//! ```

mod convert;
mod listener;
pub mod management;
pub mod replay;

use std::sync::Arc;
use std::time::Duration;

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{Channel, Confirmation, Connection, ConnectionProperties};

pub use convert::{message_from_delivery, properties_of, topic_matches};
pub use listener::{Listener, ListenerSource, Unacknowledged};

use crate::config::AmqpService;
use crate::trace::{AmqpMessage, PublishConfirm};

/// A broker operation that failed; every message names the service and the environment.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum AmqpError {
    /// No connection could be opened.
    #[error(
        "cannot connect to the broker of `{service}` in environment `{environment}` ({url}): {message}"
    )]
    Connect {
        /// Service name.
        service: String,
        /// Environment name.
        environment: String,
        /// URL without password.
        url: String,
        /// Why.
        message: String,
    },
    /// The connection or channel went away.
    #[error(
        "the connection to the broker of `{service}` in environment `{environment}` was lost: {message}"
    )]
    Lost {
        /// Service name.
        service: String,
        /// Environment name.
        environment: String,
        /// Why.
        message: String,
    },
    /// The broker refused an operation (unknown exchange, access refused, …).
    #[error("broker of `{service}` in environment `{environment}`: {operation}: {message}")]
    Refused {
        /// Service name.
        service: String,
        /// Environment name.
        environment: String,
        /// What was attempted.
        operation: String,
        /// The broker's reason.
        message: String,
    },
}

/// Who an error is about: a service in an environment.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub(crate) service: String,
    pub(crate) environment: String,
}

impl Origin {
    pub(crate) fn lost(&self, message: impl std::fmt::Display) -> AmqpError {
        AmqpError::Lost {
            service: self.service.clone(),
            environment: self.environment.clone(),
            message: message.to_string(),
        }
    }

    /// A failed operation: lost when the channel is no longer usable, refused otherwise.
    pub(crate) fn failed(&self, channel: &Channel, operation: &str, e: lapin::Error) -> AmqpError {
        if channel.status().connected() {
            AmqpError::Refused {
                service: self.service.clone(),
                environment: self.environment.clone(),
                operation: operation.to_owned(),
                message: e.to_string(),
            }
        } else {
            self.lost(format!("{operation}: {e}"))
        }
    }
}

/// The broker connection of one service in one environment; reconnects when
/// the previous connection was closed.
#[derive(Debug)]
pub struct AmqpClient {
    origin: Origin,
    service: AmqpService,
    connection: tokio::sync::Mutex<Option<Arc<Connection>>>,
    limiter: Option<Arc<crate::transport::limit::RequestLimiter>>,
}

impl AmqpClient {
    /// A client for `service` of `environment`; connects on first use.
    pub fn new(name: &str, environment: &str, service: &AmqpService) -> AmqpClient {
        AmqpClient {
            origin: Origin {
                service: name.to_owned(),
                environment: environment.to_owned(),
            },
            service: service.clone(),
            connection: tokio::sync::Mutex::default(),
            limiter: None,
        }
    }

    /// Makes every publish wait for a permit of `limiter` before it is sent.
    pub fn set_limiter(&mut self, limiter: Arc<crate::transport::limit::RequestLimiter>) {
        self.limiter = Some(limiter);
    }

    /// The service's configuration.
    pub fn config(&self) -> &AmqpService {
        &self.service
    }

    /// The name the connection carries in the broker (`driftgate ENV/SERVICE`).
    pub fn connection_name(&self) -> String {
        format!(
            "driftgate {}/{}",
            self.origin.environment, self.origin.service
        )
    }

    /// The open connection, opening one when there is none or it was closed.
    pub async fn connection(&self) -> Result<Arc<Connection>, AmqpError> {
        let mut slot = self.connection.lock().await;
        if let Some(conn) = slot.as_ref()
            && conn.status().connected()
        {
            return Ok(conn.clone());
        }
        crate::transport::http::install_crypto_provider();
        let props =
            ConnectionProperties::default().with_connection_name(self.connection_name().into());
        let connect = Connection::connect(&self.service.url, props);
        let conn = match tokio::time::timeout(self.service.timeout, connect).await {
            Ok(Ok(conn)) => Arc::new(conn),
            Ok(Err(e)) => return Err(self.connect_error(e.to_string())),
            Err(_) => {
                return Err(
                    self.connect_error(format!("no answer within {:?}", self.service.timeout))
                );
            }
        };
        *slot = Some(conn.clone());
        Ok(conn)
    }

    fn connect_error(&self, message: String) -> AmqpError {
        AmqpError::Connect {
            service: self.origin.service.clone(),
            environment: self.origin.environment.clone(),
            url: self.service.display_url.clone(),
            message,
        }
    }

    /// A new channel on the connection.
    pub async fn channel(&self) -> Result<Channel, AmqpError> {
        let conn = self.connection().await?;
        conn.create_channel()
            .await
            .map_err(|e| self.origin.lost(format!("cannot open a channel: {e}")))
    }

    /// A new channel with publisher confirms on.
    pub async fn confirm_channel(&self) -> Result<Channel, AmqpError> {
        let channel = self.channel().await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(|e| self.origin.failed(&channel, "confirm.select", e))?;
        Ok(channel)
    }

    /// Publishes one message (mandatory, confirmed) on `channel` and waits for the broker's answer.
    pub async fn publish_on(
        &self,
        channel: &Channel,
        message: &AmqpMessage,
    ) -> Result<PublishConfirm, AmqpError> {
        let payload = message.payload().map_err(|m| AmqpError::Refused {
            service: self.origin.service.clone(),
            environment: self.origin.environment.clone(),
            operation: "publish".into(),
            message: m,
        })?;
        let options = BasicPublishOptions {
            mandatory: true,
            ..BasicPublishOptions::default()
        };
        let _permit = crate::transport::limit::permit(self.limiter.as_ref()).await;
        let publish = async {
            let confirm = channel
                .basic_publish(
                    message.exchange.as_str().into(),
                    message.routing_key.as_str().into(),
                    options,
                    &payload,
                    properties_of(message),
                )
                .await?;
            confirm.await
        };
        let what = format!(
            "publish to exchange `{}` with routing key `{}`",
            message.exchange, message.routing_key
        );
        match tokio::time::timeout(self.service.timeout, publish).await {
            Err(_) => Err(self.origin.lost(format!(
                "{what}: no confirm within {:?}",
                self.service.timeout
            ))),
            Ok(Err(e)) => Err(self.origin.failed(channel, &what, e)),
            Ok(Ok(Confirmation::Ack(None))) => Ok(PublishConfirm::Confirmed),
            Ok(Ok(Confirmation::Ack(Some(_)))) => Ok(PublishConfirm::Returned),
            Ok(Ok(Confirmation::Nack(_))) => Ok(PublishConfirm::Nacked),
            Ok(Ok(Confirmation::NotRequested)) => Err(self
                .origin
                .lost(format!("{what}: the channel has no publisher confirms"))),
        }
    }

    /// Publishes one message on a fresh confirm channel.
    pub async fn publish(&self, message: &AmqpMessage) -> Result<PublishConfirm, AmqpError> {
        let channel = self.confirm_channel().await?;
        let outcome = self.publish_on(&channel, message).await;
        close_quietly(&channel).await;
        outcome
    }

    /// Starts a listener: the harness's own queue bound to an exchange, or a real queue read destructively.
    pub async fn listen(&self, source: ListenerSource) -> Result<Listener, AmqpError> {
        let channel = self.channel().await?;
        Listener::start(self.origin.clone(), channel, source).await
    }

    /// The operation timeout of this service.
    pub fn timeout(&self) -> Duration {
        self.service.timeout
    }
}

/// Closes a channel, ignoring errors (the connection may already be gone).
pub(crate) async fn close_quietly(channel: &Channel) {
    if channel.status().connected() {
        let _ = channel.close(200, "done".into()).await;
    }
}
