"""tools/install-system-deps.sh: names every missing library a desktop session needs, quiet when all are there."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "tools" / "install-system-deps.sh"
XCB = {
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0",
}


def script_libraries() -> dict[str, str]:
    text = SCRIPT.read_text(encoding="utf-8").split('LIBRARIES="', 1)[1].split('"', 1)[0]
    return dict(line.split() for line in text.strip().splitlines())


def run(tmp_path: Path, present: set[str]) -> subprocess.CompletedProcess[str]:
    """Run the script as a normal user with ldconfig reporting only ``present``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    listing = "".join(f"\t{lib} (libc6,x86-64) => /lib/{lib}\n" for lib in sorted(present))
    (bin_dir / "listing").write_text(f"{len(present)} libs found in cache\n{listing}")
    for name, body in (("ldconfig", f'cat "{bin_dir}/listing"'), ("id", "echo 1000")):
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run(
        ["sh", str(SCRIPT)], capture_output=True, text=True, env=env, timeout=30, check=False
    )


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
def test_missing_xcb_libraries_are_named_and_present_ones_are_not(tmp_path: Path) -> None:
    libraries = script_libraries()
    assert XCB.items() <= libraries.items()  # the libraries the xcb plugin failed without
    res = run(tmp_path, set(libraries) - {"libxcb-icccm.so.4", "libGL.so.1"})
    assert res.returncode == 1
    needed = res.stdout.splitlines()[0].split(":", 1)[1].split()
    assert {"libxcb-icccm4", "libgl1"} <= set(needed)
    assert not set(needed) & (set(libraries.values()) - {"libxcb-icccm4", "libgl1"})
    # Everything there: nothing said about libraries.
    res = run(tmp_path, set(libraries))
    assert "lib" not in res.stdout and res.returncode in (0, 1)
