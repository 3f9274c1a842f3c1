//! Reading query strings the way forms send them: names may repeat (`ids=a&ids=b`), which
//! the plain `Query` extractor cannot express. Shared by the pages and the API.

use annex_app::records::ListQuery;

use crate::views::Form;

/// Name/value pairs of a query string, in order; repeated names stay repeated.
pub fn pairs(raw: Option<&str>) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

/// The `ids` of a query string: repeated (`ids=a&ids=b`) or comma-separated (`ids=a,b`).
pub fn ids(raw: Option<&str>) -> Vec<String> {
    pairs(raw)
        .into_iter()
        .filter(|(k, _)| k == "ids")
        .map(|(_, v)| v)
        .collect()
}

/// The `fields.NAME=VALUE` filters of a query string, in order.
pub fn field_filters(q: &Form) -> Vec<(String, String)> {
    q.0.iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("fields.")
                .map(|name| (name.to_string(), v.clone()))
        })
        .collect()
}

/// A records list query from a query string's pairs, for the kind given (a list page) or
/// named by its `kind` parameter (the API); values are checked by the app layer, which names
/// the parameter and the rule.
pub fn records(kind: Option<String>, q: &Form) -> ListQuery {
    ListQuery {
        kind: kind.or_else(|| q.opt("kind")),
        state: q.all("state"),
        owner: q.opt("owner"),
        site: q.opt("site"),
        due_before: q.opt("due_before"),
        due_after: q.opt("due_after"),
        due: q.opt("due"),
        q: q.opt("q"),
        sort: q.opt("sort"),
        cursor: q.opt("cursor"),
        // Something that is not a number is sent on as 0, for the app layer to name the rule.
        limit: q.opt("limit").map(|l| l.trim().parse().unwrap_or(0)),
        open: matches!(q.get("open").as_str(), "true" | "on" | "1"),
        fields: field_filters(q),
    }
}
