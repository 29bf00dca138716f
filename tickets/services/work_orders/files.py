"""Photos from the site and signatures: checked by their first bytes, stored once by SHA-256."""

from __future__ import annotations

import hashlib
from pathlib import Path

from service_ops import clock, files, idempotency
from service_ops.actor import Actor
from service_ops.auth import check_role
from service_ops.errors import Conflict, Invalid, InvalidTransition
from service_ops.settings import get_settings
from service_ops.uow import unit_of_work
from tickets import events
from tickets.services.work_orders.common import TECHNICIAN, S, check_assignee, locked_work_order
from tickets.tables import WorkOrderPhoto

FOLDER = "work_orders"
PNG_MAGIC = files.PNG_MAGIC
PHOTO_TYPES = (files.JPEG, files.PNG, files.WEBP)


def image_type(content: bytes) -> tuple[str, str] | None:
    """(media type, extension) of a JPEG, PNG or WebP file, judged by its first bytes only."""
    kind = files.sniff(content)
    return (kind.media_type, kind.extension) if kind in PHOTO_TYPES else None


async def store_file(content: bytes, extension: str) -> tuple[str, str]:
    """Write the file under the data folder (once per content); its (sha256, relative path)."""
    return await files.store(content, FOLDER, extension)


def stored_file(relative_path: str) -> Path:
    """The file of a stored path (never outside the work-order upload folder)."""
    return files.stored_path(relative_path, FOLDER)


def checked_photo(content: bytes, filename: str | None) -> tuple[str, str]:
    """(media type, extension) of an acceptable photo: present, within the upload limit, an image."""
    limit = get_settings().upload_max_bytes
    if not content:
        raise Invalid("Choose a photo to upload.", field="photo")
    if len(content) > limit:
        raise Invalid("The photo is too large (at most {max} MB).", field="photo", max=limit // 2**20)
    kind = image_type(content)
    if kind is None:
        raise Invalid(
            "“{name}” is not a photo: send a JPEG, PNG or WebP image.",
            field="photo",
            name=Path(filename or "").name[:80],
        )
    return kind


async def add_work_order_photo(
    actor: Actor,
    work_order_id: int,
    content: bytes,
    filename: str | None = None,
    caption: str = "",
    idempotency_key: str | None = None,
) -> int:
    """The technician adds a photo from the site (JPEG, PNG or WebP); returns the photo's id.

    Uploaded on its own, apart from the steps, so a weak network never holds a step back.
    """
    check_role(actor, TECHNICIAN)
    operation = f"work_order_photo:{work_order_id}"
    replayed = await idempotency.replayed_entity_id(actor, operation, idempotency_key)
    if replayed is not None:
        return int(replayed)
    media_type, extension = checked_photo(content, filename)
    digest = hashlib.sha256(content).hexdigest()
    async with unit_of_work(actor) as uow:
        _, order = await locked_work_order(work_order_id)
        check_assignee(actor, order)
        if order.status == S.CANCELLED.value:
            raise InvalidTransition("Work order {number} is cancelled.", number=order.number)
        if await WorkOrderPhoto.exists().where(
            (WorkOrderPhoto.work_order == order.id) & (WorkOrderPhoto.sha256 == digest)
        ):
            raise Conflict("This photo is already attached to work order {number}.", number=order.number)
        _, path = await store_file(content, extension)
        photo = WorkOrderPhoto(
            work_order=order.id,
            sha256=digest,
            content_type=media_type,
            size=len(content),
            path=path,
            caption=caption.strip()[:200],
            uploaded_at=clock.now(),
            uploaded_by=actor.user_id,
        )
        await photo.save()
        await idempotency.remember(actor, operation, idempotency_key, "work_order_photo", photo.id)
        uow.record(
            events.WORK_ORDER_PHOTO_ADDED,
            "work_order",
            order.id,
            after={"photo": photo.id, "sha256": digest, "content_type": media_type, "size": len(content)},
        )
        return int(photo.id)
