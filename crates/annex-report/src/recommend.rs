//! A recommendation as text, Markdown, CSV or JSON.

use annex_core::recommend::{Coverage, Recommendation};

use crate::{Error, Format, csv_rows, json, markdown_table, pct, text_table};

const HEADER: [&str; 6] = ["#", "id", "score", "already covered", "builds on", "why"];

fn cover(c: &Option<Coverage>) -> String {
    c.as_ref()
        .map(|c| pct(c.shared, c.total, c.percent))
        .unwrap_or_else(|| "—".into())
}

fn rows(r: &Recommendation) -> Vec<Vec<String>> {
    r.recommended
        .iter()
        .map(|s| {
            vec![
                s.rank.to_string(),
                s.id.clone(),
                s.score.to_string(),
                cover(&s.saved_effort),
                cover(&s.builds_on),
                s.reasons
                    .iter()
                    .map(|x| x.why.clone())
                    .collect::<Vec<_>>()
                    .join(" "),
            ]
        })
        .collect()
}

pub fn render(r: &Recommendation, format: Format) -> Result<String, Error> {
    match format {
        Format::Json => json(r),
        Format::Csv => csv_rows(&HEADER, &rows(r)),
        Format::Markdown => Ok(markdown_table(&HEADER, &rows(r))),
        Format::Table => {
            if r.recommended.is_empty() {
                return Ok(
                    "No standard matches these answers; try naming your industry or obligations.\n"
                        .into(),
                );
            }
            let mut out = String::new();
            if !r.held.is_empty() {
                out.push_str(&format!("Held: {}\n\n", r.held.join(", ")));
            }
            for s in &r.recommended {
                out.push_str(&format!(
                    "{}. {} — {} (score {})\n",
                    s.rank, s.designation, s.title, s.score
                ));
                for reason in &s.reasons {
                    out.push_str(&format!(
                        "   - {}\n     {} says ({}): {}\n",
                        reason.why, reason.standard, reason.fact, reason.quote
                    ));
                }
                if let Some(c) = &s.saved_effort {
                    out.push_str(&format!(
                        "   Saved effort: {} of its requirement clauses are already covered by {}.\n",
                        pct(c.shared, c.total, c.percent),
                        c.by.join(", ")
                    ));
                }
                out.push_str(&format!(
                    "   Typical implementation: {}\n\n",
                    s.implementation_time
                ));
            }
            let mut t = text_table(&HEADER[..5]);
            for mut row in rows(r) {
                row.pop();
                t.add_row(row);
            }
            out.push_str(&format!("{t}\n"));
            Ok(out)
        }
    }
}
