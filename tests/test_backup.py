"""`make backup` and `make restore`: a backup restored into an empty database has every row."""

import contextlib
import hashlib
import os
import sqlite3
import subprocess
import textwrap
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection

SCRIPTS = settings.BASE_DIR / "scripts"
KEY_TABLES = ["territory_publicspace", "territory_colonia", "contracts_contract"]


def model_tables() -> list[str]:
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
    )


def run_script(name: str, *args: str, env: dict) -> str:
    result = subprocess.run(  # noqa: S603 - our own scripts
        ["bash", str(SCRIPTS / name), *args],  # noqa: S607
        cwd=settings.BASE_DIR,
        env={**os.environ, "PY": str(settings.BASE_DIR / ".venv/bin/python"), **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def snapshot(cursor) -> dict:
    """Rows per model table, and a checksum of the key tables' rows in id order."""
    counts = {}
    for table in model_tables():
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - model table names
        counts[table] = cursor.fetchone()[0]
    checksums = {}
    for table in KEY_TABLES:
        cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608
        digest = hashlib.sha256()
        for row in cursor.fetchall():
            digest.update(
                repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)).encode()
            )
        checksums[table] = digest.hexdigest()
    return {"counts": counts, "checksums": checksums}


def media_env(tmp_path: Path, name: str) -> Path:
    media = tmp_path / name
    media.mkdir()
    return media


# --- SpatiaLite (the embedded default) ---------------------------------------------------------

SEED_SCRIPT = textwrap.dedent(
    """
    import django
    django.setup()
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from core import demo
    demo.seed(spaces=60, with_users=False)
    """
)


def test_spatialite_backup_restored_into_an_empty_file_has_every_row(tmp_path):
    source, restored = tmp_path / "source.sqlite3", tmp_path / "restored.sqlite3"
    source_media, restored_media = media_env(tmp_path, "media"), tmp_path / "restored-media"
    (source_media / "cards").mkdir()
    (source_media / "cards" / "photo.webp").write_bytes(b"RIFF....WEBP")
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"spatialite:///{source}",
        "REDIS_URL": "",
        "TEST_MEDIA_ROOT": str(source_media),
        "BACKUP_ROOT": str(tmp_path / "backups"),
    }
    subprocess.run(  # noqa: S603
        [str(settings.BASE_DIR / ".venv/bin/python"), "-c", SEED_SCRIPT],
        cwd=settings.BASE_DIR,
        env={**os.environ, **env},
        check=True,
        timeout=300,
    )

    backup = Path(run_script("backup.sh", env=env))
    assert backup.parent == tmp_path / "backups"
    assert {p.name for p in backup.iterdir()} == {"database.sqlite3", "media.tar.gz"}

    target = {**env, "DATABASE_URL": f"spatialite:///{restored}"}
    target["TEST_MEDIA_ROOT"] = str(restored_media)
    assert not restored.exists()
    run_script("restore.sh", "--yes", str(backup), env=target)

    with (
        contextlib.closing(sqlite3.connect(source)) as a,
        contextlib.closing(sqlite3.connect(restored)) as b,
    ):
        before, after = snapshot(a.cursor()), snapshot(b.cursor())
    assert before["counts"]["territory_publicspace"] >= 60
    assert after == before
    assert (restored_media / "cards" / "photo.webp").read_bytes() == b"RIFF....WEBP"


def test_restore_refuses_without_a_file_or_a_confirmation(tmp_path):
    env = {"DATABASE_URL": f"spatialite:///{tmp_path / 'db.sqlite3'}", "REDIS_URL": ""}
    script = str(SCRIPTS / "restore.sh")
    python = str(settings.BASE_DIR / ".venv/bin/python")
    full_env = {**os.environ, "PY": python, **env}
    no_file = subprocess.run(  # noqa: S603
        ["bash", script],  # noqa: S607
        cwd=settings.BASE_DIR,
        env=full_env,
        capture_output=True,
        text=True,
    )
    assert no_file.returncode == 2 and "usage" in no_file.stderr
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "database.sqlite3").write_bytes(b"")
    declined = subprocess.run(  # noqa: S603
        ["bash", script, str(backup)],  # noqa: S607
        cwd=settings.BASE_DIR,
        env=full_env,
        input="n\n",
        capture_output=True,
        text=True,
    )
    assert declined.returncode == 1 and "cancelled" in declined.stderr
    assert not (tmp_path / "db.sqlite3").exists()


# --- PostGIS -----------------------------------------------------------------------------------


def _admin_connection(dbname: str):
    db = connection.settings_dict
    conn = psycopg2.connect(
        dbname=dbname,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
    )
    conn.autocommit = True
    return conn


def _url(dbname: str) -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgis://{db['USER']}{password}@{host}/{dbname}"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_postgis_backup_restored_into_an_empty_database_has_every_row(tmp_path):
    from core import demo

    demo.seed(spaces=60, with_users=False)
    source_name = connection.settings_dict["NAME"]
    target_name = f"{source_name}_restore_{uuid.uuid4().hex[:8]}"
    source_media = media_env(tmp_path, "media")
    (source_media / "doc.pdf").write_bytes(b"%PDF-1.4")
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _url(source_name),
        "TEST_MEDIA_ROOT": str(source_media),
        "BACKUP_ROOT": str(tmp_path / "backups"),
    }
    backup = Path(run_script("backup.sh", env=env))
    assert {p.name for p in backup.iterdir()} == {"database.dump", "media.tar.gz"}

    with contextlib.closing(_admin_connection(source_name)) as admin, admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{target_name}" TEMPLATE template0')
    try:
        with (
            contextlib.closing(_admin_connection(target_name)) as target,
            target.cursor() as cursor,
        ):
            cursor.execute("CREATE EXTENSION postgis")
            cursor.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
                " AND tablename <> 'spatial_ref_sys'"
            )
            assert cursor.fetchone() == (0,)  # empty
        restored_media = tmp_path / "restored-media"
        target_env = {
            **env,
            "DATABASE_URL": _url(target_name),
            "TEST_MEDIA_ROOT": str(restored_media),
        }
        run_script("restore.sh", str(backup), env={**target_env, "YES": "1"})

        with (
            contextlib.closing(_admin_connection(source_name)) as a,
            contextlib.closing(_admin_connection(target_name)) as b,
        ):
            before, after = snapshot(a.cursor()), snapshot(b.cursor())
        assert before["counts"]["territory_publicspace"] >= 60
        assert after == before
        assert (restored_media / "doc.pdf").read_bytes() == b"%PDF-1.4"
    finally:
        with contextlib.closing(_admin_connection(source_name)) as admin, admin.cursor() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{target_name}" WITH (FORCE)')
