#!/usr/bin/env bash
# Maintainer command: resolve the newest versions that pyproject.toml's ranges allow,
# run the whole suite and the lower-bounds run against them in throwaway virtualenvs,
# and only when both are green, write them to ci/lock/ (review with `git diff ci/lock`).
#
# uv resolves (`uv pip compile --universal`: one lock valid on every Python from 3.10,
# with markers where versions differ, which pip-compile cannot do from one interpreter);
# plain pip installs, so users and CI need no tool beyond python3.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.8
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
say() { printf 'refresh-locks: %s\n' "$*" >&2; }

python3 -m venv "$tmp/uv" && "$tmp/uv/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION"
compile() {  # output input... [uv options]
  local out=$1; shift
  "$tmp/uv/bin/uv" pip compile --quiet --universal --python-version 3.10 --upgrade \
    --custom-compile-command "bash ci/refresh-locks.sh" "$@" -o "$tmp/new/$out"
}
mkdir -p "$tmp/new"
compile test.txt --extra test pyproject.toml ci/lock/build.in
compile run.txt pyproject.toml ci/lock/build.in
compile checkov.txt ci/lock/checkov.in
compile lowest.txt --resolution lowest-direct pyproject.toml ci/lock/lowest.in

say "running the suite against the newest versions"
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$tmp/new/test.txt"
"$tmp/venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
python3 -m venv "$tmp/checkov"
"$tmp/checkov/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$tmp/new/checkov.txt"
"$tmp/venv/bin/python" ci/get_helm.py >&2
CHECKOV="$tmp/checkov/bin/checkov" "$tmp/venv/bin/python" -m pytest -n 2 -q
LOWEST_LOCK="$tmp/new/lowest.txt" LOWEST_VENV="$tmp/lowest" bash ci/lower-bounds.sh

cp "$tmp/new/"*.txt ci/lock/
say "green: ci/lock/ refreshed"
git diff --stat -- ci/lock >&2 || true
