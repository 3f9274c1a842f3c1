//! Assessments: the assessment row with its plan (JSON), one row per answered item, evidence
//! files and readiness snapshots. What the plan and an answer mean lives in
//! `annex_core::assessment`; the audit events are added by the app layer to the same
//! transaction.

use serde::Serialize;
use sqlx::FromRow;

use crate::tx::{FromSqlite, execute, fetch_optional, fetch_scalar};
use crate::{Result, Store, Tx, on_pool, unique};

/// An assessment as stored.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct AssessmentRow {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub state: String,
    /// JSON arrays.
    pub standards: String,
    pub sites: String,
    pub processes: String,
    /// JSON `annex_core::assessment::Plan`; empty in lists.
    pub plan: String,
    pub transition_from: Option<String>,
    pub version: i64,
    pub created_at: i64,
    pub created_by: Option<i64>,
    /// The creator's printed name.
    pub created_by_name: Option<String>,
}

const COLUMNS: &str = "a.id, a.number, a.title, a.state, a.standards, a.sites, a.processes, \
    a.plan, a.transition_from, a.version, a.created_at, a.created_by, u.display_name AS created_by_name";

impl FromSqlite for AssessmentRow {
    fn from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(AssessmentRow {
            id: r.get(0)?,
            number: r.get(1)?,
            title: r.get(2)?,
            state: r.get(3)?,
            standards: r.get(4)?,
            sites: r.get(5)?,
            processes: r.get(6)?,
            plan: r.get(7)?,
            transition_from: r.get(8)?,
            version: r.get(9)?,
            created_at: r.get(10)?,
            created_by: r.get(11)?,
            created_by_name: r.get(12)?,
        })
    }
}

/// One answered item.
#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct AnswerRow {
    pub item: i64,
    pub result: String,
    pub maturity: Option<i64>,
    pub notes: String,
    pub justification: String,
    /// JSON array of `annex_core::assessment::Evidence`.
    pub evidence: String,
    pub evidence_count: i64,
    pub version: i64,
    pub assessed_at: i64,
    pub assessed_by: Option<i64>,
    pub assessed_by_name: Option<String>,
}

const ANSWER_COLUMNS: &str = "i.item, i.result, i.maturity, i.notes, i.justification, \
    i.evidence, i.evidence_count, i.version, i.assessed_at, i.assessed_by, \
    u.display_name AS assessed_by_name";

impl FromSqlite for AnswerRow {
    fn from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(AnswerRow {
            item: r.get(0)?,
            result: r.get(1)?,
            maturity: r.get(2)?,
            notes: r.get(3)?,
            justification: r.get(4)?,
            evidence: r.get(5)?,
            evidence_count: r.get(6)?,
            version: r.get(7)?,
            assessed_at: r.get(8)?,
            assessed_by: r.get(9)?,
            assessed_by_name: r.get(10)?,
        })
    }
}

/// What an answer writes.
#[derive(Debug, Clone)]
pub struct AnswerWrite<'a> {
    pub result: &'a str,
    pub maturity: Option<i64>,
    pub notes: &'a str,
    pub justification: &'a str,
    pub evidence: &'a str,
    pub evidence_count: i64,
}

/// An evidence file, without its content.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct FileRow {
    pub id: i64,
    pub assessment_id: i64,
    pub item: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: i64,
}

/// A readiness snapshot.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct SnapshotRow {
    pub id: i64,
    pub taken_at: i64,
    pub taken_by_name: Option<String>,
    /// JSON: `[[standard id, share], ...]`.
    pub shares: String,
}

impl Store {
    /// The assessment numbered `number`, with its plan.
    pub async fn assessment(&self, number: &str) -> Result<Option<AssessmentRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM assessments a LEFT JOIN users u ON u.id = a.created_by \
             WHERE a.number = $1"
        );
        Ok(on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(number).fetch_optional(p).await?
        }))
    }

    /// Assessments, newest first, without their plans.
    pub async fn assessments(&self, limit: i64) -> Result<Vec<AssessmentRow>> {
        let sql = format!(
            "SELECT {} FROM assessments a LEFT JOIN users u ON u.id = a.created_by \
             ORDER BY a.id DESC LIMIT $1",
            COLUMNS.replace("a.plan", "'' AS plan")
        );
        Ok(on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(p).await?
        }))
    }

    /// Every answered item of an assessment, in item order.
    pub async fn answers(&self, assessment_id: i64) -> Result<Vec<AnswerRow>> {
        let sql = format!(
            "SELECT {ANSWER_COLUMNS} FROM assessment_items i \
             LEFT JOIN users u ON u.id = i.assessed_by \
             WHERE i.assessment_id = $1 ORDER BY i.item"
        );
        Ok(on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(assessment_id).fetch_all(p).await?
        }))
    }

    /// What readiness needs of each answered item: number, result, evidence count and
    /// maturity; nothing else is read.
    pub async fn answer_summary(
        &self,
        assessment_id: i64,
    ) -> Result<Vec<(i64, String, i64, Option<i64>)>> {
        let sql = "SELECT item, result, evidence_count, maturity FROM assessment_items \
                   WHERE assessment_id = $1";
        Ok(on_pool!(self, p => {
            sqlx::query_as(sql).bind(assessment_id).fetch_all(p).await?
        }))
    }

    /// An evidence file with its content.
    pub async fn assessment_file(
        &self,
        assessment_id: i64,
        id: i64,
    ) -> Result<Option<(FileRow, Vec<u8>)>> {
        let row: Option<FileRow> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT id, assessment_id, item, name, media_type, size, sha256, created_at \
                 FROM assessment_files WHERE id = $1 AND assessment_id = $2",
            )
            .bind(id)
            .bind(assessment_id)
            .fetch_optional(p)
            .await?
        });
        let Some(row) = row else { return Ok(None) };
        let content: Vec<u8> = on_pool!(self, p => {
            sqlx::query_scalar("SELECT content FROM assessment_files WHERE id = $1")
                .bind(id)
                .fetch_one(p)
                .await?
        });
        Ok(Some((row, content)))
    }

    /// Readiness snapshots of an assessment, oldest first.
    pub async fn snapshots(&self, assessment_id: i64) -> Result<Vec<SnapshotRow>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as(
                "SELECT s.id, s.taken_at, u.display_name AS taken_by_name, s.shares \
                 FROM assessment_snapshots s LEFT JOIN users u ON u.id = s.taken_by \
                 WHERE s.assessment_id = $1 ORDER BY s.taken_at, s.id",
            )
            .bind(assessment_id)
            .fetch_all(p)
            .await?
        }))
    }
}

/// A new assessment's columns.
#[derive(Debug, Clone)]
pub struct NewAssessment<'a> {
    pub seq: i64,
    pub number: &'a str,
    pub title: &'a str,
    pub standards: &'a str,
    pub sites: &'a str,
    pub processes: &'a str,
    pub plan: &'a str,
    pub transition_from: Option<&'a str>,
}

impl Tx {
    /// Inserts an assessment, open, at version 1; returns its id.
    pub async fn insert_assessment(
        &mut self,
        a: &NewAssessment<'_>,
        at: i64,
        by: Option<i64>,
    ) -> Result<i64> {
        fetch_scalar!(
            self,
            i64,
            "INSERT INTO assessments (seq, number, title, state, standards, sites, processes, \
             plan, transition_from, version, created_at, created_by) \
             VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $8, 1, $9, $10) RETURNING id",
            a.seq,
            a.number,
            a.title,
            a.standards,
            a.sites,
            a.processes,
            a.plan,
            a.transition_from,
            at,
            by,
        )
        .map_err(|e| unique(e, "number"))
    }

    /// The assessment, read inside the transaction.
    pub async fn assessment(&mut self, number: &str) -> Result<Option<AssessmentRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM assessments a LEFT JOIN users u ON u.id = a.created_by \
             WHERE a.number = $1"
        );
        fetch_optional!(self, AssessmentRow, &sql, number)
    }

    /// One answered item, read inside the transaction (its before-values for the audit
    /// trail and its version for the check).
    pub async fn answer(&mut self, assessment_id: i64, item: i64) -> Result<Option<AnswerRow>> {
        let sql = format!(
            "SELECT {ANSWER_COLUMNS} FROM assessment_items i \
             LEFT JOIN users u ON u.id = i.assessed_by \
             WHERE i.assessment_id = $1 AND i.item = $2"
        );
        fetch_optional!(self, AnswerRow, &sql, assessment_id, item)
    }

    /// Writes an item's answer as version `read + 1`: inserted when `read` is 0, else
    /// written over version `read`. False when someone answered it first.
    pub async fn put_answer(
        &mut self,
        assessment_id: i64,
        item: i64,
        read: i64,
        a: &AnswerWrite<'_>,
        at: i64,
        by: Option<i64>,
    ) -> Result<bool> {
        let n = if read == 0 {
            execute!(
                self,
                "INSERT INTO assessment_items (assessment_id, item, result, maturity, notes, \
                 justification, evidence, evidence_count, version, assessed_at, assessed_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10) \
                 ON CONFLICT (assessment_id, item) DO NOTHING",
                assessment_id,
                item,
                a.result,
                a.maturity,
                a.notes,
                a.justification,
                a.evidence,
                a.evidence_count,
                at,
                by,
            )?
        } else {
            execute!(
                self,
                "UPDATE assessment_items SET result = $3, maturity = $4, notes = $5, \
                 justification = $6, evidence = $7, evidence_count = $8, version = $9, \
                 assessed_at = $10, assessed_by = $11 \
                 WHERE assessment_id = $1 AND item = $2 AND version = $12",
                assessment_id,
                item,
                a.result,
                a.maturity,
                a.notes,
                a.justification,
                a.evidence,
                a.evidence_count,
                read + 1,
                at,
                by,
                read,
            )?
        };
        Ok(n == 1)
    }

    /// Stores an evidence file; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_assessment_file(
        &mut self,
        assessment_id: i64,
        item: i64,
        name: &str,
        media_type: &str,
        sha256: &str,
        content: &[u8],
        at: i64,
        by: Option<i64>,
    ) -> Result<i64> {
        let size = content.len() as i64;
        let content = content.to_vec();
        fetch_scalar!(
            self,
            i64,
            "INSERT INTO assessment_files (assessment_id, item, name, media_type, size, \
             sha256, content, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            assessment_id,
            item,
            name,
            media_type,
            size,
            sha256,
            content,
            at,
            by,
        )
    }

    /// Keeps a readiness snapshot.
    pub async fn insert_snapshot(
        &mut self,
        assessment_id: i64,
        shares: &str,
        at: i64,
        by: Option<i64>,
    ) -> Result<i64> {
        fetch_scalar!(
            self,
            i64,
            "INSERT INTO assessment_snapshots (assessment_id, taken_at, taken_by, shares) \
             VALUES ($1, $2, $3, $4) RETURNING id",
            assessment_id,
            at,
            by,
            shares,
        )
    }

    /// Moves the assessment to `state` from version `read`; false when it changed since.
    pub async fn set_assessment_state(&mut self, id: i64, state: &str, read: i64) -> Result<bool> {
        let n = execute!(
            self,
            "UPDATE assessments SET state = $2, version = $3 WHERE id = $1 AND version = $4",
            id,
            state,
            read + 1,
            read,
        )?;
        Ok(n == 1)
    }
}
