"""The KPI engine: every KPI of shared/gbt27922/kpis.md as SQL aggregates on the database.

Public interface (other audit_export modules use only these):
- `definitions.KPIS`: code → KpiDefinition (title, unit, dimensions, direction).
- `engine.compute_kpis(period, as_of, outlet_code=None) -> dict[str, KpiFigure]`
- `engine.compute_kpis_by(period, as_of, dimension) -> dict[str, dict[str, KpiFigure]]`
  (dimension: outlet / region / category; key → code → figure, only KPIs having that dimension)
- `drilldown.kpi_records(code, period, as_of, part, outlet_code=None, offset=0, limit=50) -> RecordPage`
- `drilldown.iter_kpi_records(code, period, as_of, part, outlet_code=None, batch=5000)`
  → async iterator of row batches (columns in `drilldown.record_columns(code)`), for exports.
"""
