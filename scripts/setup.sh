#!/usr/bin/env bash
# Installs everything a fresh machine needs to build and test hami. Idempotent:
# a second run only checks and prints "ok" lines. Caches live under ~/.cache/hami.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cache="${HAMI_CACHE:-$HOME/.cache/hami}"
mkdir -p "$cache"

step() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# --- Debian packages -------------------------------------------------------
packages=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates unzip python3-pip
  clang libclang-rt-14-dev llvm            # fuzzing (libFuzzer) and sanitizers
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc  # device plugin
  libssl-dev libcurl4-openssl-dev libcpp-httplib-dev                      # TLS, HTTP
  nlohmann-json3-dev libyaml-cpp-dev libcli11-dev                         # JSON, YAML, CLI
  libgtest-dev libgmock-dev libbenchmark-dev                              # tests, benchmarks
  ccache valgrind prometheus                                                     # callgrind, promtool
  openssl iproute2 procps psmisc
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  step "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  step "Debian packages: ok"
fi

# --- CUDA driver API and NVML headers (pinned NVIDIA wheels from PyPI) -------
cuda_runtime_wheel="nvidia-cuda-runtime-cu12==12.9.79"   # carries cuda.h, cudaTypedefs.h
nvml_wheel="nvidia-nvml-dev-cu12==12.9.79"                # carries nvml.h
headers="$cache/cuda-headers"
if [[ -f "$headers/cuda.h" && -f "$headers/nvml.h" && -f "$headers/.pinned-12.9.79" ]]; then
  step "CUDA/NVML headers: ok ($headers)"
else
  step "fetching CUDA/NVML headers ($cuda_runtime_wheel, $nvml_wheel)"
  tmp="$(mktemp -d)"
  python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" \
    "$cuda_runtime_wheel" "$nvml_wheel"
  rm -rf "$headers" && mkdir -p "$headers"
  for w in "$tmp"/*.whl; do
    unzip -q -o "$w" 'nvidia/*/include/*' -d "$tmp/x"
  done
  cp -r "$tmp"/x/nvidia/cuda_runtime/include/. "$headers/"
  cp "$tmp"/x/nvidia/nvml_dev/include/nvml.h "$headers/"
  touch "$headers/.pinned-12.9.79"
  rm -rf "$tmp"
fi

# --- Upstream Kubernetes binaries, etcd and helm (built with Go, cached) ----
if [[ "${HAMI_SKIP_K8S:-0}" != 1 && -x "$repo/tests/cluster/build-binaries.sh" ]]; then
  "$repo/tests/cluster/build-binaries.sh"
fi
[[ "${HAMI_SKIP_K8S:-0}" != 1 ]] && "$repo/tests/helm/build-helm.sh" >/dev/null  # helm for the chart tests
step "done"
