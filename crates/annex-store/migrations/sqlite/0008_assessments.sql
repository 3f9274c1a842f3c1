-- Assessments over one or more standards (annex_core::assessment). The checklist (its items,
-- the clauses each answers, the carries between them) is computed once at creation and kept
-- as JSON in `plan`, so that a later change of the catalog never reshuffles an assessment
-- under way. An item has a row once it is answered; no row means not assessed. Every answer,
-- file and snapshot is also an audit-trail event.
-- Keep in step with ../postgres/0008_assessments.sql.
CREATE TABLE assessments (
    id INTEGER PRIMARY KEY,
    seq BIGINT NOT NULL,
    number TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    -- JSON arrays: standard ids in order; site codes (empty: every site); process numbers.
    standards TEXT NOT NULL,
    sites TEXT NOT NULL,
    processes TEXT NOT NULL,
    plan TEXT NOT NULL,
    -- The number of the assessment this one is the transition of, if any.
    transition_from TEXT,
    version BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT REFERENCES users (id)
);

CREATE TABLE assessment_items (
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    item BIGINT NOT NULL,
    result TEXT NOT NULL,
    maturity BIGINT,
    notes TEXT NOT NULL,
    justification TEXT NOT NULL,
    -- JSON array of annex_core::assessment::Evidence; its length, for readiness in SQL.
    evidence TEXT NOT NULL,
    evidence_count BIGINT NOT NULL,
    version BIGINT NOT NULL,
    assessed_at BIGINT NOT NULL,
    assessed_by BIGINT REFERENCES users (id),
    PRIMARY KEY (assessment_id, item)
);

CREATE TABLE assessment_files (
    id INTEGER PRIMARY KEY,
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    item BIGINT NOT NULL,
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT REFERENCES users (id)
);
CREATE INDEX assessment_files_assessment ON assessment_files (assessment_id);

CREATE TABLE assessment_snapshots (
    id INTEGER PRIMARY KEY,
    assessment_id BIGINT NOT NULL REFERENCES assessments (id),
    taken_at BIGINT NOT NULL,
    taken_by BIGINT REFERENCES users (id),
    -- JSON: per standard, its id and share conforming.
    shares TEXT NOT NULL
);
CREATE INDEX assessment_snapshots_assessment ON assessment_snapshots (assessment_id, taken_at);
