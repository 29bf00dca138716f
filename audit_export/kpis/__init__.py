"""The KPI engine: every KPI of shared/gbt27922/kpis.md as SQL aggregates on the database.

Public interface (other audit_export modules use only these):
- `definitions.KPIS`: code → KpiDefinition (title, unit, dimensions, direction), in kpis.md order.
- `engine.compute_kpis(period, as_of, outlet_code=None) -> dict[str, KpiFigure]`
  (with an outlet: only the KPIs having the outlet dimension; an unknown code → NotFound)
- `engine.compute_kpis_by(period, as_of, dimension) -> dict[str, dict[str, KpiFigure]]`
  (dimension: outlet / region / category; key → code → figure, only KPIs having that dimension,
  only keys having records; grouped in SQL)
- `drilldown.record_columns(code) -> tuple[str, ...]` (the last column: counted_in_numerator)
- `drilldown.kpi_records(code, period, as_of, part, outlet_code=None, offset=0, limit=50) -> RecordPage`
  (`RecordPage(columns, rows, total)`; part: numerator / denominator)
- `drilldown.iter_kpi_records(code, period, as_of, part, outlet_code=None, batch=5000)`
  → async iterator of row batches (keyset pages ordered by a stable key), for exports.

How: `recordsets.py` holds ONE SQL record set per KPI (each record flagged `den` / `cnt`, with the
amount it sums and its dimensions); the engine aggregates it, the drill-down lists it, so a figure
and its records never disagree. `sql.py` is the dialect layer (literals, exact epoch-microsecond
time arithmetic on SQLite and PostgreSQL). For fund_utilisation the numerator's records are the
expense entries and the denominator's the budget entries; fund_reserve_balance has no denominator.
"""
