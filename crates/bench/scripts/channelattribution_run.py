"""ChannelAttribution's whole run on the same data as `refleqt attribute`: read the path table
that `refleqt simulate --paths` writes for the same journeys, its heuristic models, its Markov
model (order 1). For the README's side-by-side benchmark only: run it from a scratch virtual
environment (`python3 -m venv /tmp/ca && /tmp/ca/bin/pip install ChannelAttribution pandas
matplotlib`), never as a project dependency.

Usage: /tmp/ca/bin/python channelattribution_run.py PATHS.csv
"""
import sys, time, resource
t0 = time.perf_counter()
import pandas as pd
from ChannelAttribution import markov_model, heuristic_models
t1 = time.perf_counter()
df = pd.read_csv(sys.argv[1], sep=";")
t2 = time.perf_counter()
h = heuristic_models(df, "path", "total_conversions", var_value="total_conversion_value")
t3 = time.perf_counter()
m = markov_model(
    df, "path", "total_conversions", var_value="total_conversion_value",
    var_null="total_null", order=1, verbose=0,
)
t4 = time.perf_counter()
print(f"import {t1-t0:.3f} read {t2-t1:.3f} heuristics {t3-t2:.3f} markov {t4-t3:.3f} total(after import) {t4-t1:.3f} peakMB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024:.0f}")
