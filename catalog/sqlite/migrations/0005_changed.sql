-- 0005_changed: what changed after a time, found without reading every
-- record (Store.ChangedSince): a record's last change, a source's first
-- listing and withdrawal of it.
CREATE INDEX records_changed ON records(changed);
CREATE INDEX provenance_first_seen ON provenance(first_seen);
CREATE INDEX provenance_withdrawn ON provenance(withdrawn) WHERE withdrawn IS NOT NULL;
