"""The public map's statements written for PostGIS, beside their portable twins in
``territory.selectors``. The map asks for its layer on every pan and zoom; at 100,000 spaces
building the document in the database, and skipping the ORM's compilation for the bare
viewport, is what a visitor feels (docs/benchmarks.md, docs/scaling.md).

- :func:`feature_collection` builds the whole GeoJSON document in one statement around rows
  (the ORM's, of ``selectors._feature_rows``, or :func:`viewport_rows_sql`'s), with the data
  version riding along. Twin: ``selectors._feature_collection_python`` (SpatiaLite).
- :func:`viewport_rows_sql` is ``selectors._feature_rows`` for the bare viewport (bounding box
  and zoom, no other filter), written by hand. Twin: the ORM rows with
  ``PublicSpaceQuerySet.with_contract_in_force``.

The equality tests compare each with its twin on the same rows:
``territory/tests/test_map_api.py::test_the_hand_written_viewport_gives_the_orm_document_and_version``
and ``::test_the_database_document_is_the_python_one``. They are marked ``services``: the
embedded SpatiaLite default skips them, and they run against PostGIS (CI's ``.ci/run`` does it
with ``REQUIRE_SERVICES=1``). Locally, with PostgreSQL and Redis running::

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/villaguard REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python -m pytest territory/tests/test_map_api.py -m services

territory does not import contracts: the document joins the contracts' tables by the names
the registry gives (``territory.responsible``); the viewport's statement names them as
contracts' migrations create them, and its equality test fails if they change.
"""

import datetime
import json
from collections.abc import Sequence
from typing import Any

from .models import ServiceType
from .responsible import space_responsible

# Each %s is a parameter; {geojson} is one of _VIEWPORT_GEOMETRY. The contract in force is the
# ORM's rule (PublicSpaceQuerySet.with_contract_in_force): the latest started, then the highest id.
_VIEWPORT_ROWS_SQL = """
    SELECT s."code", s."name", s."kind",
           (SELECT c."id" FROM "contracts_contract" c
            JOIN "contracts_contract_spaces" cs ON cs."contract_id" = c."id"
            WHERE c."end_date" >= %s AND c."start_date" <= %s AND cs."publicspace_id" = s."id"
            ORDER BY c."start_date" DESC, c."id" DESC LIMIT 1) AS "contract_in_force_id",
           col."name" AS "colonia_name",
           ST_AsGeoJSON({geojson}, %s, 0) AS "geojson"
    FROM "territory_publicspace" s
    LEFT JOIN "territory_colonia" col ON col."id" = s."colonia_id"
    WHERE s."municipality_id" = %s
      AND ST_Intersects(s."geometry", ST_MakeEnvelope(%s, %s, %s, %s, 4326))
"""
_VIEWPORT_GEOMETRY = {
    "stored": 's."geometry"',
    "points": 's."centroid"',
    "simplified": 'ST_Multi(ST_SimplifyPreserveTopology(s."geometry", %s))',
}


def viewport_rows_sql(
    *,
    municipality_id: int,
    extent: tuple[float, float, float, float],
    geometry: str,
    tolerance: float | None,
    decimals: int,
    day: datetime.date,
) -> tuple[str, list]:
    """The rows' statement and parameters: ``geometry`` is "stored", "points" (centroids) or
    "simplified" (to ``tolerance`` degrees); ``extent`` is west, south, east, north."""
    params: list = [day, day]
    if geometry == "simplified":
        params.append(tolerance)
    params += [decimals, municipality_id, *extent]
    return _VIEWPORT_ROWS_SQL.format(geojson=_VIEWPORT_GEOMETRY[geometry]), params


def feature_collection(
    rows: tuple[str, Sequence[Any]],
    database,
    *,
    kind_labels: dict[str, str],
    url_parts: tuple[str, str],
    version_sql: tuple[str, list] | None = None,
) -> tuple:
    """``(document,)``, or ``(document, spaces version, contracts version)`` with
    ``version_sql``: the rows (code, name, kind, contract_in_force_id, colonia_name, geojson)
    as an RFC 7946 FeatureCollection built by PostgreSQL, ordered by code. Python only passes
    the text on."""
    inner_sql, inner_params = rows
    url_prefix, url_suffix = url_parts
    responsible = space_responsible()
    params = [json.dumps(kind_labels), url_prefix, url_suffix, *inner_params]
    sql = f"""
        SELECT json_build_object(
            'type', 'FeatureCollection',
            'features', COALESCE(json_agg(json_build_object(
                'type', 'Feature',
                'geometry', s.geojson::json,
                'properties', json_build_object(
                    'code', s.code,
                    'name', s.name,
                    'kind', s.kind,
                    'kind_label', COALESCE(%s::jsonb ->> s.kind, s.kind),
                    'service', CASE WHEN st.id IS NULL THEN NULL
                               ELSE json_build_object('name', st.name, 'color', st.color) END,
                    'company', co.legal_name,
                    'contract', c.number,
                    'colonia', s.colonia_name,
                    'url', %s || s.code || %s
                )
            ) ORDER BY s.code), '[]'::json)
        )::text
        FROM ({inner_sql}) AS s
        LEFT JOIN {responsible.CONTRACT_TABLE} AS c ON c.id = s.contract_in_force_id
        LEFT JOIN {responsible.COMPANY_TABLE} AS co ON co.id = c.company_id
        LEFT JOIN {ServiceType._meta.db_table} AS st ON st.id = c.service_type_id
    """  # noqa: S608 (table names come from the models, values are parameters)
    if version_sql is not None:
        # The data version rides along as two scalar subqueries of the same statement (they
        # come first in the text, so their parameters do too).
        sql = f"SELECT body.document, {version_sql[0]} FROM ({sql}) AS body(document)"  # noqa: S608
        params = [*version_sql[1], *params]
    with database.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def run_document(database, sql: str, params: Sequence[Any]) -> str:
    """Runs a statement whose one row and column is a document (text)."""
    with database.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchone()[0]


def layer_feature_collection_sql(
    rows: tuple[str, Sequence[Any]],
    *,
    properties: list[str],
    points: bool,
    clusters: bool,
    order: list[str],
) -> tuple[str, list]:
    """A map layer's rows (``territory.layers.feature_rows``: ``p_<name>`` properties, and
    ``lon``/``lat`` or ``geojson``; with ``count`` for clusters) as an RFC 7946
    FeatureCollection built by PostgreSQL in the same statement. Twin:
    ``territory.layers._feature_collection_python`` (SpatiaLite); the equality test is
    ``territory/tests/test_map_layers.py::test_the_database_layer_document_is_the_python_one``.

    A cluster of more than one row carries only its ``count``; a cell of one row carries the
    row's properties and ``count`` 1."""
    inner_sql, inner_params = rows
    # Property names and order columns come from the layers' code, never from a request.
    pairs = ", ".join(f"'{name}', r.\"p_{name}\"" for name in properties)
    own = f"json_build_object({pairs})" if properties else "json_build_object()"
    if clusters:
        own = (
            f'CASE WHEN r."count" > 1 THEN json_build_object(\'count\', r."count")'
            f" ELSE ({own}::jsonb || jsonb_build_object('count', 1))::json END"
        )
    if points:
        geometry = (
            "json_build_object('type', 'Point', 'coordinates', json_build_array(r.lon, r.lat))"
        )
    else:
        geometry = "r.geojson::json"
    order_by = ", ".join(f'r."{column}"' for column in order)
    sql = f"""
        SELECT json_build_object(
            'type', 'FeatureCollection',
            'features', COALESCE(json_agg(json_build_object(
                'type', 'Feature', 'geometry', {geometry}, 'properties', {own}
            ) ORDER BY {order_by}), '[]'::json)
        )::text
        FROM ({inner_sql}) AS r
    """  # noqa: S608 (names come from the layers' code, values are parameters)
    return sql, list(inner_params)
