#!/usr/bin/env bash
# Runs Airlock: against the configured cluster (--kubeconfig, $KUBECONFIG, or in a pod), or
# else a local demo environment (a real kube-apiserver + etcd on loopback).
set -euo pipefail
cd "$(dirname "$0")/.."
configured=false
for arg in "$@"; do [[ "$arg" == --kubeconfig* ]] && configured=true; done
[[ -n "${KUBECONFIG:-}" || -n "${KUBERNETES_SERVICE_HOST:-}" ]] && configured=true
if [[ "$configured" == false ]]; then
  KUBEBUILDER_ASSETS="$(bash hack/kube-assets.sh | tail -n 1)"
  export KUBEBUILDER_ASSETS
fi
swift build --product airlock >&2
exec .build/debug/airlock "$@"
