"""The steps of a purchase that leave no order behind: checkouts, validations and what stopped them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FunnelEvent(models.Model):
    class Step(models.TextChoices):
        CHECKED_OUT = "checked_out", _("checked out")
        VALIDATED = "validated", _("validated")
        # One row per problem code that stopped a checkout (validation) or a placement.
        STOPPED = "stopped", _("stopped")

    created_at = models.DateTimeField(auto_now_add=True)
    step = models.CharField(max_length=16, choices=Step.choices)
    problem_code = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at", "step"])]

    def __str__(self) -> str:
        return f"{self.step} {self.problem_code}".strip()
