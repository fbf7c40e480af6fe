"""The broker's transport and options follow the broker URL's scheme (config/broker.py)."""

import ssl
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.broker import AMQP_TRANSPORT_OPTIONS, REDIS_TRANSPORT_OPTIONS, broker_settings

VAR_DIR = Path("/srv/redress/var")


def test_a_redis_url_gets_the_project_redis_transport_and_its_options():
    chosen = broker_settings("redis://127.0.0.1:6379/0", var_dir=VAR_DIR)
    assert chosen.transport == "config.celery:RedisTransport"
    assert chosen.transport_options == REDIS_TRANSPORT_OPTIONS
    assert chosen.use_ssl is False


def test_a_rediss_url_asks_for_tls_with_the_certificate_checked():
    chosen = broker_settings("rediss://redis.example:6380/0", var_dir=VAR_DIR)
    assert chosen.transport == "config.celery:RedisTransport"
    assert chosen.use_ssl == {"ssl_cert_reqs": ssl.CERT_REQUIRED}


@pytest.mark.parametrize("url", ["amqp://guest:guest@127.0.0.1:5672//", "amqps://rabbit:5671/x"])
def test_an_amqp_url_gets_no_redis_setting(url):
    chosen = broker_settings(url, var_dir=VAR_DIR)
    # No transport class: the scheme picks Kombu's AMQP (or AMQP over TLS) transport.
    assert chosen.transport is None
    assert chosen.transport_options == AMQP_TRANSPORT_OPTIONS
    assert "visibility_timeout" not in chosen.transport_options
    assert chosen.use_ssl is False


def test_the_filesystem_broker_keeps_its_folders_under_var():
    chosen = broker_settings("filesystem://", var_dir=VAR_DIR)
    assert chosen.transport is None
    assert chosen.transport_options["data_folder_in"] == "/srv/redress/var/broker"


def test_an_unknown_scheme_is_refused_at_start_up():
    with pytest.raises(ImproperlyConfigured, match="sqs://"):
        broker_settings("sqs://queue", var_dir=VAR_DIR)
