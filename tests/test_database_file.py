"""The SQLite database file is created readable and writable by its owner only."""

from __future__ import annotations

import os
import stat

from django.db.backends.sqlite3.base import DatabaseWrapper


def test_a_new_sqlite_database_file_is_owner_only(tmp_path, django_db_blocker):
    path = tmp_path / "db.sqlite3"
    old = os.umask(0o022)  # a usual umask: new files would be world-readable
    try:
        wrapper = DatabaseWrapper(
            {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(path),
                "OPTIONS": {},
                "TIME_ZONE": None,
                "CONN_MAX_AGE": 0,
                "CONN_HEALTH_CHECKS": False,
                "AUTOCOMMIT": True,
                "ATOMIC_REQUESTS": False,
                "USER": "",
                "PASSWORD": "",
                "HOST": "",
                "PORT": "",
                "TEST": {},
            }
        )
        with django_db_blocker.unblock():
            wrapper.ensure_connection()
            with wrapper.cursor() as cursor:
                cursor.execute("CREATE TABLE t (x int)")
            wrapper.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
