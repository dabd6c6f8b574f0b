import pytest


@pytest.fixture(autouse=True)
def checkpoint_file(settings, tmp_path):
    """Each test's checkpoints go to its own file (the demo's sink), never to a file a demo run left in var/."""
    settings.AUDIT_CHECKPOINT_SINKS = ["file"]
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "audit-checkpoints.log")
    return tmp_path / "audit-checkpoints.log"
