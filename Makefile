# Vigil's developer tasks. `make test` is the one test command (README, CI).
GO ?= go
PKGS := ./...

.PHONY: all build test lint fuzz-smoke fuzz bench bench-peers bench-instr pgo demo

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/vigil ./cmd/vigil

## test: the whole suite, with the race detector, against SQLite and PostgreSQL
test:
	$(GO) vet $(PKGS)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) test -race -count=1 -timeout 20m $(PKGS)

lint:
	$(GO) vet $(PKGS)
	gofmt -l .

## fuzz-smoke: run every fuzz target for a few seconds
fuzz-smoke:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for fz in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$fz"; $(GO) test -run '^$$' -fuzz "^$$fz$$" -fuzztime 5s $$pkg || exit 1; \
	  done; \
	done

## fuzz: run every fuzz target for FUZZTIME each (default 30s)
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for fz in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$fz"; $(GO) test -run '^$$' -fuzz "^$$fz$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

## bench: the performance targets of BENCHMARKS.md
# Benchmarks build with the profile `go build ./cmd/vigil` optimises by
# (PGO), so they measure the code the binary runs.
PGO := -pgo=$(CURDIR)/cmd/vigil/default.pgo
bench:
	$(GO) test $(PGO) -run '^$$' -bench . -benchtime 3x -count 1 -timeout 60m ./internal/cli/ ./internal/importer/... ./internal/intel/...
	# capture, dissection and the sensor on one core (the live replay needs root)
	$(GO) test $(PGO) -run '^$$' -bench . -benchtime 3x -count 1 -cpu 1 -timeout 60m ./internal/dissect/ ./internal/sensor/

## bench-instr: instructions per frame of the offline pipeline (cachegrind; needs valgrind)
bench-instr:
	scripts/bench-instructions.sh

## pgo: rebuild cmd/vigil/default.pgo, the CPU profile of offline discovery
## (read, every dissector, identity resolution, flow aggregation) that the
## Go compiler uses to optimise the hot paths of every build of vigil
pgo:
	@tmp=$$(mktemp -d) && trap 'rm -rf '$$tmp EXIT && \
	$(GO) test -pgo=off -run '^$$' -bench 'PipelineMix$$' -benchtime 8x -cpu 1 -o $$tmp/sensor.test -cpuprofile $$tmp/cpu.prof ./internal/sensor/ && \
	$(GO) tool pprof -proto $$tmp/sensor.test $$tmp/cpu.prof > cmd/vigil/default.pgo 2>/dev/null && \
	ls -l cmd/vigil/default.pgo

## bench-peers: issue 4's figures, Vigil interleaved with tshark, suricata and gopacket
ROUNDS ?= 4
bench-peers:
	scripts/bench-peers.sh $(ROUNDS)

demo:
	$(GO) run ./cmd/vigil demo
