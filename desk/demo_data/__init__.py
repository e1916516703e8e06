"""The demo desk's fifty requests, as a data protection officer would recognise them.

Each request is written in its requester's own words and language, lives where its law applies
(a Finn in Finland under the GDPR writes in Finnish, a Californian under the CCPA asks for a
right the CCPA has), and carries its history: the steps staff and requester took, in order,
each a number of days after receipt. `manage.py seed_demo` plays them through the services at
those moments. The texts are data, not translatable strings: they are what people wrote.

The organisation behind the desk (DESK_ORGANISATION_NAME) is a Finnish home and design retailer
with a web shop that ships abroad, shops in Helsinki and Tampere, a mobile app, a newsletter and
a loyalty programme, Example Club.
"""

from __future__ import annotations

from desk.demo_data.en import ENGLISH
from desk.demo_data.fi import FINNISH
from desk.demo_data.requests import SIGN_OFFS, STAFF_ACTIONS, DemoRequest, Step
from desk.demo_data.sv import SWEDISH

REQUESTS: tuple[DemoRequest, ...] = (*FINNISH, *SWEDISH, *ENGLISH)

__all__ = ["REQUESTS", "SIGN_OFFS", "STAFF_ACTIONS", "DemoRequest", "Step"]
