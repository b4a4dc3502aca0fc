"""The hand-made history every progress test reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.progress.fixtures import History, make_history


@pytest.fixture
def history(db: None, tmp_path: Path) -> History:
    return make_history(tmp_path)
