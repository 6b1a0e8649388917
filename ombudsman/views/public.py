"""The public web form: /ombudsman/contact/ (no login; `?lang=es` for Spanish) and its
confirmation page. The rules are in ombudsman/public.py; the inquiry is recorded by
ombudsman.services."""

import secrets

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods

from agency import clock
from ombudsman import public, services
from ombudsman.services import REFERENCE_PREFIX


def _context(request, lang: str, **extra):
    other = "es" if lang == "en" else "en"
    return {
        "lang": lang,
        "text": public.page_text(lang, services.rules().routine_business_days),
        # The same page in the other language.
        "switch_url": f"{request.path}?lang={other}",
        "switch_lang": other,
        **extra,
    }


def _thanks_url(reference: str, lang: str) -> str:
    url = reverse("ombudsman:public_thanks", args=[public.thanks_token(reference)])
    return f"{url}?lang={lang}" if lang != public.DEFAULT_LANGUAGE else url


def _decoy_reference() -> str:
    # What a program that filled in the honeypot is shown: a reference of the usual
    # form, from a range the office's yearly numbering never reaches.
    return f"{REFERENCE_PREFIX}-{clock.today().year}-9{secrets.randbelow(100_000):05d}"


def _too_many(request, lang: str, limit: int):
    context = _context(request, lang, limit=limit)
    context["limit_text"] = context["text"]["limit_text"].format(limit=limit)
    return render(request, "ombudsman/public/limit.html", context, status=429)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def public_form(request):
    """Anyone may write to the Ombudsman: no login, CSRF-protected, rate-limited."""
    lang = public.language(request.GET.get("lang") or request.POST.get("lang"))
    if request.method == "GET":
        form = public.PublicInquiryForm(lang=lang)
        return render(request, "ombudsman/public/form.html", _context(request, lang, form=form))

    limit = services.rules().public_form_limit_per_hour
    address = request.META.get("REMOTE_ADDR") or "unknown"
    if public.over_limit(address, limit):
        return _too_many(request, lang, limit)
    form = public.PublicInquiryForm(request.POST, lang=lang)
    if form.is_spam:
        # The same answer a person gets, and nothing stored.
        public.count_submission(address, limit)
        return HttpResponseRedirect(_thanks_url(_decoy_reference(), lang))
    if form.is_valid():
        if not public.count_submission(address, limit):
            return _too_many(request, lang, limit)
        try:
            inquiry = services.inquiry_create(actor=None, **form.inquiry_fields())
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                target = field if field in form.fields else None
                if target is None:
                    detail = " ".join(messages)
                    messages = [public.STRINGS[lang]["error_not_sent"].format(detail=detail)]
                form.add_error(target, messages)
        else:
            return HttpResponseRedirect(_thanks_url(inquiry.reference, lang))
    return render(request, "ombudsman/public/form.html", _context(request, lang, form=form))


@never_cache
@require_http_methods(["GET"])
def public_thanks(request, token: str):
    """The confirmation: the reference and the expected response time, nothing else.
    The token is signed, so no one reaches a confirmation they were not given."""
    reference = public.reference_from_token(token)
    if reference is None:
        raise Http404
    lang = public.language(request.GET.get("lang"))
    return render(
        request, "ombudsman/public/thanks.html", _context(request, lang, reference=reference)
    )


urlpatterns: list = [
    path("contact/", public_form, name="public_form"),
    path("contact/thanks/<str:token>/", public_thanks, name="public_thanks"),
]
