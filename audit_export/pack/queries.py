"""Reading evidence packs for the page and its JSON endpoint."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import msgspec

from audit_export.tables import EvidencePack
from service_ops import clock
from service_ops.errors import N_, NotFound
from service_ops.i18n import gettext

P = EvidencePack
IN_FLIGHT = ("queued", "running")
LISTED = 50
COLUMNS = (
    P.id,
    P.period_from,
    P.period_to,
    P.as_of,
    P.status,
    P.progress,
    P.stage,
    P.file_path,
    P.sha256,
    P.size_bytes,
    P.error,
    P.requested_at,
    P.requested_by.display_name.as_alias("requested_by_name"),
    P.finished_at,
)


class EvidencePackRead(msgspec.Struct, kw_only=True):
    id: int
    period_from: date
    period_to: date
    """Exclusive end of the period."""
    as_of: datetime
    status: str
    progress: int
    stage: str
    """Translated into the reader's language."""
    sha256: str | None
    size_bytes: int | None
    error: str | None
    requested_at: datetime
    requested_by: str
    finished_at: datetime | None
    download_url: str | None


def _read(row: dict[str, object]) -> EvidencePackRead:
    done = row["status"] == "done"
    stage = str(row["stage"] or "")
    return EvidencePackRead(
        id=int(row["id"]),  # type: ignore[call-overload]
        period_from=row["period_from"],  # type: ignore[arg-type]
        period_to=row["period_to"],  # type: ignore[arg-type]
        as_of=row["as_of"],  # type: ignore[arg-type]
        status=str(row["status"]),
        progress=int(row["progress"] or 0),  # type: ignore[call-overload]
        stage=gettext(stage) if stage else "",
        sha256=row["sha256"],  # type: ignore[arg-type]
        size_bytes=row["size_bytes"],  # type: ignore[arg-type]
        error=row["error"],  # type: ignore[arg-type]
        requested_at=row["requested_at"],  # type: ignore[arg-type]
        requested_by=str(row["requested_by_name"] or ""),
        finished_at=row["finished_at"],  # type: ignore[arg-type]
        download_url=f"/evidence-packs/{row['id']}/download" if done else None,
    )


async def list_packs(limit: int = LISTED) -> list[EvidencePackRead]:
    """The latest packs, newest first."""
    rows = await P.select(*COLUMNS).order_by(P.id, ascending=False).limit(limit)
    return [_read(row) for row in rows]


async def get_pack(pack_id: int) -> EvidencePackRead:
    row = await P.select(*COLUMNS).where(P.id == pack_id).first()
    if row is None:
        raise NotFound(N_("Evidence pack {id} not found."), id=pack_id)
    return _read(row)


async def in_flight_pack_id(period_from: date, period_to: date) -> int | None:
    row = (
        await P.select(P.id)
        .where((P.period_from == period_from) & (P.period_to == period_to) & P.status.is_in(list(IN_FLIGHT)))
        .first()
    )
    return int(row["id"]) if row else None


async def stale_pack_ids(queued_for: timedelta, running_for: timedelta) -> list[int]:
    """Packs queued longer than `queued_for` (the job was lost, e.g. Redis restarted) or running
    longer than `running_for` (the worker died): their jobs are queued again."""
    now = clock.now()
    rows = await P.select(P.id).where(
        ((P.status == "queued") & (P.requested_at < now - queued_for))
        | ((P.status == "running") & (P.requested_at < now - running_for))
    )
    return [int(row["id"]) for row in rows]
