"""Pagination for the big lists: sort and cut the page first, then join.

Asked for `ORDER BY ... LIMIT 25` over a query that joins other tables (the worker, the
case's due items), Postgres joins every matching row before sorting and keeping 25:
for a unit of 200 cases it reads all 24,500 rows of the joined table to keep 25 of
them. PageFirstPaginator sorts and cuts the bare rows in a subquery of primary keys and
joins only the page's rows, with the same single query and the same order.
"""

from django.core.paginator import Paginator


class PageFirstPaginator(Paginator):
    """A Paginator over a QuerySet whose page is chosen by primary key first (see the
    module). The object list must be ordered (as any paginated QuerySet should be)."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = self.object_list
        keys = queryset.values("pk")[bottom:top]
        return self._get_page(queryset.filter(pk__in=keys), number, self)
