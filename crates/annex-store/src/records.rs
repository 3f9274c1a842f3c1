//! Records: the one table every kind shares (indexed common columns, the kind's fields as
//! JSON), their versions, links, attachments, comments, signatures and acknowledgements, and
//! the filtered, keyset-paginated list with full-text search (FTS5 on SQLite, a `tsvector`
//! on PostgreSQL), and the same filter read whole, row by row, for exports.

use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::FromRow;

use crate::tx::{FromSqlite, Inner, execute, fetch_all, fetch_optional, fetch_scalar};
use crate::{Db, Result, Store, Tx, on_pool, unique};

/// A record's current state.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct RecordRow {
    pub id: i64,
    pub kind: String,
    pub seq: i64,
    pub number: String,
    pub title: String,
    pub state: String,
    pub owner_id: Option<i64>,
    pub site: String,
    pub due_on: Option<String>,
    /// The earliest date the record reminds of (see `annex_core::reminders::remind_on`).
    pub remind_on: Option<String>,
    /// The kind's fields, a JSON object.
    pub fields: String,
    pub version: i64,
    pub created_at: i64,
    pub created_by: Option<i64>,
    pub updated_at: i64,
}

const RECORD_COLUMNS: &str = "id, kind, seq, number, title, state, owner_id, site, due_on, \
                              remind_on, fields, version, created_at, created_by, updated_at";

/// The values a record version holds; written on create and on every change.
#[derive(Debug, Clone)]
pub struct Content<'a> {
    pub title: &'a str,
    pub state: &'a str,
    pub owner_id: Option<i64>,
    pub site: &'a str,
    pub due_on: Option<&'a str>,
    /// The earliest date the record reminds of; derived, so kept with the record only, not
    /// with its versions.
    pub remind_on: Option<&'a str>,
    pub fields: &'a str,
    /// Words to index for full-text search.
    pub search_text: &'a str,
}

/// One kept version of a record.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct VersionRow {
    pub record_id: i64,
    pub version: i64,
    pub title: String,
    pub state: String,
    pub owner_id: Option<i64>,
    pub site: String,
    pub due_on: Option<String>,
    pub fields: String,
    pub at: i64,
    pub by_user: Option<i64>,
    /// SHA-256 of the version's canonical content, which signatures are bound to.
    pub hash: String,
}

const VERSION_COLUMNS: &str =
    "record_id, version, title, state, owner_id, site, due_on, fields, at, by_user, hash";

/// A link from a record to another record or to a catalog clause.
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct LinkRow {
    pub id: i64,
    pub record_id: i64,
    pub target_id: Option<i64>,
    pub target_number: Option<String>,
    pub target_title: Option<String>,
    pub clause: Option<String>,
    pub relation: String,
    pub created_at: i64,
    pub created_by: Option<i64>,
}

/// An attachment's description (its bytes are read separately).
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct AttachmentRow {
    pub id: i64,
    pub record_id: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: i64,
    pub created_by: Option<i64>,
}

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct CommentRow {
    pub id: i64,
    pub record_id: i64,
    pub body: String,
    pub created_at: i64,
    pub created_by: Option<i64>,
}

/// An electronic signature as stored (21 CFR 11.50, 11.70).
#[derive(Debug, Clone, FromRow, Serialize)]
pub struct SignatureRow {
    pub id: i64,
    pub record_id: i64,
    pub version: i64,
    pub version_hash: String,
    pub meaning: String,
    pub signer_id: i64,
    pub printed_name: String,
    pub at: i64,
    pub hash: String,
}

const SIGNATURE_COLUMNS: &str =
    "id, record_id, version, version_hash, meaning, signer_id, printed_name, at, hash";

#[derive(Debug, Clone, FromRow, Serialize)]
pub struct AckRow {
    pub record_id: i64,
    pub revision: i64,
    pub user_id: i64,
    pub at: i64,
}

/// One month's average of a field (see [`Store::monthly_average`]).
#[derive(Debug, Clone, PartialEq, FromRow, Serialize)]
pub struct MonthlyAverage {
    /// `YYYY-MM`.
    pub month: String,
    pub average: f64,
    /// How many values the average is of.
    pub count: i64,
}

/// How a list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Most recently changed first.
    #[default]
    UpdatedDesc,
    UpdatedAsc,
    /// Newest first, by creation.
    CreatedDesc,
    CreatedAsc,
    /// Soonest due first; records without a due date last.
    DueAsc,
    TitleAsc,
}

/// Where the previous page ended: the sort key and id of its last row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cursor {
    Int(i64, i64),
    Text(String, i64),
}

/// What to list. Every condition is optional; they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<String>,
    pub states: Vec<String>,
    /// States to leave out (e.g. the terminal ones, for a task list).
    pub not_states: Vec<String>,
    pub owner_id: Option<i64>,
    pub site: Option<String>,
    /// When set, only records of these sites (a user limited to sites).
    pub sites_allowed: Option<Vec<String>>,
    /// Due on or before this date.
    pub due_by: Option<String>,
    /// Due on or after this date.
    pub due_from: Option<String>,
    /// Reminds of something (`remind_on`) on or after this date.
    pub remind_from: Option<String>,
    /// Reminds of something on or before this date.
    pub remind_by: Option<String>,
    /// Full-text query, words separated by spaces; each must match (by prefix).
    pub text: Option<String>,
    /// Fields of the kind that must hold these values (`residual_level` = `high`), compared
    /// as text. The names must be declared fields (the app layer checks); any other name
    /// matches nothing.
    pub fields: Vec<(String, String)>,
    pub sort: Sort,
    pub after: Option<Cursor>,
    pub limit: i64,
}

enum Bind {
    I64(i64),
    Str(String),
}

/// A `WHERE` clause built for one backend, with its values in placeholder order.
struct Query {
    sql: String,
    binds: Vec<Bind>,
}

impl Query {
    fn push(&mut self, cond: &str, bind: Bind) {
        self.binds.push(bind);
        let n = self.binds.len();
        self.sql.push_str(" AND ");
        self.sql.push_str(&cond.replace("$?", &format!("${n}")));
    }

    fn push_in(&mut self, column: &str, values: &[String], negate: bool) {
        if values.is_empty() {
            return;
        }
        let mut marks = Vec::with_capacity(values.len());
        for v in values {
            self.binds.push(Bind::Str(v.clone()));
            marks.push(format!("${}", self.binds.len()));
        }
        let not = if negate { "NOT " } else { "" };
        self.sql
            .push_str(&format!(" AND {column} {not}IN ({})", marks.join(", ")));
    }
}

/// Turns user words into a safe full-text query for each backend: every word must match as a
/// prefix; characters with a meaning in the query syntax are dropped.
fn text_query(text: &str, postgres: bool) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(16)
        .map(|w| w.to_lowercase())
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(if postgres {
        words
            .iter()
            .map(|w| format!("{w}:*"))
            .collect::<Vec<_>>()
            .join(" & ")
    } else {
        words
            .iter()
            .map(|w| format!("\"{w}\"*"))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// `SELECT <select> FROM records` with the filter's conditions (not its order or page).
fn conditions(filter: &Filter, postgres: bool, select: &str) -> Query {
    let mut q = Query {
        sql: format!("SELECT {select} FROM records WHERE 1 = 1"),
        binds: Vec::new(),
    };
    if let Some(kind) = &filter.kind {
        q.push("kind = $?", Bind::Str(kind.clone()));
    }
    q.push_in("state", &filter.states, false);
    q.push_in("state", &filter.not_states, true);
    if let Some(owner) = filter.owner_id {
        q.push("owner_id = $?", Bind::I64(owner));
    }
    if let Some(site) = &filter.site {
        q.push("site = $?", Bind::Str(site.clone()));
    }
    if let Some(sites) = &filter.sites_allowed {
        if sites.is_empty() {
            q.sql.push_str(" AND 1 = 0");
        } else {
            q.push_in("site", sites, false);
        }
    }
    if let Some(d) = &filter.due_by {
        q.push("due_on <= $?", Bind::Str(d.clone()));
    }
    if let Some(d) = &filter.due_from {
        q.push("due_on >= $?", Bind::Str(d.clone()));
    }
    if let Some(d) = &filter.remind_from {
        q.push("remind_on >= $?", Bind::Str(d.clone()));
    }
    if let Some(d) = &filter.remind_by {
        q.push("remind_on <= $?", Bind::Str(d.clone()));
    }
    for (name, value) in &filter.fields {
        // The name goes into the SQL text, so it must be a plain identifier.
        if !is_field_name(name) {
            q.sql.push_str(" AND 1 = 0");
            continue;
        }
        q.push(
            &format!("{} = $?", field_text(name, postgres)),
            Bind::Str(value.clone()),
        );
    }
    if let Some(text) = filter.text.as_deref().and_then(|t| text_query(t, postgres)) {
        if postgres {
            q.push("search @@ to_tsquery('simple', $?)", Bind::Str(text));
        } else {
            q.push(
                "id IN (SELECT rowid FROM records_fts WHERE records_fts MATCH $?)",
                Bind::Str(text),
            );
        }
    }
    q
}

/// Whether `name` can name a field in SQL text: lower-case letters, digits and `_`.
fn is_field_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// A field of the record's JSON as text, as each backend writes it: numbers as their
/// digits, text as itself, absent as NULL.
fn field_text(name: &str, postgres: bool) -> String {
    if postgres {
        format!("(fields::jsonb ->> '{name}')")
    } else {
        format!("CAST(json_extract(fields, '$.{name}') AS TEXT)")
    }
}

/// The sort key expression and direction of an order.
fn order(sort: Sort) -> (String, &'static str) {
    const NO_DUE: &str = "'9999-12-31'";
    match sort {
        Sort::UpdatedDesc => ("updated_at".to_string(), "DESC"),
        Sort::UpdatedAsc => ("updated_at".to_string(), "ASC"),
        Sort::CreatedDesc => ("id".to_string(), "DESC"),
        Sort::CreatedAsc => ("id".to_string(), "ASC"),
        Sort::DueAsc => (format!("COALESCE(due_on, {NO_DUE})"), "ASC"),
        Sort::TitleAsc => ("title".to_string(), "ASC"),
    }
}

/// Every filtered record in the filter's order, in one statement (its cursor and limit are
/// ignored): what an export reads.
fn every(filter: &Filter, postgres: bool) -> Query {
    let mut q = conditions(filter, postgres, RECORD_COLUMNS);
    let (key, dir) = order(filter.sort);
    q.sql.push_str(&format!(" ORDER BY {key} {dir}, id {dir}"));
    q
}

/// One page of the filtered records, in the filter's order.
fn page(filter: &Filter, postgres: bool) -> Query {
    let mut q = conditions(filter, postgres, RECORD_COLUMNS);
    // Keyset pagination: the next page starts after the last row's (key, id), so a page
    // costs the same at row 100 as at row 100,000.
    let (key, dir) = order(filter.sort);
    let cmp = if dir == "DESC" { "<" } else { ">" };
    if let Some(after) = &filter.after {
        let id = match after {
            Cursor::Int(k, id) => {
                q.binds.push(Bind::I64(*k));
                id
            }
            Cursor::Text(k, id) => {
                q.binds.push(Bind::Str(k.clone()));
                id
            }
        };
        q.binds.push(Bind::I64(*id));
        let n = q.binds.len();
        // The plain bound on the key lets SQLite start the index scan at the cursor; it does
        // not use a row-value comparison on an expression for that.
        q.sql.push_str(&format!(
            " AND {key} {cmp}= ${} AND ({key}, id) {cmp} (${}, ${})",
            n - 1,
            n - 1,
            n
        ));
    }
    q.sql.push_str(&format!(
        " ORDER BY {key} {dir}, id {dir} LIMIT {}",
        filter.limit.clamp(1, 1000)
    ));
    q
}

impl Sort {
    /// The cursor that continues after `row` in this order.
    pub fn cursor(self, row: &RecordRow) -> Cursor {
        match self {
            Sort::UpdatedDesc | Sort::UpdatedAsc => Cursor::Int(row.updated_at, row.id),
            Sort::CreatedDesc | Sort::CreatedAsc => Cursor::Int(row.id, row.id),
            Sort::DueAsc => Cursor::Text(
                row.due_on.clone().unwrap_or_else(|| "9999-12-31".into()),
                row.id,
            ),
            Sort::TitleAsc => Cursor::Text(row.title.clone(), row.id),
        }
    }
}

macro_rules! bind_all {
    ($query:expr, $binds:expr) => {{
        let mut query = $query;
        for b in $binds {
            query = match b {
                Bind::I64(v) => query.bind(*v),
                Bind::Str(v) => query.bind(v.clone()),
            };
        }
        query
    }};
}

impl Store {
    pub async fn record(&self, id: i64) -> Result<Option<RecordRow>> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM records WHERE id = $1");
        Ok(on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(p).await?
        }))
    }

    pub async fn record_by_number(&self, number: &str) -> Result<Option<RecordRow>> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM records WHERE number = $1");
        Ok(on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(number).fetch_optional(p).await?
        }))
    }

    /// One page of records matching `filter`.
    pub async fn list(&self, filter: &Filter) -> Result<Vec<RecordRow>> {
        let postgres = matches!(self.db, Db::Postgres(_));
        let q = page(filter, postgres);
        Ok(on_pool!(self, p => {
            let query = sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone()));
            bind_all!(query, &q.binds).fetch_all(p).await?
        }))
    }

    /// Every record matching `filter`, in its order, handed to `each` as it is read, until
    /// `each` returns false. For exports of a whole register: one statement rather than page
    /// after page, so the rows come from one snapshot (a record changed meanwhile is neither
    /// missed nor listed twice) and only the row in hand is in memory. The filter's cursor and
    /// limit are ignored.
    pub async fn export(
        &self,
        filter: &Filter,
        mut each: impl FnMut(RecordRow) -> bool + Send,
    ) -> Result<()> {
        let postgres = matches!(self.db, Db::Postgres(_));
        let q = every(filter, postgres);
        on_pool!(self, p => {
            let query = sqlx::query_as::<_, RecordRow>(sqlx::AssertSqlSafe(q.sql.clone()));
            let mut rows = bind_all!(query, &q.binds).fetch(p);
            while let Some(row) = rows.try_next().await? {
                if !each(row) {
                    break;
                }
            }
        });
        Ok(())
    }

    /// How many records match `filter` (its sort, cursor and limit are ignored).
    /// How many records match, counting no further than `cap + 1`: an exact count of a
    /// 100,000-record register costs more than the page itself, and beyond a point "more than
    /// `cap`" says enough.
    pub async fn count(&self, filter: &Filter, cap: i64) -> Result<i64> {
        let postgres = matches!(self.db, Db::Postgres(_));
        let mut q = conditions(filter, postgres, "1");
        q.sql = format!(
            "SELECT COUNT(*) FROM ({} LIMIT {}) AS matching",
            q.sql,
            cap + 1
        );
        Ok(on_pool!(self, p => {
            let query = sqlx::query_scalar(sqlx::AssertSqlSafe(q.sql.clone()));
            bind_all!(query, &q.binds).fetch_one(p).await?
        }))
    }

    /// The average of integer or decimal field `value` per calendar month of date field
    /// `date`, over the records matching `filter` (its sort, cursor and limit are ignored)
    /// whose `date` is on or after `from` (`YYYY-MM-DD`), oldest month first; months without
    /// a value are left out. Records without a numeric `value` do not count. Computed in the
    /// database, so a register of any size costs one grouped scan of its kind, not a read of
    /// every record: a complaint register's satisfaction per month of closing, a KPI's result
    /// per month of measuring.
    ///
    /// The field names are `'static` because they go into the statement's text: they come
    /// from kind declarations, never from a request.
    pub async fn monthly_average(
        &self,
        filter: &Filter,
        value: &'static str,
        date: &'static str,
        from: &str,
    ) -> Result<Vec<MonthlyAverage>> {
        let postgres = matches!(self.db, Db::Postgres(_));
        let (number, text, numeric) = if postgres {
            (
                format!("((fields::jsonb)->>'{value}')::float8"),
                format!("((fields::jsonb)->>'{date}')"),
                format!("jsonb_typeof((fields::jsonb)->'{value}') = 'number'"),
            )
        } else {
            (
                format!("json_extract(fields, '$.{value}')"),
                format!("json_extract(fields, '$.{date}')"),
                format!("json_type(fields, '$.{value}') IN ('integer', 'real')"),
            )
        };
        let mut q = conditions(
            filter,
            postgres,
            &format!(
                "substr({text}, 1, 7) AS month, CAST(AVG({number}) AS DOUBLE PRECISION) AS \
                 average, COUNT(*) AS count"
            ),
        );
        q.sql.push_str(&format!(" AND {numeric}"));
        q.push(&format!("{text} >= $?"), Bind::Str(from.to_string()));
        q.sql.push_str(" GROUP BY month ORDER BY month");
        Ok(on_pool!(self, p => {
            let query = sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone()));
            bind_all!(query, &q.binds).fetch_all(p).await?
        }))
    }

    /// How many records matching `filter` hold each pair of values of fields `a` and `b`
    /// (a risk register's heat map: residual likelihood by impact), the values as text; one
    /// grouped query, however many records match. Names that are not plain identifiers
    /// count nothing.
    pub async fn tally(
        &self,
        filter: &Filter,
        a: &str,
        b: &str,
    ) -> Result<Vec<(Option<String>, Option<String>, i64)>> {
        if !is_field_name(a) || !is_field_name(b) {
            return Ok(Vec::new());
        }
        let postgres = matches!(self.db, Db::Postgres(_));
        let select = format!(
            "{} AS a, {} AS b, COUNT(*) AS n",
            field_text(a, postgres),
            field_text(b, postgres)
        );
        let mut q = conditions(filter, postgres, &select);
        q.sql.push_str(" GROUP BY 1, 2");
        Ok(on_pool!(self, p => {
            let query = sqlx::query_as(sqlx::AssertSqlSafe(q.sql.clone()));
            bind_all!(query, &q.binds).fetch_all(p).await?
        }))
    }

    pub async fn versions(&self, record_id: i64) -> Result<Vec<VersionRow>> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM record_versions WHERE record_id = $1 ORDER BY version"
        );
        Ok(on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(record_id).fetch_all(p).await?
        }))
    }

    pub async fn version(&self, record_id: i64, version: i64) -> Result<Option<VersionRow>> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM record_versions WHERE record_id = $1 AND version = $2"
        );
        Ok(on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(record_id)
                .bind(version)
                .fetch_optional(p)
                .await?
        }))
    }

    /// Links from a record, with the number and title of linked records.
    pub async fn links(&self, record_id: i64) -> Result<Vec<LinkRow>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as(
                "SELECT l.id, l.record_id, l.target_id, r.number AS target_number, \
                 r.title AS target_title, l.clause, l.relation, l.created_at, l.created_by \
                 FROM links l LEFT JOIN records r ON r.id = l.target_id \
                 WHERE l.record_id = $1 ORDER BY l.id",
            )
            .bind(record_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// The kind, number and state of every record linked to or from `record_id`, in any
    /// relation: what a guard such as "needs a linked CAPA" looks at.
    pub async fn linked_records(&self, record_id: i64) -> Result<Vec<(String, String, String)>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as(
                "SELECT r.kind, r.number, r.state FROM links l \
                 JOIN records r ON r.id = l.target_id WHERE l.record_id = $1 \
                 UNION ALL \
                 SELECT r.kind, r.number, r.state FROM links l \
                 JOIN records r ON r.id = l.record_id WHERE l.target_id = $1",
            )
            .bind(record_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// The records linked to `target_id` with `relation`, whole (a whole's parts with their
    /// fields), in the order they were linked.
    pub async fn linking_to(&self, target_id: i64, relation: &str) -> Result<Vec<RecordRow>> {
        self.linked_whole(target_id, relation, false).await
    }

    /// The records `record_id` links to with `relation`, whole (the whole a part belongs to).
    pub async fn linked_from(&self, record_id: i64, relation: &str) -> Result<Vec<RecordRow>> {
        self.linked_whole(record_id, relation, true).await
    }

    /// The records at the other end of `id`'s links with `relation`: those it links to when
    /// `from`, else those linking to it.
    async fn linked_whole(&self, id: i64, relation: &str, from: bool) -> Result<Vec<RecordRow>> {
        let sql = linking_sql(from);
        Ok(on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .bind(relation)
                .fetch_all(p)
                .await?
        }))
    }

    /// Links to a record from others, seen from the target: `target_*` name the source.
    pub async fn backlinks(&self, record_id: i64) -> Result<Vec<LinkRow>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as(
                "SELECT l.id, l.target_id AS record_id, l.record_id AS target_id, \
                 r.number AS target_number, r.title AS target_title, l.clause, l.relation, \
                 l.created_at, l.created_by \
                 FROM links l JOIN records r ON r.id = l.record_id \
                 WHERE l.target_id = $1 ORDER BY l.id",
            )
            .bind(record_id)
            .fetch_all(p)
            .await?
        }))
    }

    pub async fn attachments(&self, record_id: i64) -> Result<Vec<AttachmentRow>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as(
                "SELECT id, record_id, name, media_type, size, sha256, created_at, created_by \
                 FROM attachments WHERE record_id = $1 ORDER BY id",
            )
            .bind(record_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// An attachment with its bytes.
    pub async fn attachment(&self, id: i64) -> Result<Option<(AttachmentRow, Vec<u8>)>> {
        let row: Option<AttachmentRow> = on_pool!(self, p => {
            sqlx::query_as(
                "SELECT id, record_id, name, media_type, size, sha256, created_at, created_by \
                 FROM attachments WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(p)
            .await?
        });
        let Some(row) = row else { return Ok(None) };
        let content: Vec<u8> = on_pool!(self, p => {
            sqlx::query_scalar("SELECT content FROM attachments WHERE id = $1")
                .bind(id)
                .fetch_one(p)
                .await?
        });
        Ok(Some((row, content)))
    }

    pub async fn comments(&self, record_id: i64) -> Result<Vec<CommentRow>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as(
                "SELECT id, record_id, body, created_at, created_by FROM comments \
                 WHERE record_id = $1 ORDER BY id",
            )
            .bind(record_id)
            .fetch_all(p)
            .await?
        }))
    }

    /// Every signature on a record, all versions, oldest first.
    pub async fn signatures(&self, record_id: i64) -> Result<Vec<SignatureRow>> {
        let sql =
            format!("SELECT {SIGNATURE_COLUMNS} FROM signatures WHERE record_id = $1 ORDER BY id");
        Ok(on_pool!(self, p => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(record_id).fetch_all(p).await?
        }))
    }

    pub async fn acknowledgements(&self, record_id: i64) -> Result<Vec<AckRow>> {
        Ok(on_pool!(self, p => {
            sqlx::query_as(
                "SELECT record_id, revision, user_id, at FROM acknowledgements \
                 WHERE record_id = $1 ORDER BY at",
            )
            .bind(record_id)
            .fetch_all(p)
            .await?
        }))
    }
}

/// Records at one end of links with a relation: with `from`, those a record links to ($1 is
/// the linking record); without, those linking to a record ($1 is the target).
fn linking_sql(from: bool) -> String {
    let columns: Vec<String> = RECORD_COLUMNS
        .split(',')
        .map(|c| format!("r.{}", c.trim()))
        .collect();
    let (join, by) = if from {
        ("l.target_id", "l.record_id")
    } else {
        ("l.record_id", "l.target_id")
    };
    format!(
        "SELECT {} FROM links l JOIN records r ON r.id = {join} \
         WHERE {by} = $1 AND l.relation = $2 ORDER BY l.id",
        columns.join(", ")
    )
}

impl Tx {
    /// As [`Store::linking_to`], inside the transaction: sees what it has written.
    pub async fn linking_to(&mut self, target_id: i64, relation: &str) -> Result<Vec<RecordRow>> {
        fetch_all!(self, RecordRow, &linking_sql(false), target_id, relation)
    }

    /// As [`Store::linked_from`], inside the transaction.
    pub async fn linked_from(&mut self, record_id: i64, relation: &str) -> Result<Vec<RecordRow>> {
        fetch_all!(self, RecordRow, &linking_sql(true), record_id, relation)
    }

    /// The next number of `kind`: 1, 2, 3... Taken inside the transaction that creates the
    /// record, so a rolled-back creation gives its number back and numbers stay gapless; the
    /// counter row is locked until commit, so concurrent creations never share a number.
    pub async fn next_seq(&mut self, kind: &str) -> Result<i64> {
        fetch_scalar!(
            self,
            i64,
            "INSERT INTO counters (kind, last) VALUES ($1, 1) \
             ON CONFLICT (kind) DO UPDATE SET last = counters.last + 1 RETURNING last",
            kind
        )
    }

    /// Inserts a record at version 1 and returns its id.
    pub async fn insert_record(
        &mut self,
        kind: &str,
        seq: i64,
        number: &str,
        content: &Content<'_>,
        at: i64,
        by: Option<i64>,
    ) -> Result<i64> {
        fetch_scalar!(
            self,
            i64,
            "INSERT INTO records (kind, seq, number, title, state, owner_id, site, due_on, \
             fields, version, search_text, created_at, created_by, updated_at, remind_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $12, $11, $13) \
             RETURNING id",
            kind,
            seq,
            number,
            content.title,
            content.state,
            content.owner_id,
            content.site,
            content.due_on,
            content.fields,
            content.search_text,
            at,
            by,
            content.remind_on,
        )
        .map_err(|e| unique(e, "number"))
    }

    /// Reads a record inside the transaction, locking its row on PostgreSQL so that the
    /// change that follows is based on what was read.
    pub async fn record(&mut self, id: i64) -> Result<Option<RecordRow>> {
        let sql = match self.inner {
            Inner::Sqlite(_) => format!("SELECT {RECORD_COLUMNS} FROM records WHERE id = $1"),
            Inner::Postgres(_) => {
                format!("SELECT {RECORD_COLUMNS} FROM records WHERE id = $1 FOR UPDATE")
            }
        };
        fetch_optional!(self, RecordRow, &sql, id)
    }

    /// Writes new content if the record is still at `expected` version, making it version
    /// `expected + 1`. Returns false when someone else changed it first (a conflict).
    pub async fn update_record(
        &mut self,
        id: i64,
        expected: i64,
        content: &Content<'_>,
        at: i64,
    ) -> Result<bool> {
        let n = execute!(
            self,
            "UPDATE records SET title = $1, state = $2, owner_id = $3, site = $4, \
             due_on = $5, fields = $6, search_text = $7, updated_at = $8, \
             version = version + 1, remind_on = $11 WHERE id = $9 AND version = $10",
            content.title,
            content.state,
            content.owner_id,
            content.site,
            content.due_on,
            content.fields,
            content.search_text,
            at,
            id,
            expected,
            content.remind_on,
        )?;
        Ok(n == 1)
    }

    /// Keeps a version of a record.
    pub async fn insert_version(
        &mut self,
        record_id: i64,
        version: i64,
        content: &Content<'_>,
        at: i64,
        by: Option<i64>,
        hash: &str,
    ) -> Result<()> {
        execute!(
            self,
            "INSERT INTO record_versions (record_id, version, title, state, owner_id, site, \
             due_on, fields, at, by_user, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            record_id,
            version,
            content.title,
            content.state,
            content.owner_id,
            content.site,
            content.due_on,
            content.fields,
            at,
            by,
            hash,
        )?;
        Ok(())
    }

    pub async fn insert_link(
        &mut self,
        record_id: i64,
        target_id: Option<i64>,
        clause: Option<&str>,
        relation: &str,
        at: i64,
        by: Option<i64>,
    ) -> Result<i64> {
        fetch_scalar!(
            self,
            i64,
            "INSERT INTO links (record_id, target_id, clause, relation, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            record_id,
            target_id,
            clause,
            relation,
            at,
            by,
        )
    }

    /// Whether the same link already exists.
    pub async fn link_exists(
        &mut self,
        record_id: i64,
        target_id: Option<i64>,
        clause: Option<&str>,
        relation: &str,
    ) -> Result<bool> {
        let n = fetch_scalar!(
            self,
            i64,
            "SELECT COUNT(*) FROM links WHERE record_id = $1 AND relation = $2 AND \
             ((target_id = $3) OR (target_id IS NULL AND $3 IS NULL)) AND \
             ((clause = $4) OR (clause IS NULL AND $4 IS NULL))",
            record_id,
            relation,
            target_id,
            clause,
        )?;
        Ok(n > 0)
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn insert_attachment(
        &mut self,
        record_id: i64,
        name: &str,
        media_type: &str,
        sha256: &str,
        content: &[u8],
        at: i64,
        by: Option<i64>,
    ) -> Result<i64> {
        let size = i64::try_from(content.len()).unwrap_or(i64::MAX);
        fetch_scalar!(
            self,
            i64,
            "INSERT INTO attachments (record_id, name, media_type, size, sha256, content, \
             created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            record_id,
            name,
            media_type,
            size,
            sha256,
            content,
            at,
            by,
        )
    }

    pub async fn insert_comment(
        &mut self,
        record_id: i64,
        body: &str,
        at: i64,
        by: Option<i64>,
    ) -> Result<i64> {
        fetch_scalar!(
            self,
            i64,
            "INSERT INTO comments (record_id, body, created_at, created_by) \
             VALUES ($1, $2, $3, $4) RETURNING id",
            record_id,
            body,
            at,
            by,
        )
    }

    /// Signatures on one version of a record, read inside the transaction.
    pub async fn signatures_on(
        &mut self,
        record_id: i64,
        version: i64,
    ) -> Result<Vec<SignatureRow>> {
        let sql = format!(
            "SELECT {SIGNATURE_COLUMNS} FROM signatures WHERE record_id = $1 AND version = $2 \
             ORDER BY id"
        );
        fetch_all!(self, SignatureRow, &sql, record_id, version)
    }

    /// Stores a signature; the same person signing the same version with the same meaning
    /// twice is [`crate::Error::Duplicate`]`("signature")`.
    pub async fn insert_signature(&mut self, s: &SignatureRow) -> Result<i64> {
        fetch_scalar!(
            self,
            i64,
            "INSERT INTO signatures (record_id, version, version_hash, meaning, signer_id, \
             printed_name, at, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            s.record_id,
            s.version,
            &s.version_hash,
            &s.meaning,
            s.signer_id,
            &s.printed_name,
            s.at,
            &s.hash,
        )
        .map_err(|e| unique(e, "signature"))
    }

    /// Records that a user read and understood a revision; false if they already had.
    pub async fn insert_ack(
        &mut self,
        record_id: i64,
        revision: i64,
        user_id: i64,
        at: i64,
    ) -> Result<bool> {
        let n = execute!(
            self,
            "INSERT INTO acknowledgements (record_id, revision, user_id, at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            record_id,
            revision,
            user_id,
            at,
        )?;
        Ok(n == 1)
    }
}

impl FromSqlite for RecordRow {
    fn from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        // In the order of RECORD_COLUMNS.
        Ok(RecordRow {
            id: r.get(0)?,
            kind: r.get(1)?,
            seq: r.get(2)?,
            number: r.get(3)?,
            title: r.get(4)?,
            state: r.get(5)?,
            owner_id: r.get(6)?,
            site: r.get(7)?,
            due_on: r.get(8)?,
            remind_on: r.get(9)?,
            fields: r.get(10)?,
            version: r.get(11)?,
            created_at: r.get(12)?,
            created_by: r.get(13)?,
            updated_at: r.get(14)?,
        })
    }
}

impl FromSqlite for SignatureRow {
    fn from_sqlite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        // In the order of SIGNATURE_COLUMNS.
        Ok(SignatureRow {
            id: r.get(0)?,
            record_id: r.get(1)?,
            version: r.get(2)?,
            version_hash: r.get(3)?,
            meaning: r.get(4)?,
            signer_id: r.get(5)?,
            printed_name: r.get(6)?,
            at: r.get(7)?,
            hash: r.get(8)?,
        })
    }
}
