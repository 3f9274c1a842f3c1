//! The OpenAPI document of the JSON API, generated from the handlers and types themselves so
//! that it cannot drift from what the server does.

use axum::Json;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Annex API", description = "Annex integrated management system: standards catalog, comparison, recommendation, and controlled records with workflows, electronic signatures and a hash-chained audit trail. Authenticate with the session cookie (send X-CSRF-Token on changes) or a personal API token as a bearer token.", license(name = "Apache-2.0 OR MIT")),
    paths(
        super::health,
        super::standards::list,
        super::standards::show,
        super::standards::search,
        super::compare::run,
        super::recommend::run,
        super::accounts::setup,
        super::accounts::login,
        super::accounts::logout,
        super::accounts::me,
        super::accounts::create_token,
        super::accounts::revoke_token,
        super::accounts::users,
        super::accounts::add_user,
        super::accounts::set_access,
        super::accounts::set_password,
        super::kinds::list,
        super::kinds::show,
        super::records::list,
        super::records::create,
        super::records::show,
        super::records::update,
        super::records::transition,
        super::records::sign,
        super::records::link,
        super::records::attach,
        super::records::download,
        super::records::comment,
        super::records::acknowledge,
        super::records::history,
        super::complaint::satisfaction,
        super::competence::matrix,
        super::export::register_file,
        super::export::record_pdf,
        super::settings::risk_matrix,
        super::settings::set_risk_matrix,
        super::settings::heat_map,
        super::assessment::list,
        super::assessment::create,
        super::assessment::show,
        super::assessment::readiness,
        super::assessment::answer,
        super::assessment::attach,
        super::assessment::file,
        super::assessment::snapshot,
        super::assessment::transition,
        super::assessment::report_file,
        super::audit_trail::list,
        super::audit_trail::verify,
        super::frameworks::list,
        super::frameworks::show,
        super::frameworks::import,
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    tags((name = "standards", description = "The standards catalog"),
         (name = "compare", description = "Comparison of standards"),
         (name = "recommend", description = "Which standards to pursue"),
         (name = "accounts", description = "Set-up, sessions, API tokens and users"),
         (name = "records", description = "Controlled records and their kinds"),
         (name = "settings", description = "Settings changed at run time: the risk matrix"),
         (name = "assessments", description = "Assessments over several standards: checklists answered once, readiness, transitions"),
         (name = "audit trail", description = "The hash-chained audit trail"),
         (name = "frameworks", description = "Frameworks and mapping sets imported from OSCAL and CISO Assistant files")),
    modifiers(&Security)
)]
pub struct ApiDoc;

/// Declares the two ways to authenticate: the session cookie (with `X-CSRF-Token` on
/// changes) and a personal API token as a bearer token.
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::COOKIE))),
        );
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
