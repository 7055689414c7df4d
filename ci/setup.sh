#!/usr/bin/env bash
# Set up this checkout on a fresh machine that has python3 (3.10+) and git.
#
#   bash ci/setup.sh          the main job: .venv/ (git-ignored) with gen-values and its runtime
#                             dependencies (ci/lock/run.txt), and the pinned Helm 4 as .venv/bin/helm
#                             (ci/get_helm.py). About 90 MB; nothing outside the checkout.
#   bash ci/setup.sh --test   and everything the tests need: the test tools (ci/lock/test.txt),
#                             Helm 3 as .venv/bin/helm3, kubectl (cluster tests), checkov
#                             (tools/checkov, ci/lock/checkov.txt) and Debian's docker-registry, a real
#                             OCI registry the release tests run on 127.0.0.1, unpacked into
#                             tools/registry with `apt-get download` + `dpkg -x`: nothing is installed
#                             on the machine, and no service is started, enabled or configured.
#
# Versions come from the locks and pins only, never from what the machine has. Progress goes
# to stderr: stdout stays free for the command that follows `&&`.
set -euo pipefail
exec 1>&2
cd "$(dirname "$0")/.."
say() { printf 'ci/setup.sh: %s\n' "$*"; }
mode=main
case "${1:-}" in
  "") ;;
  --test) mode=test ;;
  *) say "usage: bash ci/setup.sh [--test]"; exit 2 ;;
esac

python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
  || { say "needs Python 3.10 or newer; python3 is $(python3 --version 2>&1)"; exit 1; }

# A lock change is installed again; an unchanged one costs a hash comparison.
install_locked() {  # venv lock [extra pip args...]
  local venv=$1 lock=$2 stamp="$1/.installed-lock"; shift 2
  local inputs=("$lock"); [ $# -eq 0 ] || inputs+=(pyproject.toml)  # the project's own install reads pyproject
  local want; want="$(sha256sum "${inputs[@]}" | sha256sum | cut -c1-64)"
  if [ ! -x "$venv/bin/python" ]; then
    say "creating $venv"
    python3 -m venv "$venv" || { say "python3 cannot create a virtualenv: install python3-venv (Debian/Ubuntu)"; exit 1; }
  fi
  [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
  say "installing $lock into $venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --require-virtualenv -r "$lock"
  "$venv/bin/python" -m pip check >/dev/null || { "$venv/bin/python" -m pip check; exit 1; }
  [ $# -eq 0 ] || "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-virtualenv "$@"
  echo "$want" >"$stamp"
}

# Debian's docker-registry, unpacked into tools/registry (a static program: libc only).
get_registry() {
  local binary=tools/registry/usr/bin/docker-registry
  [ -x "$binary" ] && return 0
  command -v apt-get >/dev/null && command -v dpkg >/dev/null \
    || { say "NOT fetched: Debian's docker-registry (needs apt-get and dpkg); the OCI release test fails saying so"; return 0; }
  local tmp; tmp=$(mktemp -d)
  say "fetching Debian's docker-registry into tools/registry (unpacked, not installed; the tests run it on 127.0.0.1)"
  if ! (cd "$tmp" && apt-get download -q docker-registry >/dev/null 2>&1); then
    if [ "$(id -u)" -eq 0 ]; then  # the package lists may be missing on a new machine: read them, install nothing
      apt-get update -q >/dev/null && (cd "$tmp" && apt-get download -q docker-registry >/dev/null)
    else
      say "NOT fetched: apt-get download docker-registry failed (run apt-get update as root once); the OCI release test fails saying so"
      rm -rf "$tmp"; return 0
    fi
  fi
  mkdir -p tools/registry && dpkg -x "$tmp"/docker-registry_*.deb tools/registry
  rm -rf "$tmp"
}

if [ "$mode" = main ]; then
  install_locked .venv ci/lock/run.txt --no-deps --no-build-isolation -e .
  .venv/bin/python ci/get_helm.py --venv .venv --main-job
  say "ready: .venv/bin/gen-values, .venv/bin/helm (4.3)"
  exit 0
fi
install_locked .venv ci/lock/test.txt --no-deps --no-build-isolation -e .
.venv/bin/python ci/get_helm.py --venv .venv
install_locked tools/checkov ci/lock/checkov.txt
get_registry
command -v gpg >/dev/null || say "NOT found: gpg (Debian/Ubuntu: gnupg); the chart-signing test fails saying so"
say "ready: .venv/bin/gen-values, .venv/bin/helm (4.3), .venv/bin/helm3 (3.19), .venv/bin/kubectl, the test tools"
