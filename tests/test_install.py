"""Installing and starting as a new user would: without POSIX-only modules (Windows), and from a
wheel in a fresh virtual environment, run from an unrelated folder."""

import os
import re
import subprocess
import sys
import textwrap
import time
import urllib.parse
import urllib.request
import venv

import pytest

from tests.servers import ROOT, free_port

KEY = "WHEEL-TEST-KEY"

NO_FCNTL = textwrap.dedent(
    """
    import sys
    sys.modules["fcntl"] = None  # as on Windows: `import fcntl` raises ImportError
    from app import create_app
    from game.storage.deckfiles import DeckStore
    app = create_app({"INSTANCE_PATH": sys.argv[1] + "/i", "DECKS_DIR": sys.argv[1] + "/d",
                      "ASYNC_MODE": "threading", "TESTING": True})
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/healthz").get_json() == {"ok": True}
    store = DeckStore(sys.argv[1] + "/d")
    store.create("tiny", "title: Tiny\\n")
    assert "fcntl" not in {m for m, v in sys.modules.items() if v is not None}
    print("served without fcntl")
    """
)


def test_the_app_imports_serves_and_saves_decks_without_fcntl(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", NO_FCNTL, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "served without fcntl" in result.stdout


def _fetch(url, opener=None, data=None):
    opener = opener or urllib.request.build_opener()
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with opener.open(url, data=body, timeout=10) as response:
        return response.status, response.read().decode("utf-8", "replace")


def _csrf(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _start_session(base):
    """Sign in with the key and start a session of a starter deck, as a facilitator would."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    _, page = _fetch(base + "/host", opener)
    _fetch(base + "/host", opener, {"csrf_token": _csrf(page), "key": KEY, "next": ""})
    _, page = _fetch(base + "/host/new?deck=social-media-dilemmas.en", opener)
    form = {"csrf_token": _csrf(page), "deck": "social-media-dilemmas.en"}
    form.update(tables_mode="count", table_count="3", seating="choose", flow="draw")
    opener.open(base + "/host/sessions", data=urllib.parse.urlencode(form).encode(), timeout=10)
    _, page = _fetch(base + "/", opener)
    assert "Social media" in page and "28" in page  # the starter decks, seeded
    return re.search(r"/host/s/([A-Z0-9]+)", page).group(1)


@pytest.mark.slow
def test_a_wheel_installed_in_a_fresh_venv_serves_from_any_folder(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    (wheel,) = wheels.glob("tafelronde-*.whl")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run(
        [str(bindir / "python"), "-m", "pip", "install", "-q", str(wheel)],
        check=True,
        timeout=600,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # Nothing generic lands in site-packages: only `tafelronde`.
    probe = subprocess.run(
        [
            str(bindir / "python"),
            "-c",
            "import importlib.util as u; print(u.find_spec('app'), u.find_spec('game'))",
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert probe.stdout.split() == ["None", "None"], probe.stdout + probe.stderr
    port = free_port()
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAFELRONDE_", "PYTHON"))}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), PYTHONUNBUFFERED="1")
    env["TAFELRONDE_HOST_KEY"] = KEY
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(bindir / "tafelronde"), "--host", "127.0.0.1", "--port", str(port)],
            cwd=elsewhere,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                if _fetch(base + "/healthz")[0] == 200:
                    break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        status, home_page = _fetch(base + "/")
        assert status == 200 and "Session code" in home_page
        assert _fetch(base + "/static/css/app.css")[0] == 200
        assert _fetch(base + "/static/vendor/socket.io-client-4.8.4/socket.io.esm.min.js")[0] == 200
        code = _start_session(base)
        status, phone = _fetch(f"{base}/j/{code}")
        assert status == 200 and code in phone and "/static/js/play.js" in phone
        assert _fetch(base + "/static/js/play.js")[0] == 200
        status, worker = _fetch(base + "/j/sw.js")  # rendered from templates/sw.js
        assert status == 200 and "/static/js/play.js" in worker
    finally:
        process.terminate()
        process.wait(10)
    text = log.read_text()
    assert "monkey" not in text.lower(), text
    assert str(home / "data" / "tafelronde") in text  # the per-user data folder, printed
    assert (home / "data" / "tafelronde" / "decks" / "social-media-dilemmas.en.yaml").is_file()
