#!/usr/bin/env bash
# rdf.sh measures Samband's RDF decoders against serdi and rapper on a large
# generated DCAT catalogue (bench/rdfgen), and prints one table: syntax, tool,
# MB/s, triples/s, allocs/triple. See docs/benchmarks.md.
#
# Idempotent: installs serdi, rapper and hyperfine when missing (Debian
# packages), generates the files when missing or of another size, and writes
# everything it measures to $OUT.
#
#   bench/rdf.sh                 # 80 MB, 3 runs per external tool
#   MB=8 RUNS=2 bench/rdf.sh     # a quick one
set -euo pipefail

cd "$(dirname "$0")/.."
MB=${MB:-80}
RUNS=${RUNS:-3}
OUT=${OUT:-bench/out}
BENCHTIME=${BENCHTIME:-3x}

# Tools.
missing=()
command -v serdi >/dev/null || missing+=(serdi)
command -v rapper >/dev/null || missing+=(raptor2-utils)
command -v hyperfine >/dev/null || missing+=(hyperfine)
if ((${#missing[@]})); then
	sudo=""
	if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
	$sudo apt-get install -y "${missing[@]}" || { $sudo apt-get update && $sudo apt-get install -y "${missing[@]}"; }
fi

# Files: regenerate when the Turtle file is missing or was made for another size.
mkdir -p "$OUT"
if [ ! -s "$OUT/manifest.tsv" ] || [ "$(cat "$OUT/mb" 2>/dev/null || true)" != "$MB" ]; then
	go run ./bench/rdfgen -mb "$MB" -out "$OUT" >/dev/null
	echo "$MB" >"$OUT/mb"
fi
OUT_ABS=$(cd "$OUT" && pwd)

bytes_of() { awk -F'\t' -v f="$1" '$1 == f { print $2 }' "$OUT/manifest.tsv"; }
triples_of() { awk -F'\t' -v f="$1" '$1 == f { print $3 }' "$OUT/manifest.tsv"; }

# Samband: the Go benchmarks.
SAMBAND_BENCH_DIR="$OUT_ABS" go test -run '^$' -bench BenchmarkDecodeFiles -benchtime "$BENCHTIME" -v ./catalog/rdf/ |
	tee "$OUT/go-bench.txt" >&2

# serdi and rapper, with hyperfine.
cmds=(
	"turtle|serdi|serdi -i turtle -o ntriples $OUT_ABS/dcat.ttl > /dev/null"
	"n-triples|serdi|serdi -i ntriples -o ntriples $OUT_ABS/dcat.nt > /dev/null"
	"rdf/xml|rapper|rapper -q -i rdfxml -o ntriples $OUT_ABS/dcat.rdf > /dev/null"
	"turtle|rapper|rapper -q -i turtle -o ntriples $OUT_ABS/dcat.ttl > /dev/null"
	"n-triples|rapper|rapper -q -i ntriples -o ntriples $OUT_ABS/dcat.nt > /dev/null"
)
gateway=""
if [ -x bin/gateway ]; then gateway=$PWD/bin/gateway; elif command -v gateway >/dev/null; then gateway=$(command -v gateway); fi
if [ -n "$gateway" ]; then
	cmds+=(
		"turtle|gateway rdf stat|$gateway rdf stat $OUT_ABS/dcat.ttl > /dev/null"
		"n-triples|gateway rdf stat|$gateway rdf stat $OUT_ABS/dcat.nt > /dev/null"
		"rdf/xml|gateway rdf stat|$gateway rdf stat $OUT_ABS/dcat.rdf > /dev/null"
		"json-ld|gateway rdf stat|$gateway rdf stat $OUT_ABS/dcat.jsonld > /dev/null"
	)
fi
: >"$OUT/external.tsv"
for c in "${cmds[@]}"; do
	IFS='|' read -r syntax tool cmd <<<"$c"
	hyperfine --style basic --warmup 1 --runs "$RUNS" --export-csv "$OUT/hyperfine.csv" "$cmd" >&2
	mean=$(awk -F, 'NR == 2 { print $2 }' "$OUT/hyperfine.csv")
	printf '%s\t%s\t%s\n' "$syntax" "$tool" "$mean" >>"$OUT/external.tsv"
done

# The table.
{
	printf '| syntax | tool | file MB | MB/s | triples/s | allocs/triple |\n'
	printf '| --- | --- | ---: | ---: | ---: | ---: |\n'
	for s in turtle:dcat.ttl n-triples:dcat.nt rdf/xml:dcat.rdf json-ld:dcat.jsonld; do
		syntax=${s%%:*} file=${s#*:}
		name=$(case $syntax in turtle) echo turtle ;; n-triples) echo ntriples ;; rdf/xml) echo rdfxml ;; json-ld) echo jsonld ;; esac)
		mb=$(awk -v b="$(bytes_of "$file")" 'BEGIN { printf "%.1f", b / 1e6 }')
		line=$(grep -E "^BenchmarkDecodeFiles/$name-[0-9]+ " "$OUT/go-bench.txt" || true)
		if [ -n "$line" ]; then
			echo "$line" | awk -v syn="$syntax" -v mb="$mb" '{
				for (i = 1; i <= NF; i++) {
					if ($i == "MB/s") mbs = $(i-1)
					if ($i == "triples/s") tps = $(i-1)
					if ($i == "allocs/triple") apt = $(i-1)
				}
				printf "| %s | Samband (Go) | %s | %.1f | %.0f | %.1f |\n", syn, mb, mbs, tps, apt
			}'
		else
			printf '| %s | Samband (Go) | %s | pending: decoder not built on this branch | | |\n' "$syntax" "$mb"
		fi
		awk -F'\t' -v syn="$syntax" -v b="$(bytes_of "$file")" -v t="$(triples_of "$file")" -v mb="$mb" '
			$1 == syn { printf "| %s | %s | %s | %.1f | %.0f | |\n", syn, $2, mb, b / 1e6 / $3, t / $3 }' "$OUT/external.tsv"
	done
} | tee "$OUT/table.md"
