#!/usr/bin/env bash
# The release build as shipped (the Dockerfile, hack/bench.sh): the Swift runtime linked in
# statically, and every function in a section of its own, so that the linker can lay out the
# code the controller runs together (Package.swift: hack/airlock.order, which
# hack/order-file.sh regenerates). Prints the directory of the binaries last.
#   hack/release-build.sh [PRODUCT ...]     default: airlock
# A scratch directory of its own: SwiftPM does not recompile what it built without these flags.
set -euo pipefail
cd "$(dirname "$0")/.."
products=("$@")
[[ ${#products[@]} -gt 0 ]] || products=(airlock)
flags=(-c release --scratch-path .build/shipped --static-swift-stdlib -Xswiftc -Xfrontend -Xswiftc -function-sections)
for product in "${products[@]}"; do
  swift build "${flags[@]}" --product "$product" >&2
done
swift build "${flags[@]}" --show-bin-path
