"""The history import: a bundle of CSV files (../shared/formats/history-import.md) loaded all or nothing.

`spec` holds the file specs each domain registers, `bundle` opens a folder or .zip, `csvfile`
reads and types the cells, `plan` validates everything and sorts rows into insert / update /
unchanged, `services.import_history` writes it in one unit of work with one audit event.
"""
