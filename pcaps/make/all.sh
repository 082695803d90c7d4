#!/usr/bin/env bash
# Regenerate every capture and manifest in pcaps/ (root: netns, tcpdump).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
python3 "$here/craft.py" "$here/.."
bash "$here/sipp_flows.sh" "$here/.."
bash "$here/sipvicious.sh" "$here/.."
