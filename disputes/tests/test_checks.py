from disputes import checks


def test_a_machine_without_ffmpeg_fails_the_system_check(monkeypatch):
    assert checks.video_tools_installed(None) == []
    monkeypatch.setattr(checks.shutil, "which", lambda name: None)
    [error] = checks.video_tools_installed(None)
    assert error.id == "disputes.E001"
    assert "ffprobe, ffmpeg" in error.msg
