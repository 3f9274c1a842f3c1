//! The lists of records: the home page of the user's open tasks, a kind's list with filters,
//! sort and cursor paging (with the satisfaction trend on the complaint register), and search
//! across every kind.

use annex_app::complaint::{self, SatisfactionMonth, SatisfactionTrend};
use annex_app::records::{self, Count, ListQuery, Page, RecordView};
use annex_app::{App, Error, Principal, accounts, kinds};
use annex_core::kinds::{COMPLAINT, KindInfo};
use annex_core::reminders::Urgency;
use annex_core::role::Permission;
use annex_report::chart::{self, ChartOptions};
use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{kind_info, see_other};
use crate::auth::{Auth, MaybeAuth};
use crate::error::{PageError, render};
use crate::views::accounts::encode;
use crate::views::{Errors, Form, Input, Nav, Opt, SummaryItem};

/// How many tasks the home page lists.
const TASKS: i64 = 50;

// ---------------------------------------------------------------------------------------------
// Home

#[derive(Template)]
#[template(path = "records/home.html")]
pub struct HomePage {
    pub nav: Nav,
    pub tasks: Vec<RecordView>,
    pub open: Count,
    pub overdue: Count,
    pub due_today: Count,
    pub due_soon: Count,
    /// The configured lead: "due soon" means within this many days.
    pub lead_days: u32,
    pub kinds: Vec<KindLink>,
}

impl HomePage {
    /// There are more open records than the page lists.
    pub fn more(&self) -> bool {
        self.open.capped || usize::try_from(self.open.n).unwrap_or(0) > self.tasks.len()
    }
}

pub struct KindLink {
    pub id: String,
    pub plural: String,
    pub label: String,
    pub help: String,
    pub can_create: bool,
}

fn kind_links(who: &Principal) -> Vec<KindLink> {
    kinds::list()
        .into_iter()
        .map(|k| KindLink {
            can_create: may_create(who, &k),
            id: k.id,
            plural: k.plural,
            label: k.label,
            help: k.help,
        })
        .collect()
}

fn may_create(who: &Principal, kind: &KindInfo) -> bool {
    who.role.may(Permission::CreateRecords) && kind.create_roles.contains(&who.role)
}

/// `GET /`: the user's open records, soonest due first. Without a login: the login page, or
/// set-up when there is no account yet (or the catalog, when Annex runs without a database).
pub async fn home(
    State(app): State<App>,
    MaybeAuth(found): MaybeAuth,
    nav: Nav,
) -> Result<Response, PageError> {
    let Some(found) = found else {
        return Ok(match accounts::needs_setup(&app).await {
            Ok(true) => see_other("/setup"),
            Ok(false) => see_other("/login"),
            Err(_) => see_other("/standards"),
        });
    };
    let who = found.principal;
    let page = records::tasks(&app, &who, TASKS).await?;
    // Counted over all the user's open records, not only the ones this page lists, by the
    // due-date engine's classes (the due date or a date the kind declares as a reminder).
    let count = |u: Urgency| {
        let q = ListQuery {
            owner: Some("me".into()),
            due: Some(u.as_str().into()),
            ..ListQuery::default()
        };
        records::count(&app, &who, q)
    };
    let overdue = count(Urgency::Overdue).await?;
    let due_today = count(Urgency::DueToday).await?;
    let due_soon = count(Urgency::DueSoon).await?;
    Ok(render(&HomePage {
        nav,
        open: Count {
            n: page.total,
            capped: page.total_capped,
        },
        tasks: page.items,
        overdue,
        due_today,
        due_soon,
        lead_days: app.config.lead_days,
        kinds: kind_links(&who),
    }))
}

// ---------------------------------------------------------------------------------------------
// Lists and search

#[derive(Template)]
#[template(path = "records/list.html")]
pub struct ListPage {
    pub nav: Nav,
    pub kind: KindInfo,
    pub can_create: bool,
    pub states: Vec<Opt>,
    pub state_error: Option<String>,
    pub inputs: Vec<Input>,
    pub summary: Vec<SummaryItem>,
    pub page: Option<Page>,
    pub next_href: Option<String>,
    /// Set when this is not the first page.
    pub first_href: Option<String>,
    /// The whole filtered register as a file (set when the filters are valid).
    pub export_csv_href: Option<String>,
    pub export_xlsx_href: Option<String>,
    /// How many of the register's open records (that the user may see) are overdue.
    pub overdue: Count,
    /// The list shows the overdue records only.
    pub overdue_only: bool,
    /// On the complaint register: the customer satisfaction trend.
    pub satisfaction: Option<SatisfactionChart>,
    /// The kind's named views (the approved supplier list), each with its link and whether
    /// this list is it.
    pub views: Vec<ViewLink>,
    /// The risk register's heat map (on the risks list only).
    pub heat_map: Option<annex_app::risk::HeatMap>,
    /// Field filters in the query that no input on the form shows (a heat-map cell's), kept
    /// as hidden inputs so that applying other filters keeps them; and said in words.
    pub hidden_fields: Vec<(String, String)>,
    pub field_words: Vec<String>,
}

pub struct ViewLink {
    pub label: String,
    pub href: String,
    pub current: bool,
}

/// The kind's named views as links; the one whose filters this list has is current.
fn view_links(kind: &KindInfo, q: &Form) -> Vec<ViewLink> {
    let mut mine: Vec<(String, String)> =
        q.0.iter()
            .filter(|(k, v)| k != "cursor" && !v.is_empty())
            .cloned()
            .collect();
    mine.sort();
    annex_core::kinds::presentation(&kind.id)
        .views
        .iter()
        .map(|v| {
            let mut theirs: Vec<(String, String)> = form_urlencoded::parse(v.query.as_bytes())
                .into_owned()
                .collect();
            theirs.sort();
            ViewLink {
                label: v.label.to_string(),
                href: format!("/records/{}?{}", kind.id, v.query),
                current: theirs == mine,
            }
        })
        .collect()
}

/// The complaint register's satisfaction trend: a chart and its figures as a table, for
/// those who do not read charts.
pub struct SatisfactionChart {
    /// SVG drawn by `annex_report::chart` (labels escaped there).
    pub svg: String,
    pub months: Vec<SatisfactionMonth>,
    /// "4.2 from 17 scores", or that there are none.
    pub summary: String,
}

impl SatisfactionChart {
    fn of(trend: SatisfactionTrend) -> Self {
        // A month without scores is a gap in the line, not a zero.
        let points: Vec<(String, f64)> = trend
            .months
            .iter()
            .map(|m| (m.month.clone(), m.average.unwrap_or(f64::NAN)))
            .collect();
        let opts = ChartOptions {
            y_min: Some(1.0),
            y_max: Some(5.0),
            ..ChartOptions::new("Average customer satisfaction (1 to 5) per month of closing")
        };
        let summary = match trend.average {
            Some(a) => format!(
                "average {a:.1} from {} score{}",
                trend.count,
                if trend.count == 1 { "" } else { "s" }
            ),
            None => "no scores yet".into(),
        };
        Self {
            svg: chart::line_chart(&points, &opts),
            months: trend.months,
            summary,
        }
    }

    /// A month's average as shown in the table.
    pub fn average(m: &SatisfactionMonth) -> String {
        m.average.map(|a| format!("{a:.1}")).unwrap_or_default()
    }
}

/// For kinds that compute a level from the risk matrix: a filter on the residual level,
/// offering the matrix's levels.
async fn level_input(app: &App, kind: &KindInfo, q: &Form) -> Result<Option<Input>, Error> {
    if !kind.fields.iter().any(|f| f.name == "residual_level") {
        return Ok(None);
    }
    let matrix = annex_app::settings::current(app).await?.risk_matrix;
    let options: Vec<(String, String)> = matrix
        .levels
        .iter()
        .map(|l| (l.id.clone(), l.label.clone()))
        .collect();
    Ok(Some(
        Input::new(
            "filter-",
            "fields.residual_level",
            "Residual level",
            "select",
        )
        .value(q.get("fields.residual_level"))
        .options(
            Some("Any"),
            options.iter().map(|(v, l)| (v.as_str(), l.as_str())),
        ),
    ))
}

/// The orders of a list, by the names [`records::SORTS`] uses, for people.
fn sort_label(name: &str) -> &str {
    match name {
        "updated" => "Recently changed first",
        "-updated" => "Least recently changed first",
        "created" => "Newest first",
        "-created" => "Oldest first",
        "due" => "Due soonest first",
        "title" => "Title, A to Z",
        other => other,
    }
}

/// The filters of a list as a query string, without the cursor: for "next page" links.
fn filter_query(q: &Form) -> String {
    query_without(q, &["cursor"])
}

/// A query string of `q`'s non-empty pairs, leaving out the names given.
fn query_without(q: &Form, leave_out: &[&str]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in &q.0 {
        if !leave_out.contains(&k.as_str()) && !v.is_empty() {
            s.append_pair(k, v);
        }
    }
    s.finish()
}

/// The export link of a list in `format`: its filters and order, not its page.
fn export_href(base: &str, q: &Form, format: &str) -> String {
    let filters = query_without(q, &["cursor", "limit", "format"]);
    let sep = if filters.is_empty() { "" } else { "&" };
    format!("{base}/export?format={format}{sep}{filters}")
}

fn page_links(base: &str, q: &Form, page: &Page) -> (Option<String>, Option<String>) {
    let filters = filter_query(q);
    let sep = if filters.is_empty() { "" } else { "&" };
    let next = page
        .next
        .as_ref()
        .map(|c| format!("{base}?{filters}{sep}cursor={}", encode(c)));
    let first = q.opt("cursor").map(|_| {
        if filters.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{filters}")
        }
    });
    (next, first)
}

/// `GET /records/{kind}`: one page of a kind's records, filtered and sorted.
pub async fn list(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    Path(kind_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let kind = kind_info(&kind_id)?;
    let q = Form(crate::query::pairs(raw.as_deref()));
    let (page, errors) =
        match records::list(&app, &who, crate::query::records(Some(kind.id.clone()), &q)).await {
            Ok(p) => (Some(p), Errors::default()),
            Err(e @ (Error::Rejected(_) | Error::Invalid { .. })) => (None, Errors::of(&e)),
            Err(e) => return Err(e.into()),
        };
    let chosen = q.all("state");
    let p = "filter-";
    let sort = q.opt("sort").unwrap_or_else(|| "updated".into());
    let limit = q.opt("limit").unwrap_or_else(|| "50".into());
    let inputs: Vec<Input> = vec![
        Input::new(p, "q", "Words", "search")
            .value(q.get("q"))
            .hint("In the number, title or fields."),
        Input::new(p, "owner", "Owner", "text")
            .value(q.get("owner"))
            .hint("A user name, or “me”."),
        Input::new(p, "site", "Site", "text").value(q.get("site")),
        Input::new(p, "due_after", "Due on or after", "date").value(q.get("due_after")),
        Input::new(p, "due_before", "Due on or before", "date").value(q.get("due_before")),
        Input::new(p, "due", "Reminders", "select")
            .value(q.get("due"))
            .options(
                Some("Any"),
                [
                    ("overdue", "Overdue"),
                    ("today", "Due today"),
                    ("soon", "Due soon (after today)"),
                    ("later", "Due later"),
                ],
            )
            .hint("Open records by their most urgent date: the due date or a review date."),
        Input::new(p, "open", "Open records only", "checkbox")
            .checked(matches!(q.get("open").as_str(), "true" | "on" | "1"))
            .hint("Leave out closed and obsolete ones."),
        Input::new(p, "sort", "Order", "select")
            .value(sort)
            .options(
                None,
                records::SORTS.iter().map(|(n, _)| (*n, sort_label(n))),
            ),
        Input::new(p, "limit", "Per page", "select")
            .value(limit)
            .options(
                None,
                [("25", "25"), ("50", "50"), ("100", "100"), ("200", "200")],
            ),
    ]
    .into_iter()
    .chain(level_input(&app, &kind, &q).await?)
    .map(|i| i.errors(&errors))
    .collect();
    let shown: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
    let hidden_fields: Vec<(String, String)> = crate::query::field_filters(&q)
        .into_iter()
        .filter(|(n, v)| !v.trim().is_empty() && !shown.contains(&format!("fields.{n}")))
        .map(|(n, v)| (format!("fields.{n}"), v))
        .collect();
    let field_words = hidden_fields
        .iter()
        .map(|(n, v)| format!("{} = {v}", kind.label_of(n)))
        .collect();
    let heat_map = if kind.id == "risk" && errors.is_empty() {
        Some(annex_app::risk::heat_map(&app, &who).await?)
    } else {
        None
    };
    let base = format!("/records/{}", kind.id);
    let (next_href, first_href) = page
        .as_ref()
        .map(|p| page_links(&base, &q, p))
        .unwrap_or_default();
    let summary = errors.summary(&inputs);
    let (export_csv_href, export_xlsx_href) = if page.is_some() {
        (
            Some(export_href(&base, &q, "csv")),
            Some(export_href(&base, &q, "xlsx")),
        )
    } else {
        (None, None)
    };
    // The register's overdue count, whatever else is filtered: the badge of the overdue list.
    let overdue = records::count(
        &app,
        &who,
        ListQuery {
            kind: Some(kind.id.clone()),
            due: Some(Urgency::Overdue.as_str().into()),
            ..ListQuery::default()
        },
    )
    .await?;
    let satisfaction = if kind.id == COMPLAINT.id {
        Some(SatisfactionChart::of(
            complaint::satisfaction(&app, &who).await?,
        ))
    } else {
        None
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ListPage {
        views: view_links(&kind, &q),
        nav,
        can_create: may_create(&who, &kind),
        states: kind
            .states
            .iter()
            .map(|s| Opt {
                value: s.id.clone(),
                label: s.label.clone(),
                selected: chosen.contains(&s.id),
            })
            .collect(),
        state_error: errors.get("state"),
        kind,
        inputs,
        summary,
        page,
        next_href,
        first_href,
        export_csv_href,
        export_xlsx_href,
        overdue,
        overdue_only: q.get("due") == Urgency::Overdue.as_str(),
        satisfaction,
        heat_map,
        hidden_fields,
        field_words,
    };
    Ok((status, render(&page)).into_response())
}

#[derive(Template)]
#[template(path = "records/search.html")]
pub struct SearchPage {
    pub nav: Nav,
    pub q: String,
    pub page: Option<Page>,
    pub error: Option<String>,
    pub next_href: Option<String>,
    pub first_href: Option<String>,
}

impl SearchPage {
    pub fn catalog_href(&self) -> String {
        format!("/standards?q={}", encode(&self.q))
    }
}

/// `GET /search?q=`: records of every kind matching the words.
pub async fn search(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let q = Form(crate::query::pairs(raw.as_deref()));
    let words = q.get("q");
    if words.trim().is_empty() {
        return Ok(render(&SearchPage {
            nav,
            q: words,
            page: None,
            error: None,
            next_href: None,
            first_href: None,
        }));
    }
    let query = ListQuery {
        q: Some(words.clone()),
        cursor: q.opt("cursor"),
        ..ListQuery::default()
    };
    let (page, error) = match records::list(&app, &who, query).await {
        Ok(p) => (Some(p), None),
        Err(e @ (Error::Rejected(_) | Error::Invalid { .. })) => (None, Some(e.to_string())),
        Err(e) => return Err(e.into()),
    };
    let only_q = Form(vec![("q".into(), words.clone())]);
    let with_cursor = Form(
        only_q
            .0
            .iter()
            .cloned()
            .chain(q.opt("cursor").map(|c| ("cursor".to_string(), c)))
            .collect(),
    );
    let (next_href, first_href) = page
        .as_ref()
        .map(|p| page_links("/search", &with_cursor, p))
        .unwrap_or_default();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        render(&SearchPage {
            nav,
            q: words,
            page,
            error,
            next_href,
            first_href,
        }),
    )
        .into_response())
}
