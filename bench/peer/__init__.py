"""The peer, django-helpdesk 2.6.1, set up only to be measured beside our sweep on the same PostgreSQL.

It runs in a venv of its own (.venv-peer/, made by `python -m bench peer`), because it brings its
own Django apps and dependencies; nothing here is imported by the desk or by our venv's bench code.
"""
