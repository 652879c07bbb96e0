#!/usr/bin/env bash
# Makes the Python that runs the official LLaDA code beside dlmeval (bench/official/side_by_side.py):
# .venv-reference, which sees the very torch wheel dlmeval links (.venv, from install-deps.sh) and
# adds the pure-Python packages that `import torch` and the official scripts need (numpy,
# typing_extensions, sympy, ...). Only for benchmarks and goldens: dlmeval never runs Python.
#
#   scripts/reference-python.sh        # prints the interpreter's path
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python3 ] || { echo "reference-python.sh: run scripts/install-deps.sh first" >&2; exit 1; }
REF=.venv-reference
if [ ! -x "$REF/bin/python3" ]; then
  /usr/bin/python3 -m venv "$REF"
  site=$(.venv/bin/python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  ref_site=$("$REF/bin/python3" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  echo "$site" > "$ref_site/dlmeval-torch.pth"
  "$REF/bin/pip" install -q numpy typing_extensions sympy filelock networkx jinja2 fsspec
fi
"$REF/bin/python3" -c 'import torch, numpy' >&2
echo "$PWD/$REF/bin/python3"
