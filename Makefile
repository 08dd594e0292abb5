# Samband: the two commands are `make run` and `make test`.
GO        ?= go
BIN       := bin/gateway
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
FUZZTIME  ?= 15s
# Every parser of untrusted input, as package:target.
FUZZ      := catalog/search:FuzzSearch catalog/search:FuzzSnapshot catalog/rdf:FuzzTurtle catalog/rdf:FuzzNTriples catalog/rdf:FuzzRDFXML \
             catalog/rdf:FuzzJSONLD catalog:FuzzRecords catalog:FuzzDescribe harvest:FuzzCKANRecord \
             catalog/lifeevent:FuzzClassify catalog/lifeevent:FuzzLoad policies:FuzzNationalID cmd/gateway:FuzzRegistryRequests \
             policies:FuzzLoadJSONLD policies:FuzzLoadTurtle exchange/audit:FuzzEntryUnmarshal exchange/trust:FuzzParseSet cmd/gateway:FuzzIDToken \
             exchange:FuzzReadRequest exchange:FuzzReadReceipt exchange:FuzzVerify exchange:FuzzContentDigest internal/ed25519x:FuzzVerify \
             exchange:FuzzDecodeObject exchange/audit:FuzzScanJournal exchange/upstream:FuzzAnswer

.PHONY: all build run demo-exchange test vet fuzz shacl bench-rdf clean

all: build

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/gateway

# run: the gateway on SQLite (data/demo.db) with the bundled demo sources, on
# http://127.0.0.1:8080; Ctrl-C stops it.
run: build
	./$(BIN) serve --demo

# demo-exchange: two gateways (Finland, Norway) and a sample population register on this
# machine, and the death-and-inheritance case between them; the gateways keep serving.
demo-exchange: build
	./$(BIN) exchange demo --keep

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

# test: vet, every test (the exchange's JWS checked with jose from tools/jose
# too, whose packages are installed first), then the conformance and corpus
# summaries.
test: vet tools/jose/node_modules/.installed
	$(GO) test -count=1 ./...
	@$(GO) test -count=1 -run '^(TestW3C|TestCorpus$$)' -v ./catalog/rdf | grep -E '^(w3c|corpus)' || { echo "conformance summary missing"; exit 1; }

# shacl: the DCAT-AP feed of the demo catalogues against the DCAT-AP 3.0.1
# SHACL shapes, and the rule checks of every corpus record against what the
# same shapes (and DCAT-AP-NO's and DCAT-AP-DK's) say of it, with the engine
# in tools/shacl (needs node and npm; the packages are installed from its
# package-lock.json once, and again when it changes). Prints violations of
# the sources and of the feed by shape and path, and how many results of
# the engine and of the rules agree.
shacl: tools/shacl/node_modules/.installed
	$(GO) test -count=1 -run '^TestFeedSHACL$$' -v ./cmd/gateway
	$(GO) test -count=1 -run '^TestRulesAgreeWithSHACL$$' -v ./catalog

tools/shacl/node_modules/.installed: tools/shacl/package.json tools/shacl/package-lock.json
	npm ci --prefix tools/shacl --no-audit --no-fund
	touch $@

# The jose library the exchange's tests check Samband's JWS against (needs
# node and npm; installed from tools/jose/package-lock.json once, and again
# when it changes).
tools/jose/node_modules/.installed: tools/jose/package.json tools/jose/package-lock.json
	npm ci --prefix tools/jose --no-audit --no-fund
	touch $@

# fuzz: a short run of every fuzz target (FUZZTIME each); crashers land in testdata/fuzz.
# Go 1.26's fuzzing coordinator can end a run that found nothing with "context deadline
# exceeded" (go.dev/issue/75804, fixed in Go 1.27): a run that fails that way without
# writing a failing input is run once more; any failing input fails at once.
fuzz:
	@for pt in $(FUZZ); do \
	  pkg=$${pt%%:*}; f=$${pt#*:}; dir=$$pkg/testdata/fuzz/$$f; \
	  for try in 1 2; do \
	    echo "== $$f in $$pkg ($(FUZZTIME))"; \
	    before=$$(ls $$dir 2>/dev/null | wc -l); \
	    out=$$($(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 3s ./$$pkg 2>&1); rc=$$?; \
	    echo "$$out" | tail -n 40; \
	    [ $$rc -eq 0 ] && break; \
	    after=$$(ls $$dir 2>/dev/null | wc -l); \
	    if [ $$try -eq 1 ] && [ "$$after" = "$$before" ] && echo "$$out" | grep -q 'context deadline exceeded'; then \
	      echo "== $$f: the coordinator's deadline race (go.dev/issue/75804), no failing input written; once more"; \
	      continue; \
	    fi; \
	    exit 1; \
	  done; \
	done

# bench-rdf: the 80 MB decoder benchmark against serdi and rapper (see docs/benchmarks.md).
bench-rdf:
	bash bench/rdf.sh

clean:
	rm -rf bin
