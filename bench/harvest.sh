#!/usr/bin/env bash
# harvest.sh measures one harvest of a 100,000-dataset DCAT catalogue end to end:
# HTTP fetch from a local server, streaming Turtle decoding, mapping to records,
# reconciling into a fresh SQLite file. It prints datasets per second and the
# peak resident memory of the gateway process. See docs/benchmarks.md.
#
#   bench/harvest.sh                  # 2,381 copies of the NAV catalogue: 100,002 datasets
#   COPIES=240 bench/harvest.sh       # a quick one (10,080 datasets)
set -euo pipefail

cd "$(dirname "$0")/.."
COPIES=${COPIES:-2381}
OUT=${OUT:-bench/out/harvest}
PORT=${PORT:-18089}

mkdir -p "$OUT"
if [ ! -s "$OUT/dcat.ttl" ] || [ "$(cat "$OUT/copies" 2>/dev/null || true)" != "$COPIES" ]; then
	go run ./bench/rdfgen -copies "$COPIES" -jsonld-mb 1 -out "$OUT" >/dev/null
	rm -f "$OUT/dcat.nt" "$OUT/dcat.rdf" "$OUT/dcat.jsonld"
	echo "$COPIES" >"$OUT/copies"
fi
make -s build

# A plain static file server on loopback, stopped on exit.
python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$OUT" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do
	curl -sf -o /dev/null "http://127.0.0.1:$PORT/copies" && break
	sleep 0.1
done

db=$(mktemp -d)/bench.db
/usr/bin/time -v -o "$OUT/time.txt" bin/gateway harvest --json --db "$db" --country NO \
	"http://127.0.0.1:$PORT/dcat.ttl" >"$OUT/report.json"

python3 - "$OUT" "$db" <<'PY'
import json, os, re, sys
out, db = sys.argv[1], sys.argv[2]
rep = json.load(open(os.path.join(out, "report.json")))[0]
t = open(os.path.join(out, "time.txt")).read()
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1))
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", t).group(1)
secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
n = rep["added"] + rep["updated"] + rep["unchanged"]
size = os.path.getsize(os.path.join(out, "dcat.ttl"))
print(f"| datasets | Turtle MB | status | wall s | datasets/s | peak RSS MB | SQLite MB |")
print(f"| ---: | ---: | --- | ---: | ---: | ---: | ---: |")
print(f"| {n:,} | {size/1e6:.1f} | {rep['status']} | {secs:.1f} | {n/secs:,.0f} | {rss/1024:.0f} | {os.path.getsize(db)/1e6:.0f} |")
PY
