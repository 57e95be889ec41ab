"""One rule for CI=true (tests/ci.py): a missing test tool skips on a developer's machine and
fails the run under CI, every skip in tests/ goes through that rule, and `.ci/run` says it is CI."""

import ast
import subprocess
import sys
import textwrap

import pytest

from tests import ci
from tests.servers import ROOT


@pytest.mark.parametrize(
    ("value", "is_ci"),
    [("true", True), ("TRUE", True), ("True", True), (" true\n", True), ("false", False),
     ("1", False), ("", False), (None, False)],
)  # fmt: skip
def test_ci_true_is_read_one_way_in_any_case(monkeypatch, value, is_ci):
    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert ci.under_ci() is is_ci


def test_a_missing_tool_skips_here_and_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="no such tool"):
        ci.missing("no such tool")
    with pytest.raises(pytest.skip.Exception, match="no_such_module_here"):
        ci.need("no_such_module_here", "pip install nothing")
    monkeypatch.setenv("CI", "True")
    with pytest.raises(pytest.fail.Exception, match="no such tool .CI=true"):
        ci.missing("no such tool")
    with pytest.raises(pytest.fail.Exception, match="no_such_module_here"):
        ci.need("no_such_module_here", "pip install nothing")
    assert ci.need("json", "the standard library").dumps([]) == "[]"


def test_every_skip_in_tests_goes_through_the_one_rule():
    """No ``importorskip``, ``pytest.skip``, ``skipif`` or ``mark.skip`` outside tests/ci.py:
    they would skip under CI too."""
    found = []
    for path in sorted((ROOT / "tests").glob("*.py")):
        if path.name in ("ci.py", "test_ci.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("importorskip", "skip", "skipif"):
                found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    assert not found, "\n".join(found)


def test_the_ci_script_says_it_is_ci():
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "\nexport CI=true\n" in script
    assert script.index("export CI=true") < script.index("python -m pytest")


SKIPPING = {
    "test_skips_itself.py": """
        import pytest

        def test_needs_a_tool():
            pytest.skip("the tool is not here")

        def test_runs():
            pass
    """,
    "test_skips_its_module.py": """
        import pytest

        pytest.skip("nothing here", allow_module_level=True)
    """,
    "conftest.py": """
        from tests.conftest import pytest_make_collect_report, pytest_runtest_makereport
    """,
}


def test_under_ci_a_skip_is_a_failure(tmp_path):
    """tests/conftest.py's hooks, on a test that skips itself and a module that skips itself."""
    for name, text in SKIPPING.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")

    def run(ci_value, name):
        env = {"CI": ci_value, "PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA"]
        command += ["--rootdir", str(tmp_path), "-c", "/dev/null", str(tmp_path / name)]
        return subprocess.run(
            command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )

    for name in ("test_skips_itself.py", "test_skips_its_module.py"):
        here = run("false", name)
        # 5: nothing ran (the module skipped whole), which is no failure
        assert here.returncode in (0, 5) and "skipped" in here.stdout, here.stdout + here.stderr
    test = run("TRUE", "test_skips_itself.py")
    assert test.returncode == 1 and "1 failed, 1 passed" in test.stdout, test.stdout
    assert "skipped under CI=true, which must run every test: the tool is not here" in test.stdout
    module = run("TRUE", "test_skips_its_module.py")  # a collection error stops the run
    assert module.returncode == 2 and "1 error" in module.stdout, module.stdout
    assert "skipped under CI=true, which must run every test: nothing here" in (module.stdout)
