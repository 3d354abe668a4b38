"""Writes the linker's symbol order from two callgrind profiles of the controller.

    order-file.py BINARY STARTUP_PROFILE RUN_PROFILE > hack/airlock.order

The functions run under load come first, then those only start-up ran: each group lies
together, so neither spreads over the binary. callgrind names C++ functions demangled; they
are mapped back to the binary's own (mangled) names.
"""
import re
import subprocess
import sys


def executed(profile):
    names = []
    for line in open(profile, encoding="utf-8", errors="replace"):
        match = re.match(r"^c?fn=\(\d+\) (.*)$", line)
        if match:
            names.append(re.sub(r"'\d+$", "", match.group(1)))  # callgrind's recursion suffix
    return names


def symbols(binary):
    """Demangled name -> the binary's names for it (functions only)."""
    listed = subprocess.run(["nm", "--defined-only", binary], capture_output=True, text=True, check=True).stdout
    functions = [parts[2] for parts in (line.split(None, 2) for line in listed.splitlines())
                 if len(parts) == 3 and parts[1] in "tTwW"]
    demangled = subprocess.run(["c++filt"], input="\n".join(functions), capture_output=True, text=True,
                               check=True).stdout.splitlines()
    table = {}
    for name, readable in zip(functions, demangled):
        table.setdefault(readable, []).append(name)
    return table


def main():
    binary, startup, run = sys.argv[1:4]
    table = symbols(binary)
    seen = set()
    for name in executed(run) + executed(startup):
        for symbol in table.get(name, []):
            if symbol not in seen:
                seen.add(symbol)
                print(symbol)
    print(f"{len(seen)} functions ordered", file=sys.stderr)


main()
