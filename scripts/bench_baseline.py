"""The benchmark's yardstick: a bare authenticated Django page listing 25 of the
1,000,000 notifications, served by the same gunicorn, settings and middleware as Hearth
but with none of Hearth's layout or logic. `make bench` serves it beside Hearth and
reports each page against half of its throughput, so the verdict holds on any machine.

    gunicorn scripts.bench_baseline:application
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from django.conf import settings

settings.ROOT_URLCONF = __name__

from django.contrib.auth.decorators import login_required  # noqa: E402
from django.core.paginator import Paginator  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import Context, Engine  # noqa: E402
from django.urls import path  # noqa: E402

TEMPLATE = Engine().from_string(
    "<!doctype html><title>Notifications</title><ul>"
    "{% for n in page %}<li>{{ n.created_at }} {{ n.subject }}</li>{% endfor %}</ul>"
)


@login_required
def bare_list(request):
    from agency.models import Notification

    rows = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-pk")
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return HttpResponse(TEMPLATE.render(Context({"page": page})))


def healthz(request):
    return HttpResponse("ok")


urlpatterns = [path("bare/", bare_list), path("healthz/", healthz)]
application = get_wsgi_application()
