#!/usr/bin/env bash
# Issue 4's numbers, Vigil and its peers interleaved round by round on the
# same 1,000,000-frame mix, one core each, so that a shared machine's drift
# hits them alike: suricata (-r, single runmode, empty rules), tshark
# (-q -z conv,ip), a bare gopacket pass (the issue's yardstick of the
# machine: it measured 3.7 M pkt/s where it asks 2 M of Vigil), Vigil's
# read + every dissector, and Vigil's whole offline pipeline (dissectors,
# identity resolution, flow aggregation). Prints packets per CPU-second
# and the ratios per round.
#
#   scripts/bench-peers.sh [ROUNDS]   (default 4; needs tshark and suricata)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-4}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pgo=-pgo=$PWD/cmd/vigil/default.pgo # the profile the vigil binary is built with
go test -c $pgo -o "$dir/dissect.test" ./internal/dissect
go test -c $pgo -o "$dir/sensor.test" ./internal/sensor
metric() { awk -v m="$1" '{for (i = 2; i <= NF; i++) if ($i == m) v = $(i-1)} END {print v}'; }
run() { local bin=$1 bench=$2 times=$3; GOMAXPROCS=1 "$dir/$bin" -test.run '^$' -test.bench "$bench" -test.benchtime "$times" -test.cpu 1 -test.timeout 30m | metric pkt/cpu-s; }
printf '%-6s %10s %10s %10s %12s %12s %10s %10s %10s\n' round suricata tshark gopacket read+decode pipeline 'pipe/suri' 'pipe/tsh' 'pipe/gopk'
for i in $(seq 1 "$rounds"); do
  s=$(run dissect.test 'BenchmarkPeers/suricata' 1x)
  t=$(run dissect.test 'BenchmarkPeers/tshark' 1x)
  g=$(run dissect.test 'BenchmarkPeers/gopacket' 2x)
  d=$(run dissect.test 'BenchmarkReadDecode$' 2x)
  p=$(run sensor.test 'BenchmarkPipelineMix$' 2x)
  printf '%-6s %10.0f %10.0f %10.0f %12.0f %12.0f %9.1fx %9.1fx %9.2fx\n' "$i" "$s" "$t" "$g" "$d" "$p" "$(echo "$p / $s" | bc -l)" "$(echo "$p / $t" | bc -l)" "$(echo "$p / $g" | bc -l)"
done
