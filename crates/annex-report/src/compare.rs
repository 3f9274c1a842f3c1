//! A comparison of standards as text, Markdown, CSV or JSON.

use annex_core::compare::Comparison;
use annex_core::mapping::Relationship;

use crate::{Error, Format, csv_rows, json, markdown_table, pct, text_table};

const OVERLAP_HEADER: [&str; 5] = [
    "A",
    "B",
    "A covered by B",
    "B covered by A",
    "relationships",
];
const CSV_HEADER: [&str; 10] = [
    "kind",
    "standard_a",
    "clause_a",
    "title_a",
    "standard_b",
    "clause_b",
    "title_b",
    "relationship",
    "strength",
    "basis",
];

fn relationships(c: &std::collections::BTreeMap<Relationship, usize>) -> String {
    c.iter()
        .map(|(r, n)| format!("{n} {}", r.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn overlap_rows(c: &Comparison) -> Vec<Vec<String>> {
    c.pairs
        .iter()
        .map(|p| {
            vec![
                p.a.clone(),
                p.b.clone(),
                pct(p.a_shared, p.a_total, p.a_percent),
                pct(p.b_shared, p.b_total, p.b_percent),
                relationships(&p.relationships),
            ]
        })
        .collect()
}

fn alignment_rows(c: &Comparison) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header = vec!["harmonized structure".to_string()];
    header.extend(c.standards.iter().map(|s| s.id.clone()));
    let rows = c
        .alignment
        .iter()
        .map(|r| {
            let mut row = vec![
                r.hs.as_ref()
                    .map(|h| format!("{} {}", h.number, h.title))
                    .unwrap_or_else(|| "—".into()),
            ];
            row.extend(r.cells.iter().map(|cell| {
                if cell.is_empty() {
                    "—".to_string()
                } else {
                    cell.iter()
                        .map(|c| c.number.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            }));
            row
        })
        .collect();
    (header, rows)
}

fn names(c: &Comparison) -> String {
    c.standards
        .iter()
        .map(|s| s.designation.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renders a comparison in `format`.
pub fn render(c: &Comparison, format: Format) -> Result<String, Error> {
    match format {
        Format::Json => json(c),
        Format::Csv => csv(c),
        Format::Markdown => Ok(markdown(c)),
        Format::Table => Ok(table(c)),
    }
}

fn table(c: &Comparison) -> String {
    let mut out = format!("Comparing {}\n\nOverlap of requirement clauses\n", names(c));
    let mut t = text_table(&OVERLAP_HEADER);
    for r in overlap_rows(c) {
        t.add_row(r);
    }
    out.push_str(&format!("{t}\n\n"));
    out.push_str(&format!(
        "Clause alignment ({} rows, {} shared by all)\n",
        c.alignment.len(),
        c.shared_by_all
    ));
    let (header, rows) = alignment_rows(c);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = text_table(&header);
    for r in rows {
        t.add_row(r);
    }
    out.push_str(&format!("{t}\n"));
    for u in &c.unique {
        out.push_str(&format!(
            "\nUnique to {} ({} clauses)\n",
            u.id,
            u.clauses.len()
        ));
        for cl in &u.clauses {
            out.push_str(&format!("  {:<10} {}\n", cl.number, cl.title));
        }
    }
    out
}

fn markdown(c: &Comparison) -> String {
    let mut out = format!(
        "# Comparing {}\n\n## Overlap of requirement clauses\n\n",
        names(c)
    );
    out.push_str(&markdown_table(&OVERLAP_HEADER, &overlap_rows(c)));
    out.push_str(&format!(
        "\n## Clause alignment\n\n{} rows, {} shared by all.\n\n",
        c.alignment.len(),
        c.shared_by_all
    ));
    let (header, rows) = alignment_rows(c);
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    out.push_str(&markdown_table(&header, &rows));
    for u in &c.unique {
        out.push_str(&format!(
            "\n## Unique to {} ({} clauses)\n\n",
            u.id,
            u.clauses.len()
        ));
        for cl in &u.clauses {
            out.push_str(&format!("- {} {}\n", cl.number, cl.title));
        }
    }
    out.push_str("\n## Facts\n\n");
    let mut header = vec!["".to_string()];
    header.extend(c.standards.iter().map(|s| s.designation.clone()));
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    let rows: Vec<Vec<String>> = c
        .facts
        .iter()
        .map(|f| {
            let mut r = vec![f.label.clone()];
            r.extend(f.values.iter().cloned());
            r
        })
        .collect();
    out.push_str(&markdown_table(&header, &rows));
    out
}

/// One row per shared clause pair, then one per unique clause.
fn csv(c: &Comparison) -> Result<String, Error> {
    let mut rows = Vec::new();
    for p in &c.pairs {
        for s in &p.shared {
            rows.push(vec![
                "shared".into(),
                p.a.clone(),
                s.a.number.clone(),
                s.a.title.clone(),
                p.b.clone(),
                s.b.number.clone(),
                s.b.title.clone(),
                s.relationship.label().into(),
                s.strength.to_string(),
                s.why.clone(),
            ]);
        }
    }
    for u in &c.unique {
        for cl in &u.clauses {
            rows.push(vec![
                "unique".into(),
                u.id.clone(),
                cl.number.clone(),
                cl.title.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
    }
    csv_rows(&CSV_HEADER, &rows)
}
