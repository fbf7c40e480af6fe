import os

import redis
from celery import Celery
from kombu.transport import redis as kombu_redis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


class _RedisChannel(kombu_redis.Channel):
    def _connparams(self, asynchronous=False):
        # After a lost connection, Celery 5.7 releases the transport (collect()) and then
        # still closes the old channel, and acknowledges or rejects the messages that
        # channel delivered; each needs a Redis client, and the released transport has no
        # address for one. Kombu's AttributeError there stops the whole worker; a
        # connection error is what it is, which the worker logs and reconnects from.
        if self.connection.client is None:
            raise redis.exceptions.ConnectionError("The broker connection was closed.")
        return super()._connparams(asynchronous=asynchronous)


class RedisTransport(kombu_redis.Transport):
    """Kombu's Redis transport, minus one way a broker restart kills the worker."""

    Channel = _RedisChannel


app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
