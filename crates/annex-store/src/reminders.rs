//! Reminders: the sweep that collects every owner's records due up to a date, for the email
//! digest, and the claim of a digest's day, which makes several app servers on one database
//! send each day's digest once.

use serde::Serialize;
use sqlx::FromRow;

use crate::tx::execute;
use crate::{Result, Store, Tx, on_pool};

/// An owned record that reminds of something on or before the sweep's date.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct ReminderRow {
    pub owner_id: i64,
    pub id: i64,
    pub kind: String,
    pub number: String,
    pub title: String,
    pub state: String,
    pub site: String,
    pub due_on: Option<String>,
    pub remind_on: Option<String>,
    /// The kind's fields, read only where a date other than the due date reminds (a
    /// document's body can be long, and most records remind through their due date).
    pub fields: Option<String>,
}

/// A day's digest as claimed.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct DigestRow {
    pub day: String,
    pub claimed_at: i64,
    pub claimed_by: String,
    pub finished_at: Option<i64>,
    pub sent: i64,
    pub failed: i64,
}

impl Store {
    /// Every record with an owner that reminds of something on or before `until`, leaving
    /// out records in `not_states` (the terminal ones), by owner and then soonest first.
    pub async fn reminders(&self, until: &str, not_states: &[String]) -> Result<Vec<ReminderRow>> {
        let mut sql = String::from(
            "SELECT owner_id, id, kind, number, title, state, site, due_on, remind_on, \
             CASE WHEN remind_on = due_on THEN NULL ELSE fields END AS fields \
             FROM records WHERE remind_on <= $1 AND owner_id IS NOT NULL",
        );
        if !not_states.is_empty() {
            let marks: Vec<String> = (0..not_states.len())
                .map(|i| format!("${}", i + 2))
                .collect();
            sql.push_str(&format!(" AND state NOT IN ({})", marks.join(", ")));
        }
        sql.push_str(" ORDER BY owner_id, remind_on, id");
        Ok(on_pool!(self, p => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(until);
            for s in not_states {
                q = q.bind(s);
            }
            q.fetch_all(p).await?
        }))
    }

    /// The claim of `day`'s digest, if it has been claimed.
    pub async fn digest(&self, day: &str) -> Result<Option<DigestRow>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as(
                "SELECT day, claimed_at, claimed_by, finished_at, sent, failed \
                 FROM reminder_digests WHERE day = $1",
            )
            .bind(day)
            .fetch_optional(p)
            .await?
        }))
    }
}

impl Tx {
    /// Claims `day`'s digest for `by`; false when another server (or an earlier run) has
    /// claimed it. On PostgreSQL a concurrent claim waits for the first to commit and then
    /// finds the row, so exactly one claim of a day succeeds.
    pub async fn claim_digest(&mut self, day: &str, by: &str, at: i64) -> Result<bool> {
        let n = execute!(
            self,
            "INSERT INTO reminder_digests (day, claimed_at, claimed_by) VALUES ($1, $2, $3) \
             ON CONFLICT (day) DO NOTHING",
            day,
            at,
            by,
        )?;
        Ok(n == 1)
    }

    /// Records how `day`'s digest went.
    pub async fn finish_digest(
        &mut self,
        day: &str,
        sent: i64,
        failed: i64,
        at: i64,
    ) -> Result<()> {
        execute!(
            self,
            "UPDATE reminder_digests SET finished_at = $2, sent = $3, failed = $4 WHERE day = $1",
            day,
            at,
            sent,
            failed,
        )?;
        Ok(())
    }

    /// Gives `day` back when none of its digests could be sent (the mail server was down),
    /// so that a later attempt, by this server or another, sends it.
    pub async fn release_digest(&mut self, day: &str) -> Result<()> {
        execute!(
            self,
            "DELETE FROM reminder_digests WHERE day = $1 AND finished_at IS NULL",
            day,
        )?;
        Ok(())
    }
}
