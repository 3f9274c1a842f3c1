//! Annex's printed records: PDF/A-2b through typst, used as a library. A template compiled into
//! the binary lays out data it reads as JSON from a virtual file, so no value a user typed is
//! ever read as typst markup or code (nothing to escape, nothing to inject). The fonts come
//! from `typst-assets`, compiled in: nothing is looked up on the machine or fetched.
//!
//! typst is by far the slowest dependency to compile, so it lives in this crate alone; only
//! the web layer and the binary depend on it.
//!
//! - [`record`]: one record with its fields, signatures, links, versions and audit timeline.
//! - [`assessment`]: an assessment's report for auditors: cover, figures and charts per
//!   standard, results per clause, gaps and evidence.

use std::sync::LazyLock;

use serde::Serialize;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

/// The template of a printed record: `record.typ`, reading `data.json`.
const RECORD_TEMPLATE: &str = include_str!("../templates/record.typ");
/// The template of an assessment's report: `assessment.typ`, reading `data.json`.
const ASSESSMENT_TEMPLATE: &str = include_str!("../templates/assessment.typ");

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The data could not be encoded for the template.
    #[error("cannot encode the data for the PDF: {0}")]
    Data(#[from] serde_json::Error),
    /// The template did not compile or lay out (a defect of this crate, not of the input).
    #[error("cannot lay out the PDF: {0}")]
    Layout(String),
}

/// The standard library and the embedded fonts, made once per process: parsing the fonts
/// costs tens of milliseconds, a fair share of a whole record's rendering.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    Shared {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

/// The age (in documents made) at which typst's memoised results are evicted (see
/// `Job::pdf`).
const CACHE_AGE: usize = 1;

/// One compilation: the template as the main file and the data as `data.json`; no other
/// file exists.
struct Job {
    main: Source,
    data_id: FileId,
    data: Bytes,
}

fn file_id(path: &str) -> Result<FileId, Error> {
    let vpath = VirtualPath::new(path).map_err(|e| Error::Layout(format!("{path}: {e:?}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl Job {
    fn new(template: &str, data: &impl Serialize) -> Result<Self, Error> {
        let main = Source::new(file_id("/main.typ")?, template.to_string());
        Ok(Self {
            main,
            data_id: file_id("/data.json")?,
            data: Bytes::new(serde_json::to_vec(data)?),
        })
    }

    fn pdf(&self) -> Result<Vec<u8>, Error> {
        let document = typst::compile::<PagedDocument>(self).output;
        // typst memoises layout across compilations in a process-wide cache that nothing
        // empties by itself: a server making a distinct document every time grew by about
        // 19 MB per assessment report, without end. Evicting after each document keeps the
        // cache to what the latest one used.
        comemo::evict(CACHE_AGE);
        let document = document.map_err(|errors| Error::Layout(messages(errors.as_slice())))?;
        // PDF/A-2b: the archival profile (fonts embedded, nothing that depends on the reader's
        // machine), for records kept for years; it needs the time the file was made.
        let standards = typst_pdf::PdfStandards::new(&[typst_pdf::PdfStandard::A_2b])
            .map_err(|e| Error::Layout(e.message().to_string()))?;
        let options = typst_pdf::PdfOptions {
            standards,
            timestamp: now().map(typst_pdf::Timestamp::new_utc),
            ..typst_pdf::PdfOptions::default()
        };
        typst_pdf::pdf(&document, &options)
            .map_err(|errors| Error::Layout(messages(errors.as_slice())))
    }
}

/// Now, in UTC, as typst holds a date and time.
fn now() -> Option<Datetime> {
    let t = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC);
    Datetime::from_ymd_hms(
        i32::from(t.year()),
        u8::try_from(t.month()).ok()?,
        u8::try_from(t.day()).ok()?,
        u8::try_from(t.hour()).ok()?,
        u8::try_from(t.minute()).ok()?,
        u8::try_from(t.second()).ok()?,
    )
}

fn messages(errors: &[typst::diag::SourceDiagnostic]) -> String {
    errors
        .iter()
        .map(|e| e.message.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

impl World for Job {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.clone()))
        } else {
            Err(FileError::AccessDenied)
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    /// Printed records carry their export time in the data; the template asks for no date.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// A record as a PDF. `data` is the app layer's record export, serialised as the template
/// expects (see `templates/record.typ`).
pub fn record(data: &impl Serialize) -> Result<Vec<u8>, Error> {
    Job::new(RECORD_TEMPLATE, data)?.pdf()
}

/// An assessment's report as a PDF. `data` is `annex_report::assessment::printed(&report)`
/// (the report in words, with its charts as SVG text): this crate takes it as any
/// serialisable value so that it depends on no other Annex crate.
pub fn assessment(data: &impl Serialize) -> Result<Vec<u8>, Error> {
    Job::new(ASSESSMENT_TEMPLATE, data)?.pdf()
}

/// The media type of a PDF, for HTTP responses.
pub const PDF_TYPE: &str = "application/pdf";

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
mod tests {
    use serde_json::json;

    /// A record as the app layer exports it, with text that would be markup or code if it
    /// were spliced into the template.
    fn sample() -> serde_json::Value {
        let user = json!({"id": 2, "username": "mia", "display_name": "Mia Manager"});
        json!({
            "number": "NC-0001", "kind": "nonconformity", "kind_label": "Nonconformity",
            "title": "#panic(\"x\") *bold* $x$ [link] = heading", "state": "Closed", "version": 5,
            "common": [{"label": "State", "value": "Closed", "long": false}],
            "fields": [{"label": "Description", "value": "line one\nline two #read(\"/etc/passwd\")", "long": true}],
            "signatures": [{"id": 1, "meaning": "verified", "meaning_label": "Verified", "printed_name": "Mia Manager",
                "username": "mia", "at": "2026-11-22T10:00:00Z", "version": 4, "version_hash": "ab", "hash": "cd",
                "valid": true, "current": false}],
            "links": [{"id": 1, "relation": "evidences", "direction": "out", "number": null, "title": null,
                "clause": "iso9001:2015/10.2", "clause_title": "ISO 9001:2015 10.2 Nonconformity and corrective action"}],
            "attachments": [], "comments": [{"id": 1, "body": "Seen", "at": "2026-11-22T10:00:00Z", "by": user}],
            "acknowledgements": [],
            "versions": [{"version": 1, "at": "2026-11-22T09:00:00Z", "by": "Mia Manager (mia)", "state": "Reported", "changed": [], "hash": "ef"}],
            "timeline": [{"seq": 7, "at": "2026-11-22T10:00:00Z", "actor": "mia", "action": "signature.apply",
                "detail": "{\"after\":{\"meaning\":\"verified\"}}", "reason": null}],
            "exported_at": "2026-11-22T11:00:00Z", "exported_by": "Mia Manager (mia)"
        })
    }

    #[test]
    fn a_record_lays_out_as_a_pdf_without_reading_user_text_as_markup() {
        let pdf = super::record(&sample()).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
        // Declared PDF/A-2b in its metadata.
        let declares = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
        assert!(
            declares(b"pdfaid:part>2<") || declares(b"pdfaid:part=\"2\""),
            "not PDF/A-2"
        );
        assert!(declares(b"pdfaid:conformance>B<") || declares(b"pdfaid:conformance=\"B\""));
        let mut hidden = sample();
        hidden["timeline"] = serde_json::Value::Null;
        assert!(super::record(&hidden).unwrap().starts_with(b"%PDF-"));
    }

    /// A PDF's text, as `pdftotext` (poppler) reads it: what a person sees on the page. With
    /// `layout`, a table's row is a line; without, a cell's lines come together.
    fn pdf_text(bytes: &[u8], layout: bool) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.pdf");
        std::fs::write(&path, bytes).unwrap();
        let out = std::process::Command::new("pdftotext")
            .args(layout.then_some("-layout"))
            .arg(&path)
            .arg("-")
            .output()
            .unwrap_or_else(|e| {
                panic!("pdftotext is needed to read PDFs back ({e}): apt-get install poppler-utils")
            });
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn an_assessment_report_shows_the_scope_figures_charts_results_gaps_and_evidence() {
        let report = annex_report::assessment::sample_report();
        let data = annex_report::assessment::printed(&report);
        let pdf = super::assessment(&data).unwrap();
        assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
        let text = pdf_text(&pdf, false);
        // A cell's text wraps where its column ends: compare words, not lines.
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let has = |s: &str| flat.contains(s);
        // The cover, with the user's text as text (no markup read from it).
        assert!(has("Assessment report"), "{text}");
        assert!(has("ASM-0003"));
        assert!(
            has("Integrated internal audit 2026 <Brookfield> & #Tarnside"),
            "{text}"
        );
        for designation in ["ISO 9001:2015", "ISO 14001:2015", "ISO 45001:2018"] {
            assert!(has(designation), "{designation}");
        }
        assert!(has("brookfield, tarnside"));
        assert!(has("PRC-0004 Purchasing"));
        assert!(has("2026-11-22 10:00 UTC"));
        // The charts are drawn, their text included.
        assert!(has("Readiness per standard"));
        assert!(has("Minor NC") && has("75–99 %"), "chart legends: {text}");
        // Results per clause, grouped by section, with the user's notes as written.
        assert!(has("Results per clause"));
        assert!(has("7 Support"));
        assert!(
            has("ISO 9001:2015 8.7 Control of nonconforming outputs"),
            "{text}"
        );
        assert!(has("#panic(\"x\") *bold* [link] $x$ =1+1"), "{text}");
        assert!(has("We make to our customers' drawings"), "{text}");
        // The gaps, per standard, and the evidence list with the items each piece supports:
        // read row by row.
        let layout = pdf_text(&pdf, true);
        let rows: Vec<String> = layout
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        let gaps = layout.find("Gaps to certification").unwrap();
        let evidence = layout.rfind("Items it supports").unwrap();
        assert!(gaps < evidence);
        let nc = report
            .rows
            .iter()
            .find(|r| {
                r.evidence
                    .iter()
                    .any(|e| e.label() == "NC-0007 Scratched housing")
            })
            .unwrap()
            .item
            .no;
        // The summary: each standard's figures, as readiness computed them.
        for st in &report.readiness.standards {
            let f = &st.figures;
            let row = format!(
                "{} {} {} {} {} {} {} {} {} % {:.1} Not yet",
                st.designation,
                f.items,
                f.conforming,
                f.minor,
                f.major,
                f.not_applicable,
                f.not_assessed,
                f.without_evidence,
                f.share,
                f.maturity.unwrap(),
            );
            assert!(rows.contains(&row), "{row}\n{layout}");
        }
        let aspects = report
            .readiness
            .standards
            .iter()
            .flat_map(|s| &s.gaps)
            .find(|g| g.clause == "6.1.2")
            .unwrap();
        let gap = format!(
            "{} 6.1.2 Environmental aspects Major nonconformity",
            aspects.item
        );
        assert!(rows.contains(&gap), "{gap}\n{layout}");
        assert!(
            rows.iter()
                .any(|r| r == &format!("NC-0007 Scratched housing {nc}")),
            "{layout}"
        );
        // A file's hash, in two halves that fit their column.
        assert!(has(
            "9f86d081884c7d659a2feaa0c55ad015 a3bf4f1b2b0b822cd15d6c15b0f00a08"
        ));
    }
}
