//! Structural JSON diff.
