"""The ledger helpers (d1/ledger.py) and the partial config of ``--apply --to`` (d1/partial_apply.py)."""

from __future__ import annotations

import json
from pathlib import Path

from nanoka_core.d1.ledger import pending_up_to, record_applied_sql, remove_record_sql
from nanoka_core.d1.partial_apply import config_applying_only
from nanoka_core.d1.wrangler_config import d1_databases, read_wrangler_config, select_database


def test_pending_up_to_follows_wranglers_order_and_stops_at_the_name() -> None:
    files = ["0010_j.sql", "0002_b.sql", "0001_a.sql", "0003_c.sql"]
    assert pending_up_to(files, ["0001_a.sql"], None) == ["0002_b.sql", "0003_c.sql", "0010_j.sql"]
    assert pending_up_to(files, ["0001_a.sql"], "0003_c.sql") == ["0002_b.sql", "0003_c.sql"]
    assert pending_up_to(files, [], "0001_a.sql") == ["0001_a.sql"]


def test_ledger_sql_quotes_the_name_and_uses_the_table() -> None:
    assert record_applied_sql("ledger", "0001_it's.sql").endswith("INSERT INTO ledger (name) VALUES ('0001_it''s.sql')")
    assert "CREATE TABLE IF NOT EXISTS ledger(" in record_applied_sql("ledger", "x.sql")
    assert remove_record_sql("d1_migrations", "0001_a.sql") == "DELETE FROM d1_migrations WHERE name = '0001_a.sql'"


def test_the_partial_config_points_only_the_selected_database_at_a_folder_of_copies(tmp_path: Path) -> None:
    config = tmp_path / "wrangler.toml"
    config.write_text(
        'name = "app"\nmain = "src/index.ts"\n'
        '[[d1_databases]]\nbinding = "DB"\ndatabase_name = "dev"\nmigrations_dir = "m"\n'
        '[[env.production.d1_databases]]\nbinding = "DB"\ndatabase_name = "prod"\ndatabase_id = "x"\n'
        'migrations_dir = "m"\nmigrations_table = "ledger"\n'
    )
    folder = tmp_path / "m"
    folder.mkdir()
    for name in ("0000_a.sql", "0001_b.sql", "0002_c.sql"):
        (folder / name).write_text(f"-- {name}\n")
    database = select_database(config, d1_databases(config, read_wrangler_config(config), "production"), "prod", "production")
    with config_applying_only(config, "production", database, folder, ["0000_a.sql", "0001_b.sql"]) as partial:
        assert partial.parent == tmp_path and partial.suffix == ".json"
        data = json.loads(partial.read_text())
        assert data["main"] == "src/index.ts" and data["d1_databases"][0]["migrations_dir"] == "m"
        [prod] = data["env"]["production"]["d1_databases"]
        assert prod["migrations_table"] == "ledger"
        staging = Path(prod["migrations_dir"])
        assert sorted(p.name for p in staging.iterdir()) == ["0000_a.sql", "0001_b.sql"]
    assert not partial.exists() and not staging.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m", "wrangler.toml"]
