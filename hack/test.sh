#!/usr/bin/env bash
# Runs every test: unit tests and the tests against a real kube-apiserver + etcd.
# The control plane binaries come from KUBEBUILDER_ASSETS, or are built once by
# hack/kube-assets.sh (cached outside the repo).
set -euo pipefail
cd "$(dirname "$0")/.."
KUBEBUILDER_ASSETS="$(bash hack/kube-assets.sh | tail -n 1)"
export KUBEBUILDER_ASSETS
echo "[test] control plane binaries: $KUBEBUILDER_ASSETS"
# Build every product first: a test runs the `airlock` executable itself.
swift build --build-tests
swift test --skip-build "$@"
# The README's first command, as CI runs it: the whole demo, clicking for you (bounded).
if [[ $# -eq 0 ]]; then
  echo "[test] hack/run.sh --scripted"
  timeout 300 bash hack/run.sh --scripted
fi
