package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
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
// with the reason.
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
}
