//! The record kinds as text: each kind's fields, states and transitions, for `annex kinds`.

use annex_core::kinds::KindInfo;

use crate::text_table;

/// Each kind as a heading and three tables: fields, states, transitions.
pub fn render(kinds: &[KindInfo]) -> String {
    let mut out = String::new();
    for k in kinds {
        out.push_str(&format!(
            "{} ({}, numbered {}-0001...)\n{}\n\n",
            k.label, k.id, k.prefix, k.help
        ));
        let fields: Vec<Vec<String>> = k
            .fields
            .iter()
            .map(|f| {
                let ty = serde_json::to_value(f.ty)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let mut rules = Vec::new();
                if f.required {
                    rules.push("required".to_string());
                }
                if f.system {
                    rules.push("set by the workflow".to_string());
                }
                if let Some(m) = f.max_length {
                    rules.push(format!("at most {m} characters"));
                }
                if !f.choices.is_empty() {
                    let values: Vec<&str> = f.choices.iter().map(|c| c.value.as_str()).collect();
                    rules.push(format!("one of: {}", values.join(", ")));
                }
                vec![f.name.clone(), ty, rules.join("; "), f.label.clone()]
            })
            .collect();
        let mut t = text_table(&["field", "type", "rules", "label"]);
        for r in fields {
            t.add_row(r);
        }
        out.push_str(&t.to_string());
        out.push('\n');
        let states: Vec<Vec<String>> = k
            .states
            .iter()
            .map(|s| {
                let mut notes = Vec::new();
                if s.id == k.initial {
                    notes.push("initial");
                }
                if s.terminal {
                    notes.push("end");
                }
                vec![s.id.clone(), s.label.clone(), notes.join(", ")]
            })
            .collect();
        let mut t = text_table(&["state", "label", ""]);
        for r in states {
            t.add_row(r);
        }
        out.push_str(&t.to_string());
        out.push('\n');
        let transitions: Vec<Vec<String>> = k
            .transitions
            .iter()
            .map(|t| {
                let mut needs: Vec<String> =
                    t.requires.iter().map(|r| format!("field {r}")).collect();
                if t.reason {
                    needs.push("reason".into());
                }
                if let Some(m) = t.signature {
                    needs.push(format!("signature '{}'", m.as_str()));
                }
                needs.extend(t.guards.iter().cloned());
                let roles: Vec<&str> = t.roles.iter().map(|r| r.as_str()).collect();
                vec![
                    t.id.clone(),
                    format!("{} -> {}", t.from.join("|"), t.to),
                    roles.join(", "),
                    needs.join("; "),
                ]
            })
            .collect();
        let mut t = text_table(&["transition", "from -> to", "roles", "needs"]);
        for r in transitions {
            t.add_row(r);
        }
        out.push_str(&t.to_string());
        out.push_str("\n\n");
    }
    out
}
