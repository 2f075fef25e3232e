//! Following other servers on one PostgreSQL database: a `LISTEN` on the store's channel
//! wakes this server's publisher as soon as any server commits a change or stores a
//! snapshot, so its watchers see writes made through another replica without waiting for
//! the next poll. (The poll stays, for SQLite and for notifications lost while the listener
//! reconnects.)

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;

use super::Publisher;
use crate::store::CHANNEL;

/// Listens until the publisher stops, reconnecting after errors.
pub(crate) async fn follow(publisher: Arc<Publisher>, url: String) {
    loop {
        match listen(&publisher, &url).await {
            Ok(()) => return,
            Err(e) => eprintln!("rolegate-server: listening for other servers' changes: {e}"),
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
            () = publisher.stopped() => return,
        }
    }
}

/// One connection's worth of listening; `Ok` when the publisher stops.
async fn listen(publisher: &Arc<Publisher>, url: &str) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    loop {
        let notification = tokio::select! {
            n = listener.recv() => n?,
            () = publisher.stopped() => return Ok(()),
        };
        let payload = notification.payload();
        if let Some((org, revision)) = payload.rsplit_once(' ')
            && let Ok(revision) = revision.parse::<u64>()
        {
            publisher.notify(org, revision);
        }
    }
}
