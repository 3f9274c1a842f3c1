//! JSON request bodies whose errors are problem documents naming what was wrong, not axum's
//! plain-text rejections.

use annex_app::Error;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body of type `T`.
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Body(v)),
            Err(rejection) => {
                // serde's message names the field and the expected type; keep it.
                let rule = rejection.body_text();
                let field = rule
                    .split('`')
                    .nth(1)
                    .filter(|_| rule.contains("field"))
                    .unwrap_or("body")
                    .to_string();
                Err(ApiError(Error::Invalid { field, rule }))
            }
        }
    }
}
