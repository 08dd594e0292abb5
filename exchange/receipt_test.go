package exchange

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

const (
	testProvider = "NO/991825827"
	testConsumer = "FI/0245437-2"
	testNote     = "gateway.example.no\n42\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVowMTIzNDU=\n\n— gateway.example.no Az3grlgtzBVN1L9ZuGiyfeYs0w6G0Y5k5uS6Zk9O0m2uPpe4sQ==\n"
)

func testReceipt() *Receipt {
	return &Receipt{
		Issuer:         testProvider,
		RequestID:      testID,
		RequestHash:    testRequest().HashText(),
		Requester:      testRequester,
		Service:        "NO/974760673/death-records",
		ResponseDigest: ContentDigest([]byte(`{"deaths":[]}`)),
		Status:         200,
		Decision:       "permit",
		Rule:           "https://data.norge.no/policies/death#permission-0",
		PolicyHash:     "sha-256:5d41402abc4b2a76b9719d911017c592",
		Time:           testTime.Unix(),
		LogIndex:       41,
		Checkpoint:     testNote,
	}
}

func testCountersignature(receipt string) *Countersignature {
	return &Countersignature{
		Issuer:      testConsumer,
		ReceiptHash: ReceiptHash(receipt),
		RequestID:   testID,
		Time:        testTime.Unix() + 1,
		LogIndex:    7,
		Checkpoint:  strings.ReplaceAll(testNote, "example.no", "example.fi"),
	}
}

func TestReceiptRoundTrip(t *testing.T) {
	for _, key := range []jwk.Key{edKey(t, "provider", "p1"), ecKey(t, "p1")} {
		keys := keyring{testProvider + " p1": publicOf(t, key)}
		want := testReceipt()
		compact, err := SignReceipt(want, key)
		if err != nil {
			t.Fatalf("SignReceipt: %v", err)
		}
		got, err := ReadReceipt(context.Background(), compact, keys.keys)
		if err != nil {
			t.Fatalf("ReadReceipt: %v", err)
		}
		if *got != *want {
			t.Errorf("ReadReceipt =\n%+v\nwant\n%+v", *got, *want)
		}
		h64, _, _ := strings.Cut(compact, ".")
		hdr, _ := base64.RawURLEncoding.DecodeString(h64)
		if !strings.Contains(string(hdr), `"typ":"samband-receipt+jws"`) || !strings.Contains(string(hdr), `"kid":"p1"`) || strings.Contains(string(hdr), `"iss"`) {
			t.Errorf("receipt header %s", hdr)
		}

		// Without rule and policy hash.
		want.Rule, want.PolicyHash, want.Decision, want.Status, want.LogIndex = "", "", "deny", 403, 0
		compact, err = SignReceipt(want, key)
		if err != nil {
			t.Fatalf("SignReceipt: %v", err)
		}
		if got, err = ReadReceipt(context.Background(), compact, keys.keys); err != nil || *got != *want {
			t.Errorf("ReadReceipt of a deny = %+v, %v", got, err)
		}

		// The countersignature of the receipt.
		consumer := edKey(t, "consumer", "c1")
		cs := testCountersignature(compact)
		ccompact, err := Countersign(cs, consumer)
		if err != nil {
			t.Fatalf("Countersign: %v", err)
		}
		ckeys := keyring{testConsumer + " c1": publicOf(t, consumer)}
		gotCS, err := ReadCountersignature(context.Background(), ccompact, compact, ckeys.keys)
		if err != nil {
			t.Fatalf("ReadCountersignature: %v", err)
		}
		if *gotCS != *cs {
			t.Errorf("ReadCountersignature =\n%+v\nwant\n%+v", *gotCS, *cs)
		}
	}
}

// resign returns compact with its payload replaced by the JSON of claims
// edited by edit, signed again with key if key is not nil, or with the
// old signature otherwise.
func resign(t *testing.T, compact string, key jwk.Key, edit func(m map[string]any)) string {
	t.Helper()
	parts := strings.Split(compact, ".")
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	payload, _ = json.Marshal(m)
	hdr, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if key == nil {
		return parts[0] + "." + b64url(payload) + "." + parts[2]
	}
	return forge(string(hdr), payload, false, rawSigner(t, "EdDSA", rawKey(t, key)))
}

func TestReadReceiptRefusals(t *testing.T) {
	ctx := context.Background()
	key := edKey(t, "provider", "p1")
	other := edKey(t, "other", "p1")
	keys := keyring{testProvider + " p1": publicOf(t, key), "SE/2021005489 p1": publicOf(t, other)}
	good, err := SignReceipt(testReceipt(), key)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	hdr := `{"alg":"EdDSA","kid":"p1","typ":"samband-receipt+jws"}`
	claims := func(edit func(m map[string]any)) []byte {
		b, _ := json.Marshal(testReceipt())
		var m map[string]any
		json.Unmarshal(b, &m)
		edit(m)
		b, _ = json.Marshal(m)
		return b
	}
	signed := func(payload []byte) string {
		return forge(hdr, payload, false, rawSigner(t, "EdDSA", rawKey(t, key)))
	}
	counter, err := Countersign(testCountersignature(good), key)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		compact string
		err     error
	}{
		{"the good one", good, nil},
		{"empty", "", ErrMalformed},
		{"status changed after signing", resign(t, good, nil, func(m map[string]any) { m["status"] = 500 }), ErrSignature},
		{"decision changed after signing", resign(t, good, nil, func(m map[string]any) { m["decision"] = "deny" }), ErrSignature},
		{"a byte of the signature changed", parts[0] + "." + parts[1] + "." + flip(parts[2]), ErrSignature},
		{"signed by another key", resign(t, good, other, func(map[string]any) {}), ErrSignature},
		{"issuer changed to another known party", resign(t, good, nil, func(m map[string]any) { m["iss"] = "SE/2021005489" }), ErrSignature},
		{"issuer changed to an unknown party", resign(t, good, nil, func(m map[string]any) { m["iss"] = "DK/1" }), errNoKey},
		{"over-long", signed(claims(func(m map[string]any) { m["pad"] = strings.Repeat("x", MaxReceiptSize) })), ErrMalformed},
		{"detached", parts[0] + ".." + parts[2], ErrSignature},
		{"JSON serialization", `{"payload":"` + parts[1] + `","protected":"` + parts[0] + `","signature":"` + parts[2] + `"}`, ErrSignature},
		{"typ of a request", forge(`{"alg":"EdDSA","kid":"p1","typ":"samband-request+jws"}`, claims(func(map[string]any) {}), false, rawSigner(t, "EdDSA", rawKey(t, key))), ErrSignature},
		{"a countersignature", counter, ErrSignature},
		{"alg none", forge(`{"alg":"none","kid":"p1","typ":"samband-receipt+jws"}`, claims(func(map[string]any) {}), false, func([]byte) []byte { return nil }), ErrAlgorithm},
		{"header iss of another", forge(`{"alg":"EdDSA","kid":"p1","typ":"samband-receipt+jws","iss":"SE/2021005489"}`, claims(func(map[string]any) {}), false, rawSigner(t, "EdDSA", rawKey(t, key))), ErrSignature},
		{"payload not base64url", parts[0] + ".e30+." + parts[2], ErrMalformed},
		{"payload not JSON", signed([]byte("not json")), ErrMalformed},
		{"payload an array", signed([]byte("[]")), ErrMalformed},
		{"claim given twice", signed([]byte(strings.Replace(string(claims(func(map[string]any) {})), `{`, `{"decision":"deny",`, 1))), ErrMalformed},
		{"no iss", signed(claims(func(m map[string]any) { delete(m, "iss") })), ErrMalformed},
		{"no log_index", signed(claims(func(m map[string]any) { delete(m, "log_index") })), ErrMalformed},
		{"no checkpoint", signed(claims(func(m map[string]any) { delete(m, "checkpoint") })), ErrMalformed},
		{"no request hash", signed(claims(func(m map[string]any) { delete(m, "request_hash") })), ErrMalformed},
		{"no response digest", signed(claims(func(m map[string]any) { delete(m, "response_digest") })), ErrMalformed},
		{"status 99", signed(claims(func(m map[string]any) { m["status"] = 99 })), ErrMalformed},
		{"status 600", signed(claims(func(m map[string]any) { m["status"] = 600 })), ErrMalformed},
		{"status a string", signed(claims(func(m map[string]any) { m["status"] = "200" })), ErrMalformed},
		{"status a fraction", signed(claims(func(m map[string]any) { m["status"] = 200.5 })), ErrMalformed},
		{"decision maybe", signed(claims(func(m map[string]any) { m["decision"] = "maybe" })), ErrMalformed},
		{"iat 0", signed(claims(func(m map[string]any) { m["iat"] = 0 })), ErrMalformed},
		{"iat negative", signed(claims(func(m map[string]any) { m["iat"] = -5 })), ErrMalformed},
		{"iat past int64", signed([]byte(strings.Replace(string(claims(func(map[string]any) {})), `"iat":1795341600`, `"iat":99999999999999999999`, 1))), ErrMalformed},
		{"log index negative", signed(claims(func(m map[string]any) { m["log_index"] = -1 })), ErrMalformed},
		{"log index null", signed(claims(func(m map[string]any) { m["log_index"] = nil })), ErrMalformed},
		{"request id not a UUID", signed(claims(func(m map[string]any) { m["request_id"] = "x" })), ErrMalformed},
		{"request hash of 31 bytes", signed(claims(func(m map[string]any) { m["request_hash"] = b64url(make([]byte, 31)) })), ErrMalformed},
		{"service without organisation", signed(claims(func(m map[string]any) { m["service"] = "NO/death-records" })), ErrMalformed},
		{"requester not a party ID", signed(claims(func(m map[string]any) { m["requester"] = "0245437-2" })), ErrMalformed},
		{"iss not a party ID", signed(claims(func(m map[string]any) { m["iss"] = "gateway.example.no" })), ErrMalformed},
		{"iss a number", signed(claims(func(m map[string]any) { m["iss"] = 5 })), ErrMalformed},
		{"rule with a line feed", signed(claims(func(m map[string]any) { m["rule"] = "a\nb" })), ErrMalformed},
		{"unknown claims ignored", signed(claims(func(m map[string]any) { m["ext"] = map[string]any{"a": 1}; m["ISS"] = "x" })), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadReceipt(ctx, tc.compact, keys.keys)
			t.Logf("ReadReceipt: %v", err)
			if tc.err == nil {
				if err != nil {
					t.Fatalf("ReadReceipt: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("ReadReceipt = %v, want %v", err, tc.err)
			}
		})
	}
}

// flip changes the first character of a base64url string to another
// letter.
func flip(s string) string {
	c := byte('A')
	if s[0] == 'A' {
		c = 'B'
	}
	return string(c) + s[1:]
}

func TestReadCountersignatureRefusals(t *testing.T) {
	ctx := context.Background()
	provider := edKey(t, "provider", "p1")
	consumer := edKey(t, "consumer", "c1")
	keys := keyring{testProvider + " p1": publicOf(t, provider), testConsumer + " c1": publicOf(t, consumer)}
	receipt, _ := SignReceipt(testReceipt(), provider)
	r2 := testReceipt()
	r2.Status = 404
	otherReceipt, _ := SignReceipt(r2, provider)
	good, err := Countersign(testCountersignature(receipt), consumer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadCountersignature(ctx, good, receipt, keys.keys); err != nil {
		t.Fatalf("ReadCountersignature: %v", err)
	}
	tests := []struct {
		name    string
		compact string
		receipt string
		err     error
	}{
		{"another receipt", good, otherReceipt, ErrSignature},
		{"the receipt with a byte more", good, receipt + " ", ErrSignature},
		{"receipt hash changed after signing", resign(t, good, nil, func(m map[string]any) { m["receipt_hash"] = ReceiptHash(otherReceipt) }), otherReceipt, ErrSignature},
		{"signed by the provider's key as the consumer", resign(t, good, provider, func(map[string]any) {}), receipt, ErrSignature},
		{"a receipt as countersignature", receipt, receipt, ErrSignature},
		{"no log index", resign(t, good, consumer, func(m map[string]any) { delete(m, "log_index") }), receipt, ErrMalformed},
		{"request id not a UUID", resign(t, good, consumer, func(m map[string]any) { m["request_id"] = "1" }), receipt, ErrMalformed},
		{"receipt hash not 32 bytes", resign(t, good, consumer, func(m map[string]any) { m["receipt_hash"] = "abc" }), receipt, ErrMalformed},
		{"over-long", strings.Repeat("a", MaxReceiptSize+1), receipt, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadCountersignature(ctx, tc.compact, tc.receipt, keys.keys)
			if !errors.Is(err, tc.err) {
				t.Fatalf("ReadCountersignature = %v, want %v", err, tc.err)
			}
		})
	}
}

func TestSignReceiptRefusals(t *testing.T) {
	key := edKey(t, "provider", "p1")
	for name, edit := range map[string]func(*Receipt){
		"no issuer":       func(r *Receipt) { r.Issuer = "" },
		"status 0":        func(r *Receipt) { r.Status = 0 },
		"decision Permit": func(r *Receipt) { r.Decision = "Permit" },
		"no checkpoint":   func(r *Receipt) { r.Checkpoint = "" },
		"negative index":  func(r *Receipt) { r.LogIndex = -1 },
		"no time":         func(r *Receipt) { r.Time = 0 },
		"invalid UTF-8":   func(r *Receipt) { r.Rule = "\xff" },
	} {
		r := testReceipt()
		edit(r)
		if _, err := SignReceipt(r, key); !errors.Is(err, ErrMalformed) {
			t.Errorf("SignReceipt with %s = %v, want ErrMalformed", name, err)
		}
	}
	if _, err := SignReceipt(testReceipt(), publicOf(t, key)); err == nil {
		t.Errorf("SignReceipt with a public key succeeded")
	}
	c := testCountersignature("x")
	c.ReceiptHash = "x"
	if _, err := Countersign(c, key); !errors.Is(err, ErrMalformed) {
		t.Errorf("Countersign of a bad receipt hash = %v, want ErrMalformed", err)
	}
}

func TestBinding(t *testing.T) {
	r := testReceipt()
	// The canonical JSON (RFC 8785) the binding hashes, written out.
	canonical := `{"decision":"permit","iat":1795341600,"iss":"NO/991825827",` +
		`"policy_hash":"sha-256:5d41402abc4b2a76b9719d911017c592",` +
		`"request_hash":"` + r.RequestHash + `","request_id":"0b6d2f4e-8c1a-4e6b-9a3d-5f2e7c9b1a40",` +
		`"requester":"FI/0245437-2","response_digest":"` + r.ResponseDigest + `",` +
		`"rule":"https://data.norge.no/policies/death#permission-0","service":"NO/974760673/death-records","status":200}`
	if got, want := r.Binding(), sha256Sum([]byte(canonical)); hex.EncodeToString(got[:]) != hex.EncodeToString(want) {
		t.Errorf("Binding = %x, want SHA-256 of %s", got, canonical)
	}
	// The same as encoding/json writes a sorted map of the claims, for
	// strings that need no escape beyond JSON's own.
	m := map[string]any{
		"decision": r.Decision, "iat": r.Time, "iss": r.Issuer, "policy_hash": r.PolicyHash,
		"request_hash": r.RequestHash, "request_id": r.RequestID, "requester": r.Requester,
		"response_digest": r.ResponseDigest, "rule": r.Rule, "service": r.Service, "status": r.Status,
	}
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	enc.Encode(m)
	if strings.TrimSpace(sb.String()) != canonical {
		t.Errorf("encoding/json of the claims\n%s\ndiffers from\n%s", sb.String(), canonical)
	}

	// LogIndex and Checkpoint are not bound; every other claim is.
	base := r.Binding()
	r.LogIndex, r.Checkpoint = 99, "other"
	if r.Binding() != base {
		t.Errorf("Binding depends on LogIndex or Checkpoint")
	}
	for name, edit := range map[string]func(*Receipt){
		"iss":             func(r *Receipt) { r.Issuer = "NO/991825828" },
		"request_id":      func(r *Receipt) { r.RequestID = "1" + r.RequestID[1:] },
		"request_hash":    func(r *Receipt) { r.RequestHash = flip(r.RequestHash) },
		"requester":       func(r *Receipt) { r.Requester = "FI/1" },
		"service":         func(r *Receipt) { r.Service = "NO/974760673/tax" },
		"response_digest": func(r *Receipt) { r.ResponseDigest = ContentDigest(nil) },
		"status":          func(r *Receipt) { r.Status = 201 },
		"decision":        func(r *Receipt) { r.Decision = "deny" },
		"rule":            func(r *Receipt) { r.Rule = "" },
		"policy_hash":     func(r *Receipt) { r.PolicyHash = "" },
		"iat":             func(r *Receipt) { r.Time++ },
		"rule to policy_hash": func(r *Receipt) {
			r.Rule, r.PolicyHash = "", r.Rule // the same text under another claim
		},
	} {
		c := testReceipt()
		edit(c)
		if c.Binding() == base {
			t.Errorf("Binding does not change with %s", name)
		}
	}

	// Escapes as RFC 8785 writes them.
	got := string(appendJCSString(nil, "a\"b\\c\b\f\n\r\t\x01\x1f\x7f<>&é\u2028\xff"))
	want := `"a\"b\\c\b\f\n\r\t\u0001\u001f` + "\x7f<>&é\u2028" + `\ufffd"`
	if got != want {
		t.Errorf("appendJCSString = %s, want %s", got, want)
	}
}

// TestSigningKey signs with a key prepared once, from many goroutines:
// the same JWS as the functions that prepare the key at every call.
func TestSigningKey(t *testing.T) {
	key := edKey(t, "provider", "p1")
	k, err := NewSigningKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if k.KeyID() != "p1" || k.Algorithm().String() != "EdDSA" {
		t.Errorf("NewSigningKey = %s %s", k.KeyID(), k.Algorithm())
	}
	r, rc := testRequest(), testReceipt()
	wantSig, _ := Sign(r, testRequester, key)
	wantReceipt, _ := SignReceipt(rc, key)
	wantCounter, _ := Countersign(testCountersignature(wantReceipt), key)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				sig, err := k.SignRequest(r, testRequester)
				if err != nil || sig != wantSig {
					t.Errorf("SignRequest = %s, %v; want %s", sig, err, wantSig)
				}
				rj, err := k.SignReceipt(rc)
				if err != nil || rj != wantReceipt {
					t.Errorf("SignReceipt = %s, %v; want %s", rj, err, wantReceipt)
				}
				cj, err := k.Countersign(testCountersignature(wantReceipt))
				if err != nil || cj != wantCounter {
					t.Errorf("Countersign = %s, %v; want %s", cj, err, wantCounter)
				}
			}
		}()
	}
	wg.Wait()
	bad := testReceipt()
	bad.Decision = "maybe"
	if _, err := k.SignReceipt(bad); !errors.Is(err, ErrMalformed) {
		t.Errorf("SignReceipt of a bad receipt = %v, want ErrMalformed", err)
	}
	if _, err := k.SignRequest(r, "nobody"); !errors.Is(err, ErrMalformed) {
		t.Errorf("SignRequest with a bad signer = %v, want ErrMalformed", err)
	}
	// A JWK whose public half is not its private half's is refused.
	other := edKey(t, "other", "p1")
	mixed, _ := key.Clone()
	x, _ := publicOf(t, other).(jwk.OKPPublicKey).X()
	if err := mixed.Set(jwk.OKPXKey, x); err != nil {
		t.Fatal(err)
	}
	if _, err := NewSigningKey(mixed); !errors.Is(err, ErrAlgorithm) {
		t.Errorf("NewSigningKey of a key with another's public half = %v, want ErrAlgorithm", err)
	}
}
