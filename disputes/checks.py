"""System checks: what evidence uploads need from the machine (`manage.py check`, startup)."""

import shutil

from django.core import checks


@checks.register()
def video_tools_installed(app_configs, **kwargs):
    missing = [name for name in ("ffprobe", "ffmpeg") if shutil.which(name) is None]
    if not missing:
        return []
    return [
        checks.Error(
            f"{', '.join(missing)} not found: video evidence cannot be checked.",
            hint="Install Debian's ffmpeg package (scripts/quickstart does).",
            id="disputes.E001",
        )
    ]
