"""Admin pieces whose cost does not grow with the number of orders."""

from __future__ import annotations

from django.contrib import admin
from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils.functional import cached_property

DISTINCT_VALUES_SECONDS = 300
COUNT_CAP = 1_000  # ten pages of 100; staff reach older orders with filters and search


class DistinctValuesFilter(admin.SimpleListFilter):
    """Offer the distinct values of a field, read once every few minutes instead of on every page."""

    field_name = ""

    def lookups(self, request, model_admin):
        key = f"admin:distinct:{model_admin.model._meta.label}:{self.field_name}"
        values = cache.get(key)
        if values is None:
            rows = model_admin.model.objects.order_by().values_list(self.field_name, flat=True)
            values = sorted(value for value in rows.distinct()[:500] if value)
            cache.set(key, values, DISTINCT_VALUES_SECONDS)
        return [(value, value) for value in values]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.field_name: self.value()})
        return queryset


def distinct_values_filter(field_name: str, title: str) -> type[DistinctValuesFilter]:
    """Return a filter class for a field, keeping the `<field>__exact` URL parameter of Django's own."""
    return type(
        f"{field_name.title().replace('_', '')}Filter",
        (DistinctValuesFilter,),
        {"field_name": field_name, "parameter_name": f"{field_name}__exact", "title": title},
    )


class CappedCountPaginator(Paginator):
    """Count at most COUNT_CAP rows: a full COUNT(*) grows with the table, a capped one does not."""

    @cached_property
    def count(self) -> int:
        return self.object_list[: COUNT_CAP + 1].count()
