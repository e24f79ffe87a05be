"""The web explorer (``equality-model serve``): a FastAPI app with a JSON API, pages and background runs."""

from equality_model.web.app import create_app
from equality_model.web.config import Settings

__all__ = ["Settings", "create_app"]
