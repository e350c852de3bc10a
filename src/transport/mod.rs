//! Transports: how the twin world acts on an environment and observes it.
