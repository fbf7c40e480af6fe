# Shortcuts; the scripts are what the README documents (make is not on every fresh machine).
.PHONY: run test lint format migrations messages lock

run:
	scripts/quickstart

test:
	scripts/test

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports

format:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

migrations:
	.venv/bin/python manage.py makemigrations

messages:
	.venv/bin/python manage.py makemessages --all --ignore=.venv --ignore=var --ignore=bench --no-obsolete

# After any change to the dependencies in pyproject.toml: pins every package, with hashes,
# for Python 3.11 and 3.12 on any platform; scripts/common.sh and the Dockerfile install it.
lock:
	.venv/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --quiet --output-file requirements.lock
