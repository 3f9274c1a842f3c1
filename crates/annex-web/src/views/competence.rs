//! The competence matrix page (`/competence`): people holding active job roles (rows) against
//! the competences their roles require (columns); each cell says whether the person's
//! training is current, expiring soon, expired or missing, and links to the training record.

use annex_app::App;
use annex_app::competence::{self, Matrix};
use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::Nav;
use crate::auth::Auth;
use crate::error::{PageError, render};

#[derive(Template)]
#[template(path = "competence/matrix.html")]
pub struct MatrixPage {
    pub nav: Nav,
    pub m: Matrix,
}

pub async fn page(
    State(app): State<App>,
    Auth(who): Auth,
    nav: Nav,
) -> Result<Response, PageError> {
    let m = competence::matrix(&app, &who).await?;
    Ok(render(&MatrixPage { nav, m }))
}
