//! Walking a parsed document while keeping the path of every value, so that each problem
//! names where it is: a JSON pointer for JSON (`/catalog/groups/3/controls/0/id`, RFC 6901),
//! a dotted path for YAML (`objects.framework.requirement_nodes[12].parent_urn`). Problems
//! are collected, not returned at the first, so one import reports all of them.

use serde_json::{Map, Value};

use crate::error::CatalogError;

/// How paths are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    /// JSON pointer: `/a/0/b`.
    Pointer,
    /// YAML path: `a[0].b`.
    Dotted,
}

/// Stop collecting after this many: a file that breaks a rule on every one of thousands of
/// entries says nothing more useful with the thousandth.
const MAX_PROBLEMS: usize = 200;

pub(super) struct Reader {
    file: String,
    style: Style,
    problems: Vec<CatalogError>,
    dropped: usize,
}

impl Reader {
    pub(super) fn new(file: &str, style: Style) -> Self {
        Self {
            file: file.to_string(),
            style,
            problems: Vec::new(),
            dropped: 0,
        }
    }

    pub(super) fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    pub(super) fn into_problems(mut self) -> Vec<CatalogError> {
        if self.dropped > 0 {
            let rule = format!("and {} more problems not listed", self.dropped);
            self.problems.push(CatalogError {
                file: self.file.clone(),
                field: "(file)".into(),
                rule,
            });
        }
        self.problems
    }

    /// Records a problem at `path` (the whole file when `path` is empty).
    pub(super) fn problem(&mut self, path: &str, rule: impl Into<String>) {
        if self.problems.len() >= MAX_PROBLEMS {
            self.dropped += 1;
            return;
        }
        self.problems.push(CatalogError {
            file: self.file.clone(),
            field: if path.is_empty() {
                "(file)".into()
            } else {
                path.to_string()
            },
            rule: rule.into(),
        });
    }

    /// The path of member `key` of the value at `path`.
    pub(super) fn key(&self, path: &str, key: &str) -> String {
        match self.style {
            Style::Pointer => format!("{path}/{}", key.replace('~', "~0").replace('/', "~1")),
            Style::Dotted if path.is_empty() => key.to_string(),
            Style::Dotted => format!("{path}.{key}"),
        }
    }

    /// The path of item `i` of the list at `path`.
    pub(super) fn index(&self, path: &str, i: usize) -> String {
        match self.style {
            Style::Pointer => format!("{path}/{i}"),
            Style::Dotted => format!("{path}[{i}]"),
        }
    }

    /// The value at `path` as an object, or a problem.
    pub(super) fn object<'v>(
        &mut self,
        v: &'v Value,
        path: &str,
    ) -> Option<&'v Map<String, Value>> {
        match v {
            Value::Object(m) => Some(m),
            other => {
                self.problem(path, format!("must be an object, not {}", kind(other)));
                None
            }
        }
    }

    /// Member `key` of `m`, which must be there.
    pub(super) fn required<'v>(
        &mut self,
        m: &'v Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Option<&'v Value> {
        match m.get(key) {
            Some(v) if !v.is_null() => Some(v),
            _ => {
                let at = self.key(path, key);
                self.problem(&at, "is required");
                None
            }
        }
    }

    /// Member `key` of `m` as an object, required or not.
    pub(super) fn object_at<'v>(
        &mut self,
        m: &'v Map<String, Value>,
        path: &str,
        key: &str,
        required: bool,
    ) -> Option<&'v Map<String, Value>> {
        let v = self.member(m, path, key, required)?;
        let at = self.key(path, key);
        self.object(v, &at)
    }

    /// Member `key` of `m` as a list (an absent optional list reads as empty).
    pub(super) fn list_at<'v>(
        &mut self,
        m: &'v Map<String, Value>,
        path: &str,
        key: &str,
        required: bool,
    ) -> Option<&'v [Value]> {
        let v = match self.member(m, path, key, required) {
            Some(v) => v,
            None if required => return None,
            None => return Some(&[]),
        };
        match v {
            Value::Array(a) => Some(a),
            other => {
                let at = self.key(path, key);
                self.problem(&at, format!("must be a list, not {}", kind(other)));
                None
            }
        }
    }

    /// Member `key` of `m` as text, trimmed and not empty. With `numbers`, a number is read
    /// as its digits too (YAML writes `ref_id: 4.1` without quotes).
    pub(super) fn text_at(
        &mut self,
        m: &Map<String, Value>,
        path: &str,
        key: &str,
        required: bool,
        numbers: bool,
    ) -> Option<String> {
        let v = self.member(m, path, key, required)?;
        let at = self.key(path, key);
        let text = match v {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) if numbers => n.to_string(),
            other => {
                self.problem(&at, format!("must be text, not {}", kind(other)));
                return None;
            }
        };
        if text.is_empty() {
            if required {
                self.problem(&at, "must not be empty");
            }
            return None;
        }
        if text.chars().any(char::is_control) && !key_allows_lines(key) {
            self.problem(&at, "must be one line of text");
            return None;
        }
        Some(text)
    }

    /// Member `key` of `m` as true or false.
    pub(super) fn bool_at(
        &mut self,
        m: &Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Option<bool> {
        match self.member(m, path, key, false)? {
            Value::Bool(b) => Some(*b),
            other => {
                let at = self.key(path, key);
                self.problem(&at, format!("must be true or false, not {}", kind(other)));
                None
            }
        }
    }

    /// Member `key` of `m` as a whole number from `min` to `max`.
    pub(super) fn int_at(
        &mut self,
        m: &Map<String, Value>,
        path: &str,
        key: &str,
        min: i64,
        max: i64,
    ) -> Option<i64> {
        let v = self.member(m, path, key, false)?;
        let at = self.key(path, key);
        match v.as_i64() {
            Some(n) if (min..=max).contains(&n) => Some(n),
            Some(n) => {
                self.problem(&at, format!("must be from {min} to {max}, not {n}"));
                None
            }
            None => {
                self.problem(&at, format!("must be a whole number, not {}", kind(v)));
                None
            }
        }
    }

    /// Member `key` of `m`: a problem when required and missing; `None` (no problem) when
    /// optional and missing or null.
    fn member<'v>(
        &mut self,
        m: &'v Map<String, Value>,
        path: &str,
        key: &str,
        required: bool,
    ) -> Option<&'v Value> {
        if required {
            self.required(m, path, key)
        } else {
            m.get(key).filter(|v| !v.is_null())
        }
    }
}

/// Prose and descriptions may run over several lines; names and ids may not.
fn key_allows_lines(key: &str) -> bool {
    matches!(key, "prose" | "description" | "title" | "name" | "remarks")
}

/// What a value is, for "must be X, not Y".
pub(super) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
