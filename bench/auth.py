"""Token issue and authenticated-call cost.

.venv/bin/python bench/auth.py [--calls 2000]
"""

import argparse

from _setup import summary, timed
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=2000)
    calls = parser.parse_args().calls
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client = Client(HTTP_HOST="localhost")
    body = {"email": "owner@acme.test", "password": "demo-pass-123"}

    def issue():
        response = client.post("/api/v1/auth/token/", body, content_type="application/json")
        assert response.status_code == 201, response.content

    print("token issue (password hash included):", summary(timed(issue, 50)))
    key = client.post("/api/v1/auth/token/", body, content_type="application/json").json()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key['token']}"}

    def me():
        assert client.get("/api/v1/me/", **headers).status_code == 200

    me()
    with CaptureQueriesContext(connection) as queries:
        me()
    print(f"GET /api/v1/me/: {len(queries)} queries per call")
    print("GET /api/v1/me/:", summary(timed(me, calls)))


if __name__ == "__main__":
    main()
