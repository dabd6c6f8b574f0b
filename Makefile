# gonghui — the README names exactly two commands: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test install migrate seed serve clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11（找不到 $(PYTHON)）"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

serve:
	bash scripts/demo.sh $(HOST) $(PORT)

## 安装、迁移、载入广东演示数据，并在 http://127.0.0.1:8000 启动网站和后台任务进程
demo: seed
	@$(MAKE) --no-print-directory serve

## 运行全部测试（默认 SQLite；设置 DATABASE_URL=postgres://... 则在 PostgreSQL 上运行）
test: install
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q -n 2 --dist loadfile

clean:
	rm -rf $(VENV) var
