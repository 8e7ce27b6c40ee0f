# thereforebridge: one target per job. `make run` and `make test` are the two
# commands a newcomer needs (see README.md).
GO      ?= go
BIN     := bin/thereforebridge
WSDL    := wsdl/therefore.wsdl
GENDIR  := generated
GENTMP  := $(shell mktemp -d 2>/dev/null || echo /tmp/thereforebridge-gen)

.PHONY: all generate check-generated build run test bench fuzz interop vet

all: build

## generate: rebuild generated/ from the WSDL (gowsdl pinned in go.mod, then the committed genfix step)
generate:
	$(GO) tool gowsdl -o therefore.go -p generated -d $(GENTMP) $(WSDL) >/dev/null
	$(GO) run ./bridge/internal/genfix -wsdl $(WSDL) -in $(GENTMP)/generated/therefore.go -out $(GENDIR)/therefore.go
	@rm -rf $(GENTMP)

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

## test: everything, including the real SOAP client(s) and the staleness check
test: check-generated vet
	THEREFOREBRIDGE_REQUIRE_INTEROP=1 $(GO) test -count=1 ./...

## interop: only the real SOAP clients (testdata/interop/), failing when a stack is missing
interop: ; THEREFOREBRIDGE_REQUIRE_INTEROP=1 $(GO) test -count=1 -run . ./bridge/interop

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
