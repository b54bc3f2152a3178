import os

from core.wsgi import web_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = web_application()
