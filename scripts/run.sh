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
echo "  ViralForge is starting on http://127.0.0.1:8000  (Ctrl-C stops everything)"
echo
honcho start -f Procfile
