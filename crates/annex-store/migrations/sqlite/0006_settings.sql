-- Settings changed while Annex runs (the risk matrix first): one row per setting, its value
-- as JSON text. A missing row means the setting's default (annex_core::settings). Each change
-- is an audit-trail event (settings.change) with the value before and after and the reason;
-- `version` counts changes, so that a change based on a stale read is refused.
-- Keep in step with ../postgres/0006_settings.sql.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users (id)
);
