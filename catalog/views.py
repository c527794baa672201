"""Catalog pages: the country chooser, a country's homepage, its brands and a brand's product page."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from storefront.htmx import render_page, wants_partial
from storefront.i18n import upstream_lang
from storefront.page_cache import keep_rendered_page
from storefront.page_inputs import read_so_far
from storefront.ratelimit import rate_limited
from storefront.upstream import schemas
from storefront.upstream.end_user import end_user_from_request

from . import selectors
from .browse import filter_brands, paginate_brands
from .choice import keep_country, preferred_country
from .countries import Country, find_country, search_countries
from .forms import BrandSearchForm, ProductChoiceForm
from .home import get_home_sections
from .navigation import country_destination, safe_next
from .pauses import is_brand_paused
from .quotes import choose_coin, quote_product, selection_data


def _country_or_404(cc: str) -> Country:
    country = find_country(cc)
    if country is None:
        raise Http404("unknown country")
    return country


def _render(request: HttpRequest, template: str, partial: str, context: dict) -> HttpResponse:
    """Render the page, or for htmx only its named partial (storefront.htmx)."""
    return render_page(request, template, context, partial=partial)


def _delivery(products: list[schemas.Product]) -> str:
    """Return how the family's products are delivered: "email", "phone", or "mixed" (per product)."""
    by_phone = {p.delivered_by_phone for p in products}
    return "mixed" if len(by_phone) > 1 else ("phone" if True in by_phone else "email")


@require_GET
def root(request: HttpRequest) -> HttpResponse:
    """Send the shopper to their country's homepage (the kept choice, else a guess)."""
    response = redirect("catalog:home", cc=preferred_country(request).slug)
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


@require_http_methods(["GET", "POST"])
def countries(request: HttpRequest) -> HttpResponse:
    """List every country to choose from; a POST keeps the choice and goes back where the shopper was."""
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    error = ""
    if request.method == "POST":
        country = find_country(request.POST.get("country", "").strip())
        if country is not None:
            response = redirect(country_destination(next_url=next_url, country=country))
            keep_country(request, response, country=country)
            return response
        error = _("Choose a country from the list.")
    query = request.GET.get("q", "")[:80]
    context = {
        "countries": search_countries(query=query),
        "query": query,
        "next_url": next_url,
        "chosen": preferred_country(request),
        "error": error,
    }
    return render(request, "catalog/countries.html", context, status=400 if error else 200)


@require_GET
@keep_rendered_page("catalog:home")
def home(request: HttpRequest, cc: str) -> HttpResponse:
    """Show a country's popular and featured brands."""
    country = _country_or_404(cc)
    end_user = end_user_from_request(request, country_code=country.code)
    index = selectors.get_brand_index(country_code=country.code, end_user=end_user)
    context = {
        "country": country,
        "sections": get_home_sections(country_code=country.code, index=index, end_user=end_user),
        "brand_count": len(index.brands),
        "kinds": index.kinds,
        "catalog_version": read_so_far(),
    }
    return render(request, "catalog/home.html", context)


@require_GET
@keep_rendered_page("catalog:brands")
def brands(request: HttpRequest, cc: str) -> HttpResponse:
    """Show a country's brands, searched, filtered and paginated; htmx gets only the results."""
    country = _country_or_404(cc)
    end_user = end_user_from_request(request, country_code=country.code)
    index = selectors.get_brand_index(country_code=country.code, end_user=end_user)
    form = BrandSearchForm(request.GET, kinds=index.kinds, categories=index.categories)
    filters = form.filters()
    matching = filter_brands(index=index, filters=filters)
    page = paginate_brands(brands=matching, page_number=request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "country": country,
        "form": form,
        "filters": filters,
        "page": page,
        "page_query": query.urlencode(),
        "brand_count": len(index.brands),
        "catalog_version": read_so_far(),
    }
    return _render(request, "catalog/brands.html", "results", context)


@require_GET
@rate_limited("price", methods=("GET",))
@keep_rendered_page("catalog:brand")
def brand(request: HttpRequest, cc: str, family: str) -> HttpResponse:
    """Show a brand's denominations and the exact coin price of the pick; htmx gets only the quote."""
    country = _country_or_404(cc)
    end_user = end_user_from_request(request, country_code=country.code)
    index = selectors.get_brand_index(country_code=country.code, end_user=end_user)
    found = index.find(family)
    if found is None:
        raise Http404("brand not sold in this country")
    if family != found.slug:
        # A display name or an old spelling of the family: one URL per family.
        return redirect("catalog:brand", cc=country.slug, family=found.slug, permanent=True)
    coin = choose_coin(params=request.GET, session=request.session)
    families = selectors.get_products(
        country_code=country.code, family=found.family, coin=coin, lang=upstream_lang(), end_user=end_user
    )
    products = schemas.family_products(families)
    data = selection_data(params=request.GET, products=products, coin=coin)
    form = ProductChoiceForm(data, products=products)
    form.is_valid()  # an amount error is shown beside the field; the rest of the page still renders
    product = form.cleaned_data.get("product_obj")
    quote = None
    if product is not None:
        quote = quote_product(
            country_code=country.code,
            brand_name=found.brand,
            product=product,
            face_value=form.cleaned_data.get("face_value"),
            coin=coin,
            end_user=end_user,
        )
    context = {
        "country": country,
        "brand": found,
        "families": families,
        "products": products,
        # The custom-amount field follows the picked range product, else the first one.
        "delivery": _delivery(products),
        "range_product": product if product is not None and product.is_range
        else next((p for p in products if p.is_range), None),
        "form": form,
        "quote": quote,
        "coin": coin,
        "paused": is_brand_paused(country_code=country.code, brand_name=found.brand),
        "oob": wants_partial(request),
    }
    return _render(request, "catalog/brand.html", "quote", context)
