#!/usr/bin/env bash
# The programs the test suite needs beyond Rust, Python and make (README, "Requirements"):
# Chromium, in which the report's browser test loads index.html (the report itself does not
# need a browser). Installed with apt-get as root or with passwordless sudo; otherwise this
# stops with the one command to type. Idempotent: prints nothing when all is there.
set -euo pipefail
for b in chromium chromium-browser google-chrome; do
  command -v "$b" >/dev/null && exit 0
done
if [ -n "${CHROMIUM:-}" ] && [ -x "$CHROMIUM" ]; then exit 0; fi
cmd="apt-get install -y chromium"
if [ "$(id -u)" = 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SUDO="sudo"
else
  echo "error: the test suite needs Chromium (Debian package \`chromium\`) for the report's browser test; install it with: sudo $cmd  (or set CHROMIUM=/path/to/chrome)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "error: the test suite needs Chromium for the report's browser test, and this machine has no apt-get; install Chromium with your package manager, or set CHROMIUM=/path/to/chrome" >&2
  exit 1
fi
echo ">> installing chromium (Debian package) for the report's browser test"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
command -v chromium >/dev/null || { echo "error: apt-get installed chromium but it is not on PATH" >&2; exit 1; }
