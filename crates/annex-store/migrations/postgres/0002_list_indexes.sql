-- List pages at scale. Each sort order of a register's list, alone or within one state, is
-- served by an index in that order, so a page reads about as many index entries as it shows
-- instead of sorting the whole register. The due-date order puts records without a due date
-- last, through the same COALESCE expression the list query sorts on.
-- Keep in step with ../sqlite/0002_list_indexes.sql.

DROP INDEX records_due;
DROP INDEX records_owner_due;

CREATE INDEX records_kind_state_updated ON records (kind, state, updated_at, id);
CREATE INDEX records_kind_due ON records (kind, (COALESCE(due_on, '9999-12-31')), id);
CREATE INDEX records_kind_state_due ON records (kind, state, (COALESCE(due_on, '9999-12-31')), id);
CREATE INDEX records_kind_title ON records (kind, title, id);
-- Multi-site organisations list one site's records, newest first.
CREATE INDEX records_kind_site_updated ON records (kind, site, updated_at, id);
CREATE INDEX records_kind_created ON records (kind, id);
CREATE INDEX records_due ON records ((COALESCE(due_on, '9999-12-31')), id);
-- My tasks: a person's open records, soonest due first.
CREATE INDEX records_owner_due ON records (owner_id, (COALESCE(due_on, '9999-12-31')), id);
