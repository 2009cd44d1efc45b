//! Background work every node runs. Each job claims its rows with a
//! conditional statement, so running it on every node at once does the same
//! work once.

use std::time::Duration;

use crate::db::now;
use crate::state::App;

pub fn spawn_all(app: &App) {
    tokio::spawn(app.mail.clone().run_worker());
    crate::transfer::spawn_background(app);
    crate::library::spawn_background(app);
    let a = app.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = sweep_expired(&a).await {
                tracing::warn!(error = %e, "sweeping expired rows");
            }
            if let Err(e) = crate::file_send::sweep(&a).await {
                tracing::warn!(error = %e, "sweeping file_send rows");
            }
            a.abuse.forget_idle();
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    });
}

/// Deletes expired tokens, sessions and throttle rows (the temporary files
/// of abandoned blob writes go with the transfer sweeps).
pub async fn sweep_expired(app: &App) -> sqlx::Result<()> {
    let t = now();
    let pool = &app.db.pool;
    sqlx::query("DELETE FROM tokens WHERE expires < $1")
        .bind(t)
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM sessions WHERE last_seen < $1")
        .bind(t - app.cfg.limits.session_idle_secs)
        .execute(pool)
        .await?;
    sqlx::query("DELETE FROM throttle WHERE last_failure < $1 AND blocked_until < $1")
        .bind(t - 3600)
        .execute(pool)
        .await?;
    Ok(())
}
