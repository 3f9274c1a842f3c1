//! The `annex` command: `annex serve` runs the web server (and sends the daily reminder
//! digest); the other verbs look up the standards catalog, compare standards and recommend
//! which to pursue, manage accounts and the database, send reminders, and export registers
//! and records, from the terminal.
//!
//! Exit status: 0 on success, 2 when the input is wrong (an unknown id, too few standards),
//! 1 for anything else.

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use annex_app::accounts::{Access, NewAccount};
use annex_app::reminders::{self, Claim};
use annex_app::{App, Config, Principal};
use annex_core::recommend::{Answers, Exposure, Industry};
use annex_report::Format;
use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "annex",
    version,
    about = "Annex: one integrated management system for ISO 9001, 13485, 14001, 45001, 27001 and 56002"
)]
struct Cli {
    /// Folder for the embedded database (SQLite), created if missing.
    #[arg(long, global = true, env = "ANNEX_DATA", default_value = "annex-data")]
    data_dir: PathBuf,
    /// A PostgreSQL database to use instead of the embedded one: postgres://user@host/db.
    #[arg(long, global = true, env = "ANNEX_DATABASE_URL")]
    database_url: Option<String>,
    /// The configuration file (TOML: [reminders], [email]). Default: annex.toml in the data
    /// folder, when there is one.
    #[arg(long, global = true, env = "ANNEX_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum OutputFormat {
    Table,
    Markdown,
    Json,
    Csv,
}

impl From<OutputFormat> for Format {
    fn from(f: OutputFormat) -> Self {
        match f {
            OutputFormat::Table => Format::Table,
            OutputFormat::Markdown => Format::Markdown,
            OutputFormat::Json => Format::Json,
            OutputFormat::Csv => Format::Csv,
        }
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server (pages and the JSON API).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "ANNEX_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// Mark the session cookie Secure (set when Annex is served over HTTPS).
        #[arg(long, env = "ANNEX_SECURE_COOKIES")]
        secure_cookies: bool,
        /// Fill an empty database with the demo organisation first (as `annex demo`); a
        /// database that already holds the demo, or anything else, is served as it is.
        #[arg(long)]
        demo: bool,
    },
    /// Fill an empty database with the demo organisation: a medical-device maker with two
    /// sites, people in every role (all with the password printed) and a few hundred records.
    /// Refused, changing nothing, when the database holds any user or record.
    Demo,
    /// Apply database migrations and list them (serve does this too).
    Migrate,
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// List the record kinds with their fields, states and transitions.
    Kinds {
        #[arg(long, value_enum, default_value = "table")]
        format: KindsFormat,
    },
    /// Export a register to CSV or XLSX, or a record to PDF. Runs as the system administrator
    /// (like `annex user`); each export is an event in the audit trail.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Send the reminder digests now: each person's overdue and soon-due records, by email
    /// (the [email] section of the configuration file). Exit status 1 when any was not sent.
    Remind {
        /// Print who would get what, and send nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Recompute the audit trail's hash chain and name the first broken link.
    /// Exit status 0 when intact, 3 when broken.
    Verify,
    /// Show or change settings (the risk matrix). Changes run as the system administrator,
    /// need a reason and are events in the audit trail.
    Settings {
        #[command(subcommand)]
        what: SettingsWhat,
    },
    /// Import a framework or mapping set: an OSCAL catalog or profile (JSON), or a CISO
    /// Assistant library holding a framework or a requirement mapping set (YAML). Runs as the
    /// system administrator; the import is an event in the audit trail. A file that breaks a
    /// rule is refused whole, every problem named by its path in the file (exit status 2).
    Import {
        file: PathBuf,
        /// For an OSCAL profile naming controls its catalog lacks: import the others and
        /// record those as left out, instead of refusing the file.
        #[arg(long)]
        partial: bool,
        /// For an OSCAL profile: the id of the imported catalog to resolve it against.
        #[arg(long, value_name = "ID")]
        catalog: Option<String>,
    },
    /// List the standards in the catalog, or show one.
    Standards {
        #[command(subcommand)]
        action: Option<StandardsAction>,
        #[arg(long, value_enum, default_value = "table")]
        format: OutputFormat,
    },
    /// Compare two or more standards: shared and unique clauses, overlap both ways, facts.
    Compare {
        /// Standard ids, e.g. iso9001:2015 iso14001:2015.
        #[arg(required = true, num_args = 1..)]
        ids: Vec<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: OutputFormat,
    },
    /// Recommend which standards to pursue, in what order, and why.
    Recommend {
        /// Your industry.
        #[arg(long, value_parser = parse_industry, default_value = "other")]
        industry: Industry,
        /// You sell into a regulated market (FDA, EU MDR, Health Canada...).
        #[arg(long)]
        regulated_market: bool,
        /// Customers or tenders require a certified management system.
        #[arg(long)]
        customers_require_certification: bool,
        /// You have significant environmental aspects or obligations.
        #[arg(long)]
        environmental_obligations: bool,
        /// You have significant occupational health and safety hazards or obligations.
        #[arg(long)]
        safety_obligations: bool,
        /// How exposed you are to information-security risk.
        #[arg(long, value_parser = parse_exposure, default_value = "low")]
        infosec_exposure: Exposure,
        /// You want to manage innovation systematically.
        #[arg(long)]
        innovation: bool,
        /// A standard you already hold (repeat for several).
        #[arg(long = "held", value_name = "ID")]
        held: Vec<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: OutputFormat,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KindsFormat {
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
enum UserAction {
    /// Add an account. The password is read from standard input (one line).
    Add {
        username: String,
        /// Printed name, as signatures show it.
        #[arg(long)]
        name: String,
        /// administrator, manager, auditor, contributor, reader or external_auditor.
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "")]
        email: String,
        /// Limit to these sites (comma-separated codes).
        #[arg(long, value_delimiter = ',')]
        sites: Vec<String>,
        /// Last day of access (required for external auditors), YYYY-MM-DD.
        #[arg(long)]
        expires_on: Option<String>,
    },
    /// Set an account's password, read from standard input (one line). Ends its sessions.
    Passwd { username: String },
    /// Disable an account and end its sessions.
    Disable { username: String },
    /// Enable a disabled account.
    Enable { username: String },
    /// List the accounts.
    List,
}

// Parsed once per run: the size of the larger variant costs nothing worth boxing for.
#[derive(Debug, Subcommand)]
enum SettingsWhat {
    /// The risk matrix: likelihood and impact scales and the levels scores fall into.
    RiskMatrix {
        #[command(subcommand)]
        action: MatrixAction,
    },
}

#[derive(Debug, Subcommand)]
enum MatrixAction {
    /// Print it as JSON (the form `set` reads).
    Show,
    /// Replace it with the matrix in FILE (JSON, as `show` prints it); open risks are
    /// recomputed. A matrix that breaks a rule is refused naming the field (exit status 2).
    Set {
        file: PathBuf,
        /// Why it changes; kept in the audit trail. Overrides a `reason` in the file.
        #[arg(long)]
        reason: Option<String>,
    },
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum ExportWhat {
    /// A register: every record of one kind the filters match, in the list's order.
    Records {
        /// The register: a record kind (document, nonconformity...).
        #[arg(long)]
        kind: String,
        /// Only records in this state (repeat for several).
        #[arg(long)]
        state: Vec<String>,
        /// Only records owned by this user name.
        #[arg(long)]
        owner: Option<String>,
        /// Only records of this site.
        #[arg(long)]
        site: Option<String>,
        /// By due date: overdue, today, soon or later (open records only).
        #[arg(long)]
        due: Option<String>,
        /// Due on or before this date, YYYY-MM-DD.
        #[arg(long)]
        due_before: Option<String>,
        /// Due on or after this date, YYYY-MM-DD.
        #[arg(long)]
        due_after: Option<String>,
        /// Words to find in number, title and fields.
        #[arg(long)]
        q: Option<String>,
        /// Leave out records in end states (closed, obsolete...).
        #[arg(long)]
        open: bool,
        /// updated (default), -updated, created, -created, due, title.
        #[arg(long)]
        sort: Option<String>,
        /// csv or xlsx; by default the extension of --out.
        #[arg(long)]
        format: Option<String>,
        /// The file to write; `-` for standard output.
        #[arg(long)]
        out: PathBuf,
    },
    /// A record as a PDF with its signatures, version history and audit timeline.
    Record {
        /// The record's number, e.g. NC-0001.
        number: String,
        /// The file to write; `-` for standard output.
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum StandardsAction {
    /// Show one standard's facts, and with --tree its clause tree.
    Show {
        id: String,
        #[arg(long)]
        tree: bool,
    },
}

/// `annex import FILE`: prints what was imported, or every problem and exits with 2.
fn import(
    cli: &Cli,
    file: &std::path::Path,
    partial: bool,
    catalog: Option<String>,
) -> anyhow::Result<()> {
    let bytes =
        std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string());
    let options = annex_core::import::Options { partial, catalog };
    let result = with_app(cli, async |app| {
        Ok(
            annex_app::frameworks::import(&app, &Principal::system(), &name, &bytes, &options)
                .await,
        )
    })?;
    match result {
        Ok(outcome) => {
            print(import_report(&outcome));
            Ok(())
        }
        Err(annex_app::Error::Rejected(problems)) => {
            eprintln!(
                "annex: {name} was not imported: {} problem{} (nothing was changed)",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            );
            for p in &problems {
                eprintln!("  {}: {}", p.field, p.rule);
            }
            std::process::exit(2);
        }
        Err(e) => Err(e.into()),
    }
}

fn import_report(o: &annex_app::frameworks::ImportOutcome) -> String {
    let s = &o.summary;
    let mut out = if o.unchanged {
        format!(
            "{} was already imported from this same file: nothing changed.\n",
            s.id
        )
    } else {
        format!(
            "Imported {} ({}) from {}\n",
            s.id,
            s.format.label(),
            s.file_name
        )
    };
    out.push_str(&format!("  {}\n", s.designation));
    if s.kind == "mapping" {
        // In the order of NIST OLIR, strongest first.
        let by: Vec<String> = ["equal", "subset", "superset", "intersect", "not related"]
            .iter()
            .filter_map(|r| o.by_relation.get(*r).map(|n| format!("{n} {r}")))
            .collect();
        out.push_str(&format!(
            "  Mappings     {} links from {} to {}: {}\n",
            s.clauses,
            s.from.as_deref().unwrap_or(""),
            s.to.as_deref().unwrap_or(""),
            by.join(", ")
        ));
    } else {
        out.push_str(&format!(
            "  Clauses      {} ({} assessable)\n",
            s.clauses, s.assessable
        ));
    }
    if !o.left_out.is_empty() {
        let shown: Vec<&str> = o.left_out.iter().take(10).map(String::as_str).collect();
        let more = o.left_out.len().saturating_sub(shown.len());
        out.push_str(&format!(
            "  Left out     {} controls not in the catalog: {}{}\n",
            o.left_out.len(),
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }
    out.push_str(&format!("  SHA-256      {}\n", s.sha256));
    out.push_str(&format!("  Page         {}\n", s.href));
    out
}

fn parse_industry(s: &str) -> Result<Industry, String> {
    Industry::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Industry::ALL.iter().map(|i| i.key()).collect();
        format!("must be one of: {}", all.join(", "))
    })
}

fn parse_exposure(s: &str) -> Result<Exposure, String> {
    Exposure::parse(s).ok_or_else(|| "must be one of: low, medium, high".to_string())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("annex: {e:#}");
            match e.downcast_ref::<annex_app::Error>() {
                Some(annex_app::Error::Catalog(_)) | None => ExitCode::from(1),
                Some(_) => ExitCode::from(2),
            }
        }
    }
}

fn print(text: String) {
    print!("{text}");
}

/// The database URL: `--database-url`, or a SQLite file in the data folder.
fn database_url(cli: &Cli) -> anyhow::Result<String> {
    if let Some(url) = cli.database_url.as_ref().filter(|u| !u.trim().is_empty()) {
        return Ok(url.clone());
    }
    std::fs::create_dir_all(&cli.data_dir).map_err(|e| {
        anyhow::anyhow!(
            "cannot create the data folder {}: {e}",
            cli.data_dir.display()
        )
    })?;
    Ok(format!(
        "sqlite://{}",
        cli.data_dir.join("annex.db").display()
    ))
}

/// The settings: the configuration file named by `--config`, else `annex.toml` in the data
/// folder if there is one, else the defaults. A file that breaks a rule stops the command,
/// naming the file, the key and the rule.
fn config(cli: &Cli) -> anyhow::Result<Config> {
    let path = match &cli.config {
        Some(p) => p.clone(),
        None => {
            let p = cli.data_dir.join("annex.toml");
            if !p.exists() {
                return Ok(Config::default());
            }
            p
        }
    };
    Config::load(&path).map_err(|e| anyhow::Error::new(e).context(path.display().to_string()))
}

/// Opens and migrates the database, then runs `f` with the full application.
fn with_app<T>(cli: &Cli, f: impl AsyncFnOnce(App) -> anyhow::Result<T>) -> anyhow::Result<T> {
    let config = config(cli)?;
    let url = database_url(cli)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let mut app = App::open(&url)
            .await
            .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
        app.config = config;
        let out = f(app.clone()).await;
        app.close().await;
        out
    })
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Serve {
            bind,
            secure_cookies,
            demo,
        } => return serve(&cli, *bind, *secure_cookies, *demo),
        Command::Demo => {
            return with_app(&cli, async |app| {
                let started = std::time::Instant::now();
                let summary = annex_app::demo::load(&app).await?;
                print(demo_report(&summary, started.elapsed()));
                Ok(())
            });
        }
        Command::Migrate => {
            return with_app(&cli, async |app| {
                for (version, description, applied) in app.migrations().await? {
                    let mark = if applied { "applied" } else { "pending" };
                    println!("{version:04} {description}: {mark}");
                }
                Ok(())
            });
        }
        Command::User { action } => return user(&cli, action),
        Command::Export { what } => return export(&cli, what),
        Command::Remind { dry_run } => return remind(&cli, *dry_run),
        Command::Settings { what } => return settings(&cli, what),
        Command::Import {
            file,
            partial,
            catalog,
        } => return import(&cli, file, *partial, catalog.clone()),
        Command::Verify => {
            let report = with_app(&cli, async |app| {
                Ok(annex_app::audit_trail::verify(&app, &Principal::system()).await?)
            })?;
            if report.intact {
                println!(
                    "audit trail intact: {} events, head {} {}",
                    report.checked, report.head_seq, report.head_hash
                );
                return Ok(());
            }
            println!(
                "audit trail BROKEN: {} ({} events checked before it)",
                report.problem.unwrap_or_default(),
                report.checked
            );
            std::process::exit(3);
        }
        _ => {}
    }
    let app = App::new()?;
    match cli.command {
        Command::Serve { .. }
        | Command::Demo
        | Command::Migrate
        | Command::User { .. }
        | Command::Export { .. }
        | Command::Remind { .. }
        | Command::Settings { .. }
        | Command::Import { .. }
        | Command::Verify => Ok(()),
        Command::Kinds { format } => {
            let kinds = annex_app::kinds::list();
            match format {
                KindsFormat::Json => println!("{}", serde_json::to_string_pretty(&kinds)?),
                KindsFormat::Table => print(annex_report::kinds::render(&kinds)),
            }
            Ok(())
        }
        Command::Standards {
            action: None,
            format,
        } => {
            print(annex_report::standards::render_list(
                &annex_app::standards::list(&app),
                format.into(),
            )?);
            Ok(())
        }
        Command::Standards {
            action: Some(StandardsAction::Show { id, tree }),
            format,
        } => {
            let s = annex_app::standards::show(&app, &id)?;
            print(annex_report::standards::render_show(
                s,
                tree,
                format.into(),
            )?);
            Ok(())
        }
        Command::Compare { ids, format } => {
            let c = annex_app::compare::run(&app, &ids)?;
            print(annex_report::compare::render(&c, format.into())?);
            Ok(())
        }
        Command::Recommend {
            industry,
            regulated_market,
            customers_require_certification,
            environmental_obligations,
            safety_obligations,
            infosec_exposure,
            innovation,
            held,
            format,
        } => {
            let answers = Answers {
                industry,
                regulated_market,
                customers_require_certification,
                environmental_obligations,
                safety_obligations,
                infosec_exposure,
                innovation,
                held,
            };
            let r = annex_app::recommend::run(&app, &answers)?;
            print(annex_report::recommend::render(&r, format.into())?);
            Ok(())
        }
    }
}

fn user(cli: &Cli, action: &UserAction) -> anyhow::Result<()> {
    let system = Principal::system();
    with_app(cli, async |app| {
        match action {
            UserAction::Add {
                username,
                name,
                role,
                email,
                sites,
                expires_on,
            } => {
                let password = read_password()?;
                let u = annex_app::accounts::add_user(
                    &app,
                    &system,
                    NewAccount {
                        username: username.clone(),
                        display_name: name.clone(),
                        email: email.clone(),
                        password,
                        role: role.clone(),
                        sites: sites.clone(),
                        expires_on: expires_on.clone(),
                    },
                )
                .await?;
                println!(
                    "added {} ({}, {})",
                    u.username,
                    u.display_name,
                    u.role.as_str()
                );
            }
            UserAction::Passwd { username } => {
                let password = read_password()?;
                annex_app::accounts::set_password(&app, &system, username, None, &password).await?;
                println!("password of {username} set; its sessions have ended");
            }
            UserAction::Disable { username } | UserAction::Enable { username } => {
                let disabled = matches!(action, UserAction::Disable { .. });
                annex_app::accounts::set_access(
                    &app,
                    &system,
                    username,
                    Access {
                        disabled: Some(disabled),
                        ..Access::default()
                    },
                )
                .await?;
                let word = if disabled { "disabled" } else { "enabled" };
                println!("{username} {word}");
            }
            UserAction::List => {
                for u in annex_app::accounts::users(&app, &system).await? {
                    let state = if u.disabled { " (disabled)" } else { "" };
                    println!(
                        "{}\t{}\t{}\t{}{}",
                        u.username,
                        u.role.as_str(),
                        u.display_name,
                        u.sites.join(","),
                        state
                    );
                }
            }
        }
        Ok(())
    })
}

/// Writes `bytes` to `out`, or to standard output for `-`.
fn write_out(out: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    if out.as_os_str() == "-" {
        std::io::stdout().lock().write_all(bytes)?;
    } else {
        std::fs::write(out, bytes)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
    }
    Ok(())
}

fn export(cli: &Cli, what: &ExportWhat) -> anyhow::Result<()> {
    let system = Principal::system();
    with_app(cli, async |app| {
        match what {
            ExportWhat::Records {
                kind,
                state,
                owner,
                site,
                due,
                due_before,
                due_after,
                q,
                open,
                sort,
                format,
                out,
            } => {
                let named = format
                    .clone()
                    .or_else(|| out.extension().map(|e| e.to_string_lossy().into_owned()));
                let format = annex_core::export::Format::parse(named.as_deref())
                    .map_err(annex_app::Error::from)?;
                let mut file = annex_report::export::File::new(format)?;
                let query = annex_app::records::ListQuery {
                    kind: Some(kind.clone()),
                    state: state.clone(),
                    owner: owner.clone(),
                    site: site.clone(),
                    due: due.clone(),
                    due_before: due_before.clone(),
                    due_after: due_after.clone(),
                    q: q.clone(),
                    sort: sort.clone(),
                    open: *open,
                    ..Default::default()
                };
                let done = annex_app::export::register(&app, &system, query, &mut file).await?;
                write_out(out, &file.finish()?)?;
                eprintln!(
                    "exported {} rows of {} to {}",
                    done.rows,
                    kind.trim(),
                    out.display()
                );
            }
            ExportWhat::Record { number, out } => {
                let data = annex_app::export::record(&app, &system, number).await?;
                write_out(out, &annex_pdf::record(&data)?)?;
                eprintln!(
                    "exported {} version {} to {}",
                    data.number,
                    data.version,
                    out.display()
                );
            }
        }
        Ok(())
    })
}

/// `annex settings risk-matrix show|set FILE`.
fn settings(cli: &Cli, what: &SettingsWhat) -> anyhow::Result<()> {
    let system = Principal::system();
    let SettingsWhat::RiskMatrix { action } = what;
    with_app(cli, async |app| {
        match action {
            MatrixAction::Show => {
                let m = annex_app::settings::risk_matrix(&app, &system).await?;
                println!("{}", serde_json::to_string_pretty(&m)?);
            }
            MatrixAction::Set { file, reason } => {
                let text = std::fs::read_to_string(file)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
                let mut change: annex_app::settings::MatrixChange = serde_json::from_str(&text)
                    .map_err(|e| anyhow::anyhow!("{}: not a risk matrix: {e}", file.display()))?;
                if reason.is_some() {
                    change.reason.clone_from(reason);
                }
                let done = annex_app::settings::set_risk_matrix(&app, &system, change).await?;
                println!(
                    "risk matrix saved as version {}: {} open risk(s) recomputed{}",
                    done.matrix.version,
                    done.recomputed.len(),
                    if done.reassessed.is_empty() {
                        String::new()
                    } else {
                        format!("; sent back to assessed: {}", done.reassessed.join(", "))
                    }
                );
            }
        }
        Ok(())
    })
}

/// `annex remind`: today's digests, sent or (dry run) printed.
fn remind(cli: &Cli, dry_run: bool) -> anyhow::Result<()> {
    let system = Principal::system();
    with_app(cli, async |app| {
        if dry_run {
            let base = app.config.email.as_ref().map_or_else(
                || "http://127.0.0.1:8080".to_string(),
                |e| e.base_url.clone(),
            );
            let digests = reminders::digests(&app, &system, &base).await?;
            if digests.is_empty() {
                println!("nobody has overdue or soon-due records: no digest to send");
            }
            for d in digests {
                let to = if d.email.is_empty() {
                    format!("{} (no email address: would not be sent)", d.display_name)
                } else {
                    format!("{} <{}>", d.display_name, d.email)
                };
                println!("To: {to}\nSubject: {}\n\n{}", d.subject(), d.body(&base));
            }
            return Ok(());
        }
        let report = reminders::send(&app, &system, Claim::Anyway, &server_name()).await?;
        for o in &report.outcomes {
            match &o.error {
                None => println!(
                    "sent to {} <{}>: {} record(s)",
                    o.username, o.email, o.items
                ),
                Some(e) => println!("NOT sent to {}: {e}", o.username),
            }
        }
        if report.outcomes.is_empty() {
            println!("nobody has overdue or soon-due records: no digest sent");
        }
        if report.failed() > 0 {
            anyhow::bail!(
                "{} of {} reminder digest(s) not sent",
                report.failed(),
                report.outcomes.len()
            );
        }
        Ok(())
    })
}

/// This server in a digest's claim: host name and process id.
fn server_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "annex".into());
    format!("{host}:{}", std::process::id())
}

/// What `annex demo` made and how to log in to it.
fn demo_report(summary: &annex_app::demo::Summary, took: std::time::Duration) -> String {
    use annex_app::demo::{COMPANY, PASSWORD, PEOPLE, SITES};
    let mut out = format!(
        "Made the demo organisation {COMPANY} in {:.1} s: {} people, {} records ({}).\n\nSites:\n",
        took.as_secs_f64(),
        summary.users,
        summary.total(),
        summary
            .records
            .iter()
            .map(|(kind, n)| format!("{n} {kind}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    for s in SITES {
        out.push_str(&format!("  {:<11} {}: {}\n", s.code, s.name, s.what));
    }
    out.push_str(&format!(
        "\nLog in as any of these, each with the password {PASSWORD}\n"
    ));
    for p in PEOPLE {
        let sites = if p.sites.is_empty() {
            "all sites".to_string()
        } else {
            p.sites.join(", ")
        };
        out.push_str(&format!(
            "  {:<8} {:<17} {:<16} {} ({sites})\n",
            p.username,
            p.role.label(),
            p.name,
            p.job
        ));
    }
    out
}

fn serve(cli: &Cli, bind: SocketAddr, secure_cookies: bool, demo: bool) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ANNEX_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    with_app(cli, async |mut app| {
        app.config.secure_cookies = secure_cookies;
        let stop = shutdown()?;
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?;
        let backend = app.backend();
        if demo {
            if annex_app::demo::is_demo(&app).await? {
                tracing::info!("the database already holds the demo organisation: serving it");
            } else if annex_app::accounts::needs_setup(&app).await? {
                let started = std::time::Instant::now();
                let summary = annex_app::demo::load(&app).await?;
                print(demo_report(&summary, started.elapsed()));
            } else {
                tracing::warn!(
                    "--demo: the database already holds other users or records, so the demo \
                     was not loaded; serving it as it is"
                );
            }
        }
        if annex_app::accounts::needs_setup(&app).await? {
            tracing::info!(
                "no account exists yet: open http://{}/setup to create the first administrator",
                listener.local_addr()?
            );
        }
        tracing::info!(
            "Annex is serving on http://{} ({backend})",
            listener.local_addr()?
        );
        // Planner statistics, refreshed in the background so that start-up stays fast.
        if let Ok(store) = app.store() {
            let store = store.clone();
            tokio::spawn(async move {
                if let Err(e) = store.analyze().await {
                    tracing::warn!("could not refresh the planner's statistics: {e}");
                }
            });
        }
        if let Some(e) = &app.config.email {
            let (h, m) = e.digest_time;
            tracing::info!(
                "reminder digests go out daily from {h:02}:{m:02} UTC through {}:{}",
                e.smtp_host,
                e.smtp_port
            );
            // On its own task: a slow or failing mail server never holds a request.
            tokio::spawn(reminders::run(
                app.clone(),
                server_name(),
                std::time::Duration::from_secs(600),
            ));
        }
        annex_web::serve(listener, app, stop).await?;
        Ok(())
    })
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed here, before the server listens,
/// rather than when the server first polls the future: a server that went on running after a
/// SIGTERM sent the moment `/health` first answered was seen once (benches/serve-db.sh), and
/// the lazy installation left a window for that, between tokio installing the handler and
/// listening to it, just when the first request is answered.
fn shutdown() -> anyhow::Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let stop = {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
        }
    };
    #[cfg(not(unix))]
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    Ok(async move {
        stop.await;
        tracing::info!("shutting down");
    })
}
