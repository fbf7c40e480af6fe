"""The published schema against the running server: Schemathesis generates requests for every
operation, valid and invalid, as an owner, a supplier and a viewer, with every check on.

The server must never answer 5xx, and every answer (status, content type, headers, body) must
be one the schema documents. The number of examples per operation is bounded so that the run
stays within a few minutes on two cores; the figures are printed (run pytest with -s).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from disputes.tests.conftest import Disputes

EXAMPLES_PER_OPERATION = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
# The owner reaches every merchant operation: it alone also runs the coverage phase (the
# boundary values of every parameter, most of the cases); the others fuzz.
PHASES = {
    "acme_owner": "examples,coverage,fuzzing",
    "shenzhen_admin": "examples,fuzzing",
    "acme_viewer": "examples,fuzzing",
}
SCHEMATHESIS = Path(sys.executable).with_name("st")
# Statuses a schema-valid request may still get: the rules no schema can state (a supplier
# that is not linked, a transition the state forbids, a file judged by its content, a login
# locked out after the generated failures) answer 400, 409, 413, 415 and 429.
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "400", "401", "403", "404", "409", "413", "415", "429"]
"""
# Revoking the token would leave the rest of the run unauthenticated (its own tests cover it).
EXCLUDED_OPERATIONS = ["auth_token_destroy"]


@pytest.fixture
def some_data(world):
    """A dispute with its order, so that lists are not empty."""
    Disputes(world).open("acme_agent")


@pytest.mark.parametrize("caller", PHASES)
def test_the_server_keeps_to_its_schema(world, some_data, live_server, caller, tmp_path):
    key = world.client(caller)._credentials["HTTP_AUTHORIZATION"]
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config),
        "run",
        f"{live_server.url}/api/schema/",
        "--checks",
        "all",
        "--header",
        f"Authorization: {key}",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--phases",
        PHASES[caller],
        "--seed",
        "1",
        # One worker: CPython 3.11 can fail compiling in two threads at once (a SystemError
        # inside the test generator, not an answer of the server).
        "--workers",
        "1",
        *[
            arg
            for operation in EXCLUDED_OPERATIONS
            for arg in ("--exclude-operation-id", operation)
        ],
        "--no-shrink",
        "--generation-database",
        "none",
        "--no-color",
        "--output-truncate",
        "false",
        "--request-timeout",
        "20",
    ]
    started = time.monotonic()
    # In a scratch folder: Schemathesis keeps a cache where it runs.
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=900, check=False, cwd=tmp_path
    )
    seconds = time.monotonic() - started
    summary = result.stdout[-3000:]
    print(f"schemathesis as {caller}: {seconds:.0f} s\n{summary}")
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-2000:]
