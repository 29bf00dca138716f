"""The service-system registers: service targets, management reviews, rewards and penalties."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromQuery, HeaderParameter, JSONBody
from litestar.response import Redirect, Template

from service_ops import outlet_directory
from service_ops.auth import CurrentActor, connection_actor, requires
from service_ops.choices import Role
from service_ops.documents import events, forms, kpi_codes, queries, services
from service_ops.documents.choices import Horizon, RewardKind
from service_ops.documents.schemas import (
    KpiCodeRead,
    ManagementReviewAmend,
    ManagementReviewRead,
    ManagementReviewWrite,
    RewardPenaltyCorrection,
    RewardPenaltyRead,
    RewardPenaltyWrite,
    ServiceTargetAmend,
    ServiceTargetRead,
    ServiceTargetWrite,
)
from service_ops.documents.services.common import WRITE_ROLES
from service_ops.queries import audit_events_for
from service_ops.web import PathId, form_data, page

READ = requires(*Role)
WRITE = requires(*WRITE_ROLES, write=True)
IdempotencyHeader = Annotated[
    str | None, HeaderParameter(name="Idempotency-Key", required=False, max_length=100)
]


def can_write(request: Request[Any, Any, Any]) -> bool:
    """Show forms only to those who may send them (auditors and other roles read)."""
    actor = connection_actor(request)
    return actor is not None and actor.role != Role.AUDITOR and actor.has_role(*WRITE_ROLES)


def _target_write(data: ServiceTargetAmend) -> ServiceTargetWrite:
    return ServiceTargetWrite(
        horizon=data.horizon,
        period_from=data.period_from,
        period_to=data.period_to,
        kpi_code=data.kpi_code,
        target=data.target,
        owner_id=data.owner_id,
        note=data.note,
    )


class RegisterApi(Controller):
    path = "/api"
    tags = ["service system registers"]

    @get("/kpi-codes", guards=[READ])
    async def kpi_codes(self) -> list[KpiCodeRead]:
        return [KpiCodeRead(code=kpi.code, scale=kpi.scale) for kpi in kpi_codes.KPIS]

    @get("/service-targets", guards=[READ])
    async def targets(self, horizon: FromQuery[Horizon | None] = None) -> list[ServiceTargetRead]:
        return await queries.list_targets(horizon)

    @post("/service-targets", guards=[WRITE])
    async def create_target(
        self, actor: CurrentActor, data: JSONBody[ServiceTargetWrite], idempotency_key: IdempotencyHeader
    ) -> ServiceTargetRead:
        return await queries.get_target(await services.create_service_target(actor, data, idempotency_key))

    @get("/service-targets/{target_id:int}", guards=[READ])
    async def target(self, target_id: PathId) -> ServiceTargetRead:
        return await queries.get_target(target_id)

    @post("/service-targets/{target_id:int}/amend", guards=[WRITE])
    async def amend_target(
        self, actor: CurrentActor, target_id: PathId, data: JSONBody[ServiceTargetAmend]
    ) -> ServiceTargetRead:
        await services.amend_service_target(actor, target_id, _target_write(data), data.reason)
        return await queries.get_target(target_id)

    @get("/management-reviews", guards=[READ])
    async def reviews(self) -> list[ManagementReviewRead]:
        return await queries.list_reviews()

    @post("/management-reviews", guards=[WRITE])
    async def record_review(
        self, actor: CurrentActor, data: JSONBody[ManagementReviewWrite], idempotency_key: IdempotencyHeader
    ) -> ManagementReviewRead:
        return await queries.get_review(await services.record_management_review(actor, data, idempotency_key))

    @get("/management-reviews/{review_id:int}", guards=[READ])
    async def review(self, review_id: PathId) -> ManagementReviewRead:
        return await queries.get_review(review_id)

    @post("/management-reviews/{review_id:int}/amend", guards=[WRITE])
    async def amend_review(
        self, actor: CurrentActor, review_id: PathId, data: JSONBody[ManagementReviewAmend]
    ) -> ManagementReviewRead:
        write = ManagementReviewWrite(
            held_on=data.held_on,
            attendees=data.attendees,
            inputs=data.inputs,
            decisions=data.decisions,
            actions=data.actions,
        )
        await services.amend_management_review(actor, review_id, write, data.reason)
        return await queries.get_review(review_id)

    @get("/rewards-penalties", guards=[READ])
    async def rewards(self) -> list[RewardPenaltyRead]:
        return await queries.list_rewards()

    @post("/rewards-penalties", guards=[WRITE])
    async def record_reward(
        self, actor: CurrentActor, data: JSONBody[RewardPenaltyWrite], idempotency_key: IdempotencyHeader
    ) -> RewardPenaltyRead:
        return await queries.get_reward(await services.record_reward_penalty(actor, data, idempotency_key))

    @get("/rewards-penalties/{record_id:int}", guards=[READ])
    async def reward(self, record_id: PathId) -> RewardPenaltyRead:
        return await queries.get_reward(record_id)

    @post("/rewards-penalties/{record_id:int}/correct", guards=[WRITE])
    async def correct_reward(
        self, actor: CurrentActor, record_id: PathId, data: JSONBody[RewardPenaltyCorrection]
    ) -> RewardPenaltyRead:
        write = RewardPenaltyWrite(
            decided_on=data.decided_on,
            kind=data.kind,
            reason=data.reason,
            person_id=data.person_id,
            outlet_id=data.outlet_id,
            amount=data.amount,
        )
        new_id = await services.correct_reward_penalty(actor, record_id, write, data.correction_reason)
        return await queries.get_reward(new_id)


class RegisterPages(Controller):
    include_in_schema = False

    async def _form_context(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        writer = can_write(request)
        return {
            "can_write": writer,
            "people": await queries.people() if writer else [],
            "idempotency_key": uuid.uuid4().hex,
        }

    @get("/targets", guards=[READ])
    async def targets(self, request: Request[Any, Any, Any]) -> Template:
        return page(
            "documents/targets.html",
            request,
            targets=await queries.list_targets(),
            horizons=list(Horizon),
            kpis=kpi_codes.KPIS,
            kpi_labels={kpi.code: kpi.label for kpi in kpi_codes.KPIS},
            **await self._form_context(request),
        )

    @post("/targets", guards=[WRITE])
    async def create_target(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Redirect:
        form = await form_data(request)
        await services.create_service_target(actor, forms.target(form), form.get("idempotency_key") or None)
        return Redirect(path="/targets")

    @get("/targets/{target_id:int}", guards=[READ])
    async def target(self, request: Request[Any, Any, Any], target_id: PathId) -> Template:
        return page(
            "documents/target_detail.html",
            request,
            target=await queries.get_target(target_id),
            horizons=list(Horizon),
            kpis=kpi_codes.KPIS,
            kpi_labels={kpi.code: kpi.label for kpi in kpi_codes.KPIS},
            events=await audit_events_for("service_target", target_id),
            event_label=events.label,
            **await self._form_context(request),
        )

    @post("/targets/{target_id:int}", guards=[WRITE])
    async def amend_target(
        self, request: Request[Any, Any, Any], actor: CurrentActor, target_id: PathId
    ) -> Redirect:
        form = await form_data(request)
        await services.amend_service_target(actor, target_id, forms.target(form), form.get("reason", ""))
        return Redirect(path=f"/targets/{target_id}")

    @get("/management-reviews", guards=[READ])
    async def reviews(self, request: Request[Any, Any, Any]) -> Template:
        return page(
            "documents/reviews.html",
            request,
            reviews=await queries.list_reviews(),
            **await self._form_context(request),
        )

    @post("/management-reviews", guards=[WRITE])
    async def record_review(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Redirect:
        form = await form_data(request)
        review_id = await services.record_management_review(
            actor, forms.review(form), form.get("idempotency_key") or None
        )
        return Redirect(path=f"/management-reviews/{review_id}")

    @get("/management-reviews/{review_id:int}", guards=[READ])
    async def review(self, request: Request[Any, Any, Any], review_id: PathId) -> Template:
        return page(
            "documents/review_detail.html",
            request,
            review=await queries.get_review(review_id),
            events=await audit_events_for("management_review", review_id),
            event_label=events.label,
            **await self._form_context(request),
        )

    @post("/management-reviews/{review_id:int}", guards=[WRITE])
    async def amend_review(
        self, request: Request[Any, Any, Any], actor: CurrentActor, review_id: PathId
    ) -> Redirect:
        form = await form_data(request)
        await services.amend_management_review(actor, review_id, forms.review(form), form.get("reason", ""))
        return Redirect(path=f"/management-reviews/{review_id}")

    @get("/rewards", guards=[READ])
    async def rewards(self, request: Request[Any, Any, Any]) -> Template:
        writer = can_write(request)
        return page(
            "documents/rewards.html",
            request,
            records=await queries.list_rewards(),
            kinds=list(RewardKind),
            outlets=await outlet_directory.active_outlet_choices() if writer else [],
            **await self._form_context(request),
        )

    @post("/rewards", guards=[WRITE])
    async def record_reward(self, request: Request[Any, Any, Any], actor: CurrentActor) -> Redirect:
        form = await form_data(request)
        await services.record_reward_penalty(actor, forms.reward(form), form.get("idempotency_key") or None)
        return Redirect(path="/rewards")

    @get("/rewards/{record_id:int}", guards=[READ])
    async def reward(self, request: Request[Any, Any, Any], record_id: PathId) -> Template:
        writer = can_write(request)
        return page(
            "documents/reward_detail.html",
            request,
            record=await queries.get_reward(record_id),
            kinds=list(RewardKind),
            outlets=await outlet_directory.active_outlet_choices() if writer else [],
            events=await audit_events_for("reward_penalty", record_id),
            event_label=events.label,
            **await self._form_context(request),
        )

    @post("/rewards/{record_id:int}/correct", guards=[WRITE])
    async def correct_reward(
        self, request: Request[Any, Any, Any], actor: CurrentActor, record_id: PathId
    ) -> Redirect:
        form = await form_data(request)
        new_id = await services.correct_reward_penalty(
            actor, record_id, forms.reward(form), form.get("correction_reason", "")
        )
        return Redirect(path=f"/rewards/{new_id}")
