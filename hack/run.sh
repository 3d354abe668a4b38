#!/usr/bin/env bash
# Runs Airlock: against the configured cluster (--kubeconfig, $KUBECONFIG, or in a pod), or
# else the local demo: a real kube-apiserver + etcd on loopback, Airlock, and the approval
# inbox (a web page standing in for Slack) where you approve an agent's request with a click.
#
#   hack/run.sh              # the demo; waits for your click in the inbox
#   hack/run.sh --scripted   # the demo, clicking for you; exits at the end (CI)
#   hack/run.sh --kubeconfig ~/.kube/config   # the controller against that cluster
set -euo pipefail
# The demo measures its timings from here (so they include building and starting).
AIRLOCK_DEMO_STARTED_AT="$(date +%s.%N)"
export AIRLOCK_DEMO_STARTED_AT
cd "$(dirname "$0")/.."
configured=false
for arg in "$@"; do [[ "$arg" == --kubeconfig* ]] && configured=true; done
[[ -n "${KUBECONFIG:-}" || -n "${KUBERNETES_SERVICE_HOST:-}" ]] && configured=true
if [[ "$configured" == false ]]; then
  KUBEBUILDER_ASSETS="$(bash hack/kube-assets.sh | tail -n 1)"
  export KUBEBUILDER_ASSETS
fi
# SwiftPM takes 10-20 s even when nothing changed: build only when a source is newer.
binary=.build/debug/airlock
if [[ ! -x "$binary" || -n "$(find Sources Package.swift Package.resolved -newer "$binary" -print -quit 2>/dev/null)" ]]; then
  swift build --product airlock >&2
fi
exec "$binary" "$@"
