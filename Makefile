# Samband: the two commands are `make run` and `make test`.
GO        ?= go
BIN       := bin/gateway
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
FUZZTIME  ?= 15s
FUZZ_RDF  := FuzzTurtle FuzzNTriples FuzzRDFXML FuzzJSONLD

# The demo documents `make run` reads: real catalogues from four countries and the EU.
DEMO := testdata/corpus/no-fdk-legacy/nav-2017-10-31.ttl \
        testdata/corpus/no-fdk-legacy/datanorge.xml \
        testdata/corpus/no-fdk-legacy/brreg.rdf \
        testdata/corpus/se-dcat-ap-se/exempel_rekommenderat.rdf \
        testdata/corpus/dk-dcat-ap-dk/basic-example1.ttl \
        testdata/corpus/eu-semic-dcat-ap/hvd-examples-3.0.0/example-ms_catalogue.jsonld \
        testdata/corpus/no-fdk-dataset-harvester/harvest_response_error.ttl

.PHONY: all build run test vet fuzz bench-rdf clean

all: build

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/gateway

# run: read the bundled demo catalogues (the last one is malformed on purpose).
run: build
	@for f in $(DEMO); do \
	  echo "== $$f"; ./$(BIN) rdf stat $$f || true; \
	done

vet:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }

# test: vet, every test, then the conformance and corpus summaries.
test: vet
	$(GO) test -count=1 ./...
	@$(GO) test -count=1 -run '^(TestW3C|TestCorpus$$)' -v ./catalog/rdf | grep -E '^(w3c|corpus)' || { echo "conformance summary missing"; exit 1; }

# fuzz: a short run of every decoder's fuzz target (FUZZTIME each).
fuzz:
	@for f in $(FUZZ_RDF); do \
	  echo "== $$f ($(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) ./catalog/rdf || exit 1; \
	done

# bench-rdf: the 80 MB decoder benchmark against serdi and rapper (see docs/benchmarks.md).
bench-rdf:
	bash bench/rdf.sh

clean:
	rm -rf bin
