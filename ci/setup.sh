#!/usr/bin/env bash
# Install everything the project and its tests need on a fresh machine:
# the Python package with its test extras, and pinned Helm 3 + Helm 4 in tools/.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check --upgrade "setuptools>=68" wheel
python3 -m pip install --quiet --disable-pip-version-check -e ".[test]"
python3 ci/get_helm.py
