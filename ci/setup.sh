#!/usr/bin/env bash
# Install everything the project and its tests need on a fresh machine:
# the Python package with its test extras, pinned Helm 3 + Helm 4 in tools/,
# and, from Debian, a real OCI registry (docker-registry) and GnuPG for the
# release tests.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check --upgrade "setuptools>=68" wheel
python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
python3 ci/get_helm.py
missing=()
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v gpg >/dev/null || missing+=(gnupg)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get install -y -q "${missing[@]}" >/dev/null \
    || { $sudo apt-get update -q >/dev/null && $sudo apt-get install -y -q "${missing[@]}" >/dev/null; }
fi
# checkov (for the download Job's security tests) in its own venv: its pins must not
# decide the project's dependency versions.
if [ ! -x tools/checkov/bin/checkov ]; then
  python3 -m venv tools/checkov
  tools/checkov/bin/pip install --quiet --disable-pip-version-check "checkov==3.3.30"
fi
