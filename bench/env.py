"""The environment the bench gives the app: production settings pointed at the bench stores."""

import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class BenchEnv:
    database_url: str
    redis_url: str
    secret_key: str

    @classmethod
    def create(cls, database_url: str, redis_url: str) -> "BenchEnv":
        return cls(database_url, redis_url, secrets.token_hex(32))

    def variables(self) -> dict[str, str]:
        """What a production deployment would set, minus TLS (the load is plain loopback)."""
        return {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": self.secret_key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            # The throttle is a production guard; here it would only cap the measurement.
            "CONCORD_THROTTLE_USER": "1000000/minute",
            # A Server-Timing header with the app's own time (config/timing.py): the
            # load client reads it, so the table shows the server's time beside the client's.
            "CONCORD_SERVER_TIMING": "1",
        }

    def full(self) -> dict[str, str]:
        return {**os.environ, **self.variables()}


def manage(env: BenchEnv, *args: str) -> None:
    """Run `manage.py <args>` in a subprocess; raise with its output if it fails."""
    cmd = [sys.executable, str(ROOT / "manage.py"), *args]
    done = subprocess.run(cmd, cwd=ROOT, env=env.full(), capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


_django_ready = False


def setup_django(env: BenchEnv) -> None:
    """Configure Django inside the bench process, on the bench database (once)."""
    global _django_ready
    if _django_ready:
        return
    os.environ.update(env.variables())
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    _django_ready = True
