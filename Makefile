# Shortcuts; the scripts are what the README documents (make is not on every fresh machine).
.PHONY: run test lint format migrations messages

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
