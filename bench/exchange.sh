#!/usr/bin/env bash
# exchange.sh measures the exchange broker under load on loopback: a load
# client straight to a small provider, through a plain reverse proxy, and
# through the real broker (signed requests, policy decision with the mandate
# looked up in SQLite, receipt, audit log synced to disk before the answer).
# Closed loop at 64 clients, then open loop at half of the broker's rate.
# It prints a Markdown table and keeps it in bench/out/exchange/table.md.
# See docs/benchmarks.md ("Exchange").
#
#   bench/exchange.sh                         # the defaults: -c 64 -d 10s -warmup 2s
#   bench/exchange.sh -keep-client-verify     # the client verifies every receipt too
#   bench/exchange.sh -load-process           # the load client in a process of its own; servers' CPU apart
#   bench/exchange.sh -commit-delay 2ms       # the audit log's commit delay (default 1ms)
#   bench/exchange.sh -cpuprofile bench/out/exchange/cpu.prof
#   go tool pprof -top bench/out/exchange/cpu.prof
#   bench/exchange.sh -profile-run open -trace bench/out/exchange/open.trace   # an execution trace of the open loop
#   go tool trace -pprof=sched bench/out/exchange/open.trace > sched.prof    # where goroutines waited to run
#   bench/exchange.sh -modes direct,samband -runs open -rate 2500 -d 10s      # the open loop alone, to repeat it
#   go run ./bench/hostnoise                  # the machine's own noise, to read a run's tail with
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=bench/out/exchange
mkdir -p "$OUT"
go build -o "$OUT/exchange-bench" ./bench/exchange
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)" >&2
"$OUT/exchange-bench" "$@" | tee "$OUT/table.md"
