# Set-up is idempotent: every target installs what it needs first.
VENV ?= .venv
PY := $(VENV)/bin/python
TOPIC ?= How volcanoes work

.PHONY: setup demo test lint ffmpeg postgres bench clean

setup: $(VENV)/.installed ffmpeg

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --upgrade pip >/dev/null
	$(VENV)/bin/pip install -e '.[dev,voice,align,illustrate]'
	touch $@

ffmpeg:
	@bash scripts/ensure-ffmpeg.sh

postgres:
	@bash scripts/ensure-postgres.sh

demo: setup
	$(VENV)/bin/framecast make "$(TOPIC)"

# The house rules first (seconds): layers point one way, lint and format, types on the lower layers.
lint: setup
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: setup postgres lint
	$(VENV)/bin/pytest -n 4 --dist worksteal

bench: setup
	$(PY) benchmarks/render.py

clean:
	rm -rf framecast-output .pytest_cache
