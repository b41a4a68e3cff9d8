"""Fault-suite fixtures: short timeouts and backoffs, and the checks every scenario gets.

Every scenario runs with the integration's logger at DEBUG. After it, no log record may carry
a traceback or report an unhandled error, and none may contain the AppSecret, a password or
any AccessToken the simulator ever issued.
"""

from collections.abc import Generator
from functools import partial
import logging
from typing import Any

import pytest

from custom_components.tencent_iot import connection, push_session
from custom_components.tencent_iot.api import PushClient, TencentIoTClient
from custom_components.tencent_iot.api.quectel import QuectelClient, QuectelPushClient

from .clouds import Cloud, make_cloud
from .helpers import Simulator, secrets_of, unexpected_records

# Short enough that a timeout or a reconnect costs milliseconds, long enough for a loaded
# machine to answer a healthy request in time.
CLIENT_TIMEOUT = 0.3
PUSH_REPLY_TIMEOUT = 1.0


def short_push_timeouts(monkeypatch: pytest.MonkeyPatch, **options: Any) -> None:
    """Entries build their push channel with the short reply timeout and these options."""
    monkeypatch.setattr(
        push_session,
        "PushClient",
        partial(PushClient, reply_timeout=PUSH_REPLY_TIMEOUT, **options),
    )
    monkeypatch.setattr(
        push_session,
        "QuectelPushClient",
        partial(QuectelPushClient, reply_timeout=PUSH_REPLY_TIMEOUT, **options),
    )


@pytest.fixture(autouse=True)
def fast_faults(monkeypatch: pytest.MonkeyPatch, fast_push_backoff: None) -> None:
    """The real client and push channel, with timeouts, retries and backoffs made short."""
    for name, client in (("TencentIoTClient", TencentIoTClient), ("QuectelClient", QuectelClient)):
        monkeypatch.setattr(
            connection, name, partial(client, timeout=CLIENT_TIMEOUT, retry_delays=(0.01, 0.02))
        )
    short_push_timeouts(monkeypatch)


@pytest.fixture
def cloud(request: pytest.FixtureRequest) -> Cloud:
    """The cloud a scenario runs on (parametrised with `indirect=True`)."""
    return make_cloud(request.param, request.getfixturevalue)


@pytest.fixture(autouse=True)
def clean_logs(caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest) -> Generator[None]:
    """Log the integration at DEBUG; afterwards, no traceback and no secret in any record."""
    sim: Simulator = (
        request.getfixturevalue("cloud").sim
        if "cloud" in request.fixturenames
        else request.getfixturevalue("sim")
    )
    caplog.set_level(logging.DEBUG, logger="custom_components.tencent_iot")
    # Passwords as they were: a scenario may change one.
    initial_secrets = secrets_of(sim)
    yield
    records = [*caplog.get_records("setup"), *caplog.get_records("call")]
    assert records, "nothing was logged: the DEBUG level did not apply"
    assert not unexpected_records(records), "\n".join(
        record.getMessage() for record in unexpected_records(records)
    )
    secrets = initial_secrets | secrets_of(sim)
    for record in records:
        text = record.getMessage() + (record.exc_text or "")
        leaked = [secret for secret in secrets if secret in text]
        assert not leaked, f"secret in log record {record.name}: {text[:200]}"
