#!/usr/bin/env python3
"""Compares BenchmarkDotNet's JSON reports with bench/allocation-budget.json; exits 1 when a benchmark allocates more than allowed."""
import glob, json, os, sys

here = os.path.dirname(os.path.abspath(__file__))
budget = {k: v for k, v in json.load(open(os.path.join(here, "allocation-budget.json"))).items() if not k.startswith("_")}
failures, checked = [], 0
for report in glob.glob(os.path.join(here, "FastGate.Benchmarks", "BenchmarkDotNet.Artifacts", "results", "*-report-full-compressed.json")):
    for benchmark in json.load(open(report))["Benchmarks"]:
        name = f'{benchmark["Type"]}.{benchmark["Method"]}'
        allocated = (benchmark.get("Memory") or {}).get("BytesAllocatedPerOperation")
        if allocated is None:
            continue
        if name not in budget:
            # A benchmark without a budget would never be checked: name it so it gets one.
            print(f"{'NO BUDGET':12} {name}: {allocated} B/op (add it to bench/allocation-budget.json)")
            failures.append(name)
            continue
        checked += 1
        status = "ok" if allocated <= budget[name] else "OVER BUDGET"
        print(f"{status:12} {name}: {allocated} B/op (budget {budget[name]} B)")
        if allocated > budget[name]:
            failures.append(name)
if checked == 0:
    print("no benchmark results to check (run the benchmarks first)")
    sys.exit(1)
sys.exit(1 if failures else 0)
