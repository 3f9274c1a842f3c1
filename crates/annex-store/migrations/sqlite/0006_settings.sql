-- Settings changed while Annex runs (the risk matrix first): the settings table of 0001 (one
-- row per setting, its value as JSON text; a missing row means the default of
-- annex_core::settings) gains what an audited change needs. Each change is an audit-trail
-- event (settings.change) with the value before and after and the reason; `version` counts
-- changes, so that a change based on a stale read is refused.
-- Keep in step with ../postgres/0006_settings.sql.
ALTER TABLE settings ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE settings ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE settings ADD COLUMN updated_by BIGINT REFERENCES users (id);
