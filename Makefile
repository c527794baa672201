# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
WORKERS ?= 2

.PHONY: run test install sandbox lint bench lighthouse clean

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py ensure_sandbox_staff
	@echo "Shop:  http://127.0.0.1:$(PORT)/"
	@echo "Admin: http://127.0.0.1:$(PORT)/admin/ (the sandbox staff account is printed above)"
	$(PY) -m storefront.server --host 127.0.0.1 --port $(PORT) --workers $(WORKERS)

test: install
	$(PY) -m pytest

sandbox: install
	$(PY) manage.py sandbox_upstream --port 8700

bench: install
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null 2>&1; } || echo "wrk not installed: using the Python load generator"
	$(PY) bench/run.py

lighthouse: install
	$(PY) bench/lighthouse.py

lint: install
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) staticfiles var
