package exchange

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/lestrrat-go/jwx/v3/jwk"
)

// joseTool returns the node binary and the script of tools/jose, or skips
// the test when either is missing; under CI (CI=true) a missing one fails
// it, so that CI cannot pass without the independent check.
func joseTool(t *testing.T) (node, script string) {
	t.Helper()
	tool, err := filepath.Abs("../tools/jose")
	if err != nil {
		t.Fatal(err)
	}
	missing := func(why string) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s; CI must check the JWS with jose: run make test", why)
		}
		t.Skipf("%s; make test installs it", why)
	}
	node, err = exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH")
	}
	if _, err := os.Stat(filepath.Join(tool, "node_modules", "jose")); err != nil {
		missing("tools/jose/node_modules is missing (npm ci --prefix tools/jose)")
	}
	return node, filepath.Join(tool, "verify.mjs")
}

// joseLine is one question to verify.mjs.
type joseLine struct {
	Op        string         `json:"op,omitempty"`
	JWS       string         `json:"jws,omitempty"`
	JWK       any            `json:"jwk"`
	Payload   *string        `json:"payload,omitempty"`
	Typ       string         `json:"typ,omitempty"`
	Protected map[string]any `json:"protected,omitempty"`
	Detached  bool           `json:"detached,omitempty"`
}

// joseAnswer is verify.mjs's answer to a line.
type joseAnswer struct {
	OK        bool           `json:"ok"`
	Payload   string         `json:"payload"`
	Protected map[string]any `json:"protected"`
	JWS       string         `json:"jws"`
	Error     string         `json:"error"`
}

// runJose asks verify.mjs every line in one run and returns its answers.
func runJose(t *testing.T, lines []joseLine) []joseAnswer {
	t.Helper()
	node, script := joseTool(t)
	var in bytes.Buffer
	enc := json.NewEncoder(&in)
	for _, l := range lines {
		if err := enc.Encode(l); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.CommandContext(t.Context(), node, script)
	cmd.Stdin = &in
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node verify.mjs: %v\n%s", err, stderr.String())
	}
	var answers []joseAnswer
	dec := json.NewDecoder(&out)
	for dec.More() {
		var a joseAnswer
		if err := dec.Decode(&a); err != nil {
			t.Fatalf("verify.mjs answer: %v", err)
		}
		answers = append(answers, a)
	}
	if len(answers) != len(lines) {
		t.Fatalf("verify.mjs answered %d lines of %d\n%s", len(answers), len(lines), stderr.String())
	}
	return answers
}

func ptr(s string) *string { return &s }

// TestJose checks Samband's signatures with jose both ways: jose verifies
// the requests, receipts and countersignatures Samband signs and refuses a
// tampered receipt; Samband verifies what jose signs with EdDSA and ES256
// and refuses what it signs with HS256 keyed with the public key, and a
// JWS of alg none.
func TestJose(t *testing.T) {
	ctx := context.Background()
	ed, ec := edKey(t, "consumer", "k1"), ecKey(t, "k2")
	prov, provEC := edKey(t, "provider", "p1"), ecKey(t, "p2")
	edPub, ecPub := publicOf(t, ed), publicOf(t, ec)
	keys := keyring{
		testRequester + " k1": edPub, testRequester + " k2": ecPub,
		testProvider + " p1": publicOf(t, prov), testProvider + " p2": publicOf(t, provEC),
		testConsumer + " c1": edPub,
	}
	consumer, _ := ed.Clone()
	_ = consumer.Set(jwk.KeyIDKey, "c1")

	r := testRequest()
	canonical := b64url(r.Canonical())
	altered := testRequest()
	altered.Purpose = "https://w3id.org/dpv#Marketing"
	sigEd, err := Sign(r, testRequester, ed)
	if err != nil {
		t.Fatal(err)
	}
	sigEC, err := Sign(r, testRequester, ec)
	if err != nil {
		t.Fatal(err)
	}
	receipt, err := SignReceipt(testReceipt(), prov)
	if err != nil {
		t.Fatal(err)
	}
	receiptEC, err := SignReceipt(testReceipt(), provEC)
	if err != nil {
		t.Fatal(err)
	}
	counter, err := Countersign(testCountersignature(receipt), consumer)
	if err != nil {
		t.Fatal(err)
	}
	tampered := resign(t, receipt, nil, func(m map[string]any) { m["status"] = 500 })
	receiptJSON, _ := json.Marshal(testReceipt())

	edPubBytes := []byte(rawKey(t, edPub).(ed25519.PublicKey))
	hsKey := map[string]any{"kty": "oct", "k": b64url(edPubBytes)}
	reqHeader := func(alg, kid string) map[string]any {
		return map[string]any{"alg": alg, "kid": kid, "typ": TypeRequest, "iss": testRequester}
	}

	lines := []joseLine{
		{JWS: sigEd, JWK: edPub, Payload: &canonical, Typ: TypeRequest},
		{JWS: sigEC, JWK: ecPub, Payload: &canonical, Typ: TypeRequest},
		{JWS: receipt, JWK: publicOf(t, prov), Typ: TypeReceipt},
		{JWS: receiptEC, JWK: publicOf(t, provEC), Typ: TypeReceipt},
		{JWS: counter, JWK: edPub, Typ: TypeCountersignature},
		{JWS: tampered, JWK: publicOf(t, prov)},
		{JWS: sigEd, JWK: edPub, Payload: ptr(b64url(altered.Canonical()))},
		{JWS: sigEd, JWK: ecPub, Payload: &canonical},
		{Op: "sign", JWK: ed, Protected: reqHeader("EdDSA", "k1"), Payload: &canonical, Detached: true},
		{Op: "sign", JWK: ec, Protected: reqHeader("ES256", "k2"), Payload: &canonical, Detached: true},
		{Op: "sign", JWK: hsKey, Protected: reqHeader("HS256", "k1"), Payload: &canonical, Detached: true},
		{Op: "sign", JWK: prov, Protected: map[string]any{"alg": "EdDSA", "kid": "p1", "typ": TypeReceipt}, Payload: ptr(b64url(receiptJSON))},
		{Op: "sign", JWK: provEC, Protected: map[string]any{"alg": "ES256", "kid": "p2", "typ": TypeReceipt}, Payload: ptr(b64url(receiptJSON))},
	}
	a := runJose(t, lines)

	// jose verifies what Samband signs.
	for i, name := range []string{"EdDSA request", "ES256 request", "EdDSA receipt", "ES256 receipt", "countersignature"} {
		if !a[i].OK {
			t.Errorf("jose refuses the %s: %s", name, a[i].Error)
		}
	}
	if a[0].Payload != canonical || a[1].Payload != canonical {
		t.Errorf("jose verified the request signatures over another payload")
	}
	if got, _ := base64.RawURLEncoding.DecodeString(a[2].Payload); !bytes.Equal(got, receiptJSON) {
		t.Errorf("jose read the receipt as %s, want %s", got, receiptJSON)
	}
	for i, want := range map[int]string{0: TypeRequest, 2: TypeReceipt, 4: TypeCountersignature} {
		if a[i].Protected["typ"] != want {
			t.Errorf("jose read typ %v, want %s", a[i].Protected["typ"], want)
		}
	}
	if a[0].Protected["iss"] != testRequester || a[0].Protected["kid"] != "k1" || a[0].Protected["alg"] != "EdDSA" {
		t.Errorf("jose read the request's protected header as %v", a[0].Protected)
	}
	// jose refuses a tampered receipt, a signature of another request and
	// the wrong key.
	for i, name := range map[int]string{5: "tampered receipt", 6: "signature of another request", 7: "EdDSA signature with a P-256 key"} {
		if a[i].OK {
			t.Errorf("jose accepts the %s", name)
		} else {
			t.Logf("jose refuses the %s: %s", name, a[i].Error)
		}
	}

	// Samband verifies what jose signs, and refuses HMAC.
	for i := 8; i < len(lines); i++ {
		if !a[i].OK {
			t.Fatalf("jose could not sign line %d: %s", i, a[i].Error)
		}
	}
	for i, alg := range map[int]string{8: "EdDSA", 9: "ES256"} {
		s, err := Verify(ctx, r, a[i].JWS, keys.keys)
		if err != nil || s.Alg.String() != alg || s.Signer != testRequester {
			t.Errorf("Verify of jose's %s request signature = %+v, %v", alg, s, err)
		}
		if _, err := Verify(ctx, altered, a[i].JWS, keys.keys); !errors.Is(err, ErrSignature) {
			t.Errorf("Verify of jose's %s signature for another request = %v, want ErrSignature", alg, err)
		}
	}
	if _, err := Verify(ctx, r, a[10].JWS, keys.keys); !errors.Is(err, ErrAlgorithm) {
		t.Errorf("Verify of jose's HS256 signature keyed with the public key = %v, want ErrAlgorithm", err)
	}
	for _, i := range []int{11, 12} {
		got, err := ReadReceipt(ctx, a[i].JWS, keys.keys)
		if err != nil || *got != *testReceipt() {
			t.Errorf("ReadReceipt of jose's receipt = %+v, %v", got, err)
		}
	}
	none := b64url([]byte(`{"alg":"none","kid":"k1","typ":"samband-request+jws","iss":"FI/0245437-2"}`)) + ".."
	if _, err := Verify(ctx, r, none, keys.keys); !errors.Is(err, ErrAlgorithm) {
		t.Errorf("Verify of alg none = %v, want ErrAlgorithm", err)
	}
	// And jose refuses alg none too.
	if a := runJose(t, []joseLine{{JWS: none, JWK: edPub, Payload: &canonical}}); a[0].OK {
		t.Errorf("jose accepts alg none")
	} else {
		t.Logf("jose refuses alg none: %s", a[0].Error)
	}
}
