-- The parties of the trust configuration and every public key they ever
-- showed. Times are Unix milliseconds. Rows are updated (last_seen, and a
-- key's nbf, exp and revoked_at), never deleted.
CREATE TABLE trust_parties (
	id         TEXT PRIMARY KEY,     -- COUNTRY/ORGANISATION
	kind       TEXT NOT NULL,        -- authority | gateway
	scheme     TEXT NOT NULL,
	name       TEXT NOT NULL,
	base_url   TEXT NOT NULL,        -- '' for an authority
	jwks_url   TEXT NOT NULL,        -- '' when the keys are inline or in a file
	first_seen INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL
) STRICT;

CREATE TABLE trust_keys (
	party_id   TEXT NOT NULL REFERENCES trust_parties (id),
	kid        TEXT NOT NULL,
	thumbprint TEXT NOT NULL,        -- RFC 7638, SHA-256, base64url
	jwk        TEXT NOT NULL,        -- the public JWK as last seen
	nbf        INTEGER,
	exp        INTEGER,
	first_seen INTEGER NOT NULL,
	last_seen  INTEGER NOT NULL,
	revoked_at INTEGER,
	PRIMARY KEY (party_id, kid, thumbprint)
) STRICT;

CREATE INDEX trust_keys_by_thumbprint ON trust_keys (thumbprint);

-- The last good copy of each URL key set, for a start while its server is down.
CREATE TABLE trust_sets (
	party_id TEXT PRIMARY KEY REFERENCES trust_parties (id),
	url      TEXT NOT NULL,
	body     BLOB NOT NULL,
	fetched  INTEGER NOT NULL
) STRICT;

CREATE TRIGGER trust_keys_kept BEFORE DELETE ON trust_keys
BEGIN
	SELECT RAISE(ABORT, 'the key history is kept: keys are never deleted');
END;

CREATE TRIGGER trust_parties_kept BEFORE DELETE ON trust_parties
BEGIN
	SELECT RAISE(ABORT, 'the key history is kept: parties are never deleted');
END;
