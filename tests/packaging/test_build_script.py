"""packaging/build.py refuses, plainly and before building anything, the artefacts of another OS."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.packaging.conftest import PACKAGING, REPO


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="checks the refusal as seen from Linux")
@pytest.mark.parametrize(("target", "tool"), [("windows", "iscc"), ("macos", "hdiutil")])
def test_windows_and_macos_artefacts_are_refused_on_linux(target: str, tool: str) -> None:
    result = subprocess.run(
        [sys.executable, str(PACKAGING / "build.py"), "--os", target, "--reuse"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"build.py: The {target} artefacts need")
    assert tool in result.stderr and "this is linux" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""  # nothing was started
