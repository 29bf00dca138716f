"""Enumerations shown to users, with their translatable labels in one place."""

from __future__ import annotations

from enum import StrEnum

from service_ops.errors import N_


class Role(StrEnum):
    AGENT = "agent"
    DISPATCHER = "dispatcher"
    OUTLET_MANAGER = "outlet_manager"
    TECHNICIAN = "technician"
    TRAINER = "trainer"
    FINANCE = "finance"
    SERVICE_MANAGER = "service_manager"
    HQ_MANAGER = "hq_manager"
    AUDITOR = "auditor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.AGENT: N_("Hotline agent"),
    Role.DISPATCHER: N_("Dispatcher"),
    Role.OUTLET_MANAGER: N_("Outlet manager"),
    Role.TECHNICIAN: N_("Technician"),
    Role.TRAINER: N_("Trainer"),
    Role.FINANCE: N_("Finance"),
    Role.SERVICE_MANAGER: N_("Service manager"),
    Role.HQ_MANAGER: N_("Head-office manager"),
    Role.AUDITOR: N_("Auditor"),
    Role.ADMIN: N_("Administrator"),
}


class ServiceClass(StrEnum):
    URBAN = "urban"
    SUBURBAN = "suburban"
    RURAL = "rural"

    @property
    def label(self) -> str:
        return {
            ServiceClass.URBAN: N_("Urban"),
            ServiceClass.SUBURBAN: N_("Suburban"),
            ServiceClass.RURAL: N_("Rural"),
        }[self]


class RegionLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


class WarrantyState(StrEnum):
    IN_WARRANTY = "in_warranty"
    OUT_OF_WARRANTY = "out_of_warranty"

    @property
    def label(self) -> str:
        return {
            WarrantyState.IN_WARRANTY: N_("In warranty"),
            WarrantyState.OUT_OF_WARRANTY: N_("Out of warranty"),
        }[self]


class ProductCategory(StrEnum):
    AIR_CONDITIONER = "air_conditioner"
    WASHING_MACHINE = "washing_machine"
    REFRIGERATOR = "refrigerator"
    WATER_HEATER = "water_heater"
    TELEVISION = "television"

    @property
    def label(self) -> str:
        return {
            ProductCategory.AIR_CONDITIONER: N_("Air conditioner"),
            ProductCategory.WASHING_MACHINE: N_("Washing machine"),
            ProductCategory.REFRIGERATOR: N_("Refrigerator"),
            ProductCategory.WATER_HEATER: N_("Water heater"),
            ProductCategory.TELEVISION: N_("Television"),
        }[self]
