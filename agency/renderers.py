"""The form renderer: Hearth's widgets render through Jinja2.

Django ships its widget templates for both engines; the Jinja2 ones give the same HTML
at about half the cost, on every form and filter bar. Widgets that only ship Django
templates (the admin's, for one) are rendered by the Django engine, as before.
"""

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class HearthFormRenderer(Jinja2):
    """Jinja2 for the widgets Django ships Jinja2 templates for; the Django engine for
    the others (remembered per template name, so a miss is looked up once)."""

    def __init__(self):
        self.django = DjangoTemplates()
        self._django_only: set[str] = set()

    def get_template(self, template_name):
        if template_name not in self._django_only:
            try:
                return super().get_template(template_name)
            except TemplateDoesNotExist:
                self._django_only.add(template_name)
        return self.django.get_template(template_name)
