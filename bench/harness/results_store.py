"""Per-engine result files of one benchmark run, so that an interrupted run resumes.

A results folder holds ``settings.json`` (what the numbers depend on: tokenizer, stop tokens,
engine options, limits) and ``cache/<engine>.jsonl`` with one JSON record per finished item
(a schema or a grammar), keyed by ``record["key"]``. ``ResultsStore.open`` refuses to mix
records made under different settings, because a table that silently merges two tokenizers or
two timeouts would compare nothing. Records are appended and flushed one by one; a torn last
line (the run was killed mid-write) is ignored when reading.

Entry points: ``ResultsStore.open(folder, settings)``, ``done_keys(engine)``, ``append(engine,
record)``, ``records(engine)``.
"""

from __future__ import annotations

import json
from pathlib import Path


class SettingsMismatchError(ValueError):
    """The folder holds results made with other settings."""


class ResultsStore:
    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.cache_dir = self.folder / "cache"

    @classmethod
    def open(cls, folder, settings: dict, *, discard_old: bool = False) -> ResultsStore:
        store = cls(folder)
        store.cache_dir.mkdir(parents=True, exist_ok=True)
        settings_path = store.folder / "settings.json"
        if settings_path.exists() and not discard_old:
            recorded = json.loads(settings_path.read_text())
            if recorded != settings:
                changed = sorted(
                    key
                    for key in set(recorded) | set(settings)
                    if recorded.get(key) != settings.get(key)
                )
                raise SettingsMismatchError(
                    f"{store.folder} holds results made with other settings (differs in "
                    f"{', '.join(changed)}); pass another --out or --fresh to discard them"
                )
        for old in store.cache_dir.glob("*.jsonl"):
            if discard_old:
                old.unlink()
            else:
                store._terminate_torn_line(old)
        settings_path.write_text(json.dumps(settings, indent=2, sort_keys=True) + "\n")
        return store

    @staticmethod
    def _terminate_torn_line(path: Path) -> None:
        """Ends a line cut short by a kill, so the next record starts on a line of its own."""
        with open(path, "rb+") as data:
            data.seek(0, 2)
            if data.tell() == 0:
                return
            data.seek(-1, 2)
            if data.read(1) != b"\n":
                data.write(b"\n")

    def path_of(self, engine: str) -> Path:
        return self.cache_dir / f"{engine}.jsonl"

    def records(self, engine: str) -> list:
        path = self.path_of(engine)
        if not path.exists():
            return []
        records = {}
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by an interrupted run
                records[record["key"]] = record  # a rerun item replaces its older record
        return list(records.values())

    def done_keys(self, engine: str) -> set:
        return {record["key"] for record in self.records(engine)}

    def append(self, engine: str, record: dict) -> None:
        with open(self.path_of(engine), "a", encoding="utf-8") as out:
            out.write(json.dumps(record, separators=(",", ":")) + "\n")
            out.flush()
