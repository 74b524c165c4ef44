"""Real servers started by the tests themselves: a private Redis and an SMTP sink."""

import pytest

from tests.live_services import SmtpSink, running_private_redis


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own, so that it can be stopped and restarted."""
    yield from running_private_redis(tmp_path)


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()
