package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwk"

	"samband/exchange"
	"samband/internal/procstat"
)

// With -load-process, each run's load client is a process of its own:
// this program again, started with loadEnv set, reading a loadJob on its
// standard input and writing a loadResult on its standard output. The
// servers' CPU time (gateway, provider, proxy, audit writer) and the
// client's are then measured apart: the gateway's cost of an exchange
// without the client's signing and HTTP in the same number. Both
// processes share the machine's cores, as before.
const loadEnv = "SAMBAND_EXCHANGE_BENCH_LOAD"

// loadJob is one run for a load process.
type loadJob struct {
	Mode      string // direct, proxy or samband
	URL       string // of the provider, the proxy or the gateway
	Open      bool   // open loop at Rate, else closed loop
	C         int
	Rate      float64
	Warmup, D time.Duration
	Start     time.Time       // when the run begins: both processes measure from Start+Warmup
	Key       json.RawMessage // samband: the Finnish authority's private JWK
	Gateway   json.RawMessage // samband: the gateway's public JWK
	Verify    bool
	Client    string // -client
}

// loadResult is what a load process measured.
type loadResult struct {
	Lat      []time.Duration
	Errors   int
	Err      string
	Use      procstat.Usage // the load process's, in the measured part
	Last     time.Time      // the last measured answer (open loop)
	Answered int64          // samband answers with a receipt, warm-up included
}

// loadChild runs the job on r and writes the result to w.
func loadChild(ctx context.Context, r io.Reader, w io.Writer) error {
	var job loadJob
	if err := json.NewDecoder(r).Decode(&job); err != nil {
		return fmt.Errorf("load process: job: %w", err)
	}
	client, err := newDoer(job.Client, job.C)
	if err != nil {
		return fmt.Errorf("load process: %w", err)
	}
	var send sendFunc
	s := &samband{url: job.URL, verify: job.Verify}
	switch job.Mode {
	case "direct", "proxy":
		send = plainSender(client, job.URL)
	case "samband":
		key, err := jwk.ParseKey(job.Key)
		if err != nil {
			return fmt.Errorf("load process: key: %w", err)
		}
		if s.kela, err = exchange.NewSigningKey(key); err != nil {
			return err
		}
		if s.gateway, err = jwk.ParseKey(job.Gateway); err != nil {
			return fmt.Errorf("load process: gateway key: %w", err)
		}
		send = func(ctx context.Context) error { return s.send(ctx, client) }
	default:
		return fmt.Errorf("load process: mode %q", job.Mode)
	}
	var res result
	if job.Open {
		res = openLoop(ctx, send, job.Rate, job.C, job.Start, job.Warmup, job.D, recorder{})
	} else {
		res = closedLoop(ctx, send, job.C, job.Start, job.Warmup, job.D, recorder{})
	}
	out := loadResult{Lat: res.lat, Errors: res.errors, Use: res.use, Last: res.last, Answered: s.answered.Load()}
	if res.err != nil {
		out.Err = res.err.Error()
	}
	return json.NewEncoder(w).Encode(out)
}

// runLoadProcess runs job in a load process and measures this process's
// CPU time over the same measured part; prof, when not nil, gets this
// process's CPU profile of it.
func runLoadProcess(ctx context.Context, job loadJob, prof recorder) (result, error) {
	self, err := os.Executable()
	if err != nil {
		return result{}, err
	}
	in, err := json.Marshal(job)
	if err != nil {
		return result{}, err
	}
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, self)
	cmd.Env = append(os.Environ(), loadEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = bytes.NewReader(in), &out, &stderr
	if err := cmd.Start(); err != nil {
		return result{}, err
	}
	from := job.Start.Add(job.Warmup)
	time.Sleep(time.Until(from))
	servers := measureUsage(from.Add(job.D), prof)
	if err := cmd.Wait(); err != nil {
		return result{}, fmt.Errorf("load process: %w: %s", err, stderr.String())
	}
	var lr loadResult
	if err := json.Unmarshal(out.Bytes(), &lr); err != nil {
		return result{}, fmt.Errorf("load process: result: %w", err)
	}
	r := result{lat: lr.Lat, errors: lr.Errors, use: lr.Use.Add(servers), servers: servers.CPU(), d: job.D, last: lr.Last, answered: lr.Answered}
	if lr.Err != "" {
		r.err = errors.New(lr.Err)
	}
	return r, nil
}
