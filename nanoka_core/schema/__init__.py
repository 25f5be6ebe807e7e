"""The model DSL and its checks: fields, models, references, constraints, defaults, names, TS types.

Pure Python over the ground floor (`errors`); plugin field kinds are pushed in from above (`t.use`).
"""
