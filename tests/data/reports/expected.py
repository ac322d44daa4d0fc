#!/usr/bin/env python3
"""Writes the expected CSV and Markdown of the fixture reports (NAME.csv and
NAME.md beside NAME.json) from the formats docs/report.md describes.

A second implementation of those formats, in another language and from the
JSON as Python reads it, so that the golden files the report_render suite
compares trainmap's output with are not trainmap's own output.  Run from the
repository root:  python3 tests/data/reports/expected.py
"""
import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = ["twins", "incomplete", "interrupted"]
STEP_ORDER = ["fwd", "im2col", "bwd_data", "col2im", "bwd_weight", "update"]


def exact(v):
    """The JSON's exact text of a double: shortest round trip, '.0' when
    integral below 1e16."""
    if v is None or not math.isfinite(v):
        return ""
    if v == math.floor(v) and abs(v) < 1e16:
        return "%.0f.0" % v
    return repr(float(v))


def csv_field(s):
    if any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def status(e):
    if e.get("searched") is False:
        return "not_searched"
    return "mapped" if e["stats"] is not None else "no_mapping"


def level_names(d):
    for layer in d["layers"]:
        for e in layer["kernels"]:
            if e.get("stats"):
                s = e["stats"]
                return [lv["name"] for lv in s["levels"]], s["compute"]["name"]
    return [], None


def write_csv(d):
    levels, mac = level_names(d)
    cols = ["layer", "kernel", "status", "same_as", "macs", "cycles", "compute_cycles",
            "utilization", "energy_pj", "edp"]
    if levels:
        cols += [n + "_energy_pj" for n in levels + [mac]]
    cols += ["energy_bound_pj", "cycles_bound", "energy_ratio", "cycles_ratio", "optimal",
             "error"]
    out = [",".join(csv_field(c) for c in cols)]
    for layer in d["layers"]:
        for e in layer["kernels"]:
            st = status(e)
            row = [csv_field(layer["name"]), e["kernel"], st, csv_field(e.get("same_as", ""))]
            if st == "mapped":
                s = e["stats"]
                row += [str(s["macs"]), str(s["cycles"]), str(s["compute_cycles"]),
                        exact(s["utilization"]), exact(s["energy_pj"]), exact(s["edp"])]
                row += [exact(lv["energy_pj"]) for lv in s["levels"]]
                row += [exact(s["compute"]["energy_pj"])]
                b = e["bounds"]
                row += [exact(b["energy_pj"]), exact(b["cycles"]), exact(b["energy_ratio"]),
                        exact(b["cycles_ratio"])]
            else:
                row += [""] * (6 + (len(levels) + 1 if levels else 0) + 4)
            row.append("" if st == "not_searched" else ("true" if e["optimal"] else "false"))
            row.append("" if st == "mapped" else csv_field(e["error"]))
            out.append(",".join(row))
    return "\n".join(out) + "\n"


def sig4(v):
    if not math.isfinite(v):
        return "-"
    if v == 0:
        return "0"
    a = abs(v)
    if a < 1e-3:
        return "%.3e" % v
    e = math.floor(math.log10(a))
    return "%.*f" % (0 if e >= 3 else 3 - e, v)


def unit(max_pj):
    for name, pj in (("J", 1e12), ("mJ", 1e9), ("\u00b5J", 1e6), ("nJ", 1e3)):
        if abs(max_pj) >= pj:
            return name, pj
    return "pJ", 1.0


def md_text(s):
    return s.replace("|", "\\|").replace("\n", " ").replace("\r", " ")


def md_input(what, i):
    if i.get("name") is not None:
        return "- %s: %s (`%s`, SHA-256 `%s\u2026`)\n" % (what, md_text(i["name"]),
                                                          md_text(i["path"]), i["sha256"][:16])
    return "- %s: `%s` (SHA-256 `%s\u2026`)\n" % (what, md_text(i["path"]), i["sha256"][:16])


def write_md(d):
    levels, mac = level_names(d)
    entries = [(layer, e) for layer in d["layers"] for e in layer["kernels"]]
    unmapped = sum(status(e) != "mapped" for _, e in entries)
    out = "# %s on %s\n\n" % (md_text(d["inputs"]["workload"]["name"]),
                               md_text(d["inputs"]["arch"]["name"]))
    out += md_input("Workload", d["inputs"]["workload"])
    out += md_input("Architecture", d["inputs"]["arch"])
    if d["inputs"]["arch"]["comment"] is not None:
        out += "- Energy table (the architecture's comment): %s\n" % md_text(
            d["inputs"]["arch"]["comment"])
    if "constraints" in d["inputs"]:
        out += md_input("Constraints", d["inputs"]["constraints"])
    s = d["search"]
    out += "- Search: %s, objective %s, seed %d, time limit %s s per problem\n" % (
        s["strategy"], s["objective"], s["seed"], "%g" % s["time_limit_s"])
    out += "- Command: `%s`\n" % md_text(d["command"])
    out += "- Report written by trainmap %s\n" % d["version"]
    if d["interrupted"]:
        out += "- Interrupted: the run was stopped before it finished\n"
    if unmapped:
        out += "- Incomplete: %d kernel%s without a mapping, left out of the totals\n" % (
            unmapped, "" if unmapped == 1 else "s")

    def header(u):
        h = " energy (%s) | cycles | EDP (pJ \u00d7 cycles) | utilization |" % u
        if levels:
            h += "".join(" %s (%s) |" % (md_text(n), u) for n in levels + [mac])
        return h

    def align(left, right):
        n = 4 + (len(levels) + 1 if levels else 0) + right
        return "|" + " :--- |" * left + " ---: |" * n + "\n"

    def pct(x):
        return " - |" if x is None else " %.1f %% |" % (100 * x)

    # totals: recomputed from the entries, in report order
    def sums(kernel):
        energy, cycles, busy, lv = 0.0, 0, 0.0, [0.0] * (len(levels) + 1)
        incomplete = False
        for _, e in entries:
            if kernel is not None and e["kernel"] != kernel:
                continue
            if status(e) != "mapped":
                incomplete = True
                continue
            st = e["stats"]
            energy += st["energy_pj"]
            cycles += st["cycles"]
            busy += st["utilization"] * st["cycles"]
            for i, x in enumerate(st["levels"]):
                lv[i] += x["energy_pj"]
            lv[len(levels)] += st["compute"]["energy_pj"]
        return energy, cycles, (busy / cycles if cycles else None), lv, incomplete

    step = sums(None)
    u, pj = unit(step[0])
    out += ("\n## Totals per kernel and training step\n\nSums over the kernels with a "
            "mapping, which run one after another: energies and cycles add up; EDP is the "
            "sum of the energies times the sum of the cycles; utilization is the MAC "
            "array's busy fraction over those cycles.")
    if unmapped:
        out += " \\* marks sums that leave out kernels without a mapping."
    out += "\n\n| kernel |" + header(u) + "\n" + align(1, 0)
    present = [k for k in STEP_ORDER if any(e["kernel"] == k for _, e in entries)]
    for name in present + ["step"]:
        energy, cycles, util, lv, incomplete = sums(None if name == "step" else name)
        out += "| %s%s |" % (name, " *" if incomplete else "")
        out += " %s | %d | %.3e |" % (sig4(energy / pj), cycles, energy * cycles) + pct(util)
        if levels:
            out += "".join(" %s |" % sig4(x / pj) for x in lv)
        out += "\n"

    biggest = max([e["stats"]["energy_pj"] for _, e in entries if status(e) == "mapped"],
                  default=0)
    u, pj = unit(biggest)
    out += ("\n## Layers\n\nThe best mapping found per layer and kernel; energy / bound and "
            "cycles / bound are the ratios to the lower bounds no mapping can beat (1.000: "
            "at the bound).\n\n| layer | kernel |" + header(u) +
            " energy / bound | cycles / bound |\n" + align(2, 2))
    for layer, e in entries:
        out += "| %s | %s |" % (md_text(layer["name"]), e["kernel"])
        st = status(e)
        if st != "mapped":
            out += " %s: %s |" % ("not searched" if st == "not_searched" else "no mapping",
                                  md_text(e["error"]))
            out += " |" * (3 + (len(levels) + 1 if levels else 0) + 2) + "\n"
            continue
        s = e["stats"]
        out += " %s | %d | %.3e |" % (sig4(s["energy_pj"] / pj), s["cycles"], s["edp"])
        out += pct(s["utilization"])
        out += "".join(" %s |" % sig4(x["energy_pj"] / pj) for x in s["levels"])
        out += " %s |" % sig4(s["compute"]["energy_pj"] / pj)
        for r in ("energy_ratio", "cycles_ratio"):
            v = e["bounds"][r]
            out += " - |" if v is None else " %.3f |" % v
        out += "\n"
    return out


def main():
    for name in FIXTURES:
        with open(os.path.join(HERE, name + ".json")) as f:
            d = json.load(f)
        with open(os.path.join(HERE, name + ".csv"), "w", newline="") as f:
            f.write(write_csv(d))
        with open(os.path.join(HERE, name + ".md"), "w") as f:
            f.write(write_md(d))


if __name__ == "__main__":
    main()
