-- 0003_links: what the link checker found at each URL.
--
-- links holds one row per URL that was checked: when (checked, Unix
-- nanoseconds), whether it answered (an HTTP status from 200 to 399 once
-- redirects were followed), the last response's status (0 when there was
-- none), where the redirects led and why it did not answer. A record's
-- quality score reads it for the record's access, download and endpoint
-- URLs; rows that no pass re-checked for long are pruned by checked.
CREATE TABLE links (
	url       TEXT PRIMARY KEY,
	checked   INTEGER NOT NULL,
	answered  INTEGER NOT NULL,
	status    INTEGER NOT NULL DEFAULT 0,
	final_url TEXT NOT NULL DEFAULT '',
	error     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX links_checked ON links(checked);
