//! `annex serve` as a child process, as an operator runs it: on a port the system picks, with
//! a data folder or a PostgreSQL URL; and a small HTTP/1.1 client that keeps its connection
//! open like a script would.

use std::ffi::OsString;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::Value;

pub type Fault = Box<dyn std::error::Error + Send + Sync>;

/// Where the server keeps its records.
pub enum Db {
    /// A data folder with the SQLite file, as `--data-dir` takes it.
    Folder(PathBuf),
    /// A PostgreSQL database, as `--database-url` takes it.
    Url(String),
}

impl Db {
    pub fn args(&self) -> Vec<OsString> {
        match self {
            Db::Folder(dir) => vec!["--data-dir".into(), dir.into()],
            Db::Url(url) => vec!["--database-url".into(), url.into()],
        }
    }
}

/// `annex serve` as a child process on a port the system chose.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
}

impl Server {
    pub fn start(db: &Db) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_annex"))
            .args(db.args())
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env_remove("ANNEX_DATABASE_URL")
            .env("ANNEX_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("annex serve starts");
        // The log names the address once the port is bound; the thread keeps reading so that
        // a full pipe never stalls the server.
        let out = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if let Some(addr) = served_on(&line) {
                    let _ = tx.send(addr);
                }
            }
        });
        let addr = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("annex serve logs the address it serves on");
        Server { child, addr }
    }

    /// SIGKILL: no shutdown code runs, nothing is flushed or checkpointed.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, as a service manager stops it; the exit status, or `None` when the server is
    /// still running after `patience`.
    pub fn terminate(&mut self, patience: Duration) -> Option<std::process::ExitStatus> {
        let sent = Command::new("kill")
            .arg(self.child.id().to_string())
            .status()
            .unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + patience;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The address in "Annex is serving on http://127.0.0.1:PORT (...)".
fn served_on(line: &str) -> Option<SocketAddr> {
    let rest = &line[line.find("serving on http://")? + "serving on http://".len()..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == ':'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// An HTTP/1.1 connection to the server, kept open like a script's.
pub struct Conn {
    send: SendRequest<Full<Bytes>>,
    pub headers: Vec<(&'static str, String)>,
}

pub struct Reply {
    pub status: StatusCode,
    pub cookie: Option<String>,
    pub json: Value,
}

impl Conn {
    pub async fn open(addr: SocketAddr) -> Result<Conn, Fault> {
        let stream = tokio::net::TcpStream::connect(addr).await?;
        let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        // Drives the connection; it ends with an error when the server dies, which the next
        // request reports.
        tokio::spawn(conn);
        Ok(Conn {
            send,
            headers: Vec::new(),
        })
    }

    pub async fn call(
        &mut self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Reply, Fault> {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("host", "127.0.0.1");
        for (name, value) in &self.headers {
            req = req.header(*name, value);
        }
        let body = match body {
            Some(b) => {
                req = req.header("content-type", "application/json");
                Bytes::from(serde_json::to_vec(&b)?)
            }
            None => Bytes::new(),
        };
        self.send.ready().await?;
        let res = self.send.send_request(req.body(Full::new(body))?).await?;
        let status = res.status();
        let cookie = res
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(str::to_string);
        // A reply cut off part-way is not an acknowledgement: the error goes to the caller.
        let bytes = res.into_body().collect().await?.to_bytes();
        let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Reply {
            status,
            cookie,
            json,
        })
    }
}

/// Waits until the server answers `/health`.
pub async fn healthy(addr: SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(mut c) = Conn::open(addr).await
            && let Ok(r) = c.call(Method::GET, "/health", None).await
            && r.status == StatusCode::OK
        {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "annex serve never became healthy"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
