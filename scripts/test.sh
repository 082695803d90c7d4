#!/usr/bin/env bash
# Installs, builds and runs the whole test suite (the README's test command).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec tests/run build
