#!/usr/bin/env bash
# Set up this checkout on a fresh machine that has python3 (3.10+) and git:
# - .venv/ (git-ignored): the package, editable, and every test tool at the versions
#   pinned in ci/lock/test.txt; nothing installed on the machine decides a version;
# - tools/helm3, tools/helm4: the pinned, sha256-checked Helm 3.19 and 4.3 binaries,
#   linked into .venv/bin as `helm3` and `helm` (ci/get_helm.py);
# - tools/checkov: checkov for the download Job's security tests, from ci/lock/checkov.txt;
# - from Debian, when missing and this user may install: docker-registry (a real OCI
#   registry for the release tests) and gnupg (chart signing). Said before it is done.
# Progress goes to stderr: stdout stays free for the command that follows `&&`.
set -euo pipefail
exec 1>&2
cd "$(dirname "$0")/.."
say() { printf 'ci/setup.sh: %s\n' "$*"; }

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

install_locked .venv ci/lock/test.txt --no-deps --no-build-isolation -e .
.venv/bin/python ci/get_helm.py --venv .venv
install_locked tools/checkov ci/lock/checkov.txt

missing=()
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v gpg >/dev/null || missing+=(gnupg)
if [ ${#missing[@]} -gt 0 ]; then
  why="the release tests need docker-registry (a local OCI registry to push the chart to) and gnupg (chart signing)"
  sudo=""
  [ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null && sudo="sudo -n"; }
  if command -v apt-get >/dev/null && { [ "$(id -u)" -eq 0 ] || [ -n "$sudo" ]; }; then
    say "installing Debian packages: ${missing[*]} ($why)"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get install -y -q "${missing[@]}" >/dev/null \
      || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q "${missing[@]}" >/dev/null; }
  else
    say "NOT installed: ${missing[*]}: $why. Install them (Debian/Ubuntu: apt-get install ${missing[*]});" \
        "until then those tests fail and say so."
  fi
fi
say "ready: .venv/bin/gen-values, .venv/bin/helm (4.3), .venv/bin/helm3 (3.19)"
