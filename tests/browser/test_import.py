import json
from pathlib import Path

import pytest

from annotation.models import Document
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_manager_imports_a_file_and_reads_the_report(world, page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    world.project.pii_policy = "mask"
    world.project.save()
    records = [{"id": "r1", "text": "Alice joined 阿里巴巴 🎉 alice@example.com"},
               {"id": "r2", "text": "Alice joined 阿里巴巴 🎉 alice@example.com"},
               {"id": "r3", "text": "   "}]
    upload = tmp_path / "news.jsonl"
    upload.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records))
    log_in(page, world.users["manager"].username)
    page.goto(f"/projects/{world.project.pk}/import/")
    page.set_input_files("input[name=file]", str(upload))
    page.get_by_role("button", name="Start import").click()
    page.wait_for_url("**/jobs/*/")
    page.locator('#job-status[data-status="succeeded"]').wait_for(timeout=20_000)
    report = page.locator("#import-report")
    assert report.locator('[data-k="imported"]').inner_text() == "1"
    assert report.locator('[data-k="duplicates"]').inner_text() == "1"
    assert report.locator('[data-k="empty"]').inner_text() == "1"
    assert "EMAIL: 1" in report.inner_text()
    page.screenshot(path=str(ARTIFACTS / "import-report.png"), full_page=True)
    assert Document.objects.get(external_id="r1").text == "Alice joined 阿里巴巴 🎉 [EMAIL]"
