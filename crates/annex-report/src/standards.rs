//! The catalog list and one standard (facts and, on request, its clause tree).

use annex_core::catalog::{Standard, Verification};

use crate::{Error, Format, csv_rows, json, markdown_table, text_table};

const LIST_HEADER: [&str; 6] = ["id", "designation", "status", "nature", "clauses", "title"];

#[derive(serde::Serialize)]
struct ListItem<'a> {
    id: &'a str,
    designation: &'a str,
    title: &'a str,
    discipline: annex_core::catalog::Discipline,
    nature: annex_core::catalog::Nature,
    certifiable: bool,
    status: annex_core::catalog::Status,
    superseded_by: Option<&'a str>,
    requirements: usize,
}

fn status(s: &Standard) -> String {
    match &s.superseded_by {
        Some(by) if !s.is_current() => format!("withdrawn → {by}"),
        _ => "current".into(),
    }
}

fn list_rows(list: &[&Standard]) -> Vec<Vec<String>> {
    list.iter()
        .map(|s| {
            vec![
                s.id.clone(),
                s.designation.clone(),
                status(s),
                s.nature.label().to_lowercase(),
                s.requirements().count().to_string(),
                s.title.clone(),
            ]
        })
        .collect()
}

/// The catalog list.
pub fn render_list(list: &[&Standard], format: Format) -> Result<String, Error> {
    match format {
        Format::Json => json(
            &list
                .iter()
                .map(|s| ListItem {
                    id: &s.id,
                    designation: &s.designation,
                    title: &s.title,
                    discipline: s.discipline,
                    nature: s.nature,
                    certifiable: s.certifiable,
                    status: s.status,
                    superseded_by: s.superseded_by.as_deref(),
                    requirements: s.requirements().count(),
                })
                .collect::<Vec<_>>(),
        ),
        Format::Csv => csv_rows(&LIST_HEADER, &list_rows(list)),
        Format::Markdown => Ok(markdown_table(&LIST_HEADER, &list_rows(list))),
        Format::Table => {
            let mut t = text_table(&LIST_HEADER);
            for r in list_rows(list) {
                t.add_row(r);
            }
            Ok(format!("{t}\n"))
        }
    }
}

fn mark(v: Verification) -> &'static str {
    match v {
        Verification::V2 => "",
        Verification::V1 => " [title: one source]",
        Verification::U => " [title unverified]",
    }
}

/// One standard: its facts, and with `tree` its clauses indented by depth.
pub fn render_show(s: &Standard, tree: bool, format: Format) -> Result<String, Error> {
    match format {
        Format::Json => {
            #[derive(serde::Serialize)]
            struct Detail<'a> {
                #[serde(flatten)]
                standard: &'a Standard,
                tree: Vec<annex_core::catalog::ClauseNode>,
            }
            if tree {
                let mut flat = s.clone();
                flat.clauses.clear();
                json(&Detail {
                    standard: &flat,
                    tree: s.tree(),
                })
            } else {
                json(s)
            }
        }
        Format::Csv => {
            let rows: Vec<Vec<String>> = s
                .clauses
                .iter()
                .map(|c| {
                    vec![
                        c.number.clone(),
                        c.title.clone(),
                        format!("{:?}", c.verification),
                        c.anchor.clone().unwrap_or_default(),
                        c.intent.clone(),
                        c.documented_information.join("; "),
                    ]
                })
                .collect();
            csv_rows(
                &[
                    "number",
                    "title",
                    "verification",
                    "anchor",
                    "intent",
                    "documented_information",
                ],
                &rows,
            )
        }
        Format::Table | Format::Markdown => {
            let md = format == Format::Markdown;
            let mut out = if md {
                format!("# {} — {}\n\n", s.designation, s.title)
            } else {
                format!("{} — {}\n\n", s.designation, s.title)
            };
            let f = &s.facts;
            let lines = [
                ("Status", status(s)),
                ("Discipline", s.discipline.label().into()),
                ("Nature", s.nature.label().into()),
                (
                    "Certifiable",
                    if s.certifiable {
                        "yes".into()
                    } else {
                        "no".into()
                    },
                ),
                ("Structure", s.structure.label().into()),
                ("Focus", f.focus.clone()),
                ("Scope", f.scope.clone()),
                ("Who needs it", f.who_needs_it.clone()),
                ("Risk approach", f.risk_approach.clone()),
                ("Certification path", f.certification_path.clone()),
                ("Implementation time", f.implementation_time.clone()),
                ("Key requirements", f.key_requirements.join("; ")),
                (
                    "Related",
                    f.related
                        .iter()
                        .map(|r| format!("{} ({})", r.designation, r.relation))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                ("Requirement clauses", s.requirements().count().to_string()),
            ];
            for (label, value) in lines {
                if md {
                    out.push_str(&format!("- **{label}:** {value}\n"));
                } else {
                    out.push_str(&format!("{label:<20} {value}\n"));
                }
            }
            for a in &s.amendments {
                out.push_str(&if md {
                    format!("- **Amendment:** {a}\n")
                } else {
                    format!("{:<20} {a}\n", "Amendment")
                });
            }
            if tree {
                out.push_str(if md {
                    "\n## Clauses\n\n"
                } else {
                    "\nClauses\n"
                });
                for c in &s.clauses {
                    let indent = "  ".repeat(c.depth);
                    if md {
                        out.push_str(&format!(
                            "{indent}- **{}** {}{}\n",
                            c.number,
                            c.title,
                            mark(c.verification)
                        ));
                    } else {
                        out.push_str(&format!(
                            "{indent}{} {}{}\n",
                            c.number,
                            c.title,
                            mark(c.verification)
                        ));
                    }
                }
            }
            Ok(out)
        }
    }
}
