"""``pip install .`` into a fresh venv (not editable) gives a vlanspec that validates.

The schema lives in ``schemas/`` at the top of the repository and ships inside the package; this
catches a wheel built without it, which an editable install used by the other tests would hide.
"""

from __future__ import annotations

import shutil
import subprocess
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_fresh_install_validates_specs(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(".venv", ".git", "node_modules", ".cache", "__pycache__"),
    )
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip"]
    subprocess.run([*pip, "install", "-q", str(source)], check=True, timeout=600)
    vlanspec = str(env_dir / "bin" / "vlanspec")

    valid = subprocess.run(
        [vlanspec, "validate", str(ROOT / "specs")], capture_output=True, text=True, cwd=tmp_path
    )
    assert valid.returncode == 0, valid.stderr
    assert valid.stdout.startswith("OK: 4 specs valid")

    broken = tmp_path / "broken.yaml"
    broken.write_text("name: lab\nnetworks:\n  n: {driver: macvlan, parnet: eth0}\n")
    invalid = subprocess.run(
        [vlanspec, "validate", str(broken)], capture_output=True, text=True, cwd=tmp_path
    )
    assert invalid.returncode == 1
    assert f"{broken}:3:24: error: unknown key 'parnet'" in invalid.stdout
    assert "Traceback" not in invalid.stdout + invalid.stderr

    schema = subprocess.run([vlanspec, "schema"], capture_output=True, text=True, check=True)
    assert '"title": "vlanspec spec"' in schema.stdout
    # The installed package is the one that ran, not the repository's editable copy.
    where = subprocess.run(
        [str(env_dir / "bin" / "python"), "-c", "import vlanspec; print(vlanspec.__file__)"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert str(env_dir) in where.stdout
