"""The credentials file: private, atomic, one login per server, the token never shown."""

from __future__ import annotations

import json
import os
import stat

from mojodex_core._credentials import CredentialStore, User

TOKEN = "tok-5f1d0c9a7e-secret"


def user(server: str = "http://a.test:5001", token: str = TOKEN) -> User:
    return User(server=server, token=token, name="Demo User", email="demo@example.com")


def test_saved_file_is_0600_in_a_0700_directory(mojodex_home):
    store = CredentialStore(mojodex_home / "credentials")
    store.save(user())
    assert stat.S_IMODE((mojodex_home / "credentials").stat().st_mode) == 0o600
    assert stat.S_IMODE(mojodex_home.stat().st_mode) == 0o700


def test_an_existing_0755_directory_is_made_0700(mojodex_home):
    os.chmod(mojodex_home, 0o755)
    CredentialStore(mojodex_home / "credentials").save(user())
    assert stat.S_IMODE(mojodex_home.stat().st_mode) == 0o700


def test_an_existing_0644_file_is_replaced_by_a_0600_one(mojodex_home):
    path = mojodex_home / "credentials"
    path.write_text("{}")
    os.chmod(path, 0o644)
    CredentialStore(path).save(user())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_login_is_reused_only_for_its_own_server(mojodex_home):
    store = CredentialStore(mojodex_home / "credentials")
    store.save(user("http://a.test:5001/"))
    store.save(user("http://b.test:5001", "other-token"))
    assert store.load("http://a.test:5001") == user("http://a.test:5001")
    assert store.load("http://a.test:5001/") == user("http://a.test:5001")  # a trailing slash: same server
    assert store.load("http://b.test:5001") == user("http://b.test:5001", "other-token")
    assert store.load("http://c.test:5001") is None


def test_delete_forgets_one_server_only(mojodex_home):
    store = CredentialStore(mojodex_home / "credentials")
    store.save(user("http://a.test"))
    store.save(user("http://b.test"))
    assert store.delete("http://a.test") is True
    assert store.delete("http://a.test") is False
    assert store.load("http://a.test") is None and store.load("http://b.test") is not None


def test_the_file_holds_token_name_and_email_per_server(mojodex_home):
    CredentialStore(mojodex_home / "credentials").save(user())
    data = json.loads((mojodex_home / "credentials").read_text())
    assert data == {"servers": {"http://a.test:5001": {"token": TOKEN, "name": "Demo User",
                                                       "email": "demo@example.com"}}}


def test_a_missing_or_damaged_file_means_no_login(mojodex_home):
    store = CredentialStore(mojodex_home / "credentials")
    assert store.load("http://a.test") is None
    for junk in ("not json", "[]", '{"servers": []}', '{"servers": {"http://a.test": {"token": ""}}}'):
        (mojodex_home / "credentials").write_text(junk)
        assert store.load("http://a.test") is None


def test_the_token_is_never_in_repr_or_str():
    u = user()
    assert TOKEN not in repr(u) and TOKEN not in str(u) and TOKEN not in f"{u}"
    assert "Demo User" in repr(u)
