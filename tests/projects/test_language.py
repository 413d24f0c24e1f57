"""The interface language: a signed-in user's saved choice, then the switcher's cookie and
Accept-Language, then the default; the API's error details follow Accept-Language."""

from django.urls import reverse

from projects.models import Preference
from tests.conftest import api_client_for, page_client_for


def lang_of(response) -> str:
    html = response.content.decode()
    return html[html.index('<html lang="') + 12:].split('"', 1)[0]


def test_accept_language_chooses_chinese_before_sign_in(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")
    assert lang_of(response) == "zh-hans"
    assert "登录" in response.content.decode()
    assert lang_of(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")) == "en"


def test_the_switcher_saves_a_signed_in_users_choice(world):
    user = world.users["annotator"]
    page = page_client_for(user)
    response = page.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302
    assert Preference.objects.get(user=user).language == "zh-hans"
    # another browser, asking for English: the saved choice wins
    elsewhere = page_client_for(user)
    html = elsewhere.get(reverse("projects:list"), HTTP_ACCEPT_LANGUAGE="en")
    assert lang_of(html) == "zh-hans"
    assert "我的项目" in html.content.decode() or "项目" in html.content.decode()
    page.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert lang_of(elsewhere.get(reverse("projects:list"), HTTP_ACCEPT_LANGUAGE="zh-CN")) == "en"


def test_an_unknown_language_saves_nothing(world):
    user = world.users["reviewer"]
    page = page_client_for(user)
    page.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert not Preference.objects.filter(user=user).exists()
    assert lang_of(page.get(reverse("projects:list"), HTTP_ACCEPT_LANGUAGE="en")) == "en"


def test_a_user_without_a_choice_follows_accept_language(world):
    page = page_client_for(world.users["consumer"])
    response = page.get(reverse("projects:list"), HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert lang_of(response) == "zh-hans"


def test_api_error_details_follow_accept_language_and_keep_english_fields(world):
    api = api_client_for(world.users["manager"])
    url = reverse("api:project", kwargs={"project_id": world.project.pk})
    english = api.patch(url, {"overlap": 0, "segmentation": "words"}, format="json",
                        HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = api.patch(url, {"overlap": 0, "segmentation": "words"}, format="json",
                        HTTP_ACCEPT_LANGUAGE="zh-Hans").json()
    assert [e["field"] for e in chinese["errors"]] == [e["field"] for e in english["errors"]]
    assert sorted(e["field"] for e in chinese["errors"]) == ["overlap", "segmentation"]
    assert all(e["message"] != f["message"] for e, f in
               zip(chinese["errors"], english["errors"], strict=True))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese["detail"])
    missing = api_client_for(None).get("/api/v1/no/such/thing/", HTTP_ACCEPT_LANGUAGE="zh-Hans")
    assert missing.json()["detail"] == "未找到。"


def test_dates_follow_the_language(world):
    import re

    from django.utils import timezone

    page = page_client_for(world.users["manager"])
    url = reverse("projects:audit", args=[world.project.pk])
    year = timezone.localtime().year
    english = page.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = page.get(url, HTTP_ACCEPT_LANGUAGE="zh-Hans").content.decode()
    assert re.search(rf"{year}-\d\d-\d\d \d\d:\d\d", english)
    assert re.search(rf"{year}年\d{{1,2}}月\d{{1,2}}日 \d\d:\d\d", chinese)
    assert not re.search(rf"{year}-\d\d-\d\d \d\d:\d\d", chinese)
