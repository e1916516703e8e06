"""What the intake's speed-ups must not change: the form page's <select>s, rendered once per
process (tickets/form_rendering.py), are the HTML Django renders, in each language and with each
state; and references still count up by one, per year, without gaps."""

from __future__ import annotations

import datetime
import re
from typing import Any, cast

import pytest
from django.db import transaction
from django.forms import ChoiceField
from django.test import Client
from django.utils import translation

from tests.conftest import valid_request
from tickets.form_rendering import CachedSelectRenderer
from tickets.forms import PublicRequestForm
from tickets.models import ReferenceCounter, Ticket
from tickets.services.intake import _next_reference

pytestmark = pytest.mark.django_db

HELSINKI = datetime.timezone(datetime.timedelta(hours=2))


def selects(html: str) -> list[str]:
    return re.findall(r"<select.*?</select>", html, flags=re.S)


@pytest.mark.parametrize("language", ["en", "fi", "sv"])
def test_a_cached_select_is_the_html_django_renders(language: str) -> None:
    renderer = CachedSelectRenderer()
    with translation.override(language):
        expected = [str(PublicRequestForm()[name]) for name in ("country", "us_state", "uk_nation")]
        for _ in range(2):  # the first renders and keeps, the second is served from the cache
            form = PublicRequestForm(renderer=renderer)
            assert [str(form[name]) for name in ("country", "us_state", "uk_nation")] == expected


def test_each_language_gets_its_own_country_names() -> None:
    renderer = CachedSelectRenderer()
    with translation.override("en"):
        english = str(PublicRequestForm(renderer=renderer)["country"])
    with translation.override("fi"):
        finnish = str(PublicRequestForm(renderer=renderer)["country"])

    assert ">Germany</option>" in english
    assert ">Saksa</option>" in finnish
    assert english != finnish


def test_a_chosen_country_and_an_error_are_rendered_not_served_from_the_cache() -> None:
    renderer = CachedSelectRenderer()
    str(PublicRequestForm(renderer=renderer)["country"])
    data: dict[str, Any] = valid_request(country="US", us_state="")
    form = PublicRequestForm(data, renderer=renderer)
    assert not form.is_valid()

    country, state = str(form["country"]), str(form["us_state"])

    assert '<option value="US" selected>' in country
    assert 'aria-describedby="id_us_state_helptext id_us_state_error"' in state
    assert country == str(PublicRequestForm(data)["country"])


def test_the_form_page_keeps_the_posted_country_when_it_comes_back(client: Client) -> None:
    client.get("/")  # fills the cache with the page's first state

    response = client.post("/", valid_request(country="GB", uk_nation=""))

    assert response.status_code == 400
    assert '<option value="GB" selected>' in response.content.decode()


def test_references_count_up_by_one_per_year_without_gaps() -> None:
    first = _next_reference(datetime.datetime(2026, 12, 31, 12, tzinfo=HELSINKI))
    second = _next_reference(datetime.datetime(2026, 12, 31, 12, tzinfo=HELSINKI))
    # 1 January in Helsinki, still 31 December in UTC: the organisation's year counts.
    new_year = _next_reference(datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC))

    assert (first, second, new_year) == ("PD-2026-000001", "PD-2026-000002", "PD-2027-000001")
    assert dict(ReferenceCounter.objects.values_list("year", "last")) == {2026: 2, 2027: 1}


def test_a_rolled_back_submission_gives_its_number_back() -> None:
    received = datetime.datetime(2026, 5, 4, 10, tzinfo=HELSINKI)
    _next_reference(received)
    with pytest.raises(RuntimeError), transaction.atomic():
        _next_reference(received)
        raise RuntimeError("the submission failed after taking its number")

    assert _next_reference(received) == "PD-2026-000002"


def test_references_continue_from_the_counter_row() -> None:
    ReferenceCounter.objects.create(year=2026, last=41)

    assert _next_reference(datetime.datetime(2026, 5, 4, 10, tzinfo=HELSINKI)) == "PD-2026-000042"
    assert Ticket.objects.count() == 0


def test_the_country_list_is_made_once_per_language_and_named_in_it() -> None:
    from django.utils import translation
    from django_countries import countries

    from tickets.forms import RequestForm, country_choices

    finnish, english = country_choices("fi"), country_choices("en")
    with translation.override("sv"):
        swedish_form = RequestForm()

    assert country_choices("fi") is finnish  # made once
    assert dict(finnish)["DE"] == "Saksa" and dict(english)["DE"] == "Germany"
    # The field keeps the list made once (not a copy checked pair by pair), the empty choice first.
    assert cast(ChoiceField, swedish_form.fields["country"]).choices is country_choices("sv")
    names = {code: name for code, name in swedish_form.fields["country"].widget.choices}
    assert names["DE"] == "Tyskland" and names[""] == "Välj land"
    with translation.override("en"):
        assert list(english)[1:] == [(code, str(name)) for code, name in countries]  # django-countries' order
