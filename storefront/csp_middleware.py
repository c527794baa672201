"""django-csp's middleware with the shop's one policy built once per process instead of per answer.

No view here changes the policy (no csp_update, csp_replace or csp_exempt, no nonce), so every
answer carries the same header, which django-csp built anew each time: a fifth of what /healthz
costs. An answer that does change something of the policy still gets django-csp's own build.
"""

from __future__ import annotations

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware, PolicyParts
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponseBase

_UNCHANGED = PolicyParts()
# (header, the response attribute exempting it, the setting naming its excluded prefixes)
_HEADERS = (
    (False, HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
    (True, HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
)
_built: dict[bool, str] = {}


def _forget_built(**kwargs) -> None:
    _built.clear()


setting_changed.connect(_forget_built)  # tests that override the policy get it


def _policy(report_only: bool) -> str:
    policy = _built.get(report_only)
    if policy is None:
        policy = _built[report_only] = build_policy(report_only=report_only)
    return policy


class PrebuiltCSPMiddleware(CSPMiddleware):
    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if (
            self.get_policy_parts(request=request, response=response) != _UNCHANGED
            or self.get_policy_parts(request=request, response=response, report_only=True) != _UNCHANGED
            or settings.DEBUG
        ):
            return super().process_response(request, response)
        for report_only, header, exempt, setting in _HEADERS:
            policy = _policy(report_only)
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            if (
                policy
                and header not in response
                and not getattr(response, exempt, False)
                and not request.path_info.startswith(tuple(prefixes))
            ):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error, not a gap.
        if getattr(request, "_csp_nonce", None) is None:
            request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
