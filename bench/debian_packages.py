"""Commands the benchmarks need from Debian's packages (wrk, hugo): found on
PATH, or installed with apt-get when running as root, as scripts/system-deps
installs what the tests need."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys


def require_command(name: str) -> str:
    """The path of the command `name`, from the Debian package of that name."""
    found = shutil.which(name)
    if found:
        return found
    if os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", name], check=True)
        return shutil.which(name) or sys.exit(f"{name} did not install")
    sys.exit(f"{name} is missing: apt-get install {name} (Debian's package)")
