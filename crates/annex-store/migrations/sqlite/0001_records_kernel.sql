-- The records kernel on SQLite: accounts, sessions, records with versions, links,
-- attachments, comments, signatures, acknowledgements and the hash-chained audit trail.
-- Keep in step with ../postgres/0001_records_kernel.sql: same tables, same columns.
-- Times are microseconds since the Unix epoch (UTC); dates are 'YYYY-MM-DD' text.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    sites TEXT NOT NULL DEFAULT '',
    expires_on TEXT,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    password_changed_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE login_failures (
    username TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_user ON login_failures (username, at);

CREATE TABLE counters (
    kind TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);

CREATE TABLE records (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    seq BIGINT NOT NULL,
    number TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    owner_id BIGINT REFERENCES users (id),
    site TEXT NOT NULL DEFAULT '',
    due_on TEXT,
    fields TEXT NOT NULL,
    version BIGINT NOT NULL,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    updated_at BIGINT NOT NULL,
    UNIQUE (kind, seq)
);
CREATE INDEX records_kind_updated ON records (kind, updated_at, id);
CREATE INDEX records_updated ON records (updated_at, id);
CREATE INDEX records_owner_due ON records (owner_id, due_on);
CREATE INDEX records_due ON records (due_on);

CREATE VIRTUAL TABLE records_fts USING fts5 (
    search_text, content = 'records', content_rowid = 'id'
);
CREATE TRIGGER records_fts_insert AFTER INSERT ON records BEGIN
    INSERT INTO records_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER records_fts_update AFTER UPDATE OF search_text ON records BEGIN
    INSERT INTO records_fts (records_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
    INSERT INTO records_fts (rowid, search_text) VALUES (new.id, new.search_text);
END;
CREATE TRIGGER records_fts_delete AFTER DELETE ON records BEGIN
    INSERT INTO records_fts (records_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
END;

CREATE TABLE record_versions (
    record_id BIGINT NOT NULL REFERENCES records (id),
    version BIGINT NOT NULL,
    title TEXT NOT NULL,
    state TEXT NOT NULL,
    owner_id BIGINT,
    site TEXT NOT NULL,
    due_on TEXT,
    fields TEXT NOT NULL,
    at BIGINT NOT NULL,
    by_user BIGINT,
    hash TEXT NOT NULL,
    PRIMARY KEY (record_id, version)
);

CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    record_id BIGINT NOT NULL REFERENCES records (id),
    target_id BIGINT REFERENCES records (id),
    clause TEXT,
    relation TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT
);
CREATE INDEX links_record ON links (record_id);
CREATE INDEX links_target ON links (target_id);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    record_id BIGINT NOT NULL REFERENCES records (id),
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT
);
CREATE INDEX attachments_record ON attachments (record_id);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    record_id BIGINT NOT NULL REFERENCES records (id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by BIGINT
);
CREATE INDEX comments_record ON comments (record_id);

CREATE TABLE signatures (
    id INTEGER PRIMARY KEY,
    record_id BIGINT NOT NULL REFERENCES records (id),
    version BIGINT NOT NULL,
    version_hash TEXT NOT NULL,
    meaning TEXT NOT NULL,
    signer_id BIGINT NOT NULL REFERENCES users (id),
    printed_name TEXT NOT NULL,
    at BIGINT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (record_id, version, meaning, signer_id)
);
CREATE INDEX signatures_record ON signatures (record_id, version);

CREATE TABLE acknowledgements (
    record_id BIGINT NOT NULL REFERENCES records (id),
    revision BIGINT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id),
    at BIGINT NOT NULL,
    PRIMARY KEY (record_id, revision, user_id)
);

CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at_us BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    before TEXT,
    after TEXT,
    reason TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_events_subject ON audit_events (subject, seq);

-- The head of the chain: its last sequence number and hash. Appending locks this row, which
-- keeps one linear chain; comparing it with the last event detects a truncated tail.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
