# thereforebridge: one target per job. `make run` and `make test` are the two
# commands a newcomer needs (see README.md).
GO      ?= go
BIN     := bin/thereforebridge
WSDL    := wsdl/therefore.wsdl
GENDIR  := generated

.PHONY: all deps generate check-generated build run test bench fuzz interop vet dist image docs

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

## dist: static (CGO_ENABLED=0), version-stamped release binaries and their SHA256SUMS in $(DIST)/
PKG       := github.com/thereforebridge/thereforebridge
DIST      ?= dist
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
PLATFORMS ?= linux/amd64 linux/arm64
LDFLAGS   := -s -w -X $(PKG)/bridge/buildinfo.version=$(VERSION) -X $(PKG)/bridge/buildinfo.commit=$(COMMIT)
dist:
	@rm -rf $(DIST) && mkdir -p $(DIST)
	@for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; \
		echo "dist: $(DIST)/thereforebridge-$$os-$$arch $(VERSION)"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '$(LDFLAGS)' \
			-o $(DIST)/thereforebridge-$$os-$$arch ./cmd/thereforebridge || exit 1; \
	done
	@cd $(DIST) && sha256sum thereforebridge-* > SHA256SUMS && cat SHA256SUMS

## image: the FROM scratch container image (cmd/thereforebridge/deploy/Containerfile) with podman or buildah, as $(IMAGE)
IMAGE ?= localhost/thereforebridge:$(VERSION)
CA_CERTS ?= /etc/ssl/certs/ca-certificates.crt
image:
	@builder=$$(command -v podman || command -v buildah) || { echo "image: needs podman or buildah (Debian: apt-get install podman)" >&2; exit 1; }; \
	test -r $(CA_CERTS) || { echo "image: no CA bundle at $(CA_CERTS) (Debian: ca-certificates)" >&2; exit 1; }; \
	ctx=$$(mktemp -d) && trap 'rm -rf $$ctx' EXIT && \
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $$ctx/thereforebridge ./cmd/thereforebridge && \
	cp $(CA_CERTS) $$ctx/ca-certificates.crt && \
	printf 'root:x:0:0:root:/:/sbin/nologin\nthereforebridge:x:65532:65532:thereforebridge:/var/lib/thereforebridge:/sbin/nologin\n' >$$ctx/passwd && \
	printf 'root:x:0:\nthereforebridge:x:65532:\n' >$$ctx/group && \
	mkdir $$ctx/state && \
	$$builder build --quiet -f cmd/thereforebridge/deploy/Containerfile -t $(IMAGE) $$ctx && \
	echo "image: $(IMAGE)"

## docs: rewrite bridge/config/REFERENCE.md from the config types (a test fails when it is stale)
docs:
	$(GO) run ./bridge/internal/configdoc -o bridge/config/REFERENCE.md

## run: start the bridge on its embedded default configuration
run:
	$(GO) run ./cmd/thereforebridge serve

vet:
	$(GO) vet ./...

## deps: install the real SOAP clients and xmllint when missing (Debian; see .ci/deps)
deps:
	@bash .ci/deps

## test: everything, including the real SOAP clients and the staleness check
# The packages whose goroutines meet (the store's workers and committers,
# the server, credential caches, adapters' shared sessions, the fakes, the
# pass-through client, the refreshed WSDL and the collector's tuner) run
# again under the race detector.
RACE_PKGS = ./bridge/delivery/... ./bridge/server/... ./bridge/auth/... ./bridge/vendorkit/... ./bridge/vendors/... ./bridge/admin/... ./bridge/upstream/... ./bridge/wsdlserve/... ./bridge/tracing/... ./bridge/logging/... ./bridge/gcfloor/...

test: deps check-generated vet
	THEREFOREBRIDGE_REQUIRE_INTEROP=1 $(GO) test -count=1 ./...
	$(GO) test -race -count=1 $(RACE_PKGS)

## interop: only the real SOAP clients (testdata/interop/), failing when a stack is missing
interop: ; THEREFOREBRIDGE_REQUIRE_INTEROP=1 $(GO) test -count=1 -run . ./bridge/interop

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## fuzz: every fuzz target for FUZZTIME each (default 1m; CI runs 20000x, a count, which Go 1.26 stops cleanly); a crasher lands in the package's testdata/fuzz and then runs in make test
FUZZTIME ?= 1m
FUZZ_TARGETS = FuzzEndpoint:./bridge/server FuzzDecode:./bridge/xmlbind FuzzAppendString:./bridge/jsonw FuzzAppend:./bridge/jsonw FuzzTokenizerAgreesWithEncodingXML:./bridge/xmltok \
	FuzzParseDateTime:./bridge/xsd FuzzParse:./bridge/config FuzzJSONHandler:./bridge/logging
fuzz:
	@for t in $(FUZZ_TARGETS); do \
		name=$${t%%:*}; pkg=$${t#*:}; \
		echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

# Load benchmark: the bridge against the floor (a bare Echo
# handler), node soap and gSOAP, on 127.0.0.1, server and load generator
# pinned to separate cores. Installs what is missing (Debian: gsoap,
# libgsoap-dev, g++, nodejs, npm, util-linux for taskset, postgresql for
# the Postgres store's contender); node soap and the
# gSOAP server are built into the user cache dir. Not part of `make test`.
BENCH_OUT ?= testdata/bench/results
BENCH_DEPS = command -v taskset >/dev/null && command -v wsdl2h >/dev/null && command -v soapcpp2 >/dev/null && \
	command -v g++ >/dev/null && command -v node >/dev/null && command -v npm >/dev/null && test -f /usr/include/stdsoap2.h && \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	echo "bench: installing gsoap libgsoap-dev g++ nodejs npm util-linux postgresql"; \
	if [ "$$(id -u)" != 0 ]; then echo "bench: not root: install them with apt-get first" >&2; exit 1; fi; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends gsoap libgsoap-dev g++ nodejs npm util-linux postgresql >/dev/null; }

.PHONY: bench-load bench-soak

## bench-load: throughput, latency, CPU/request and peak RSS at c=1,8,32,128, authentication in turns, the flood -> $(BENCH_OUT)/latest.{md,svg,json} (~14 min)
bench-load:
	@$(BENCH_DEPS)
	$(GO) run ./bridge/internal/loadbench -out $(BENCH_OUT) $(BENCH_FLAGS)

## bench-soak: 1,000,000 calls against the bridge as deployed with a vendor failing 10% of attempts, RSS and store size sampled every second, until drained -> $(BENCH_OUT)/soak.{md,svg,csv}
bench-soak:
	$(GO) run ./bridge/internal/loadbench -out $(BENCH_OUT) -soak 1000000 -soak-contender bridge-flaky -soak-c 32 $(BENCH_FLAGS)
