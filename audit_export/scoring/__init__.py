"""The self-assessment: weights (rubric or score sheet), evidence per item, score and grade.

`score.assess(period, as_of)` is the entry point other modules use; `score.score_items` is the pure
core it wraps (tested with hand-made figures).
"""
