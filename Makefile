.PHONY: run test bench lint format

run:  ## install, migrate, load demo data and serve on http://127.0.0.1:8000/
	bin/run

test:  ## lint + types + the whole suite on the embedded defaults, then on PostgreSQL + Redis
	bin/test

lint:
	bin/bootstrap && .venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	bin/bootstrap && .venv/bin/ruff check --fix . && .venv/bin/ruff format .
