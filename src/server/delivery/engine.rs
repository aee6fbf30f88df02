//! The engine's loop, inside `serve`: claim due queues up to the
//! concurrency, drain each (send, record, next) until it is released, and
//! sleep until told of new deliveries, until the next queue falls due, or
//! for the poll interval (work queued by other instances).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Notify, Semaphore};
use tokio_util::sync::CancellationToken;

use super::queue::{self, Next};
use super::{outcome, DeliveryMetrics, Settings};
use crate::server::causes::with_causes;
use crate::server::clock::now_millis;
use crate::server::db::{self, Db};
use crate::server::slack::SlackClient;

/// Wakes this instance's engine: deliveries were just queued.
#[derive(Clone, Debug, Default)]
pub struct Wake(Arc<Notify>);

impl Wake {
    pub fn now(&self) {
        self.0.notify_one();
    }
}

/// Delivers queued events to Slack. Cheap to clone.
#[derive(Clone)]
pub struct Engine(Arc<Inner>);

struct Inner {
    db: Db,
    slack: SlackClient,
    settings: Settings,
    /// This instance, as its leases name it.
    owner: String,
    wake: Wake,
    /// Sends whose outcome this engine has recorded.
    recorded: watch::Sender<u64>,
    metrics: DeliveryMetrics,
    /// Cancelled to stop: no more claims, each queue released after its
    /// send in flight.
    stopping: CancellationToken,
}

impl Engine {
    pub fn new(db: Db, slack: SlackClient, settings: Settings, wake: Wake) -> Self {
        let owner = format!("{:016x}", rand::random::<u64>());
        Engine(Arc::new(Inner {
            db,
            slack,
            settings,
            owner,
            wake,
            recorded: watch::Sender::new(0),
            metrics: DeliveryMetrics::default(),
            stopping: CancellationToken::new(),
        }))
    }

    /// Cancelling it stops [`Engine::run`] gently (a shutdown).
    pub fn stopper(&self) -> CancellationToken {
        self.0.stopping.clone()
    }

    /// The same engine, counting into `metrics` (the server's registry's).
    pub fn with_metrics(self, metrics: DeliveryMetrics) -> Self {
        let inner = Arc::try_unwrap(self.0)
            .unwrap_or_else(|_| panic!("with_metrics is called before the engine is shared"));
        Engine(Arc::new(Inner { metrics, ..inner }))
    }

    /// How many sends' outcomes this engine has recorded, as it changes.
    pub fn recorded(&self) -> watch::Receiver<u64> {
        self.0.recorded.subscribe()
    }

    /// Delivers until stopped ([`Engine::stopper`]), then waits for the
    /// sends in flight (at most a send's timeout and a second) to be
    /// recorded and their queues released, so nothing is sent twice.
    pub async fn run(self) {
        self.listen_to_other_instances().await;
        let concurrency = self.0.settings.concurrency;
        let permits = Arc::new(Semaphore::new(concurrency));
        while !self.0.stopping.is_cancelled() {
            // A read first: an idle engine takes no write lock.
            let next_due = self.next_due().await;
            let free = permits.available_permits();
            let now = now_millis();
            let mut all_taken = false;
            if free > 0 && next_due.is_some_and(|at| at <= now) {
                let claimed = queue::claim(&self.0.db, &self.0.owner, free, now, &self.0.settings)
                    .await
                    .unwrap_or_else(|error| {
                        tracing::warn!(error = %with_causes(&error), "cannot claim deliveries");
                        Vec::new()
                    });
                all_taken = claimed.len() == free;
                for webhook_id in claimed {
                    let permit = permits
                        .clone()
                        .try_acquire_owned()
                        .expect("no more queues are claimed than permits are free");
                    let engine = self.clone();
                    tokio::spawn(async move {
                        engine.drain_logged(webhook_id).await;
                        drop(permit);
                        engine.0.wake.now();
                    });
                }
            }
            if all_taken {
                // There may be more due right now.
                continue;
            }
            // Until the next queue falls due (a claimed one: when its lease
            // would run out), at most the poll interval.
            let poll = self.0.settings.poll;
            let wait = next_due.map_or(poll, |at| {
                let ms = (at - now_millis()).max(1) as u64;
                poll.min(Duration::from_millis(ms))
            });
            tokio::select! {
                _ = self.0.wake.0.notified() => {}
                _ = tokio::time::sleep(wait) => {}
                _ = self.0.stopping.cancelled() => {}
            }
        }
        let in_flight = permits.acquire_many(concurrency as u32);
        let limit = self.0.settings.timeout + Duration::from_secs(1);
        if tokio::time::timeout(limit, in_flight).await.is_err() {
            tracing::warn!("stopped with sends still in flight; their leases will run out");
        }
    }

    /// PostgreSQL: wakes this engine when any instance queues deliveries.
    async fn listen_to_other_instances(&self) {
        let mut listener = match self.0.db.listen(super::CHANNEL).await {
            Ok(Some(listener)) => listener,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(error = %with_causes(&error), "cannot listen for deliveries; polling");
                return;
            }
        };
        let wake = self.0.wake.clone();
        let poll = self.0.settings.poll;
        let stopping = self.0.stopping.clone();
        // Ends when the engine stops: the listener's connection goes back,
        // so closing the pool at shutdown does not wait for it.
        tokio::spawn(async move {
            loop {
                let heard = tokio::select! {
                    heard = listener.recv() => heard,
                    _ = stopping.cancelled() => return,
                };
                if let Err(error) = heard {
                    tracing::warn!(error = %with_causes(&error), "lost the delivery listener");
                    tokio::select! {
                        _ = tokio::time::sleep(poll) => {}
                        _ = stopping.cancelled() => return,
                    }
                } else {
                    wake.now();
                }
            }
        });
    }

    /// When the next queue falls due, if any does (`None` too when the
    /// database cannot say: the loop then polls).
    async fn next_due(&self) -> Option<i64> {
        queue::next_due(&self.0.db).await.unwrap_or_else(|error| {
            tracing::warn!(error = %with_causes(&error), "cannot read the delivery queues");
            None
        })
    }

    /// Sends everything due now, one queue after another, until nothing is
    /// (for tests and the command line: no loop, no timers).
    pub async fn deliver_due(&self) -> Result<(), db::Error> {
        loop {
            let now = now_millis();
            let claimed =
                queue::claim(&self.0.db, &self.0.owner, 1_000, now, &self.0.settings).await?;
            if claimed.is_empty() {
                return Ok(());
            }
            for webhook_id in claimed {
                self.drain(webhook_id).await?;
            }
        }
    }

    async fn drain_logged(&self, webhook_id: i64) {
        if let Err(error) = self.drain(webhook_id).await {
            // The lease runs out and the queue is claimed again.
            tracing::warn!(webhook_id, error = %with_causes(&error), "delivery interrupted");
        }
    }

    /// Works one claimed queue until it is released: each step records the
    /// last send's answer and picks the next, in one transaction.
    async fn drain(&self, webhook_id: i64) -> Result<(), db::Error> {
        let Inner {
            db,
            slack,
            settings,
            owner,
            ..
        } = &*self.0;
        let mut finished = None;
        loop {
            let now = now_millis();
            let (deactivated, next) = db
                .transaction(async |tx| {
                    let deactivated = match &finished {
                        Some((sent, answer)) => {
                            outcome::record(tx, sent, answer, settings, now).await?
                        }
                        None => false,
                    };
                    let next = if self.0.stopping.is_cancelled() {
                        queue::release_now(tx, webhook_id, owner, now).await?
                    } else {
                        queue::next(tx, webhook_id, owner, now, settings).await?
                    };
                    Ok::<_, db::Error>((deactivated, next))
                })
                .await?;
            if let Some((_, answer)) = &finished {
                self.0.metrics.sent(&answer.kind);
                if deactivated {
                    self.0.metrics.deactivated();
                }
                self.0.recorded.send_modify(|count| *count += 1);
            }
            let mut send = match next {
                Next::Send(send) => send,
                Next::Paced => {
                    self.0.metrics.paced();
                    return Ok(());
                }
                Next::Released => return Ok(()),
            };
            let message = std::mem::take(&mut send.message);
            let answer = slack.post(&send.url, message, settings.timeout).await;
            finished = Some((send, answer));
        }
    }
}
