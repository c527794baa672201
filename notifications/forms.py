from django import forms
from django.utils.translation import gettext_lazy as _


class FindOrdersForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
        help_text=_("The address you gave at checkout."),
    )
