"""The quick start's embedded default (SQLite, a broker in files) really works.

The rest of the suite runs on Postgres, so without this a Postgres-only query would
slip into the demo that a new user tries first.
"""

import json
import os
import subprocess
import sys

from django.conf import settings


def test_embedded_default_migrates_seeds_and_sweeps(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    environment |= {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }

    def manage(*arguments):
        return subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        ).stdout

    manage("migrate", "--noinput", "-v0")
    first = manage("seed_demo")
    assert "Demo data ready" in first
    again = manage("seed_demo")
    assert "Demo data ready" in again
    assert "fired" in manage("sweep_deadlines")
    probe = (
        "import django, json; django.setup();"
        "from django.test import Client; c = Client(HTTP_HOST='localhost');"
        "r = c.post('/api/v1/auth/token/', {'email': 'owner@acme.test', "
        "'password': 'demo-pass-123'}, content_type='application/json');"
        "t = r.json()['token'];"
        "o = c.get('/api/v1/orders/', HTTP_AUTHORIZATION='Bearer ' + t);"
        "d = c.get('/api/v1/disputes/', HTTP_AUTHORIZATION='Bearer ' + t);"
        "from accounts.models import User;"
        "c.force_login(User.objects.get(email='owner@acme.test'));"
        "pages = [c.get('/app/disputes/').status_code];"
        "c.force_login(User.objects.get(email='staff@shenzhen-supply.test'));"
        "pages.append(c.get('/portal/disputes/').status_code);"
        "print(json.dumps([o.status_code, len(o.json()['results']), d.status_code,"
        " len(d.json()['results']), pages]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=settings.BASE_DIR,
        # DEBUG: the pages' static files are served uncollected, as `runserver` does.
        env=environment | {"DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    orders_status, orders, disputes_status, disputes, pages = json.loads(
        result.stdout.strip().splitlines()[-1]
    )
    assert (orders_status, disputes_status) == (200, 200)
    # The dashboard's and the portal's dispute lists (counts, keyset inbox) work on SQLite.
    assert pages == [200, 200]
    assert orders > 0
    assert disputes > 0
