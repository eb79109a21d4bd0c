#!/usr/bin/env bash
# Builds the upstream control plane used by the end-to-end tests from the Go
# module proxy: kube-apiserver, kube-scheduler, kubectl (Kubernetes v1.36.3,
# wrapper module k8sbin/) and etcd (v3.6.16, wrapper module etcdbin/).
# Idempotent: a binary whose --version already matches is kept, so a second
# run takes about a second. The Go module and build caches live in the usual
# places ($(go env GOMODCACHE), $(go env GOCACHE)); CI caches them with the
# output folder.
#   HAMI_K8S_BIN_DIR   output folder (default ~/.cache/hami/k8s-v1.36.3)
#   HAMI_BUILD_JOBS    go build -p (default: number of CPUs)
set -euo pipefail

K8S_VERSION=v1.36.3
ETCD_VERSION=v3.6.16
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${HAMI_K8S_BIN_DIR:-$HOME/.cache/hami/k8s-${K8S_VERSION}}"
jobs="${HAMI_BUILD_JOBS:-$(nproc)}"
export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--buildvcs=false}"
mkdir -p "$dest"

step() { printf '[build-binaries %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

have() {  # have <binary> <expected version text>
  local flag=--version
  [[ "$1" == kubectl ]] && flag="version --client"
  # shellcheck disable=SC2086
  [[ -x "$dest/$1" ]] && "$dest/$1" $flag 2>/dev/null | grep -q -- "$2"
}

# Runs a command, printing a heartbeat every 30 s so CI logs show progress.
with_heartbeat() {
  local label="$1"; shift
  local start=$SECONDS
  "$@" &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -0 "$pid" 2>/dev/null && step "$label: still building ($((SECONDS - start)) s)"
  done
  wait "$pid"
  step "$label: done in $((SECONDS - start)) s"
}

command -v go >/dev/null || { echo "build-binaries: go not found (scripts/setup.sh installs it)" >&2; exit 1; }

k8s_missing=()
have kube-apiserver "Kubernetes ${K8S_VERSION}" || k8s_missing+=(kube-apiserver)
have kube-scheduler "Kubernetes ${K8S_VERSION}" || k8s_missing+=(kube-scheduler)
have kubectl "${K8S_VERSION}" || k8s_missing+=(kubectl)
if ((${#k8s_missing[@]})); then
  step "building ${k8s_missing[*]} ${K8S_VERSION} into $dest (first build takes several minutes)"
  pkgs=()
  for b in "${k8s_missing[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
  minor="${K8S_VERSION#v1.}"; minor="${minor%%.*}"
  vpkg=k8s.io/component-base/version
  ldflags="-s -w -X ${vpkg}.gitVersion=${K8S_VERSION} -X ${vpkg}.gitMajor=1 -X ${vpkg}.gitMinor=${minor}"
  ldflags+=" -X ${vpkg}.gitTreeState=clean -X ${vpkg}/verflag.programName=kubernetes"
  (cd "$here/k8sbin" && with_heartbeat "kubernetes" \
     go build -p "$jobs" -trimpath -ldflags "$ldflags" -o "$dest/" "${pkgs[@]}")
else
  step "kube-apiserver, kube-scheduler, kubectl ${K8S_VERSION}: cached in $dest"
fi

if ! have etcd "etcd Version: ${ETCD_VERSION#v}"; then
  step "building etcd ${ETCD_VERSION} into $dest"
  (cd "$here/etcdbin" && with_heartbeat "etcd" \
     go build -p "$jobs" -trimpath -ldflags "-s -w" -o "$dest/etcd" go.etcd.io/etcd/server/v3)
else
  step "etcd ${ETCD_VERSION}: cached in $dest"
fi

for b in etcd kube-apiserver kube-scheduler kubectl; do
  [[ -x "$dest/$b" ]] || { echo "build-binaries: $dest/$b missing after build" >&2; exit 1; }
done
step "control-plane binaries ready in $dest"
