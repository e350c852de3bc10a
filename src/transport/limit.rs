//! Load caps per environment: one [`RequestLimiter`] per capped environment,
//! shared by every scenario, tenant and transport of a run, so a run never
//! puts more load on production than `[environments.NAME.limits]` allows.
//!
//! ```text
//! [environments.production.limits] max_concurrent_requests = 8, requests_per_second = 20
//!   HTTP / SQL / AMQP request ─▶ acquire() ─▶ (wait for a slot and a tick) ─▶ send … read body ─▶ drop(permit)
//!   after the run: LimitUsage { environment: "production", requests: 120, waited: 37, wait_ms: 4210.0 }
//! ```
//!
//! Concurrency is a `tokio::sync::Semaphore`; the request rate is a GCRA
//! limiter (`governor`) without bursts, so requests are spaced evenly. A
//! request's timing starts after its permit is granted.

use std::collections::BTreeMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::config::{Environment, LimitSpec};

/// One capped environment's caps and how often a request had to wait for them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitUsage {
    /// Environment name.
    pub environment: String,
    /// The concurrency cap, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_concurrent_requests: Option<usize>,
    /// The rate cap, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests_per_second: Option<u32>,
    /// Requests that went through the caps.
    pub requests: u64,
    /// Requests that could not start at once.
    pub waited: u64,
    /// Time those requests spent waiting, summed, in milliseconds.
    pub wait_ms: f64,
}

impl LimitUsage {
    /// The caps as text: `max 8 concurrent, 20/s`.
    pub fn caps(&self) -> String {
        let concurrent = self
            .max_concurrent_requests
            .map(|n| format!("max {n} concurrent"));
        let rate = self.requests_per_second.map(|n| format!("{n}/s"));
        concurrent
            .into_iter()
            .chain(rate)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The caps of one environment and what they cost the run so far.
pub struct RequestLimiter {
    environment: String,
    spec: LimitSpec,
    concurrency: Option<Arc<Semaphore>>,
    rate: Option<DefaultDirectRateLimiter>,
    requests: AtomicU64,
    waited: AtomicU64,
    wait_nanos: AtomicU64,
}

impl std::fmt::Debug for RequestLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestLimiter")
            .field("environment", &self.environment)
            .field("spec", &self.spec)
            .finish_non_exhaustive()
    }
}

/// Held while a request is in flight; dropping it frees the slot.
#[derive(Debug)]
pub struct Permit {
    _slot: Option<OwnedSemaphorePermit>,
}

impl RequestLimiter {
    /// The limiter of `environment`, or `None` when `spec` caps nothing.
    pub fn new(environment: &str, spec: LimitSpec) -> Option<Arc<RequestLimiter>> {
        if !spec.is_capped() {
            return None;
        }
        let concurrency = spec
            .max_concurrent_requests
            .filter(|n| *n > 0)
            .map(|n| Arc::new(Semaphore::new(n)));
        let rate = spec
            .requests_per_second
            .and_then(NonZeroU32::new)
            .map(|n| RateLimiter::direct(Quota::per_second(n).allow_burst(NonZeroU32::MIN)));
        Some(Arc::new(RequestLimiter {
            environment: environment.to_owned(),
            spec,
            concurrency,
            rate,
            requests: AtomicU64::new(0),
            waited: AtomicU64::new(0),
            wait_nanos: AtomicU64::new(0),
        }))
    }

    /// Waits until one more request may start: a free slot, then a tick of
    /// the rate. A request that could not start at once counts as waited.
    pub async fn acquire(&self) -> Permit {
        let started = Instant::now();
        self.requests.fetch_add(1, Ordering::Relaxed);
        let mut waited = false;
        let slot = match &self.concurrency {
            None => None,
            Some(semaphore) => match semaphore.clone().try_acquire_owned() {
                Ok(slot) => Some(slot),
                Err(_) => {
                    waited = true;
                    // The semaphore is never closed, so this always yields a slot.
                    semaphore.clone().acquire_owned().await.ok()
                }
            },
        };
        if let Some(rate) = &self.rate
            && rate.check().is_err()
        {
            waited = true;
            rate.until_ready().await;
        }
        if waited {
            let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
            self.waited.fetch_add(1, Ordering::Relaxed);
            self.wait_nanos.fetch_add(nanos, Ordering::Relaxed);
        }
        Permit { _slot: slot }
    }

    /// What the caps cost so far.
    pub fn usage(&self) -> LimitUsage {
        LimitUsage {
            environment: self.environment.clone(),
            max_concurrent_requests: self.spec.max_concurrent_requests,
            requests_per_second: self.spec.requests_per_second,
            requests: self.requests.load(Ordering::Relaxed),
            waited: self.waited.load(Ordering::Relaxed),
            wait_ms: self.wait_nanos.load(Ordering::Relaxed) as f64 / 1e6,
        }
    }
}

/// Waits for a permit of `limiter`, if there is one.
pub async fn permit(limiter: Option<&Arc<RequestLimiter>>) -> Option<Permit> {
    match limiter {
        Some(limiter) => Some(limiter.acquire().await),
        None => None,
    }
}

/// The limiters of a run, one per capped environment, by environment name.
#[derive(Debug, Default, Clone)]
pub struct Limiters {
    by_environment: BTreeMap<String, Arc<RequestLimiter>>,
}

impl Limiters {
    /// One limiter per capped environment among `environments` (an
    /// environment named twice, as in a recording, gets one limiter).
    pub fn for_environments<'a>(environments: impl IntoIterator<Item = &'a Environment>) -> Self {
        let mut by_environment = BTreeMap::new();
        for env in environments {
            if by_environment.contains_key(&env.name) {
                continue;
            }
            if let Some(limiter) = RequestLimiter::new(&env.name, env.limits) {
                by_environment.insert(env.name.clone(), limiter);
            }
        }
        Limiters { by_environment }
    }

    /// The limiter of `environment`, when it is capped.
    pub fn get(&self, environment: &str) -> Option<Arc<RequestLimiter>> {
        self.by_environment.get(environment).cloned()
    }

    /// What each capped environment's caps cost, in name order.
    pub fn usage(&self) -> Vec<LimitUsage> {
        self.by_environment.values().map(|l| l.usage()).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;
    use std::time::Duration;

    use super::*;

    fn capped(concurrent: Option<usize>, rps: Option<u32>) -> Arc<RequestLimiter> {
        RequestLimiter::new(
            "production",
            LimitSpec {
                max_concurrent_requests: concurrent,
                requests_per_second: rps,
            },
        )
        .unwrap()
    }

    #[test]
    fn no_caps_no_limiter() {
        assert!(RequestLimiter::new("staging", LimitSpec::default()).is_none());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn never_more_in_flight_than_the_cap_and_waits_are_counted() {
        let limiter = capped(Some(3), None);
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..24)
            .map(|_| {
                let (limiter, in_flight, peak) = (limiter.clone(), in_flight.clone(), peak.clone());
                tokio::spawn(async move {
                    let _permit = limiter.acquire().await;
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 3);
        let usage = limiter.usage();
        assert_eq!(usage.requests, 24);
        assert!(usage.waited >= 21 - 3, "{usage:?}");
        assert!(usage.wait_ms > 10.0, "{usage:?}");
    }

    #[tokio::test]
    async fn requests_are_spaced_by_the_rate() {
        let limiter = capped(None, Some(50));
        let started = Instant::now();
        for _ in 0..6 {
            let _permit = limiter.acquire().await;
        }
        // One at once, then one every 20 ms.
        assert!(
            started.elapsed() >= Duration::from_millis(95),
            "{:?}",
            started.elapsed()
        );
        let usage = limiter.usage();
        assert_eq!((usage.requests, usage.waited), (6, 5));
    }

    #[test]
    fn one_limiter_per_environment_name() {
        let env = |name: &str, limits| Environment {
            name: name.to_owned(),
            protected: false,
            allow_write_tags: Vec::new(),
            variables: BTreeMap::new(),
            services: BTreeMap::new(),
            databases: BTreeMap::new(),
            amqp: BTreeMap::new(),
            limits,
        };
        let cap = LimitSpec {
            max_concurrent_requests: Some(2),
            requests_per_second: None,
        };
        let envs = [
            env("production", cap),
            env("production", cap),
            env("staging", LimitSpec::default()),
        ];
        let limiters = Limiters::for_environments(&envs);
        assert!(limiters.get("staging").is_none());
        let a = limiters.get("production").unwrap();
        assert!(Arc::ptr_eq(&a, &limiters.get("production").unwrap()));
        assert_eq!(limiters.usage().len(), 1);
    }
}
