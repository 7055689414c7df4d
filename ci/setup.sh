#!/usr/bin/env bash
# Set up this checkout on a fresh machine that has python3 (3.10+) and git.
#
#   bash ci/setup.sh          the main job: .venv/ (git-ignored) with gen-values and its runtime
#                             dependencies (ci/lock/run.txt), and the pinned Helm 4 as .venv/bin/helm
#                             (ci/get_helm.py). About 90 MB; nothing outside the checkout.
#   bash ci/setup.sh --test   and everything the tests need: the test tools (ci/lock/test.txt),
#                             Helm 3 as .venv/bin/helm3, kubectl (cluster tests), checkov
#                             (tools/checkov, ci/lock/checkov.txt), Debian's docker-registry (a real
#                             OCI registry the release tests run on 127.0.0.1) and Debian's prometheus
#                             (its promtool checks and unit-tests the chart's alerts), unpacked into
#                             tools/ with `apt-get download` + `dpkg -x`: nothing is installed on the
#                             machine, and no service is started, enabled or configured.
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

# One program of a Debian package, unpacked with `apt-get download` + `dpkg -x` into tools/<dir>
# (only that program is kept): nothing is installed, and no service is started, enabled or configured.
unpack_deb() {  # package dir binary what-fails-without-it
  local package=$1 dir=tools/$2 binary=tools/$2/$3 without=$4
  [ -x "$binary" ] && return 0
  command -v apt-get >/dev/null && command -v dpkg >/dev/null \
    || { say "NOT fetched: Debian's $package (needs apt-get and dpkg); $without"; return 0; }
  local tmp; tmp=$(mktemp -d)
  say "fetching Debian's $package into $dir (unpacked, not installed)"
  if ! (cd "$tmp" && apt-get download -q "$package" >/dev/null 2>&1); then
    if [ "$(id -u)" -eq 0 ]; then  # the package lists may be missing on a new machine: read them, install nothing
      apt-get update -q >/dev/null && (cd "$tmp" && apt-get download -q "$package" >/dev/null)
    else
      say "NOT fetched: apt-get download $package failed (run apt-get update as root once); $without"
      rm -rf "$tmp"; return 0
    fi
  fi
  dpkg -x "$tmp/${package}"_*.deb "$tmp/unpacked"
  mkdir -p "$(dirname "$binary")" && mv "$tmp/unpacked/$3" "$binary"
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
unpack_deb docker-registry registry usr/bin/docker-registry "the OCI release test fails saying so"  # static: libc only
unpack_deb prometheus prometheus usr/bin/promtool "the alert tests fail saying so"  # promtool: static Go
command -v gpg >/dev/null || say "NOT found: gpg (Debian/Ubuntu: gnupg); the chart-signing test fails saying so"
say "ready: .venv/bin/gen-values, .venv/bin/helm (4.3), .venv/bin/helm3 (3.19), .venv/bin/kubectl, the test tools"
