#!/usr/bin/env bash
# `make run`: embedded services, migrations, demo data, then web + worker + scheduler.
# Ctrl-C stops all three and the embedded Postgres and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export PYTHONUNBUFFERED=1
# Every step, not only the three processes, sees the same configuration.
if [ -f .env ]; then set -a; . ./.env; set +a; fi

cleanup() {
  trap - EXIT INT TERM
  echo "Stopping embedded services…"
  python manage.py services stop || true
}
trap cleanup EXIT INT TERM

python manage.py services start
python manage.py migrate --noinput
python manage.py ensure_defaults
python manage.py seed_demo

echo
echo "  ViralForge is starting on http://${VF_BIND:-127.0.0.1:8000}  (Ctrl-C stops everything)"
echo
# Each process runs under scripts/respawn.sh: one that ends is started again (with a log line)
# instead of honcho stopping the others and this script the embedded services.
mkdir -p var
sed -E 's#^([a-z_]+): (.*)$#\1: scripts/respawn.sh \1 \2#' Procfile > var/Procfile.run
honcho start -f var/Procfile.run
