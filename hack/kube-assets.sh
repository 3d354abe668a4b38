#!/usr/bin/env bash
# Provides a real kube-apiserver + etcd for Airlock's tests and demo.
#
# Prints the directory holding `kube-apiserver`, `etcd` and `kubectl` on its last line.
#  - If KUBEBUILDER_ASSETS names a directory with both binaries, that is used as is.
#  - Otherwise kube-apiserver and kubectl v1.20.2 are built once from Debian's `kubernetes` source
#    package (see shared/REFERENCE.md) and etcd comes from Debian's `etcd-server`; both are
#    cached in $AIRLOCK_ASSETS_DIR (default ~/.cache/airlock/kube-assets). Re-running is cheap.
set -euo pipefail

log() { printf '[kube-assets] %s\n' "$*" >&2; }

if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
  if [[ -x "$KUBEBUILDER_ASSETS/kube-apiserver" && -x "$KUBEBUILDER_ASSETS/etcd" ]]; then
    log "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
    echo "$KUBEBUILDER_ASSETS"
    exit 0
  fi
  log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS lacks kube-apiserver or etcd; building our own"
fi

assets="${AIRLOCK_ASSETS_DIR:-$HOME/.cache/airlock/kube-assets}"
# What the cached kube-apiserver was built with; change it when the source patches change, so
# older caches are rebuilt.
build_stamp="v1.20.2 reflect2-1.0.2 openapi-zero-values"
if [[ -x "$assets/kube-apiserver" && -x "$assets/etcd" && -x "$assets/kubectl" && "$(cat "$assets/BUILD" 2>/dev/null)" == "$build_stamp" ]]; then
  log "cached in $assets"
  echo "$assets"
  exit 0
fi
mkdir -p "$assets"

sudo_if_needed() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

log "step 1/5: Debian packages (etcd-server, golang-1.19-go, rsync, reflect2, dpkg-dev)"
if [[ ! -f /etc/apt/sources.list.d/debian-src.sources ]]; then
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
    | sudo_if_needed tee /etc/apt/sources.list.d/debian-src.sources >/dev/null
fi
sudo_if_needed apt-get update -qq
sudo_if_needed apt-get install -y -qq --no-install-recommends \
  etcd-server golang-1.19-go rsync golang-github-modern-go-reflect2-dev dpkg-dev make >/dev/null

etcd_bin=$(command -v etcd || true)
[[ -n "$etcd_bin" ]] || etcd_bin=/usr/bin/etcd
cp "$etcd_bin" "$assets/etcd.tmp" && mv "$assets/etcd.tmp" "$assets/etcd"
# Debian enables etcd as a system service; the tests start their own.
(systemctl disable --now etcd >/dev/null 2>&1 || true)

work="${AIRLOCK_ASSETS_WORK:-$HOME/.cache/airlock/kube-build}"
mkdir -p "$work"
cd "$work"
log "step 2/5: source package kubernetes (34 MB) into $work"
if ! ls kubernetes_*.orig.tar.gz >/dev/null 2>&1; then
  apt-get source --download-only kubernetes >/dev/null
fi
tarball=$(ls kubernetes_*.orig.tar.gz | head -n1)

gopath="$work/gopath"
src="$gopath/src/k8s.io/kubernetes"
if [[ ! -f "$src/Makefile" ]]; then
  log "step 3/5: unpacking $tarball"
  rm -rf "$work/tree" && mkdir -p "$work/tree"
  tar -xzf "$tarball" -C "$work/tree" --strip-components=1
  log "replacing vendored modern-go/reflect2 with Debian's 1.0.2 (1.0.1 breaks on Go >= 1.18)"
  r2=$work/tree/vendor/github.com/modern-go/reflect2
  find "$r2" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' \) -delete
  cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.go "$r2"/
  cp /usr/share/gocode/src/github.com/modern-go/reflect2/*.s "$r2"/ 2>/dev/null || true
  rm -f "$r2"/*_test.go
  mkdir -p "$(dirname "$src")"
  ln -sfn "$work/tree" "$src"
fi

# v1.20.2 predates Go 1.16, whose reflect.Zero change makes its vendored OpenAPI validator
# reject every zero value in a custom resource ("" , 0, false: "must be of type string:
# \"null\""; kubernetes#99804). Apply the upstream fix (kube-openapi#230). Idempotent.
log "patching the OpenAPI validator's zero-value check (kubernetes#99804)"
for f in "$work/tree/vendor/k8s.io/kube-openapi/pkg/validation/validate/type.go" \
  "$work/tree/vendor/github.com/go-openapi/validate/type.go"; do
  sed -i 's/if data == nil || reflect.DeepEqual(reflect.Zero(reflect.TypeOf(data)), reflect.ValueOf(data)) {/if data == nil {/' "$f"
  if grep -q 'reflect.DeepEqual(reflect.Zero(reflect.TypeOf(data))' "$f"; then log "patch failed: $f"; exit 1; fi
done

log "step 4/5: make WHAT='cmd/kube-apiserver cmd/kubectl' (about 6 minutes on 2 cores)"
cd "$src"
export GOPATH="$gopath" GO111MODULE=off CGO_ENABLED=0 GOFLAGS=
export PATH="/usr/lib/go-1.19/bin:$PATH"
export GOCACHE="$work/gocache"
make WHAT="cmd/kube-apiserver cmd/kubectl" >"$work/make.log" 2>&1 || { tail -n 40 "$work/make.log" >&2; exit 1; }

log "step 5/5: caching binaries in $assets"
cp _output/bin/kube-apiserver "$assets/kube-apiserver.tmp" && mv "$assets/kube-apiserver.tmp" "$assets/kube-apiserver"
# kubectl (with its kustomize v2.0.3) for the manifest tests: `kubectl apply -k --dry-run=server`.
cp _output/bin/kubectl "$assets/kubectl.tmp" && mv "$assets/kubectl.tmp" "$assets/kubectl"
echo "$build_stamp" >"$assets/BUILD"
log "done"
echo "$assets"
