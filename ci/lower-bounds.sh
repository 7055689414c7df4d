#!/usr/bin/env bash
# The package's runtime dependencies are ranges (it is a CLI and library other tools
# install). Their lower bounds are tested here: .venv-lowest gets click, jsonschema and
# ruamel.yaml at the lowest versions pyproject.toml allows (ci/lock/lowest.txt), and the
# tests that drive gen-values itself run against them. Run after ci/setup.sh (it uses the
# pinned helm in tools/).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${LOWEST_VENV:-.venv-lowest}
lock=${LOWEST_LOCK:-ci/lock/lowest.txt}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-virtualenv --no-deps -r "$lock" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --require-virtualenv --no-deps \
  --no-build-isolation -e . >&2
"$venv/bin/python" -m pip check >&2
"$venv/bin/python" - <<'PY' >&2
from importlib.metadata import version
print("lower bounds under test:", ", ".join(f"{n} {version(n)}" for n in ("click", "jsonschema", "ruamel.yaml")))
PY
exec "$venv/bin/python" -m pytest -q -p no:xdist -p no:helm-charts tests/test_cases.py tests/test_cli.py tests/test_plan.py tests/test_guard.py
