from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from annotation.services.sweep import sweep_files


class Command(BaseCommand):
    help = ("Remove export files and import uploads that no dataset version or unfinished job "
            "refers to (celery beat runs this every 15 minutes).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=int, default=None, metavar="SECONDS",
                            help="age a file must have to be removed "
                                 "(default CONCORD_ORPHAN_GRACE_SECONDS)")

    def handle(self, *args: Any, **options: Any) -> None:
        seconds = options["older_than"]
        removed = sweep_files(older_than=timedelta(seconds=seconds) if seconds is not None
                              else None)
        self.stdout.write(f"removed {len(removed['exports'])} export file(s), "
                          f"{len(removed['uploads'])} upload(s)")
