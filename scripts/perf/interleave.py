"""Times commands interleaved: every round runs each command once, in a rotating order, after its prepare command.

hyperfine runs all runs of one command before the next, so a change of load on a shared machine between the two
batches lands in their ratio; here a load change hits every command of the round alike, and ratios can be taken
per round (paired).

Usage: interleave.py OUT ROUNDS NAME PREPARE COMMAND [NAME PREPARE COMMAND ...]
One warm-up round is run first and not counted. Writes OUT.json (hyperfine's layout: results[i].command, mean,
median, min, max, times, in the order given) and OUT.md (a table), and prints the table.
"""

import json
import shlex
import statistics
import subprocess
import sys
import time


def run(command: str) -> float:
    start = time.perf_counter()
    subprocess.run(shlex.split(command), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    out, rounds, rest = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    if len(rest) % 3 or not rest:
        sys.exit("usage: interleave.py OUT ROUNDS NAME PREPARE COMMAND [NAME PREPARE COMMAND ...]")
    cases = [rest[i : i + 3] for i in range(0, len(rest), 3)]
    times = [[] for _ in cases]
    for r in range(rounds + 1):
        for k in range(len(cases)):
            i = (r + k) % len(cases)
            _, prepare, command = cases[i]
            subprocess.run(shlex.split(prepare), check=True)
            elapsed = run(command)
            if r > 0:
                times[i].append(elapsed)
    results = [
        {
            "command": name,
            "mean": statistics.fmean(t),
            "median": statistics.median(t),
            "stddev": statistics.stdev(t) if len(t) > 1 else 0.0,
            "min": min(t),
            "max": max(t),
            "times": t,
        }
        for (name, _, _), t in zip(cases, times)
    ]
    with open(f"{out}.json", "w") as f:
        json.dump({"rounds": rounds, "results": results}, f, indent=2)
    lines = [
        f"| Command ({rounds} interleaved rounds) | Mean [s] | Median [s] | Min [s] | Max [s] |",
        "|:---|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| `{r['command']}` | {r['mean']:.3f} ± {r['stddev']:.3f} | {r['median']:.3f} | {r['min']:.3f} | {r['max']:.3f} |"
        )
    table = "\n".join(lines) + "\n"
    with open(f"{out}.md", "w") as f:
        f.write(table)
    print(table, end="")


if __name__ == "__main__":
    main()
