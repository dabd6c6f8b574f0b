#!/usr/bin/env bash
# Starts the demo: one huey consumer (the only one scheduling periodic tasks) and gunicorn.
set -euo pipefail
cd "$(dirname "$0")/.."
host="${1:-127.0.0.1}"
port="${2:-8000}"
py=.venv/bin/python

"$py" manage.py run_huey --workers 2 --worker-type thread > var/huey.log 2>&1 &
huey_pid=$!
trap 'kill "$huey_pid" 2>/dev/null || true' EXIT INT TERM

"$py" manage.py seed_demo --logins-only
cat <<MSG

gonghui 演示已启动：http://$host:$port/
  职工 H5：  http://$host:$port/h5/
  工会工作台：http://$host:$port/workbench/
  API 文档： http://$host:$port/api/docs
  管理后台： http://$host:$port/admin/
后台任务日志：var/huey.log。按 Ctrl+C 停止。

MSG
exec_status=0
.venv/bin/gunicorn config.wsgi:application -c config/gunicorn.py --bind "$host:$port" --access-logfile - || exec_status=$?
exit "$exec_status"
