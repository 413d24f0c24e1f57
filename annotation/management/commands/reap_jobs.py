from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from annotation.services.reaper import reap_jobs


class Command(BaseCommand):
    help = ("Fail running jobs whose worker stopped beating, remove what they left, and send "
            "again the jobs queued while the broker was down (celery beat runs this every "
            "minute).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=int, default=None, metavar="SECONDS",
                            help="heartbeat age that counts as dead "
                                 "(default CONCORD_JOB_STALE_SECONDS)")

    def handle(self, *args: Any, **options: Any) -> None:
        seconds = options["older_than"]
        result = reap_jobs(older_than=timedelta(seconds=seconds) if seconds is not None
                           else None)
        self.stdout.write(f"reaped {len(result['reaped'])} job(s) {result['reaped']}, "
                          f"removed {len(result['removed'])} file(s), "
                          f"resent {result['resent']} job(s)")
