"""ASGI entry point: the production server (uvicorn) serves this, so order streams hold no worker."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefront.settings")
application = get_asgi_application()
