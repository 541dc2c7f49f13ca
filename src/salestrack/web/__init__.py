"""The web app: server-rendered pages (Jinja2 + htmx) for reps and managers.

:func:`~salestrack.web.app.create_web_router` gives the pages to mount in the API's app;
:func:`~salestrack.web.app.create_web_app` builds a standalone app (pages + static files).
"""
