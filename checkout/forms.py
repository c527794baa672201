"""Forms of the cart and the checkout: parsing and field-level rules; the upstream has the last word."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from catalog.countries import country_name
from catalog.forms import MAX_AMOUNT_CHARS, parse_amount
from storefront.upstream.networks import STABLECOINS, is_stablecoin

from .cart import MAX_DELIVERIES
from .order_body import CheckoutData, CheckoutLine
from .phones import normalize_phone
from .problems import (
    BENEFICIARY,
    EMAIL,
    FULL_NAME,
    ITEMS,
    PAYMENT,
    PROMO,
    ExplainedProblem,
    below_network_minimum,
)
from .selectors import CartItem, CoinGroup, PaymentOption, PreviousInput, group_payment_options

BENEFICIARY_PREFIX = "beneficiary_"


class CartAddForm(forms.Form):
    """What a product page's pick form posts; every value is checked against the catalog afterwards.

    The pick form sends `product`, `amount` and `coin` (the same names as the page's query); the
    older add form's `product_id`, `product_value` and `denomination` are still understood.
    """

    country = forms.CharField(max_length=2, validators=[RegexValidator(r"^[A-Za-z]{2}$")])
    # The family's slug ("amazon-com") or its display name ("Amazon.com").
    family = forms.CharField(max_length=120, validators=[RegexValidator(r"^[\w.&'+() -]+$")])
    product = forms.CharField(max_length=160, required=False)
    product_id = forms.CharField(max_length=160, required=False)
    amount = forms.CharField(max_length=MAX_AMOUNT_CHARS, required=False)
    product_value = forms.DecimalField(
        required=False, max_digits=12, decimal_places=2, min_value=Decimal("0.01"),
        error_messages={"invalid": _("Enter the amount as a number, like 25 or 12.50.")},
    )
    denomination = forms.CharField(max_length=64, required=False)
    coin = forms.CharField(max_length=10, required=False)
    quantity = forms.IntegerField(required=False, min_value=1, max_value=MAX_DELIVERIES)

    def clean_quantity(self) -> int:
        return self.cleaned_data.get("quantity") or 1

    def clean_coin(self) -> str:
        coin = self.cleaned_data.get("coin", "").strip().upper()
        return coin if is_stablecoin(coin) else ""

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned["product_id"] = (cleaned.get("product") or cleaned.get("product_id") or "").strip()
        if not cleaned["product_id"] and not self.has_error("product_id"):
            self.add_error("product", _("Choose an amount first."))
        amount = (cleaned.get("amount") or "").strip()
        # A custom amount as typed ("1,000.50"); checked against the product's range once it is known.
        cleaned["product_value"] = parse_amount(amount) if amount else cleaned.get("product_value")
        cleaned["amount_unreadable"] = bool(amount) and cleaned["product_value"] is None
        return cleaned


class CartUpdateForm(forms.Form):
    line = forms.CharField(max_length=16)
    quantity = forms.IntegerField(min_value=0, max_value=MAX_DELIVERIES)


class CoinForm(forms.Form):
    coin = forms.ChoiceField(choices=[(c, c) for c in STABLECOINS])


class CheckoutForm(forms.Form):
    """The buyer, one beneficiary per cart line, the coin and network, and the optional extras."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)
    email = forms.EmailField(
        label=_("Your email"), max_length=254,
        help_text=_("Your receipt and the order link go here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    payment = forms.ChoiceField(label=_("Pay with"), widget=forms.RadioSelect)
    full_name = forms.CharField(
        label=_("Full name"), max_length=200, required=False,
        help_text=_("Required for payments on Tron, as on your ID."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    promo_code = forms.CharField(label=_("Promo code"), max_length=64, required=False)
    accepted_newsletter = forms.BooleanField(
        label=_("Send me news and offers by email"), required=False, initial=False
    )

    def __init__(
        self, *args, items: list[CartItem], payment_options: list[PaymentOption],
        totals: dict[str, Decimal | None] | None = None, **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        self.payment_options = payment_options
        # The cart's total in each coin it was priced in: checked against each network's minimum.
        self.totals = totals or {}
        self.fields["payment"].choices = [(o.value, f"{o.coin} · {o.network}") for o in payment_options]
        for item in items:
            if item.needs_phone:
                field = forms.CharField(
                    label=_("Phone number to top up"), max_length=32,
                    help_text=_(
                        "A phone number from %(country)s, as you dial it there or with its country code."
                    ) % {"country": country_name(item.line.country_code)},
                    widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
                )
            else:
                field = forms.EmailField(
                    label=_("Send it to"), max_length=254, required=False,
                    help_text=_("Leave empty to send it to your own email."),
                    widget=forms.EmailInput(attrs={"inputmode": "email"}),
                )
            self.fields[BENEFICIARY_PREFIX + item.id] = field

    @staticmethod
    def initial_from(previous: PreviousInput) -> dict:
        """Return the initial data that shows the form as the shopper filled it before."""
        initial = {
            "email": previous.email, "full_name": previous.full_name, "promo_code": previous.promo_code,
            "accepted_newsletter": previous.accepted_newsletter,
        }
        initial.update({BENEFICIARY_PREFIX + line_id: account
                        for line_id, account in previous.beneficiaries.items()})
        return initial

    # -- rendering helpers ------------------------------------------------------------------------

    def beneficiary_field(self, item: CartItem) -> forms.BoundField:
        return self[BENEFICIARY_PREFIX + item.id]

    def item_rows(self) -> list[tuple[CartItem, forms.BoundField]]:
        return [(item, self.beneficiary_field(item)) for item in self.items]

    def payment_groups(self) -> list[CoinGroup]:
        return group_payment_options(self.payment_options)

    def error_summary(self) -> list[tuple[str, str, str]]:
        """Return (field id, field label, message) for every field error, in the order of the page."""
        rows = []
        for name in self.fields:
            for error in self.errors.get(name, []):
                if name == "idempotency_key":
                    continue
                bound = self[name]
                anchor = "field-payment" if name == "payment" else bound.id_for_label
                label = bound.label
                item = next((i for i in self.items if BENEFICIARY_PREFIX + i.id == name), None)
                if item is not None:
                    label = f"{item.brand_name} {item.label}"
                rows.append((anchor, str(label), str(error)))
        return rows

    @property
    def selected_payment(self) -> str:
        return str(self["payment"].value() or "")

    @property
    def full_name_needed(self) -> bool:
        return self.selected_payment.lower().endswith("|tron")

    # -- cleaning ---------------------------------------------------------------------------------

    def clean_payment(self) -> str:
        value = self.cleaned_data["payment"]
        option = self.option_for(value)
        if option is None or option.suspended:
            raise ValidationError(_("This coin and network are paused right now; pick another."))
        # Known before asking the upstream when the cart was priced in this coin; otherwise the
        # validated amount is checked (checkout.services.validate_checkout).
        total = self.totals.get(option.coin)
        if option.below_minimum(total):
            raise ValidationError(below_network_minimum(
                coin=option.coin, network=option.network, minimum=option.minimum, amount=total).text)
        return value

    def option_for(self, value: str) -> PaymentOption | None:
        return next((o for o in self.payment_options if o.value == value), None)

    def clean_promo_code(self) -> str:
        return self.cleaned_data["promo_code"].strip().upper()

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean(self) -> dict:
        cleaned = super().clean()
        payment = cleaned.get("payment", "")
        if payment.lower().endswith("|tron") and not cleaned.get("full_name"):
            self.add_error("full_name", _("Payments on Tron need your full name, as on your ID."))
        for item in self.items:
            name = BENEFICIARY_PREFIX + item.id
            if name not in cleaned or not item.needs_phone:
                continue
            try:
                cleaned[name] = normalize_phone(cleaned[name], country_code=item.line.country_code)
            except ValidationError as exc:
                self.add_error(name, exc)
                continue
            self._show_back(name, cleaned[name])
        return cleaned

    def _show_back(self, name: str, value: str) -> None:
        """Put a normalized value into the bound data, so the page shows the shopper what we will use."""
        if self.data.get(name) != value:
            self.data = self.data.copy()
            self.data[name] = value

    def renew_idempotency_key(self) -> None:
        """Give the form a fresh key: the previous one belongs to an order that was not placed."""
        self.data = self.data.copy()
        self.data["idempotency_key"] = str(uuid.uuid4())

    # -- output -----------------------------------------------------------------------------------

    def checkout_data(self) -> CheckoutData:
        """Return the cleaned choices as CheckoutData (call after is_valid())."""
        data = self.cleaned_data
        coin, network = data["payment"].split("|", 1)
        lines = []
        for item in self.items:
            product = item.product
            assert product is not None, "checkout only runs with every item available"
            lines.append(CheckoutLine(
                brand_name=product.brand_name or "",
                family=item.line.family,
                kind=item.kind,
                country_code=item.line.country_code,
                denomination=product.order_denomination,
                localized_denomination=item.label,
                product_value=item.line.product_value,
                face_value=item.face_value,
                currency=item.currency,
                beneficiary_account=data[BENEFICIARY_PREFIX + item.id] or data["email"],
                quantity=item.line.quantity,
            ))
        option = self.option_for(data["payment"])
        return CheckoutData(
            email=data["email"], coin=coin, network=network, lines=lines, full_name=data["full_name"],
            promo_code=data["promo_code"], accepted_newsletter=data["accepted_newsletter"],
            network_minimum=option.minimum if option else None,
        )

    def add_problems(self, problems: list[ExplainedProblem]) -> None:
        """Show the upstream's problems next to the fields they concern, the rest at the top."""
        for problem in problems:
            target = None
            if problem.field in (EMAIL, PAYMENT, FULL_NAME, PROMO):
                target = problem.field
            elif problem.field == BENEFICIARY:
                target = self._beneficiary_for(problem)
            elif problem.field == ITEMS:
                target = None
            self.add_error(target, problem.text)

    def _beneficiary_for(self, problem: ExplainedProblem) -> str | None:
        where = problem.where or {}
        account = (where.get("beneficiary_account") or "").strip().lower()
        brand = (where.get("brand_name") or "").lower()
        for item in self.items:
            name = BENEFICIARY_PREFIX + item.id
            value = (self.cleaned_data.get(name) or self.cleaned_data.get("email") or "").lower()
            if (not brand or item.brand_name.lower() == brand) and (not account or value == account):
                return name
        return None
