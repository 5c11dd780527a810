#!/usr/bin/env bash
# Mutation testing of refengine in one command: bash tools/mutation.sh
# Makes a virtual environment (a new one, or the one $GRADSPEC_MUTATION_VENV names, created if
# missing), installs the project with its test extras and mutmut, pinned, then runs
# tools/mutation.py: mutmut over refengine/ and the hand-made mutants, then the score.
# Exit 0: every mutant was killed or is a known equivalent one.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${GRADSPEC_MUTATION_VENV:-$(mktemp -d)/venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q -e ".[test]" "mutmut==3.8.1"
exec "$venv/bin/python" tools/mutation.py
