#!/usr/bin/env bash
# Rewrites the "Every key" block of docs/configuration.md from `rivetd --help-config`, the
# config tables of rivetd and its plugins. The ConfigurationDoc test fails until this is run
# after a key changes.
set -euo pipefail
cd "$(dirname "$0")/.."
# Every in-tree plugin, not only the default set, so optional ones (sandbox-cgroup) are listed.
help=$(build/bin/rivetd -D "rivetd.plugins=$(cat docs/in-tree-plugins)" --help-config)
HELP="$help" python3 - docs/configuration.md <<'PY'
import os, re, sys
path = sys.argv[1]
text = open(path).read()
block = "## Every key\n\n```\n" + os.environ["HELP"].rstrip("\n") + "\n```\n"
text, count = re.subn(r"## Every key\n\n```\n.*?```\n", lambda _: block, text, flags=re.S)
if count != 1:
    sys.exit("docs/configuration.md has no '## Every key' block")
open(path, "w").write(text)
PY
