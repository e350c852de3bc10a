#!/usr/bin/env bash
# The TDS (SQL Server wire protocol) test server used by the SQL tests:
# pysqlbridge, pinned, in a venv inside the repository (.venv-tds/, gitignored).
# Idempotent: does nothing when the pinned version is already installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=2.1.3
VENV=.venv-tds
installed="$("$VENV/bin/pip" show pysqlbridge 2>/dev/null || true)"
if [ -x "$VENV/bin/pysqlbridge" ] && grep -qx "Version: $VERSION" <<<"$installed"; then
  echo "pysqlbridge $VERSION already in $VENV"
  exit 0
fi
if ! command -v python3 >/dev/null || ! python3 -m venv --help >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq python3 python3-venv python3-pip
fi
rm -rf "$VENV"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "pysqlbridge==$VERSION"
echo "pysqlbridge $VERSION installed in $VENV"
