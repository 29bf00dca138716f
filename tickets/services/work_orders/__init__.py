"""Work orders: a technician's visits for a field ticket, step by step, to completion.

The status graph is data (`STEPS` in .common). Each step writes one `WorkOrderStep` row with the
server's receipt time beside the device's own, and stamps the step's time on the work order.
`open_visit` is called inside other services' units of work (assignment, revisit), so it is not
exported with the actor-facing functions.
"""

from tickets.services.work_orders.common import STEPS as STEPS
from tickets.services.work_orders.common import open_visit as open_visit
from tickets.services.work_orders.common import unit_in_warranty as unit_in_warranty
from tickets.services.work_orders.common import work_order_snapshot as work_order_snapshot
from tickets.services.work_orders.completion import complete_work_order, send_confirmation_code
from tickets.services.work_orders.files import add_work_order_photo
from tickets.services.work_orders.revisits import schedule_revisit
from tickets.services.work_orders.steps import cancel_work_order, take_step

__all__ = [
    "add_work_order_photo",
    "cancel_work_order",
    "complete_work_order",
    "schedule_revisit",
    "send_confirmation_code",
    "take_step",
]
