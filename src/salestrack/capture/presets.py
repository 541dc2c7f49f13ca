"""Presets: ready-made readers for the exports of other CRMs and shops, chosen by name.

A preset knows which files of an export hold which objects and imports them parents first, so
references (a contact's account, a deal's company) resolve. Anything else is a mapping file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from salestrack.capture.importer import ImportReport, Progress, import_file
from salestrack.capture.mapping import load_mapping
from salestrack.domain.actor import Actor
from salestrack.errors import ValidationFailed
from salestrack.store.uow import UnitOfWork

Runner = Callable[..., ImportReport]


def _registry() -> dict[str, Runner]:
    from salestrack.capture import crm, orders, salesforce_files

    return {
        "salesforce": salesforce_files.import_salesforce,
        "hubspot": crm.import_hubspot,
        "pipedrive": crm.import_pipedrive,
        "orders": orders.import_orders,
    }


def preset_names() -> list[str]:
    return sorted(_registry())


def run_preset_or_mapping(
    uow: UnitOfWork,
    actor: Actor,
    name: str,
    paths: list[Path],
    *,
    dry_run: bool = False,
    atomic: bool = False,
    rejects_path: Path | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import ``paths`` with the preset called ``name``, or with the mapping file at ``name``."""
    registry = _registry()
    options: dict[str, Any] = {"dry_run": dry_run, "atomic": atomic, "progress": progress}
    if name in registry:
        return registry[name](uow, actor, paths, rejects_path=rejects_path, **options)
    mapping_path = Path(name)
    if mapping_path.suffix != ".toml" or not mapping_path.is_file():
        raise ValidationFailed(
            "preset_or_mapping",
            f"{name!r} is neither a preset ({', '.join(registry)}) nor a .toml mapping file",
        )
    mapping = load_mapping(mapping_path)
    report = ImportReport()
    for index, path in enumerate(paths):
        rejects = rejects_path
        if rejects_path is not None and len(paths) > 1:
            rejects = rejects_path.with_name(
                f"{rejects_path.stem}-{index + 1}{rejects_path.suffix}"
            )
        report.merge(import_file(uow, actor, mapping, path, rejects_path=rejects, **options))
    return report
