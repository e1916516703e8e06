"""API answers that carry a person's data are never kept by a browser or a proxy (ASVS 14.3.2),
like the staff pages (`never_cache`): a shared computer's cache must not hold a ticket."""

from __future__ import annotations

from typing import Any

from django.utils.cache import add_never_cache_headers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class NotCached(APIView):
    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        return response
