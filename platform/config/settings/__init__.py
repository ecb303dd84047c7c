"""Settings for every process, one module per concern, read in this order (a later one may use
what an earlier one set). `DJANGO_SETTINGS_MODULE=config.settings` sees them all.

Settings for every process, driven by environment variables with embedded defaults.

No DATABASE_URL means a SQLite file; no REDIS_URL means the in-memory channel layer and
background jobs run in-process. DJANGO_ENV=production refuses to start without a real
secret key and allowed hosts.
"""

from config.settings.api import *  # noqa: F403
from config.settings.auth import *  # noqa: F403
from config.settings.base import *  # noqa: F403
from config.settings.domain import *  # noqa: F403
from config.settings.live import *  # noqa: F403
from config.settings.operations import *  # noqa: F403
from config.settings.services import *  # noqa: F403
from config.settings.web import *  # noqa: F403
