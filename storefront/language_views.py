"""The language switcher's endpoint: Django's set_language, usable from the private order page."""

from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

# Not CSRF-checked: the order page is sent with `Referrer-Policy: no-referrer` (its URL is a secret),
# so browsers post its forms with `Origin: null`, which the CSRF check refuses. A forged post can
# only change the language cookie, and the language in a URL always wins over that cookie.
switch_language = csrf_exempt(set_language)
