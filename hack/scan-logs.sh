#!/usr/bin/env bash
# Fails when test output (the files given) shows a credential: a finding of the
# in-process log sweep ("[log sweep] FOUND"), or the shape of a Slack token, a JWT, a PEM
# private key, kubeconfig key data or a Standard Webhooks secret. Prints where, never what.
set -euo pipefail
patterns='\[log sweep\] FOUND|xox[abposr]-[A-Za-z0-9-]{6,}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|client-key-data|whsec_[A-Za-z0-9+/=]{8,}'
if matches=$(grep -nE "$patterns" "$@"); then
    echo "[scan-logs] credentials in the test output, at (file:)line:" >&2
    # Only the locations: the lines themselves hold what must not be shown.
    echo "$matches" | sed -E 's/^(([^:]*:)?[0-9]+):.*/\1/' | head -n 50 >&2
    exit 1
fi
sweep=$(grep -hE '^\[log sweep\] [0-9]+ log lines' "$@" || true)
if [ -n "$sweep" ]; then echo "[scan-logs] $sweep"; fi
echo "[scan-logs] no credentials in the test output"
