//! The records kernel over the JSON API: sessions, CSRF, validation, workflows, signatures,
//! conflicts, permissions for every role, the audit trail and its tamper check.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::support::{Client, TestApp};
