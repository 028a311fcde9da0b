#!/usr/bin/env bash
# Instructions per frame of the whole offline pipeline: one
# BenchmarkPipelineMix run (the 1,000,000-frame mix: read, every
# dissector, identity resolution, flow aggregation, the batches) under
# valgrind's cachegrind, built as `go build ./cmd/vigil` builds (with
# cmd/vigil/default.pgo). Unlike packets per second, the count does not
# drift with a shared machine's load, so it tells a change's effect in one
# run. About 90 of the instructions per frame are the run's one-time setup.
#
#   scripts/bench-instructions.sh [-pgo=off]   (needs valgrind)
#
# With CG_OUT=FILE it keeps cachegrind's output for cg_annotate.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install -y valgrind)" >&2; exit 1; }
pgo=${1:--pgo=$PWD/cmd/vigil/default.pgo}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go test -c "$pgo" -o "$dir/sensor.test" ./internal/sensor
out=${CG_OUT:-$dir/cachegrind.out}
# valgrind 3.19 does not know RDTSCP, which the Go runtime uses for
# cputicks when the CPU has it: the run would die of SIGILL part-way.
log=$dir/valgrind.log
(cd internal/sensor && GODEBUG=cpu.rdtscp=off GOMAXPROCS=1 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file="$out" \
  "$dir/sensor.test" -test.run '^$' -test.bench 'PipelineMix$' -test.benchtime 1x -test.cpu 1 >"$log" 2>&1) || true
if ! grep -q '^PASS' "$log"; then
  echo "the benchmark did not finish under valgrind:" >&2
  grep -v '^--' "$log" | tail -20 >&2
  exit 1
fi
awk '/I +refs/ {gsub(",", "", $4); printf "%.0f instructions per frame (%s)\n", $4 / 1e6, "'"$pgo"'"}' "$log"
