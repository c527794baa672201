"""Localized denominations, descriptions, terms and redemption instructions (en, es, zh)."""

from __future__ import annotations

from decimal import Decimal

LANGS: tuple[str, ...] = ("en", "es", "zh")

EN_SYMBOLS: dict[str, str] = {
    "USD": "$",
    "GBP": "£",
    "EUR": "€",
    "MXN": "MX$",
    "BRL": "R$",
    "NGN": "₦",
    "PHP": "₱",
    "INR": "₹",
    "CNY": "¥",
}
ES_SYMBOLS: dict[str, str] = {
    "USD": "US$",
    "GBP": "£",
    "EUR": "€",
    "MXN": "MXN",
    "BRL": "R$",
    "NGN": "NGN",
    "PHP": "PHP",
    "INR": "INR",
    "CNY": "CNY",
}
ZH_NAMES: dict[str, str] = {
    "USD": "美元",
    "GBP": "英镑",
    "EUR": "欧元",
    "MXN": "墨西哥比索",
    "BRL": "巴西雷亚尔",
    "NGN": "尼日利亚奈拉",
    "PHP": "菲律宾比索",
    "INR": "印度卢比",
    "CNY": "元",
}

DESCRIPTIONS: dict[str, dict[str, str]] = {
    "giftcard": {
        "en": (
            "{brand} gift card for {country}. Delivered by email within "
            "minutes of payment; spend it online or in store."
        ),
        "es": (
            "Tarjeta regalo de {brand} para {country}. Se entrega por correo "
            "electrónico minutos después del pago; úsala en línea o en tienda."
        ),
        "zh": "{brand} 礼品卡({country})。付款后几分钟内通过电子邮件发送,可在线上或门店使用。",
    },
    "mobile_recharge": {
        "en": (
            "{brand} prepaid top-up for {country}. Credit lands on the "
            "phone number you enter, usually within a minute."
        ),
        "es": (
            "Recarga prepago de {brand} para {country}. El saldo llega al "
            "número de teléfono indicado, normalmente en un minuto."
        ),
        "zh": "{brand} 预付费话费充值({country})。话费通常在一分钟内到达您填写的手机号码。",
    },
    "esim": {
        "en": (
            "Prepaid data eSIM for {country}. Install it by scanning the QR code "
            "we email you; works on eSIM-capable phones."
        ),
        "es": (
            "eSIM de datos prepago para {country}. Instálala escaneando el código QR que te "
            "enviamos por correo; funciona en teléfonos compatibles con eSIM."
        ),
        "zh": "{country}预付费数据 eSIM。扫描我们通过电子邮件发送的二维码即可安装,适用于支持 eSIM 的手机。",
    },
}

INSTRUCTIONS: dict[str, dict[str, str]] = {
    "giftcard": {
        "en": "Open the {brand} website or app, go to Redeem gift card and enter the code from your email.",
        "es": (
            "Abre la web o la app de {brand}, ve a Canjear tarjeta regalo e introduce el código de tu correo."
        ),
        "zh": "打开 {brand} 网站或应用,进入“兑换礼品卡”,输入邮件中的代码。",
    },
    "mobile_recharge": {
        "en": "Nothing to redeem: the top-up is applied to the phone number automatically.",
        "es": "No hay nada que canjear: la recarga se aplica automáticamente al número de teléfono.",
        "zh": "无需兑换:充值会自动到账到该手机号码。",
    },
    "esim": {
        "en": (
            "On your phone open Settings > Mobile data > Add eSIM and scan the "
            "QR code, or enter the activation code by hand."
        ),
        "es": (
            "En tu teléfono abre Ajustes > Datos móviles > Añadir eSIM y escanea el "
            "código QR, o introduce el código de activación a mano."
        ),
        "zh": "在手机上打开“设置 > 蜂窝网络 > 添加 eSIM”,扫描二维码或手动输入激活码。",
    },
}

TERMS: dict[str, dict[str, str]] = {
    "giftcard": {
        "en": "{brand} gift cards are not refundable and cannot be exchanged for cash.",
        "es": "Las tarjetas regalo de {brand} no son reembolsables ni canjeables por dinero.",
        "zh": "{brand} 礼品卡不可退款,也不可兑换现金。",
    },
    "mobile_recharge": {
        "en": "A top-up sent to a phone number cannot be reversed.",
        "es": "Una recarga enviada a un número de teléfono no se puede revertir.",
        "zh": "充值到手机号码后无法撤回。",
    },
    "esim": {
        "en": "eSIM data plans are not refundable once the QR code has been delivered.",
        "es": "Los planes de datos eSIM no son reembolsables una vez entregado el código QR.",
        "zh": "二维码发送后,eSIM 数据套餐不可退款。",
    },
}

NOTE: dict[str, str] = {
    "en": "Sandbox product: nothing is charged and the codes redeem nothing.",
    "es": "Producto de prueba: no se cobra nada y los códigos no canjean nada.",
    "zh": "沙盒商品:不会扣款,代码也无法兑换任何东西。",
}

ESIM_PLAN: dict[str, str] = {
    "en": "{gb} GB {days} days",
    "es": "{gb} GB {days} días",
    "zh": "{gb} GB {days} 天",
}


def pick_lang(lang: str | None) -> str:
    """Return a supported language, falling back to English."""
    code = (lang or "en").strip().lower()[:2]
    return code if code in LANGS else "en"


def _number(value: Decimal, thousands: str, decimal_mark: str) -> str:
    text = f"{value:,f}" if value == value.to_integral_value() else f"{value:,.2f}"
    if "." in text and value == value.to_integral_value():
        text = text.split(".")[0]
    return text.replace(",", "\0").replace(".", decimal_mark).replace("\0", thousands)


def money(value: Decimal, currency: str, lang: str) -> str:
    """Return ``value`` of ``currency`` written for ``lang``: "$25", "25 US$", "25 美元"."""
    if lang == "es":
        return f"{_number(value, '.', ',')} {ES_SYMBOLS.get(currency, currency)}"
    if lang == "zh":
        return f"{_number(value, ',', '.')} {ZH_NAMES.get(currency, currency)}"
    return f"{EN_SYMBOLS.get(currency, currency + ' ')}{_number(value, ',', '.')}"


def money_range(low: Decimal, high: Decimal, currency: str, lang: str) -> str:
    """Return a value range written for ``lang``."""
    return f"{money(low, currency, lang)} – {money(high, currency, lang)}"


def esim_plan(gb: int, days: int, lang: str) -> str:
    """Return an eSIM plan name for ``lang``: "1 GB 7 days"."""
    return ESIM_PLAN[lang].format(gb=gb, days=days)


def description(kind: str, brand: str, country: str, lang: str) -> str:
    """Return the product description of a kind, in ``lang``."""
    return DESCRIPTIONS[kind][lang].format(brand=brand, country=country)


def instructions(kind: str, brand: str, lang: str) -> str:
    """Return how to redeem a product of a kind, in ``lang``."""
    return INSTRUCTIONS[kind][lang].format(brand=brand)


def terms(kind: str, brand: str, lang: str) -> str:
    """Return the terms of a product of a kind (the family's product_tc), in ``lang``."""
    return TERMS[kind][lang].format(brand=brand)


def description_html(kind: str, brand: str, country: str, lang: str) -> str:
    """Return the description as the upstream's HTML."""
    return f"<p>{description(kind, brand, country, lang)}</p>"


def instructions_html(kind: str, brand: str, lang: str) -> str:
    """Return how to redeem as the upstream's HTML."""
    return f"<ol><li>{instructions(kind, brand, lang)}</li></ol>"


def note_html(lang: str) -> str:
    """Return the family's note as HTML."""
    return f"<p><strong>{NOTE[lang]}</strong></p>"


DJANGO_LANGUAGES = {"en": "en", "es": "es", "zh": "zh-hans"}


def country_name(english: str, lang: str) -> str:
    """Return a country's name in `lang` for the texts, from the shop's localized list of countries.

    The live upstream writes "Tarjeta regalo de Steam para Estados Unidos", so the stand-in does too.
    """
    from django.utils import translation

    with translation.override(DJANGO_LANGUAGES.get(lang, "en")):
        return translation.gettext(english)
