"""ASGI entry point for uvicorn: `service_ops.asgi:app`."""

from service_ops.app import create_app

app = create_app()
