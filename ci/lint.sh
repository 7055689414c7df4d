#!/usr/bin/env bash
# The code habits CI holds (pyproject.toml [tool.ruff], [tool.mypy]): ruff's lint and
# format check on the Python, mypy strict on the package. Run after ci/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check generator tests ci
.venv/bin/ruff format --check generator tests ci
.venv/bin/mypy
