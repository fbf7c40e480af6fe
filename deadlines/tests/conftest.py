import pytest

from deadlines.tests import rules


@pytest.fixture
def test_rules():
    rules.register()
    yield rules
    rules.unregister()
