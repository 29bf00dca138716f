"""The auditor's workspace: reproducible samples (draw.py, frame.py), their register (queries.py),
case files assembled from the domains' records (case_files.py) and the rubric tree (workspace.py)."""
