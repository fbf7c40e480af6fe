import json
import os
import subprocess
import sys

from django.conf import settings

from config.celery import app as celery_app


def test_healthz_answers_while_the_process_is_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ok_with_database_and_broker_up(client, db):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "broker": True}


def test_readyz_is_503_when_the_broker_is_down(client, db, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "broker": False}


def test_readyz_is_503_when_the_database_is_down():
    # A real process whose database is a closed port: nothing is faked.
    probe = (
        "import django, json; django.setup();"
        "from django.test import Client; r = Client(HTTP_HOST='localhost').get('/readyz');"
        "print(json.dumps([r.status_code, json.loads(r.content)['checks']]))"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nothing",
        "REDIS_URL": settings.REDIS_URL,
    }
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env=environment,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    status, checks = json.loads(result.stdout.strip().splitlines()[-1])
    assert status == 503
    assert checks == {"database": False, "broker": True}
