"""One format per language for prices and moments, in pages and in texts (issue 15 item 8)."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import translation

from vendingstore.formatting import moment_format, money_format

EVENING = datetime(2026, 12, 1, 18, 42, tzinfo=ZoneInfo("Asia/Shanghai"))
MORNING = datetime(2026, 12, 1, 6, 42, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_prices_are_grouped_in_the_languages_style():
    assert money_format(263_500, language="en") == "¥263,500"
    assert money_format(263_500, language="zh-hans") == "263,500 元"


def test_moments_use_one_24_hour_format_per_language():
    assert moment_format(MORNING, language="en") == "1 Dec 2026, 06:42"
    assert moment_format(EVENING, language="en") == "1 Dec 2026, 18:42"
    assert moment_format(EVENING, language="zh-hans") == "2026年12月1日 18:42"


def test_templates_never_say_a_m_and_use_the_money_filter():
    template = Template(
        '{% load locale_format %}{{ t|time:"TIME_FORMAT" }} {{ t|date:"DATETIME_FORMAT" }} {{ p|money }}'
    )
    with translation.override("en"):
        text = template.render(Context({"t": MORNING, "p": 99}))

    assert "a.m." not in text
    assert text == "06:42 1 Dec 2026, 06:42 ¥99"
