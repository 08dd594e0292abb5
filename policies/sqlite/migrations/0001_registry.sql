-- The consent and mandate registry. Subjects are keyed hashes
-- (policies.Subject), never national identity numbers. Times are Unix
-- nanoseconds. Lists are JSON arrays of strings, "*" alone for all.
--
-- A consent's or mandate's terms never change: the one update allowed sets
-- rescinded (revoked) once, and no row is ever deleted. The events tables
-- are append-only. Triggers refuse anything else, whoever writes.

CREATE TABLE consents (
	id              TEXT PRIMARY KEY,
	subject         TEXT NOT NULL,
	recipient       TEXT NOT NULL, -- '' when recipient_class is set
	recipient_class TEXT NOT NULL, -- '' when recipient is set
	purposes        TEXT NOT NULL,
	targets         TEXT NOT NULL,
	valid_from      INTEGER NOT NULL,
	valid_until     INTEGER NOT NULL, -- exclusive
	reference       TEXT NOT NULL,
	granted         INTEGER NOT NULL,
	rescinded       INTEGER -- NULL while not rescinded
) STRICT;

CREATE INDEX consents_subject ON consents (subject, granted);

CREATE TABLE consent_events (
	seq     INTEGER PRIMARY KEY,
	consent TEXT NOT NULL REFERENCES consents (id),
	kind    TEXT NOT NULL CHECK (kind IN ('granted', 'rescinded')),
	at      INTEGER NOT NULL,
	via     TEXT NOT NULL,
	reason  TEXT NOT NULL
) STRICT;

CREATE INDEX consent_events_consent ON consent_events (consent, seq);

CREATE TABLE mandates (
	id               TEXT PRIMARY KEY,
	grantor          TEXT NOT NULL,
	grantor_deceased INTEGER NOT NULL,
	representative   TEXT NOT NULL,
	targets          TEXT NOT NULL,
	purposes         TEXT NOT NULL,
	life_events      TEXT NOT NULL,
	valid_from       INTEGER NOT NULL,
	valid_until      INTEGER, -- exclusive; NULL: until revoked
	basis            TEXT NOT NULL,
	evidence         TEXT NOT NULL,
	issuer           TEXT NOT NULL,
	granted          INTEGER NOT NULL,
	revoked          INTEGER -- NULL while not revoked
) STRICT;

CREATE INDEX mandates_representative ON mandates (representative, grantor, granted);
CREATE INDEX mandates_grantor ON mandates (grantor, granted);

CREATE TABLE mandate_events (
	seq     INTEGER PRIMARY KEY,
	mandate TEXT NOT NULL REFERENCES mandates (id),
	kind    TEXT NOT NULL CHECK (kind IN ('granted', 'revoked')),
	at      INTEGER NOT NULL,
	via     TEXT NOT NULL,
	reason  TEXT NOT NULL
) STRICT;

CREATE INDEX mandate_events_mandate ON mandate_events (mandate, seq);

CREATE TRIGGER consents_kept BEFORE DELETE ON consents
BEGIN
	SELECT RAISE(ABORT, 'consents are kept as history: rescind one instead');
END;

CREATE TRIGGER consents_terms BEFORE UPDATE ON consents
WHEN OLD.rescinded IS NOT NULL OR NEW.rescinded IS NULL
	OR NEW.id IS NOT OLD.id OR NEW.subject IS NOT OLD.subject
	OR NEW.recipient IS NOT OLD.recipient OR NEW.recipient_class IS NOT OLD.recipient_class
	OR NEW.purposes IS NOT OLD.purposes OR NEW.targets IS NOT OLD.targets
	OR NEW.valid_from IS NOT OLD.valid_from OR NEW.valid_until IS NOT OLD.valid_until
	OR NEW.reference IS NOT OLD.reference OR NEW.granted IS NOT OLD.granted
BEGIN
	SELECT RAISE(ABORT, 'a consent''s terms never change: it can only be rescinded, once');
END;

CREATE TRIGGER mandates_kept BEFORE DELETE ON mandates
BEGIN
	SELECT RAISE(ABORT, 'mandates are kept as history: revoke one instead');
END;

CREATE TRIGGER mandates_terms BEFORE UPDATE ON mandates
WHEN OLD.revoked IS NOT NULL OR NEW.revoked IS NULL
	OR NEW.id IS NOT OLD.id OR NEW.grantor IS NOT OLD.grantor
	OR NEW.grantor_deceased IS NOT OLD.grantor_deceased OR NEW.representative IS NOT OLD.representative
	OR NEW.targets IS NOT OLD.targets OR NEW.purposes IS NOT OLD.purposes
	OR NEW.life_events IS NOT OLD.life_events
	OR NEW.valid_from IS NOT OLD.valid_from OR NEW.valid_until IS NOT OLD.valid_until
	OR NEW.basis IS NOT OLD.basis OR NEW.evidence IS NOT OLD.evidence
	OR NEW.issuer IS NOT OLD.issuer OR NEW.granted IS NOT OLD.granted
BEGIN
	SELECT RAISE(ABORT, 'a mandate''s terms never change: it can only be revoked, once');
END;

CREATE TRIGGER consent_events_append_only BEFORE UPDATE ON consent_events
BEGIN
	SELECT RAISE(ABORT, 'consent_events is append-only');
END;

CREATE TRIGGER consent_events_kept BEFORE DELETE ON consent_events
BEGIN
	SELECT RAISE(ABORT, 'consent_events is append-only');
END;

CREATE TRIGGER mandate_events_append_only BEFORE UPDATE ON mandate_events
BEGIN
	SELECT RAISE(ABORT, 'mandate_events is append-only');
END;

CREATE TRIGGER mandate_events_kept BEFORE DELETE ON mandate_events
BEGIN
	SELECT RAISE(ABORT, 'mandate_events is append-only');
END;
