-- Imported frameworks and mapping sets (annex_core::import): OSCAL catalogs and profiles,
-- CISO Assistant frameworks and requirement mapping sets. One row each, holding what the
-- file was (format, name, SHA-256) and what was read from it (`body`: the framework or the
-- mapping set as JSON), so that the catalog assessments work from is the built-in catalog
-- plus these rows. Each import is one transaction with its audit-trail event
-- (framework.imported). `seq` grows with every import: with the row count it tells an app
-- server whether its cached catalog is stale. Keep in step with ../postgres/0007_frameworks.sql.
CREATE TABLE frameworks (
    seq INTEGER PRIMARY KEY,
    -- The id users and links use: ciso:iso27001-2013, oscal:nist-special-publication-...
    id TEXT NOT NULL UNIQUE,
    -- 'framework' or 'mapping' (a mapping set between two frameworks).
    kind TEXT NOT NULL,
    -- annex_core::catalog::ImportFormat: oscal-catalog, oscal-profile, ciso-framework,
    -- ciso-mapping-set.
    format TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    designation TEXT NOT NULL,
    -- For a mapping set: the two standards it joins.
    from_id TEXT,
    to_id TEXT,
    -- Clauses and assessable clauses of a framework; links of a mapping set (and 0).
    clauses BIGINT NOT NULL,
    assessable BIGINT NOT NULL,
    body TEXT NOT NULL,
    imported_at BIGINT NOT NULL,
    imported_by BIGINT REFERENCES users (id)
);
