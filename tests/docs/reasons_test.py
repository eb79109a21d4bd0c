#!/usr/bin/env python3
"""Every reason string the scheduler side can show a user is explained in the
README's troubleshooting table (English and Chinese), and the code emits them
only through the constants of src/api/reasons.h.

The list is generated from the code: the constants of src/api/reasons.h. Then
every non-test source under src/ is scanned for a string literal equal to one of
them (outside reasons.h), or for a literal passed where a reason goes
(fail("..."), reasons["..."], Warning/Normal/Warn(ref, "...")), so a new reason
cannot bypass the list and the table.
"""
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
HEADER = os.path.join(ROOT, "src/api/reasons.h")
READMES = {"README.md": "## Troubleshooting", "README_zh.md": "## 常见问题排查"}
# Literals in a reason position: fail("X"), reasons["X"], Warning(ref, "X", ...),
# Normal(ref, "X", ...), Warn(ref, "X", ...), RecordPodEvent(pod, "Warning", "X", ...).
REASON_SITES = re.compile(
    r'\bfail\(\s*"([^"]+)"|reasons\[\s*"([^"]+)"\]|'
    r'(?<!log::)\b(?:Warning|Normal|Warn)\(\s*[\w.:>()-]+\s*,\s*"([^"]+)"|'
    r'RecordPodEvent\(\s*\w+\s*,\s*"[^"]*"\s*,\s*"([^"]+)"')
# A literal shaped like one of HAMi's fit tokens, wherever it stands (a vendor's
# `return "CardSomething";` included).
TOKEN_SHAPED = re.compile(r'"((?:Card|Numa|Node(?!Names")|Exclusive|ResourceQuota|AllocatedCards)[A-Z][A-Za-z]+)"')  # NodeNames: extender JSON key


def constants():
    text = open(HEADER, encoding="utf-8").read()
    found = dict(re.findall(r'inline constexpr std::string_view (k\w+) = "([^"]+)";', text))
    if len(found) < 20:
        sys.exit(f"FAIL: only {len(found)} reason constants parsed from {HEADER}")
    return found


def section(path, heading):
    text = open(os.path.join(ROOT, path), encoding="utf-8").read()
    start = text.find(heading)
    if start < 0:
        sys.exit(f"FAIL: {path} has no '{heading}' section")
    end = text.find("\n## ", start + len(heading))
    return text[start:end if end > 0 else len(text)]


def sources():
    for base, _dirs, files in os.walk(os.path.join(ROOT, "src")):
        for f in files:
            if not f.endswith((".cc", ".h")) or "_test" in f or f.startswith("fake"):
                continue
            path = os.path.join(base, f)
            if path != HEADER and "/testing/" not in path and "/fuzz/" not in path:
                yield path


def main():
    reasons = constants()
    fails = []
    for readme, heading in READMES.items():
        table = section(readme, heading)
        for name, value in sorted(reasons.items()):
            if value not in table:
                fails.append(f"{readme}: the troubleshooting table does not explain {value!r} ({name})")
    values = set(reasons.values())
    for path in sources():
        rel = os.path.relpath(path, ROOT)
        for lineno, line in enumerate(open(path, encoding="utf-8"), 1):
            line = re.sub(r'^\s*//.*|\s//.*$', "", line)  # comments may name a reason
            for literal in re.findall(r'"((?:[^"\\]|\\.)*)"', line):
                if literal in values:
                    fails.append(f"{rel}:{lineno}: literal {literal!r}: use the constant of api/reasons.h")
            for literal in TOKEN_SHAPED.findall(line):
                if literal not in values:
                    fails.append(f"{rel}:{lineno}: reason-shaped {literal!r} is not in api/reasons.h")
            for groups in REASON_SITES.findall(line):
                literal = next(g for g in groups if g)
                if literal not in values:
                    fails.append(f"{rel}:{lineno}: reason {literal!r} is not in api/reasons.h")
    for f in fails:
        print("FAIL:", f)
    if fails:
        print(f"{len(fails)} problem(s)")
        return 1
    print(f"reasons_test: {len(reasons)} reasons, all explained in {len(READMES)} READMEs, "
          "none emitted as a literal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
