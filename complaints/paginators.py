"""A paginator for tables of a million rows and more.

Django's Paginator counts every row with ``COUNT(*)``: about 0.3 s over 1,000,000 complaints
on PostgreSQL, on every page of the inbox and of the admin changelist. This one counts exactly
up to ``exact_up_to`` rows (a ``LIMIT``-ed count, cheap whatever the table's size); past that,
on PostgreSQL, it takes the planner's estimate of the filtered query (``EXPLAIN``, no rows
read), which is what "about 1,000,000 complaints" needs. Other databases count exactly.
"""

import json

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


class EstimatedCountPaginator(Paginator):
    exact_up_to = 10_000

    @cached_property
    def count(self):
        queryset = self.object_list
        if not hasattr(queryset, "query"):
            return super().count
        capped = queryset.order_by()[: self.exact_up_to + 1].count()
        if capped <= self.exact_up_to:
            return capped
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return super().count
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        return max(int(plan[0]["Plan"]["Plan Rows"]), capped)
