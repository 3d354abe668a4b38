#!/usr/bin/env bash
# Installs the `airlock` binary as the kubectl plugin `kubectl-airlock` (a symlink), so that
# `kubectl airlock request ...` works. The binary acts as the plugin when started under that name.
#   hack/install-kubectl-plugin.sh [AIRLOCK_BINARY] [DIRECTORY_ON_PATH]
# Defaults: `airlock` on PATH (else hack/release-build.sh's .build/shipped/release/airlock, else
# .build/release/airlock, else .build/debug/airlock), ~/.local/bin.
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-}"
if [[ -z "$binary" ]]; then
  for candidate in "$(command -v airlock || true)" .build/shipped/release/airlock .build/release/airlock \
    .build/debug/airlock; do
    if [[ -n "$candidate" && -x "$candidate" ]]; then binary="$candidate"; break; fi
  done
fi
if [[ -z "$binary" || ! -x "$binary" ]]; then
  echo "no airlock binary found: build it (hack/release-build.sh) or pass its path" >&2
  exit 1
fi
binary="$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")"
directory="${2:-$HOME/.local/bin}"
mkdir -p "$directory"
ln -sf "$binary" "$directory/kubectl-airlock"
echo "installed $directory/kubectl-airlock -> $binary"
case ":$PATH:" in
  *":$directory:"*) ;;
  *) echo "add $directory to PATH so kubectl finds the plugin" >&2 ;;
esac
"$directory/kubectl-airlock" --help | head -n 3
