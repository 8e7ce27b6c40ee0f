# thereforebridge: one target per job. `make run` and `make test` are the two
# commands a newcomer needs (see README.md).
GO      ?= go
BIN     := bin/thereforebridge
WSDL    := wsdl/therefore.wsdl
GENDIR  := generated

.PHONY: all deps generate check-generated build run test bench fuzz interop vet

all: build

## generate: rebuild generated/ from the WSDL (gowsdl pinned in go.mod, then the committed genfix step)
generate:
	@tmp=$$(mktemp -d) && \
	$(GO) tool gowsdl -o therefore.go -p generated -d $$tmp $(WSDL) >/dev/null && \
	$(GO) run ./bridge/internal/genfix -wsdl $(WSDL) -in $$tmp/generated/therefore.go -out $(GENDIR)/therefore.go; \
	status=$$?; rm -rf $$tmp; exit $$status

## check-generated: fail when generated/ differs from a fresh generate
check-generated:
	@tmp=$$(mktemp -d); \
	$(GO) tool gowsdl -o therefore.go -p generated -d $$tmp $(WSDL) >/dev/null && \
	$(GO) run ./bridge/internal/genfix -wsdl $(WSDL) -in $$tmp/generated/therefore.go -out $$tmp/fresh.go && \
	if ! cmp -s $$tmp/fresh.go $(GENDIR)/therefore.go; then \
		echo "generated/ is stale: run 'make generate' and commit the result"; diff -u $(GENDIR)/therefore.go $$tmp/fresh.go | head -40; rm -rf $$tmp; exit 1; \
	fi; rm -rf $$tmp

build:
	$(GO) build -o $(BIN) ./cmd/thereforebridge

## run: start the bridge on its embedded default configuration
run:
	$(GO) run ./cmd/thereforebridge serve

vet:
	$(GO) vet ./...

## deps: install the real SOAP clients and xmllint when missing (Debian; see .ci/deps)
deps:
	@bash .ci/deps

## test: everything, including the real SOAP clients and the staleness check
test: deps check-generated vet
	THEREFOREBRIDGE_REQUIRE_INTEROP=1 $(GO) test -count=1 ./...

## interop: only the real SOAP clients (testdata/interop/), failing when a stack is missing
interop: ; THEREFOREBRIDGE_REQUIRE_INTEROP=1 $(GO) test -count=1 -run . ./bridge/interop

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## fuzz: every fuzz target for FUZZTIME each (default 1m; CI runs 10s); a crasher lands in the package's testdata/fuzz and then runs in make test
FUZZTIME ?= 1m
FUZZ_TARGETS = FuzzEndpoint:./bridge/server FuzzDecode:./bridge/xmlbind FuzzTokenizerAgreesWithEncodingXML:./bridge/xmlbind \
	FuzzParseDateTime:./bridge/xsd FuzzParse:./bridge/config
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		name=$${t%%:*}; pkg=$${t#*:}; \
		echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

# Load benchmark (issue 8): the bridge against the floor (a bare Echo
# handler), node soap and gSOAP, on 127.0.0.1, server and load generator
# pinned to separate cores. Installs what is missing (Debian: gsoap,
# libgsoap-dev, g++, nodejs, npm, util-linux for taskset); node soap and the
# gSOAP server are built into the user cache dir. Not part of `make test`.
BENCH_OUT ?= testdata/bench/results
BENCH_DEPS = command -v taskset >/dev/null && command -v wsdl2h >/dev/null && command -v soapcpp2 >/dev/null && \
	command -v g++ >/dev/null && command -v node >/dev/null && command -v npm >/dev/null && test -f /usr/include/stdsoap2.h || { \
	echo "bench: installing gsoap libgsoap-dev g++ nodejs npm util-linux"; \
	if [ "$$(id -u)" != 0 ]; then echo "bench: not root: install them with apt-get first" >&2; exit 1; fi; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gsoap libgsoap-dev g++ nodejs npm util-linux >/dev/null; }

.PHONY: bench-load bench-soak

## bench-load: throughput, latency, CPU/request and peak RSS at c=1,8,32,128 -> $(BENCH_OUT)/latest.{md,svg,json} (~10 min)
bench-load:
	@$(BENCH_DEPS)
	$(GO) run ./bridge/internal/loadbench -out $(BENCH_OUT) $(BENCH_FLAGS)

## bench-soak: 1,000,000 calls against the bridge, RSS sampled every second -> $(BENCH_OUT)/soak.{md,svg,csv}
bench-soak:
	$(GO) run ./bridge/internal/loadbench -out $(BENCH_OUT) -soak 1000000 $(BENCH_FLAGS)
