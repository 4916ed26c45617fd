"""The shipped systemd units and environment file (deploy/) are what an operator installs:
systemd must accept every unit, every command they run must be a real `carebook` command with
real options, and the environment file must be settings carebook knows and accepts."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import carebook
from server.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
UNITS = ROOT / "deploy" / "systemd"
ENV_EXAMPLE = ROOT / "deploy" / "carebook.env.example"
INSTALLED = "/opt/carebook/.venv/bin/carebook"
# The unit files an operator enables; the template is verified as an instance.
UNIT_FILES = {
    "carebook@8001.service": "carebook@.service",
    "carebook-worker.service": "carebook-worker.service",
    "carebook-backup.service": "carebook-backup.service",
    "carebook-backup.timer": "carebook-backup.timer",
    "carebook.target": "carebook.target",
}


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        raise RuntimeError("systemd-analyze is missing: `apt-get install systemd` "
                           "(scripts/ensure-test-tools.sh does it as root)")
    return found


def installed_here(text: str) -> str:
    """The unit as installed on this machine: the project's own executable and directory."""
    carebook_script = Path(sys.executable).parent / "carebook"
    return (text.replace(INSTALLED, str(carebook_script))
                .replace("WorkingDirectory=/opt/carebook", f"WorkingDirectory={ROOT}"))


def test_systemd_accepts_every_shipped_unit(tmp_path: Path) -> None:
    for name, source in UNIT_FILES.items():
        (tmp_path / name).write_text(installed_here((UNITS / source).read_text()))
    assert sorted(p.name for p in UNITS.iterdir()) == sorted(set(UNIT_FILES.values()))
    result = subprocess.run(
        [systemd_analyze(), "verify", *(str(tmp_path / name) for name in UNIT_FILES)],
        capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
    )
    complaints = [line for line in (result.stdout + result.stderr).splitlines()
                  if line.strip() and "carebook" in line]
    assert result.returncode == 0, result.stdout + result.stderr
    assert complaints == []


def carebook_commands() -> list[tuple[str, list[str]]]:
    """Every `carebook …` command line in the units' Exec* lines, as argument lists."""
    found = []
    for unit in sorted(UNITS.iterdir()):
        for line in unit.read_text().splitlines():
            if not re.match(r"^Exec\w*=", line) or INSTALLED not in line:
                continue
            command = line.split(INSTALLED, 1)[1].rstrip("'")
            command = re.sub(r"\$\([^)]*\)", "20261126T000000Z", command).replace("%i", "8001")
            found.append((unit.name, shlex.split(command)))
    return found


@pytest.mark.parametrize(("unit", "args"), carebook_commands(),
                         ids=lambda value: value if isinstance(value, str) else " ".join(value))
def test_every_command_the_units_run_exists_with_those_options(
    unit: str, args: list[str]
) -> None:
    # --help is eager: click parses every option first, so an unknown option still fails.
    result = CliRunner().invoke(carebook, [*args, "--help"])
    assert result.exit_code == 0, f"{unit}: carebook {' '.join(args)}\n{result.output}"
    assert result.output.startswith("Usage: carebook " + args[0])


def test_the_units_cover_serve_worker_backup_and_verify() -> None:
    commands = {args[0] if args[0] != "audit" else " ".join(args[:2])
                for _, args in carebook_commands()}
    assert commands == {"serve", "worker", "backup", "audit verify"}


def example_environment() -> tuple[dict[str, str], set[str]]:
    """The file's settings, and every CAREBOOK_* name it mentions (commented ones too)."""
    values: dict[str, str] = {}
    mentioned: set[str] = set()
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^#?(CAREBOOK_[A-Z0-9_]+)=(.*)$", line)
        if match:
            mentioned.add(match.group(1))
            if not line.startswith("#"):
                values[match.group(1)] = match.group(2)
    return values, mentioned


def test_the_environment_file_holds_settings_carebook_accepts(tmp_path: Path) -> None:
    values, mentioned = example_environment()
    known = set(re.findall(r'"(CAREBOOK_[A-Z0-9_]+)"',
                           (ROOT / "server" / "settings.py").read_text()))
    assert mentioned - known == set(), "the example names settings carebook does not read"
    values["CAREBOOK_DATA_DIR"] = str(tmp_path)
    settings = load_settings(values)
    assert settings.base_url == "https://carebook.example.jp"
    assert settings.secure_cookies
    assert not settings.push.in_process_worker
