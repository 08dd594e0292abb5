package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestExchangeDemo runs the death-and-inheritance case of the issue end to
// end, on two real gateways (serve, with their SQLite stores, registries and
// audit logs) and the sample register, over HTTP on loopback: the Finnish
// authority's request for the heir is permitted at Norway's gateway,
// answered with the death record, a receipt and a countersignature (both
// verified), logged at both gateways; the heir sees it in the citizen's
// view at both; the same request for someone holding no mandate is denied
// with the reason; the same request for a purpose Finland's outbound
// policy does not allow is denied at Finland's gateway, logged there, and
// never reaches Norway's.
func TestExchangeDemo(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var logs bytes.Buffer
	d, err := startExchangeDemo(ctx, t.TempDir(), "127.0.0.1:0", "127.0.0.1:0", slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer d.stop()
	var out bytes.Buffer
	o, err := d.run(ctx, &out)
	if err != nil {
		t.Fatalf("run: %v\n%s\nlogs:\n%s", err, out.String(), logs.String())
	}
	t.Logf("demo:\n%s", out.String())

	// The gateways fetched each other's keys from their key URLs:
	// Finland's started while Norway's was not up, without its keys, and
	// fetched them once Norway's was (the permitted request below needs
	// them for the receipt).
	if o.KeysMissingAtStart != "1" {
		t.Errorf("Finland's keys-missing gauge of Norway's gateway at start = %q, want 1", o.KeysMissingAtStart)
	}
	p := o.Permitted
	if p.Status != 200 {
		t.Fatalf("permitted request: status %d, body %s\nlogs:\n%s", p.Status, p.Body, logs.String())
	}
	if o.DeathRecord["date_of_death"] != "2026-10-30" || o.DeathRecord["asked_by"] != demoFIKela {
		t.Errorf("death record = %v", o.DeathRecord)
	}
	if p.Receipt == nil || p.Receipt.Issuer != demoNOGateway || p.Receipt.Decision != "permit" || p.Receipt.Status != 200 ||
		!strings.Contains(p.Receipt.Rule, "https://register.example.no/policy/estate permission[0]") || p.Receipt.Checkpoint == "" {
		t.Errorf("receipt = %+v", p.Receipt)
	}
	if p.Countersignature == nil || p.Countersignature.Issuer != demoFIGateway || p.Countersignature.Checkpoint == "" {
		t.Errorf("countersignature = %+v", p.Countersignature)
	}
	// Norway's gateway timed the permitted exchange's stages, and its
	// audit log's commits.
	for _, series := range []string{
		`samband_exchange_stage_seconds_count{role="provider",stage="upstream"}`,
		`samband_exchange_stage_seconds_count{role="provider",stage="audit"}`,
		`samband_audit_commit_entries_count`,
		`samband_audit_commit_seconds_count`,
	} {
		v, err := metricValue(ctx, d.noURL, series)
		if n, perr := strconv.Atoi(v); err != nil || perr != nil || n < 1 {
			t.Errorf("Norway's gateway: %s = %q, %v; want at least 1", series, v, err)
		}
	}
	// Both logs hold both requests: the permit and the deny.
	if o.FILogSize < 1 || o.NOLogSize < 1 {
		t.Errorf("log sizes: Finland %d, Norway %d", o.FILogSize, o.NOLogSize)
	}
	for name, items := range map[string][]map[string]any{"Finland": o.HeirSees, "Norway": o.HeirSeesNO} {
		if len(items) != 1 {
			t.Errorf("the heir sees %d accesses at %s's gateway, want 1: %v", len(items), name, items)
			continue
		}
		it := items[0]
		if it["requester"] != demoFIKela || it["service"] != "NO/974760673/death-records" || it["purpose"] != demoPurpose ||
			it["decision"] != "permit" || it["role"] != "representative" {
			t.Errorf("%s: the heir sees %v", name, it)
		}
	}
	d403 := o.Denied
	var prob struct{ Type, Detail string }
	json.Unmarshal(d403.Body, &prob)
	if d403.Status != 403 || prob.Type != "urn:samband:problem:denied" || !strings.Contains(prob.Detail, "mandate") {
		t.Errorf("request without a mandate: %d %s", d403.Status, d403.Body)
	}
	if d403.Receipt == nil || d403.Receipt.Decision != "deny" || d403.Receipt.Status != 403 {
		t.Errorf("the denial's receipt = %+v", d403.Receipt)
	}

	// Finland's outbound policy refuses the request for another purpose:
	// its own problem type, no receipt (no provider decided), nothing
	// more in Norway's log, and the deny by the outbound rule in
	// Finland's, where the heir sees it.
	od := o.OutboundDenied
	prob.Type, prob.Detail = "", ""
	json.Unmarshal(od.Body, &prob)
	if od.Status != 403 || prob.Type != "urn:samband:problem:outbound-denied" || !strings.Contains(prob.Detail, "urn:samband:demo:outbound:fi") ||
		!strings.Contains(prob.Detail, "purpose") {
		t.Errorf("request for another purpose: %d %s", od.Status, od.Body)
	}
	if od.Receipt != nil {
		t.Errorf("the outbound denial carries a receipt %+v", od.Receipt)
	}
	if o.NOLogAfterOut != o.NOLogBeforeOut {
		t.Errorf("Norway's audit log grew from %d to %d entries: the request reached Norway", o.NOLogBeforeOut, o.NOLogAfterOut)
	}
	found := false
	for _, it := range o.HeirSeesAfter {
		if it["purpose"] == demoOtherPurpose {
			found = true
			if it["decision"] != "deny" || it["status"] != float64(403) ||
				!strings.HasPrefix(fmt.Sprint(it["rule"]), "outbound urn:samband:demo:outbound:fi permission[0]") {
				t.Errorf("Finland's audit entry of the outbound denial: %v", it)
			}
		}
	}
	if !found {
		t.Errorf("Finland's audit log holds no entry of the outbound denial; the heir sees %v", o.HeirSeesAfter)
	}

	// The registry's API takes only callers with a token: a mandate
	// granted through it decides exchanges.
	for _, auth := range []string{"", "Bearer not-the-token-at-all-but-long-enough-0123456789"} {
		req, _ := http.NewRequest(http.MethodPost, d.noURL+"/api/v1/mandates", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("POST /api/v1/mandates with %q: %s", auth, resp.Status)
		}
	}

	// The same case with the command an authority runs.
	send := func(representative string) (string, string, error) {
		return gateway(t, nil, "exchange", "send", "--gateway", d.fiURL, "--audience", demoFIGateway, "--as", demoFIKela,
			"--key", d.kelaKey, "--purpose", demoPurpose, "--legal-basis", demoLegalBasis, "--subject", "NO"+demoDeceased,
			"--representative", "FI"+representative, "--life-event", demoLifeEvent, "NO/974760673/death-records/v1/deaths/NO"+demoDeceased)
	}
	stdout, stderr, err := send(demoHeir)
	if err != nil || !strings.Contains(stdout, `"date_of_death":"2026-10-30"`) ||
		!strings.Contains(stderr, "receipt of NO/991825827: permit") || !strings.Contains(stderr, "countersigned by FI/0245437-2") {
		t.Errorf("exchange send for the heir = %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
	stdout, stderr, err = send(demoOtherHeir)
	if exitCode(err, &bytes.Buffer{}) != 1 || !strings.Contains(stderr, "403") || !strings.Contains(stderr, "receipt of NO/991825827: deny") ||
		!strings.Contains(stdout, "urn:samband:problem:denied") {
		t.Errorf("exchange send without a mandate = %v\nstdout: %s\nstderr: %s", err, stdout, stderr)
	}
}

// TestKeysCommands: keys generate writes a private key readable by its owner
// alone and prints its public set (no private member); keys set marks a
// retired key with its expiry.
func TestKeysCommands(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.jwk"), filepath.Join(dir, "b.jwk")
	out, _, err := gateway(t, nil, "keys", "generate", "--kid", "a-1", "--out", a)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(a); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("private key file: %v, %v", fi, err)
	}
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal([]byte(out), &set); err != nil || len(set.Keys) != 1 || set.Keys[0]["kid"] != "a-1" ||
		set.Keys[0]["crv"] != "Ed25519" || set.Keys[0]["d"] != nil {
		t.Errorf("public set = %s (%v)", out, err)
	}
	if _, _, err := gateway(t, nil, "keys", "generate", "--kid", "a-2", "--out", a); err == nil {
		t.Error("keys generate overwrote an existing key file")
	}
	if _, _, err := gateway(t, nil, "keys", "generate", "--kid", "b-1", "--alg", "ES256", "--out", b); err != nil {
		t.Fatal(err)
	}
	if _, _, err := gateway(t, nil, "keys", "generate", "--kid", "c-1", "--alg", "HS256", "--out", filepath.Join(dir, "c.jwk")); exitCode(err, &bytes.Buffer{}) != 2 {
		t.Errorf("keys generate --alg HS256 = %v, want a usage error", err)
	}
	out, _, err = gateway(t, nil, "keys", "set", b, a+"@2026-12-31T00:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	set.Keys = nil
	if err := json.Unmarshal([]byte(out), &set); err != nil || len(set.Keys) != 2 {
		t.Fatalf("keys set = %s (%v)", out, err)
	}
	if set.Keys[0]["kid"] != "b-1" || set.Keys[0]["crv"] != "P-256" || set.Keys[0]["exp"] != nil ||
		set.Keys[1]["kid"] != "a-1" || set.Keys[1]["exp"] != float64(1798675200) {
		t.Errorf("keys set = %s", out)
	}
}
