-- 0001_init: the catalogue store.
--
-- Times are Unix nanoseconds (UTC). A record's id is catalog.IDFor(iri), so
-- the IRI needs no index of its own: lookups by IRI go through the id.

-- sources: the configured sources, with the validators of their last
-- complete fetch.
CREATE TABLE sources (
	name          TEXT PRIMARY KEY,
	country       TEXT NOT NULL DEFAULT '',
	kind          TEXT NOT NULL DEFAULT '',
	url           TEXT NOT NULL DEFAULT '',
	aggregator    INTEGER NOT NULL DEFAULT 0,
	etag          TEXT NOT NULL DEFAULT '',
	last_modified TEXT NOT NULL DEFAULT ''
);

-- runs: one row a harvest run; report is the JSON catalog.Report once the
-- run has finished.
CREATE TABLE runs (
	id       INTEGER PRIMARY KEY,
	source   TEXT NOT NULL REFERENCES sources(name),
	status   TEXT NOT NULL,
	started  INTEGER NOT NULL,
	finished INTEGER,
	report   TEXT
);
CREATE INDEX runs_source ON runs(source, id);

-- records: the current version of every record. record is the JSON
-- catalog.Dataset without Sources, Withdrawn, WithdrawnAt and Seq; owner is
-- the source whose statement it is and hash that statement's hash. seq is
-- the global change sequence number of the record's last change: the
-- largest seq in this table is the sequence's current value.
CREATE TABLE records (
	id           TEXT PRIMARY KEY,
	iri          TEXT NOT NULL,
	kind         TEXT NOT NULL,
	owner        TEXT NOT NULL REFERENCES sources(name),
	hash         TEXT NOT NULL,
	record       TEXT NOT NULL,
	withdrawn_at INTEGER,
	changed      INTEGER NOT NULL,
	seq          INTEGER NOT NULL UNIQUE
);
CREATE INDEX records_listed ON records(id) WHERE withdrawn_at IS NULL;

-- provenance: each source's view of a record. withdrawn is the time a
-- complete run of the source no longer listed it (NULL while listed);
-- last_run is the last run that listed it. What the source said is in
-- originals, so that the rows touched by every put stay small.
CREATE TABLE provenance (
	record_id    TEXT NOT NULL REFERENCES records(id),
	source       TEXT NOT NULL REFERENCES sources(name),
	country      TEXT NOT NULL DEFAULT '',
	first_seen   INTEGER NOT NULL,
	last_changed INTEGER NOT NULL,
	last_seen    INTEGER NOT NULL,
	hash         TEXT NOT NULL,
	withdrawn    INTEGER,
	last_run     INTEGER NOT NULL,
	PRIMARY KEY (record_id, source)
);
CREATE INDEX provenance_listed ON provenance(source) WHERE withdrawn IS NULL;

-- originals: what a source said about a record, as canonical N-Triples.
CREATE TABLE originals (
	record_id TEXT NOT NULL,
	source    TEXT NOT NULL,
	original  TEXT NOT NULL,
	PRIMARY KEY (record_id, source),
	FOREIGN KEY (record_id, source) REFERENCES provenance(record_id, source)
);

-- identifiers: the identifiers of the current version of each record, for
-- identity by identifier.
CREATE TABLE identifiers (
	identifier TEXT NOT NULL,
	record_id  TEXT NOT NULL REFERENCES records(id),
	PRIMARY KEY (identifier, record_id)
) WITHOUT ROWID;
CREATE INDEX identifiers_record ON identifiers(record_id);

-- record_versions: earlier versions of records, each as it was until the
-- change that replaced it.
CREATE TABLE record_versions (
	record_id    TEXT NOT NULL REFERENCES records(id),
	seq          INTEGER NOT NULL,
	changed      INTEGER NOT NULL,
	owner        TEXT NOT NULL,
	hash         TEXT NOT NULL,
	withdrawn_at INTEGER,
	record       TEXT NOT NULL,
	PRIMARY KEY (record_id, seq)
);
