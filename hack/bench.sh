#!/usr/bin/env bash
# Benchmarks against a local real kube-apiserver + etcd (release build); prints figures.
#   hack/bench.sh                 all of them
#   hack/bench.sh lifecycle --burst 1000 --credential Ephemeral
#   hack/bench.sh cli            airlock request --wait to the credential file; airlock mcp start-up and RSS
set -euo pipefail
cd "$(dirname "$0")/.."
KUBEBUILDER_ASSETS="$(bash hack/kube-assets.sh | tail -n 1)"
export KUBEBUILDER_ASSETS
swift build -c release --product airlock-bench >&2
# `cli` and `shipped` run the airlock binary itself as processes.
case "${1:-}" in cli | shipped) swift build -c release --product airlock >&2 ;; esac
bench=.build/release/airlock-bench
if [[ $# -gt 0 ]]; then exec "$bench" "$@"; fi
"$bench" client
"$bench" runtime --objects 1000
"$bench" runtime --objects 10000
"$bench" lifecycle --burst 1000
