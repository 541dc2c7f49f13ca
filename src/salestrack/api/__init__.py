"""The REST API under ``/api/v1``: a thin FastAPI edge over the services (see ``create_app``)."""
