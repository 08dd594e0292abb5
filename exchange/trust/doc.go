// Package trust is the list of parties a Samband gateway trusts, and their
// public keys: the authorities that send or answer exchange requests, and
// the peer gateways of other countries.
//
// A party is known by its ID, COUNTRY/ORGANISATION (NO/974760673,
// FI/0245437-2), and brings a JWK set, given in the gateway's
// configuration inline, in a file, or as a URL. Registry.Key answers the
// one question of every exchange request, "is this the key kid of party
// id at this time?", from a map of checked keys, without allocating:
//
//	reg, err := trust.Open(ctx, trust.Config{
//		Parties: []trust.PartyConfig{{ID: "SE/2021005489", Kind: trust.Gateway, Scheme: "SE:ORGNR",
//			BaseURL: "https://samband.example.se", JWKSURL: "https://samband.example.se/exchange/v1/keys"}},
//		JWKSAllow: []string{"https://samband.example.se/exchange/v1/"},
//	}, store, logger)
//	if err != nil {
//		return err
//	}
//	defer reg.Close()
//	key, err := reg.Key(ctx, "SE/2021005489", kid, time.Now())
//	alg, err := trust.KeyAlgorithm(key) // EdDSA or ES256, from the key, never from the token
//
// # Keys
//
// A set holds public keys only, each an Ed25519 OKP key (used with EdDSA)
// or an EC P-256 key (used with ES256), each with a kid of its own. A set
// with a private key, a symmetric or RSA key, another curve, a key without
// kid, two keys with one kid, more keys than Config.MaxKeys or more bytes
// than Config.MaxJWKSBytes is refused whole. A key's alg, use and key_ops
// members, when present, must agree with how Samband uses it.
//
// Keys rotate through two members of Samband's own, nbf and exp
// (NumericDate seconds): a key is valid at t when nbf <= t < exp, either
// bound being optional. A party retires a key by publishing it with its
// exp beside the new key; the old key is honoured until then. A kid the
// configuration lists in revoked is refused from then on, whatever the set
// says; a kid that leaves a refreshed set is unknown from then on.
//
// # Fetching
//
// URL sets are fetched and refreshed by an httprc client, the engine of
// jwx's jwk.Cache, with a transformer of this package's own: a refreshed
// set is checked before it is stored, so a set that fails the checks never
// replaces the previous good one (jwk.Cache would store any set that
// parses). Only URLs under Config.JWKSAllow are fetched; the default HTTP
// client follows no redirect and connects to no loopback, private,
// link-local or metadata address (internal/netguard; Config.AllowPrivate
// lets loopback and private addresses through).
//
// A URL set whose first fetch fails, and of which the store holds no
// copy, is Config.FirstFetch's to decide: by default (FirstFetchBackground)
// Open starts without the party's keys, refusing them as ErrUnknownKey
// and fetching the set again every Config.Retry until it comes, so that
// two peer gateways naming each other's sets can start together;
// FirstFetchWait makes Open fail instead.
//
// # Store
//
// A Store (OpenStore) keeps every party and every key ever seen in a
// SQLite file, with when each key was first and last seen and revoked,
// and the last good copy of every URL set: a gateway whose peer's key
// server is down when it starts uses the copy, and an auditor can find
// with Store.KeyHistory the key that signed an old receipt.
package trust
