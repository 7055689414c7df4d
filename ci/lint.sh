#!/usr/bin/env bash
# The code habits CI holds (pyproject.toml [tool.ruff], [tool.mypy]): ruff's lint and
# format check on all shipped Python (the package, the chart's Job and test scripts, tests, ci),
# mypy strict on the package and the chart's scripts. Run after ci/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check generator tests ci charts/dynamo-cache/files
.venv/bin/ruff format --check generator tests ci charts/dynamo-cache/files
.venv/bin/mypy
