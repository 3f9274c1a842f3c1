//! Annex on the web: server-rendered pages ([`views`]) and the JSON API under `/api/v1`
//! ([`api`]), side by side over the same use cases in `annex-app`. Handlers are thin: parse,
//! call one app function, render. Assets are embedded in the binary ([`assets`]).

pub mod api;
pub mod assets;
pub mod auth;
pub mod error;
pub mod query;
pub mod views;

use std::future::Future;

use annex_app::App;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;

/// The whole application: pages, API, assets and the health endpoint.
pub fn router(app: App) -> Router {
    Router::new()
        .merge(views::routes(&app))
        .nest("/api/v1", api::routes(&app))
        .route("/health", get(api::health))
        .route("/assets/{file}", get(assets::serve))
        .fallback(error::not_found)
        .layer(middleware::from_fn(error::with_nav))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            auth::authenticate,
        ))
        .layer(middleware::from_fn(security_headers))
        .with_state(app)
}

/// Serves `app` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(app))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Headers every response carries: no framing, no MIME sniffing, scripts and styles only
/// from Annex itself, no referrer leaking clause searches to other sites.
async fn security_headers(req: Request<axum::body::Body>, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
    ];
    for (name, value) in set {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    }
    res
}
