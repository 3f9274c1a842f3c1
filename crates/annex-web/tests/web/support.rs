//! A test application over a fresh database, and clients that log in and carry their session
//! cookie and CSRF token the way a browser or script does.

use annex_app::App;
use annex_store::testing::{self, TestDb};
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

/// The administrator's password in every test application.
pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub router: Router,
    pub app: App,
    pub db: TestDb,
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The fields named in a problem document's errors.
    pub fn error_fields(&self) -> Vec<String> {
        self.json()["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A logged-in user agent: session cookie and CSRF token.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub username: String,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

impl TestApp {
    pub async fn new(db: TestDb) -> TestApp {
        let mut app = App::with_store(db.store.clone()).unwrap();
        // Small enough to test the limit without big buffers.
        app.config.attachment_limit = 64 * 1024;
        TestApp {
            router: annex_web::router(app.clone()),
            app,
            db,
        }
    }

    /// One application per backend: SQLite, and PostgreSQL when configured.
    pub async fn each() -> Vec<TestApp> {
        let mut out = Vec::new();
        for db in testing::each().await.unwrap() {
            out.push(TestApp::new(db).await);
        }
        out
    }

    pub fn backend(&self) -> &'static str {
        self.app.backend()
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        Resp {
            status,
            headers,
            body,
        }
    }

    /// A request as `client` sends it: cookie, CSRF header on changes, bearer token.
    pub async fn call(
        &self,
        client: &Client,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Resp {
        let mut req = Request::builder().method(method.clone()).uri(path);
        if let Some(c) = &client.cookie {
            req = req.header(header::COOKIE, c);
        }
        if let Some(t) = &client.bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if method != Method::GET
            && let Some(c) = &client.csrf
        {
            req = req.header("x-csrf-token", c);
        }
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    pub async fn get(&self, client: &Client, path: &str) -> Resp {
        self.call(client, Method::GET, path, None, Vec::new()).await
    }

    pub async fn json(&self, client: &Client, method: Method, path: &str, body: Value) -> Resp {
        self.call(
            client,
            method,
            path,
            Some("application/json"),
            serde_json::to_vec(&body).unwrap(),
        )
        .await
    }

    pub async fn post(&self, client: &Client, path: &str, body: Value) -> Resp {
        self.json(client, Method::POST, path, body).await
    }

    /// A urlencoded form as a browser posts it (the CSRF token goes in the form).
    pub async fn form(&self, client: &Client, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if let Some(c) = &client.csrf {
            s.append_pair("csrf", c);
        }
        for (k, v) in fields {
            s.append_pair(k, v);
        }
        let no_header = Client {
            csrf: None,
            ..client.clone()
        };
        self.call(
            &no_header,
            Method::POST,
            path,
            Some("application/x-www-form-urlencoded"),
            s.finish().into_bytes(),
        )
        .await
    }

    /// Logs in through the API.
    pub async fn login(&self, username: &str, password: &str) -> Client {
        let r = self
            .post(
                &Client::default(),
                "/api/v1/session",
                json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "login of {username}: {}",
            r.text()
        );
        let cookie = r.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        Client {
            username: username.into(),
            cookie: Some(cookie),
            csrf: r.json()["csrf"].as_str().map(str::to_string),
            bearer: None,
        }
    }

    /// Sets up the first administrator `admin` and logs in.
    pub async fn admin(&self) -> Client {
        let r = self
            .post(
                &Client::default(),
                "/api/v1/setup",
                json!({"username": "admin", "display_name": "Ada Admin", "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        self.login("admin", PASSWORD).await
    }

    /// Adds a user with `role` (as `admin`) and logs them in.
    pub async fn user(&self, admin: &Client, username: &str, role: &str) -> Client {
        self.user_with(
            admin,
            json!({
                "username": username,
                "display_name": format!("{username} {role}"),
                "password": PASSWORD,
                "role": role,
                "expires_on": if role == "external_auditor" { Some("2999-12-31") } else { None },
            }),
        )
        .await
    }

    pub async fn user_with(&self, admin: &Client, body: Value) -> Client {
        let username = body["username"].as_str().unwrap().to_string();
        let r = self.post(admin, "/api/v1/users", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        self.login(&username, PASSWORD).await
    }

    /// Creates a record and returns its JSON.
    pub async fn create(&self, client: &Client, body: Value) -> Value {
        let r = self.post(client, "/api/v1/records", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        r.json()
    }
}
