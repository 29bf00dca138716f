"""Follow-ups, complaints, 三包 requests and corrective actions: JSON API and pages over the same services."""

from litestar import Controller

from tickets.loop_controllers.complaints import ComplaintApi, ComplaintPages
from tickets.loop_controllers.corrective_actions import CorrectiveActionApi, CorrectiveActionPages
from tickets.loop_controllers.followups import FollowupApi, FollowupPages
from tickets.loop_controllers.guarantees import GuaranteeApi, GuaranteePages

ROUTES: list[type[Controller]] = [
    FollowupApi,
    FollowupPages,
    ComplaintApi,
    ComplaintPages,
    GuaranteeApi,
    GuaranteePages,
    CorrectiveActionApi,
    CorrectiveActionPages,
]
