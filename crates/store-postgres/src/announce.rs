//! Wakes every process's job workers after a commit that filed jobs.
//!
//! A `NOTIFY` inside the transaction that files the jobs would be delivered at its commit,
//! but PostgreSQL serialises the commits of all transactions that notify (each holds a
//! database-wide lock from its pre-commit until its commit is flushed, to keep the queue in
//! commit order). Every job-filing transaction of every process would then flush one after
//! another. So the notification is sent after the commit, by this one task, in a
//! transaction of its own that writes nothing; wake-ups that arrive while it is sending
//! are folded into the next one. A lost wake-up only costs latency: workers also poll.

use sqlx::PgPool;
use tokio::sync::mpsc;

#[derive(Clone)]
pub(crate) struct Announcer {
    pending: mpsc::Sender<()>,
}

impl Announcer {
    /// Starts the sender; it stops once every clone of the announcer is gone.
    pub fn start(pool: PgPool) -> Self {
        // One slot: a request made while a NOTIFY is on its way queues exactly one more.
        let (pending, mut requests) = mpsc::channel(1);
        tokio::spawn(async move {
            while requests.recv().await.is_some() {
                let sent =
                    sqlx::query("SELECT pg_notify($1, '')").bind(crate::JOBS_CHANNEL).execute(&pool).await;
                if let Err(err) = sent {
                    if pool.is_closed() {
                        return;
                    }
                    tracing::warn!(error = %err, "could not announce new jobs; workers find them at their next poll");
                }
            }
        });
        Self { pending }
    }

    /// Asks for a wake-up; never waits.
    pub fn announce(&self) {
        let _ = self.pending.try_send(());
    }
}
