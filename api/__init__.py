"""guanxi's HTTP API: FastAPI under ``/api/v1``; build it with :func:`api.app.create_app`."""
