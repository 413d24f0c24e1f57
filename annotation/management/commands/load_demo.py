from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from annotation.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the demo project, its users and annotations. Safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000",
                            help="The address to print for the demo.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_demo()
        url = options["url"].rstrip("/")
        self.stdout.write(self.style.SUCCESS(f"Concord demo: {url}"))
        if result.created:
            self.stdout.write(f'Loaded the project "{result.project.name}": '
                              f"{url}/projects/{result.project.pk}/")
        else:
            self.stdout.write(f"Demo already loaded: {url}/projects/{result.project.pk}/")
        self.stdout.write("")
        rows = [("username", "password", "role"), *result.logins]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for n, row in enumerate(rows):
            self.stdout.write("  " + "  ".join(v.ljust(w) for v, w in zip(row, widths,
                                                                          strict=True)).rstrip())
            if n == 0:
                self.stdout.write("  " + "  ".join("-" * w for w in widths))
        self.stdout.write(f"  (the Django admin is at {url}/admin/)")
        c = result.counts
        self.stdout.write("")
        self.stdout.write(f"Documents: {c['documents']} (new {c['new']}, annotated "
                          f"{c['annotated']}, reviewed {c['reviewed']}); "
                          f"submitted annotations: {c['annotations']}; gold: {c['gold']}")
        job = result.agreement
        if job is not None:
            self.stdout.write(f"Agreement report: job {job.pk} {job.status}"
                              + (f" ({job.message})" if job.message else "") + ": "
                              f"{url}/projects/{result.project.pk}/agreement/")
