"""The Celery broker's settings, chosen by the broker URL's scheme.

Redis is the default (`REDIS_URL`); RabbitMQ runs the same tasks when `CELERY_BROKER_URL`
is an `amqp://` URL; without either, a broker in files on disk needs no server. What the
reliability rests on (late acknowledgement, reject on worker loss, tasks enqueued after
commit and idempotent, the outbox sweeps) is broker-neutral and stays in the settings;
only the transport and its options differ here.
"""

import ssl
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# A Redis restart must not stop a worker: dead sockets are noticed within seconds (timeouts,
# health checks), the worker reconnects for as long as it takes, and an unacknowledged
# message comes back after the visibility timeout, which outlasts any task's time limit
# and retry countdown (notifications.tasks.COUNTDOWN_LIMIT_SECONDS).
REDIS_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "socket_connect_timeout": 5,
    "socket_timeout": 10,
    "socket_keepalive": True,
    "health_check_interval": 10,
    "retry_on_timeout": True,
}
# A publish returns once RabbitMQ has the message; an unacknowledged message comes back as
# soon as the worker's connection closes, so there is no visibility timeout to set.
AMQP_TRANSPORT_OPTIONS = {"confirm_publish": True}


@dataclass(frozen=True)
class BrokerSettings:
    transport: str | None  # None: the URL's scheme chooses Kombu's transport
    transport_options: dict = field(default_factory=dict)
    use_ssl: dict | bool = False


def broker_settings(url: str, *, var_dir: Path) -> BrokerSettings:
    scheme = urlsplit(url).scheme
    if scheme in ("redis", "rediss"):
        return BrokerSettings(
            transport="config.celery:RedisTransport",
            transport_options=dict(REDIS_TRANSPORT_OPTIONS),
            # The transport comes from the setting above, not from the URL's scheme, so TLS
            # is asked for here, with the server's certificate checked.
            use_ssl={"ssl_cert_reqs": ssl.CERT_REQUIRED} if scheme == "rediss" else False,
        )
    if scheme in ("amqp", "amqps", "pyamqp"):
        # amqps: Kombu's SSL transport verifies the server's certificate by default.
        return BrokerSettings(transport=None, transport_options=dict(AMQP_TRANSPORT_OPTIONS))
    if scheme == "filesystem":
        return BrokerSettings(
            transport=None,
            transport_options={
                "data_folder_in": str(var_dir / "broker"),
                "data_folder_out": str(var_dir / "broker"),
                "processed_folder": str(var_dir / "broker-processed"),
                "control_folder": str(var_dir / "broker-control"),
                "store_processed": False,
            },
        )
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL must be a redis://, rediss://, amqp:// or amqps:// URL, not {scheme}://"
    )
