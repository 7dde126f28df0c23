"""Many shells at once on one ``~/.mojodex``: no update of a shared file is lost, none is half-written.

Each test starts 16 writer processes, lets them go at the same moment (each says it is ready, then waits for its
stdin to close), has each write its own records, and counts the records the file holds afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

WRITERS = 16
EACH = 8

# One writer: argv is (writer number, records to write, home). It writes its records, named "<writer>-<i>", to
# each shared file in turn: the credentials, the config, the history and the waiting runs.
WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from types import SimpleNamespace

    from mojodex_core._config import Config
    from mojodex_core._credentials import CredentialStore, User
    from mojodex_core._shell import SharedHistory
    from mojodex_workflow.waiting import WaitingRuns

    writer, each, home = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    credentials = CredentialStore(home / "credentials")
    config = Config(home / "config.toml", defaults={"test": {f"k{w}_{i}": 0 for w in range(64) for i in range(each)}})
    history = SharedHistory(str(home / "history"))
    waiting = WaitingRuns(home / "waiting-runs.json", "http://server.example")
    print("ready", flush=True)
    sys.stdin.read()  # everyone starts when the test closes our stdin
    for i in range(each):
        name = f"{writer}-{i}"
        credentials.save(User(server=f"http://{name}.example", token="t-" + name))
        config.set(f"test.k{writer}_{i}", 1)
        history.store_string("workflow run " + name + "\\nsecond line")
        waiting.handle(name).finished()
""")


def run_writers(home: Path) -> None:
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(w), str(EACH), str(home)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for w in range(WRITERS)]
    for writer in writers:
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n", writer.stderr
    for writer in writers:
        assert writer.stdin is not None
        writer.stdin.close()
    for writer in writers:
        assert writer.stderr is not None
        err = writer.stderr.read()
        assert writer.wait(timeout=60) == 0, err


def written() -> set[str]:
    return {f"{w}-{i}" for w in range(WRITERS) for i in range(EACH)}


def whole(path: Path) -> None:
    """Written whole and private: no temporary file left beside it."""
    assert not path.with_name(f".{path.name}.tmp").exists()
    assert path.stat().st_mode & 0o777 == 0o600


@pytest.mark.slow
def test_sixteen_shells_writing_at_once_lose_no_update_of_any_shared_file(mojodex_home):
    import tomllib

    from mojodex_core._shell import SharedHistory

    (mojodex_home / "config.toml").write_text('[shell]\nprompt = "mine> "\n', encoding="utf-8")
    run_writers(mojodex_home)
    expected = written()  # 16 writers x 8 records, in each file

    credentials = json.loads((mojodex_home / "credentials").read_text(encoding="utf-8"))["servers"]
    assert {server.removeprefix("http://").removesuffix(".example") for server in credentials} == expected
    assert all(entry["token"] == "t-" + url[7:].split(".")[0] for url, entry in credentials.items())

    config = tomllib.loads((mojodex_home / "config.toml").read_text(encoding="utf-8"))
    assert config["shell"] == {"prompt": "mine> "}  # what was there before is kept
    assert {key.removeprefix("k").replace("_", "-") for key in config["test"]} == expected

    history = list(SharedHistory(str(mojodex_home / "history")).load_history_strings())
    assert sorted(history) == sorted(f"workflow run {name}\nsecond line" for name in expected)

    waiting = json.loads((mojodex_home / "waiting-runs.json").read_text(encoding="utf-8"))
    assert {key.rsplit("#", 1)[1] for key in waiting} == expected

    for name in ("credentials", "config.toml", "waiting-runs.json"):
        whole(mojodex_home / name)
