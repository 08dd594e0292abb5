package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestMain lets the test binary be the load process of -load-process, as
// the command is.
func TestMain(m *testing.M) {
	if os.Getenv(loadEnv) != "" {
		if err := loadChild(context.Background(), os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestDeathRecordSize(t *testing.T) {
	if n := len(deathRecord); n < 280 || n > 320 {
		t.Errorf("the provider's record is %d bytes, want about 300", n)
	}
}

// TestRun runs every mode briefly: every answer must be right and the
// audit log must hold one entry per samband answer, or run fails.
func TestRun(t *testing.T) {
	for _, client := range []string{"conn", "net/http"} {
		t.Run(client, func(t *testing.T) {
			var out, errs bytes.Buffer
			args := []string{"-c", "4", "-d", "300ms", "-warmup", "100ms", "-dir", t.TempDir(), "-keep-client-verify", "-client", client,
				"-policy", "../../exchange/testdata/estate.ttl"}
			if err := run(context.Background(), args, &out, &errs); err != nil {
				t.Fatalf("run: %v\n%s", err, errs.String())
			}
			for _, want := range []string{"| samband |", "| direct |", "| proxy |", "Audit log:", "load client: in this process, -client " + client} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, out.String())
				}
			}
		})
	}
}

// TestRunLoadProcess: with -load-process the load clients run in
// processes of their own, every answer is still checked (the audit log
// holds one entry per samband answer, theirs included), and the servers'
// CPU is reported apart.
func TestRunLoadProcess(t *testing.T) {
	var out, errs bytes.Buffer
	args := []string{"-c", "4", "-d", "300ms", "-warmup", "100ms", "-dir", t.TempDir(), "-keep-client-verify", "-load-process",
		"-modes", "direct,samband", "-policy", "../../exchange/testdata/estate.ttl"}
	if err := run(context.Background(), args, &out, &errs); err != nil {
		t.Fatalf("run: %v\n%s", err, errs.String())
	}
	for _, want := range []string{"| samband |", "| direct |", "Audit log:", "load client: a process of its own"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// The closed-loop table gives the servers' CPU a number, not "–".
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(line, "| samband |") && strings.Count(line, "|") == 10 && strings.Contains(line, "| – |") {
			t.Errorf("no servers' CPU with -load-process: %s", line)
		}
	}
}
