package trust_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"samband/exchange/trust"
)

func Example() {
	// The Norwegian authority's key, retired at the end of 2030.
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	pub, _ := jwk.PublicKeyOf(priv.Public())
	pub.Set(jwk.KeyIDKey, "2026-1")
	pub.Set("exp", time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC).Unix())
	set, _ := json.Marshal(map[string]any{"keys": []jwk.Key{pub}})

	ctx := context.Background()
	reg, err := trust.Open(ctx, trust.Config{Parties: []trust.PartyConfig{{
		ID: "NO/974760673", Kind: trust.Authority, Scheme: "NO:ORGNR", Name: "Skatteetaten",
		JWKS: string(set), Revoked: []string{"2025-1"},
	}}}, nil, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer reg.Close()

	// A request signed by the authority, checked with the key its kid names.
	signingKey, _ := jwk.Import(priv)
	signingKey.Set(jwk.KeyIDKey, "2026-1")
	msg, _ := jws.Sign([]byte(`{"purpose":"inheritance-settlement"}`), jws.WithKey(jwa.EdDSA(), signingKey))

	at := time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)
	key, err := reg.Key(ctx, "NO/974760673", "2026-1", at)
	if err != nil {
		fmt.Println(err)
		return
	}
	alg, _ := trust.KeyAlgorithm(key)
	payload, err := jws.Verify(msg, jws.WithKey(alg, key))
	fmt.Println(alg, string(payload), err)

	for _, kid := range []string{"2025-1", "2027-1"} {
		_, err := reg.Key(ctx, "NO/974760673", kid, at)
		fmt.Println(err)
	}
	_, err = reg.Key(ctx, "NO/974760673", "2026-1", time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println(errors.Is(err, trust.ErrKeyExpired))
	// Output:
	// EdDSA {"purpose":"inheritance-settlement"} <nil>
	// key "2025-1" of NO/974760673: key revoked
	// key "2027-1" of NO/974760673: unknown key
	// true
}
