"""Forms of the catalog: the brand search and the choice of an amount on a product page."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from storefront.i18n import join_sentences
from storefront.numbers import plain_number
from storefront.upstream import schemas
from storefront.upstream.networks import STABLECOINS

from .browse import BrandFilters
from .labels import category_label, kind_label

MAX_AMOUNT_CHARS = 20
MAX_QUERY_CHARS = 80
# The amount offered first for an open range, so the page shows a price before anything is typed.
SUGGESTED_AMOUNT = Decimal(25)


class BrandSearchForm(forms.Form):
    """The catalog's search box and filters; unknown values are dropped rather than refused."""

    q = forms.CharField(required=False, label=_("Search brands"))
    kind = forms.ChoiceField(required=False, label=_("Kind"))
    category = forms.ChoiceField(required=False, label=_("Category"))

    def __init__(self, *args, kinds: tuple[str, ...], categories: tuple[str, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Everything"))] + [(k, kind_label(k)) for k in kinds]
        self.fields["category"].choices = [("", _("All categories"))] + [
            (c, category_label(c)) for c in categories
        ]

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip()[:MAX_QUERY_CHARS]

    def filters(self) -> BrandFilters:
        """Return the filters the shopper asked for, ignoring values that are not on offer."""
        self.is_valid()
        data = self.cleaned_data
        return BrandFilters(
            query=data.get("q", ""), kind=data.get("kind", ""), category=data.get("category", "")
        )


def parse_amount(raw: str) -> Decimal | None:
    """Return the amount the shopper typed as a Decimal ("1,000.50" and "25" accepted), or None."""
    text = raw.strip().replace(" ", "")
    if text.count(",") and not text.count("."):
        # "12,5" is a decimal comma; "1,000" a thousands separator.
        head, _sep, tail = text.rpartition(",")
        text = f"{head.replace(',', '')}.{tail}" if len(tail) != 3 else text.replace(",", "")
    text = text.replace(",", "")
    if not text or len(text) > MAX_AMOUNT_CHARS:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or "e" in text.lower():
        return None
    return value


# The shop's one number formatter (storefront.numbers), under the name the catalog's callers use.
plain = plain_number


def suggested_amount(value_range: schemas.ProductRange) -> Decimal:
    """Return a round amount inside the range, on its step."""
    step = value_range.step_size or Decimal(1)
    target = min(max(SUGGESTED_AMOUNT, value_range.min), value_range.max)
    steps = ((target - value_range.min) / step).to_integral_value(rounding=ROUND_CEILING)
    amount = value_range.min + steps * step
    return amount if amount <= value_range.max else value_range.min


def amount_problem(value_range: schemas.ProductRange, value: Decimal, *, currency: str) -> str:
    """Return why `value` can't go on a card of this range ("" when it can): bounds, then steps."""
    step = value_range.step_size or Decimal(0)
    bounds = {"min": plain(value_range.min), "max": plain(value_range.max), "currency": currency}
    # Most ranges take whole amounts: say the whole rule, so 37.5 and 1 both tell what would do.
    whole = step == 1 and value_range.min == value_range.min.to_integral_value()
    rule = _("Amounts are whole numbers from %(min)s to %(max)s %(currency)s.") % bounds if whole else ""
    if value < value_range.min:
        return join_sentences([_("The smallest amount is %(min)s %(currency)s.") % bounds, rule])
    if value > value_range.max:
        return join_sentences([_("The largest amount is %(max)s %(currency)s.") % bounds, rule])
    if whole and value != value.to_integral_value():
        return rule
    if step and (value - value_range.min) % step != 0:
        message = _(
            "Choose an amount in steps of %(step)s %(currency)s from %(min)s, for example %(example)s."
        )
        return message % {**bounds, "step": plain(step), "example": plain(suggested_amount(value_range))}
    return ""


class ProductChoiceForm(forms.Form):
    """Which product of a brand, which amount for an open range, and which coin to price it in."""

    product = forms.ChoiceField(label=_("Amount"), widget=forms.RadioSelect)
    amount = forms.CharField(required=False, max_length=MAX_AMOUNT_CHARS, label=_("Custom amount"))
    coin = forms.ChoiceField(
        label=_("Pay with"), choices=[(c, c) for c in STABLECOINS], widget=forms.RadioSelect
    )

    def __init__(self, *args, products: list[schemas.Product], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.products = {p.product_id: p for p in products}
        self.fields["product"].choices = [(p.product_id, p.label) for p in products]

    def clean_amount(self) -> str:
        return self.cleaned_data.get("amount", "").strip()

    def clean(self) -> dict:
        cleaned = super().clean()
        product = self.products.get(cleaned.get("product", ""))
        cleaned["product_obj"] = product
        cleaned["face_value"] = product.value if product else None
        value_range = product.value_range if product else None
        if product is None or not product.is_range or value_range is None:
            return cleaned
        if "amount" in self.errors:
            return cleaned
        cleaned["face_value"] = None
        currency = value_range.currency or product.currency or ""
        raw = cleaned.get("amount", "")
        if not raw:
            self.add_error("amount", _("Enter the amount you want on the card."))
            return cleaned
        value = parse_amount(raw)
        if value is None:
            self.add_error("amount", _("Enter the amount as a number, for example 25."))
            return cleaned
        problem = amount_problem(value_range, value, currency=currency)
        if problem:
            self.add_error("amount", problem)
        else:
            cleaned["face_value"] = value
        return cleaned
