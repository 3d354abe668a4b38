#!/usr/bin/env bash
# Benchmarks against a local real kube-apiserver + etcd (release builds); prints figures.
#   hack/bench.sh                       Airlock as shipped, beside the floor (see docs/performance.md)
#   hack/bench.sh shipped --workloads sequential --count 300
#   hack/bench.sh lifecycle|client|runtime ...   the in-process benchmarks
#   hack/bench.sh cli                   airlock request --wait to the credential file; airlock mcp start-up and RSS
# Run it on a quiet machine: the figures are only comparable within one run.
set -euo pipefail
cd "$(dirname "$0")/.."
KUBEBUILDER_ASSETS="$(bash hack/kube-assets.sh | tail -n 1)"
export KUBEBUILDER_ASSETS
# As the Dockerfile ships it (the bench built alike, so the two share one build).
bin=$(bash hack/release-build.sh airlock airlock-bench | tail -n 1)
if [[ $# -gt 0 ]]; then exec "$bin/airlock-bench" "$@"; fi
exec "$bin/airlock-bench" shipped --binary "$bin/airlock"
