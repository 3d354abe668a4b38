#!/usr/bin/env bash
# Regenerates hack/airlock.order (see hack/release-build.sh): runs the release controller
# under callgrind through the shipped benchmark's (b) workload (100 lifecycles), with one
# profile up to ready and one for the load, and orders the functions each ran.
# Needs valgrind (Debian: apt-get install valgrind). Rerun it after large changes: names
# that are gone are skipped, new code is placed after the ordered code.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "order-file: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
KUBEBUILDER_ASSETS="$(bash hack/kube-assets.sh | tail -n 1)"
export KUBEBUILDER_ASSETS
bin=$(bash hack/release-build.sh airlock airlock-bench | tail -n 1)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# valgrind 3.19 cannot read the DWARF 5 in the binary; the symbol table is enough.
objcopy --strip-debug "$bin/airlock" "$work/airlock"
cat >"$work/controller" <<SCRIPT
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file=$work/profile --dump-instr=no "$work/airlock" "\$@"
SCRIPT
chmod +x "$work/controller"
"$bin/airlock-bench" shipped --binary "$work/controller" --workloads sequential --count 100 \
  >"$work/bench.log" 2>&1 &
bench=$!
until grep -q "controller ready" "$work/bench.log"; do
  kill -0 "$bench" 2>/dev/null || { cat "$work/bench.log" >&2; exit 1; }
  sleep 0.5
done
controller=$(grep -o "controller pid [0-9]*" "$work/bench.log" | head -n 1 | awk '{print $3}')
callgrind_control --dump=ready "$controller" >/dev/null   # writes profile.1, then counts afresh
wait "$bench"
python3 hack/order-file.py "$work/airlock" "$work/profile.1" "$work/profile" >hack/airlock.order
# The order file is no input SwiftPM tracks: remove the binary so that the next build links it anew.
rm -f "$bin/airlock"
