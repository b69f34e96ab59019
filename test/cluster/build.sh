#!/usr/bin/env bash
# Builds (once per version) the control-plane binaries the e2e tests and the demo use:
# etcd, kube-apiserver, kubectl and kwok, from the pinned Go consumer modules beside this
# script, into a cache directory outside the work tree. Later runs reuse the binaries.
#
#   test/cluster/build.sh            build what is missing, print the asset directory
#   OMNIA_AUTH_TESTBIN=/dir ...      cache directory (default: ~/.cache/omnia-auth-testbin)
#
# Prebuilt binaries (envtest style) skip the build: KUBEBUILDER_ASSETS=<dir with etcd,
# kube-apiserver, kubectl> or TEST_ASSET_ETCD / TEST_ASSET_KUBE_APISERVER / TEST_ASSET_KUBECTL
# / TEST_ASSET_KWOK. The harness reads those itself; this script only builds what they lack.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${OMNIA_AUTH_TESTBIN:-${XDG_CACHE_HOME:-$HOME/.cache}/omnia-auth-testbin}

modver() { # go.mod file, module path: the required version (block or single-line require)
  sed -nE "s#^[[:space:]]*(require[[:space:]]+)?$2[[:space:]]+(v[^[:space:]]+).*#\2#p" "$1" | head -1
}
k8s_version=$(modver "$here/kube/go.mod" k8s.io/kubernetes)
etcd_version=$(modver "$here/etcd/go.mod" go.etcd.io/etcd/server/v3)
kwok_version=$(modver "$here/kwok/go.mod" sigs.k8s.io/kwok)
krew_version=$(modver "$here/krew/go.mod" sigs.k8s.io/krew)
istio_version=$(modver "$here/istio/go.mod" istio.io/api)
for v in "$k8s_version" "$etcd_version" "$kwok_version" "$istio_version" "$krew_version"; do
  [ -n "$v" ] || { echo "build.sh: cannot read a pinned version from test/cluster/*/go.mod" >&2; exit 1; }
done
dir="$cache/k8s-$k8s_version-etcd-$etcd_version-kwok-$kwok_version-istio-$istio_version"
mkdir -p "$dir"

need() { # name, env var that overrides it
  local name=$1 var=$2
  [ -n "${!var:-}" ] && return 1
  [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/$name" ] && return 1
  [ -x "$dir/$name" ] && return 1
  return 0
}

if ! command -v go >/dev/null 2>&1; then
  if need etcd TEST_ASSET_ETCD || need kube-apiserver TEST_ASSET_KUBE_APISERVER || need kubectl TEST_ASSET_KUBECTL || need kwok TEST_ASSET_KWOK; then
    echo "build.sh: Go is not installed and prebuilt binaries are missing." >&2
    echo "  Install Go >= 1.26, or set KUBEBUILDER_ASSETS to a directory holding etcd, kube-apiserver, kubectl," >&2
    echo "  plus TEST_ASSET_KWOK=<kwok> and OMNIA_AUTH_TESTDATA=<dir with istio-crds.yaml and kwok/{stage,crd}>." >&2
    exit 1
  fi
fi

export CGO_ENABLED=0
build() { # module dir, package, output name, extra ldflags
  local mod=$1 pkg=$2 out=$3 ld=${4:-}
  local t0=$SECONDS
  echo "build.sh: building $out ($pkg) ..." >&2
  (cd "$here/$mod" && go build -trimpath -ldflags "-s -w $ld" -o "$dir/$out.tmp" "$pkg")
  mv "$dir/$out.tmp" "$dir/$out"
  echo "build.sh: built $out in $((SECONDS - t0)) s" >&2
}

minor=$(echo "$k8s_version" | cut -d. -f2)
vld=""
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  vld="$vld -X $p.gitVersion=$k8s_version -X $p.gitMajor=1 -X $p.gitMinor=$minor -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
done

if need etcd TEST_ASSET_ETCD; then build etcd go.etcd.io/etcd/server/v3 etcd; fi
if need kube-apiserver TEST_ASSET_KUBE_APISERVER; then build kube k8s.io/kubernetes/cmd/kube-apiserver kube-apiserver "$vld"; fi
if need kubectl TEST_ASSET_KUBECTL; then build kube k8s.io/kubernetes/cmd/kubectl kubectl "$vld"; fi
if need kwok TEST_ASSET_KWOK; then build kwok sigs.k8s.io/kwok/cmd/kwok kwok; fi
# krew (tests of the plugin manifest); its own version in the name, so the other binaries stay cached
if [ ! -x "$dir/krew-$krew_version" ] && command -v go >/dev/null 2>&1; then build krew sigs.k8s.io/krew/cmd/krew "krew-$krew_version"; fi

# Data files taken from the pinned modules (never committed): Istio CRDs, kwok stages and CRDs.
data="$dir/data"
if [ ! -f "$data/.complete" ]; then
  mkdir -p "$data"
  istio_dir=$(cd "$here/istio" && go mod download -json istio.io/api | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
  kwok_dir=$(cd "$here/kwok" && go mod download -json sigs.k8s.io/kwok | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')
  cp "$istio_dir/kubernetes/customresourcedefinitions.gen.yaml" "$data/istio-crds.yaml"
  rm -rf "$data/kwok"; mkdir -p "$data/kwok"
  cp -r "$kwok_dir/kustomize/stage" "$data/kwok/stage"
  cp -r "$kwok_dir/kustomize/crd" "$data/kwok/crd"
  chmod -R u+w "$data"
  touch "$data/.complete"
fi
echo "$dir"
