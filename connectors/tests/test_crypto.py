import pytest

from connectors import crypto


def test_a_secret_survives_a_secret_key_rotation_through_the_fallbacks(settings):
    settings.SECRET_KEY = "old-key-" + "x" * 40
    token = crypto.encrypt("shpss_value")
    settings.SECRET_KEY = "new-key-" + "y" * 40
    settings.SECRET_KEY_FALLBACKS = ["old-key-" + "x" * 40]
    assert crypto.decrypt(token) == "shpss_value"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(crypto.SecretUnreadable):
        crypto.decrypt(token)


def test_each_encryption_differs_so_equal_secrets_do_not_show(settings):
    assert crypto.encrypt("same") != crypto.encrypt("same")
