"""Piccolo configuration: the engine from settings and one app per domain folder."""

from piccolo.conf.apps import AppRegistry

from service_ops.db import make_engine

DB = make_engine()

APP_REGISTRY = AppRegistry(
    apps=[
        "service_ops.piccolo_app",
        "service_ops.fund.piccolo_app",
        "service_ops.documents.piccolo_app",
        "training.piccolo_app",
        "outlets.piccolo_app",
        "tickets.piccolo_app",
        "audit_export.piccolo_app",
    ]
)
