package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestDeathRecordSize(t *testing.T) {
	if n := len(deathRecord); n < 280 || n > 320 {
		t.Errorf("the provider's record is %d bytes, want about 300", n)
	}
}

// TestRun runs every mode briefly: every answer must be right and the
// audit log must hold one entry per samband answer, or run fails.
func TestRun(t *testing.T) {
	var out, errs bytes.Buffer
	args := []string{"-c", "4", "-d", "300ms", "-warmup", "100ms", "-dir", t.TempDir(), "-keep-client-verify", "-policy", "../../exchange/testdata/estate.ttl"}
	if err := run(context.Background(), args, &out, &errs); err != nil {
		t.Fatalf("run: %v\n%s", err, errs.String())
	}
	for _, want := range []string{"| samband |", "| direct |", "| proxy |", "Audit log:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
