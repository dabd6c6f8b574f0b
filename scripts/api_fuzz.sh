#!/usr/bin/env bash
# Fuzzes every API operation with schemathesis, signed in as a demo cadre (session cookie + CSRF header), and fails on any
# server error. A dev tool, not part of CI: `.venv/bin/pip install schemathesis==4.32.5` first (or point SCHEMATHESIS at
# it), and run it against a demo server seeded with `seed_demo` (it writes through the API: use a throwaway database).
# Users with TOTP cannot sign in here.
#   scripts/api_fuzz.sh http://127.0.0.1:8000 [username] [max examples per operation]
set -euo pipefail
base="${1:?base URL of a running demo, e.g. http://127.0.0.1:8000}"
user="${2:-th_cadre}"
examples="${3:-50}"
jar="$(mktemp)"
trap 'rm -f "$jar"' EXIT

cookie() { awk -v name="$1" '$6 == name {print $7}' "$jar"; }
curl -sf -c "$jar" -b "$jar" "$base/accounts/login/" -o /dev/null
curl -sf -c "$jar" -b "$jar" -o /dev/null -H "Referer: $base/accounts/login/" \
  --data-urlencode "csrfmiddlewaretoken=$(cookie csrftoken)" --data-urlencode "username=$user" \
  --data-urlencode "password=${GONGHUI_PASSWORD:-Gonghui@2026}" "$base/accounts/login/"
[ -n "$(cookie sessionid)" ] || { echo "登录失败：$user" >&2; exit 1; }

"${SCHEMATHESIS:-$(dirname "$0")/../.venv/bin/schemathesis}" run "$base/api/openapi.json" --url "$base" \
  -H "Cookie: sessionid=$(cookie sessionid); csrftoken=$(cookie csrftoken)" -H "X-CSRFToken: $(cookie csrftoken)" \
  -H "Referer: $base/api/docs" --checks not_a_server_error --max-examples "$examples" --seed 2026 --generation-database none
