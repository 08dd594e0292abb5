-- 0004_coverage: what the catalogue held after every harvest run, by
-- country and EU data theme, and its mean quality score by country.
--
-- records gains what the counts need, so that they never read a record's
-- JSON: country (of the statement the record holds: its owner's
-- provenance), themes (a JSON array of its distinct EU data-theme codes,
-- [""] when it has none) and quality (its MQA score, NULL when not
-- scored). Triggers keep coverage_live and coverage_live_quality equal to
-- the counts over the live records at every change of a record, so that a
-- snapshot at the end of a run copies as many rows as there are (country,
-- theme) pairs, however many records there are.

ALTER TABLE records ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE records ADD COLUMN themes TEXT NOT NULL DEFAULT '[""]';
ALTER TABLE records ADD COLUMN quality INTEGER;

UPDATE records SET
	country = coalesce((SELECT p.country FROM provenance p WHERE p.record_id = records.id AND p.source = records.owner), ''),
	themes = coalesce((SELECT json_group_array(value) FROM
		(SELECT DISTINCT value FROM json_each(records.record, '$.eu_themes') WHERE value <> '' ORDER BY value)), '[]'),
	quality = json_extract(record, '$.quality.score');
UPDATE records SET themes = '[""]' WHERE themes = '[]';

-- coverage_live: live records by country and theme, now.
CREATE TABLE coverage_live (
	country TEXT NOT NULL,
	theme   TEXT NOT NULL,
	records INTEGER NOT NULL,
	PRIMARY KEY (country, theme)
) WITHOUT ROWID;

-- coverage_live_quality: live records by country, now, with how many are
-- scored and the sum of their scores.
CREATE TABLE coverage_live_quality (
	country   TEXT PRIMARY KEY,
	records   INTEGER NOT NULL,
	scored    INTEGER NOT NULL,
	score_sum INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO coverage_live (country, theme, records)
	SELECT r.country, t.value, count(*) FROM records r, json_each(r.themes) t
	WHERE r.withdrawn_at IS NULL GROUP BY r.country, t.value;
INSERT INTO coverage_live_quality (country, records, scored, score_sum)
	SELECT country, count(*), count(quality), coalesce(sum(quality), 0) FROM records
	WHERE withdrawn_at IS NULL GROUP BY country;

CREATE TRIGGER coverage_insert AFTER INSERT ON records WHEN NEW.withdrawn_at IS NULL
BEGIN
	INSERT INTO coverage_live (country, theme, records)
		SELECT NEW.country, value, 1 FROM json_each(NEW.themes) WHERE true
		ON CONFLICT (country, theme) DO UPDATE SET records = records + 1;
	INSERT INTO coverage_live_quality (country, records, scored, score_sum)
		VALUES (NEW.country, 1, NEW.quality IS NOT NULL, coalesce(NEW.quality, 0))
		ON CONFLICT (country) DO UPDATE SET records = records + 1,
			scored = scored + excluded.scored, score_sum = score_sum + excluded.score_sum;
END;

-- A change that withdraws, revives, or changes what a live record counts
-- under takes it out of the counts as it was and puts it back as it is.
CREATE TRIGGER coverage_update AFTER UPDATE OF withdrawn_at, country, themes, quality ON records
WHEN (OLD.withdrawn_at IS NULL) <> (NEW.withdrawn_at IS NULL)
	OR (NEW.withdrawn_at IS NULL AND (OLD.country IS NOT NEW.country OR OLD.themes IS NOT NEW.themes OR OLD.quality IS NOT NEW.quality))
BEGIN
	UPDATE coverage_live SET records = records - 1
		WHERE OLD.withdrawn_at IS NULL AND country = OLD.country AND theme IN (SELECT value FROM json_each(OLD.themes));
	UPDATE coverage_live_quality SET records = records - 1,
			scored = scored - (OLD.quality IS NOT NULL), score_sum = score_sum - coalesce(OLD.quality, 0)
		WHERE OLD.withdrawn_at IS NULL AND country = OLD.country;
	INSERT INTO coverage_live (country, theme, records)
		SELECT NEW.country, value, 1 FROM json_each(NEW.themes) WHERE NEW.withdrawn_at IS NULL
		ON CONFLICT (country, theme) DO UPDATE SET records = records + 1;
	INSERT INTO coverage_live_quality (country, records, scored, score_sum)
		SELECT NEW.country, 1, NEW.quality IS NOT NULL, coalesce(NEW.quality, 0) WHERE NEW.withdrawn_at IS NULL
		ON CONFLICT (country) DO UPDATE SET records = records + 1,
			scored = scored + excluded.scored, score_sum = score_sum + excluded.score_sum;
END;

-- coverage_runs: one row a finished run, with the snapshot that holds
-- what the catalogue held when it finished. A run after which the counts
-- are those of an earlier snapshot shares it, so that the history grows by
-- a row a run, not by a row a run, country and theme, while nothing moves.
CREATE TABLE coverage_runs (
	run      INTEGER PRIMARY KEY REFERENCES runs(id),
	source   TEXT NOT NULL,
	finished INTEGER NOT NULL,
	snapshot INTEGER NOT NULL -- the run that first recorded these counts
);
CREATE INDEX coverage_runs_finished ON coverage_runs(finished, run);

-- coverage_counts, coverage_quality: the snapshots; no row where the
-- count is 0.
CREATE TABLE coverage_counts (
	snapshot INTEGER NOT NULL,
	country  TEXT NOT NULL,
	theme    TEXT NOT NULL,
	records  INTEGER NOT NULL,
	PRIMARY KEY (snapshot, country, theme)
) WITHOUT ROWID;

CREATE TABLE coverage_quality (
	snapshot  INTEGER NOT NULL,
	country   TEXT NOT NULL,
	records   INTEGER NOT NULL,
	scored    INTEGER NOT NULL,
	score_sum INTEGER NOT NULL,
	PRIMARY KEY (snapshot, country)
) WITHOUT ROWID;
