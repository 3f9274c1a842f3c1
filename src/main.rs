//! The `annex` command: `annex serve` runs the web server; the other verbs look up the
//! standards catalog, compare standards and recommend which to pursue, from the terminal.
//!
//! Exit status: 0 on success, 2 when the input is wrong (an unknown id, too few standards),
//! 1 for anything else.

use std::net::SocketAddr;
use std::process::ExitCode;

use annex_app::App;
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

#[derive(Debug, Subcommand)]
enum StandardsAction {
    /// Show one standard's facts, and with --tree its clause tree.
    Show {
        id: String,
        #[arg(long)]
        tree: bool,
    },
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

fn run(cli: Cli) -> anyhow::Result<()> {
    let app = App::new()?;
    match cli.command {
        Command::Serve { bind } => serve(app, bind),
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

fn serve(app: App, bind: SocketAddr) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ANNEX_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {bind}: {e}"))?;
        tracing::info!("Annex is serving on http://{}", listener.local_addr()?);
        annex_web::serve(listener, app, shutdown()).await?;
        Ok(())
    })
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
