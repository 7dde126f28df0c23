"""``server.ca_bundle``: one TLS context for HTTP and the event connection, one error for a file that cannot be read."""

from __future__ import annotations

import ssl
from pathlib import Path

import certifi
import pytest

from mojodex_core import ConfigError, ca_context
from mojodex_core.testing import make_context


def test_an_empty_bundle_keeps_the_system_certificates() -> None:
    assert ca_context("") is None


def test_a_bundle_gives_a_verifying_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "ca.pem").write_bytes(Path(certifi.where()).read_bytes())
    context = ca_context("~/ca.pem")
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


@pytest.mark.parametrize("content", [None, b"not a certificate"])
def test_an_unreadable_bundle_is_one_config_error_for_http_and_events(mojodex_home: Path, tmp_path: Path,
                                                                      content: bytes | None) -> None:
    bundle = tmp_path / "ca.pem"
    if content is not None:
        bundle.write_bytes(content)
    ctx = make_context(mojodex_home, server_url="https://mojodex.example", builtins=["socketio"], interactive=False)
    ctx.config.override("server.ca_bundle", str(bundle))
    with pytest.raises(ConfigError) as http_error:
        ctx.server.http  # noqa: B018 (the client is built on first use)
    sockets = ctx.hooks.records["socketio"].obj
    sockets.ctx = ctx  # as mojodex_startup sets it, without the connection that follows
    with pytest.raises(ConfigError) as events_error:
        sockets._tls()
    assert str(http_error.value) == str(events_error.value)
    assert str(http_error.value).startswith(f"server.ca_bundle: cannot read {bundle}: ")
    assert "\n" not in str(http_error.value)
