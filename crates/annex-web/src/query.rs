//! Reading query strings the way forms send them: names may repeat (`ids=a&ids=b`), which
//! the plain `Query` extractor cannot express. Shared by the pages and the API.

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
