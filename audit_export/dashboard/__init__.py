"""The manager dashboard's read-only queries: KPI tiles, trends, the outlet league table, drill-down."""
