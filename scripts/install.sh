#!/usr/bin/env bash
# Sets up .venv with everything Signpost needs. Safe to run again: pip only
# installs what is missing, and the browser step skips when Chromium is there.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  for candidate in python3.10 "$(command -v pyenv >/dev/null 2>&1 && pyenv which python3.10 2>/dev/null || true)"; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
       && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

PYTHON=$(find_python) || {
  echo "Signpost needs Python 3.10 (Rasa 3.6 runs on nothing newer)." >&2
  echo "Install it (e.g. 'pyenv install 3.10') and run 'make install' again." >&2
  exit 1
}

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $("$PYTHON" --version)"
  "$PYTHON" -m venv .venv
fi

echo "==> installing Python packages (Rasa's pins in requirements/constraints.txt)"
.venv/bin/python -m pip install --quiet --upgrade "pip<25" wheel
.venv/bin/python -m pip install --quiet -c requirements/constraints.txt \
  -r requirements/runtime.txt -r requirements/dev.txt
.venv/bin/python -m pip install --quiet --no-deps --no-build-isolation -e .
.venv/bin/python -m pip check

# The widget tests drive Debian's Chromium; Playwright never downloads a browser.
if ! command -v chromium >/dev/null 2>&1; then
  echo "==> installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing and this user cannot install it: run 'apt-get install chromium' as root." >&2
    exit 1
  fi
fi
# The scale-out test puts Debian's nginx in front of two Rasa servers and two
# action servers, as a deployment does (it starts its own nginx on free ports).
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  echo "==> installing Debian's nginx for the scale-out test"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
  else
    echo "nginx is missing and this user cannot install it: run 'apt-get install nginx-light' as root." >&2
    exit 1
  fi
fi

# Node tools for the tests (Microsoft's Agents Playground for Teams, axe-core for
# accessibility), pinned in package.json and installed from the npm registry.
if command -v npm >/dev/null 2>&1; then
  echo "==> installing the Node test tools (package.json)"
  npm install --no-audit --no-fund --loglevel=error >/dev/null
  # The workspace's YAML editor: CodeMirror from node_modules, bundled into one file the
  # workspace serves itself (static/vendor/, git-ignored; no CDN, no bare imports).
  echo "==> bundling the workspace's YAML editor (CodeMirror, esbuild)"
  node_modules/.bin/esbuild assistant/workspace/static/vendor-src/codemirror.js --bundle --format=esm \
    --minify --target=es2020 --outfile=assistant/workspace/static/vendor/codemirror.js --log-level=warning
else
  echo "npm is missing: install Node.js 20 (apt-get install nodejs npm) and run 'make install' again." >&2
  exit 1
fi
# The knowledge tests' passage vectors, so a fresh clone's first `make test-fast` reuses them.
HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 .venv/bin/python -m tests.support.embedding_cache
echo "==> installed. Next: make test"
