#!/usr/bin/env python3
"""Runs the command examples of README.md and docs/*.md and compares their output.

The convention (also described in docs/README.md):

* A fenced block tagged ``console`` is an example that is run. A line starting
  with ``$ `` is a command; a command whose line ends with a backslash goes on
  over the following lines. The lines after a command, up to the next ``$ ``,
  are what it prints: standard output and standard error together, in one
  stream (standard output is line-buffered, as on a terminal).
* In the shown output, a line ``...`` stands for any number of lines (none
  included), and ``…`` inside a line for any text within that line. Trailing
  blanks are ignored; everything else is compared exactly.
* Every command must exit 0, except a command followed by ``$ echo $?``, which
  shows its exit code (and is compared like any output).
* The commands of a page run in order in one bash shell per block, in a scratch
  copy of the bundled ``examples/`` folder (``data/test.csv``,
  ``data/test.parquet``, ``models/model.json``, ``models/model.pkl``) beside a
  link to the source tree's ``adapters/``, with the built binary first on PATH
  as ``modelgate`` and ``MODELGATE_PYTHON=/usr/bin/python3``. Each block starts
  in a fresh copy, so blocks do not depend on each other.
* A block preceded by ``<!-- not run: REASON -->`` is shown and not run.
* A ``sh``/``shell``/``bash`` block is not run; if it holds a ``modelgate``
  command it must carry the ``not run`` marker with a reason.
* Any other block (plain, ``json``, ``yaml``, ...) is not run. In plain and
  ``text`` blocks a line starting with ``$ `` is refused (tag the block
  ``console``), and a ``modelgate`` command line must be synopsis syntax (a
  placeholder such as ``FILE``/``M``, ``[...]`` or ``...``), not a concrete
  command that should have been run.

Usage: docs_examples.py MODELGATE_BINARY SOURCE_DIR
Exit 0 when every example matches, 1 otherwise.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SHELL_TAGS = {"sh", "shell", "bash"}
PLAIN_TAGS = {"", "text"}
NOT_RUN = re.compile(r"^<!--\s*not run:\s*(\S.*?)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(`{3,})\s*([A-Za-z0-9_+-]*)\s*$")
# A modelgate command line (not a message "modelgate evaluate: ...", nor the
# word in a diagram): the program and a subcommand or option.
MG_LINE = re.compile(r"^\s*(\$ )?modelgate\s+(evaluate|benchmark|fairness|compare|predict|inspect|"
                     r"registry|report|version|help|--?[a-z]+)(\s|$)")
# A placeholder: an argument written in capitals (FILE, M, KEY.pem, M0, COLS),
# an optional part in brackets, an ellipsis or a choice.
PLACEHOLDER = re.compile(r"(^|[\s=:,'\"(])[A-Z][A-Z0-9_]*(\.[a-z]+)?([\s,'\")]|$)|\[|\.\.\.|…|\|")
BLOCK_TIMEOUT = 300


class Block:
    def __init__(self, path, line, tag, lines, marker):
        self.path, self.line, self.tag, self.lines, self.marker = path, line, tag, lines, marker

    def where(self):
        return f"{self.path}:{self.line}"


def blocks_of(path, rel):
    out = []
    with open(path, encoding="utf-8") as f:
        text = f.read().split("\n")
    i = 0
    prev = ""  # the last non-blank line before the current one
    while i < len(text):
        m = FENCE.match(text[i])
        if not m:
            if text[i].strip():
                prev = text[i].strip()
            i += 1
            continue
        ind, fence, tag, start = m.group(1), m.group(2), m.group(3).lower(), i + 1
        body = []
        i += 1
        while i < len(text) and not re.match(r"^\s*" + fence + r"\s*$", text[i]):
            # a block inside a list item: its lines carry the fence's indentation
            body.append(text[i][len(ind):] if text[i].startswith(ind) else text[i])
            i += 1
        if i >= len(text):
            raise SystemExit(f"{rel}:{start}: fenced block never closed")
        mk = NOT_RUN.match(prev)
        out.append(Block(rel, start, tag, body, mk.group(1) if mk else None))
        prev = ""
        i += 1
    return out


def parse_console(block):
    """[(command, [expected lines], first line number)]"""
    cmds = []
    lines = block.lines
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("$ "):
            raise ValueError(f"{block.path}:{block.line + 1 + i}: console block line is neither a "
                             f"'$ ' command nor the output of one: {line!r}")
        lineno = block.line + 1 + i
        cmd = [line[2:]]
        while cmd[-1].endswith("\\") and i + 1 < len(lines):
            i += 1
            cmd.append(lines[i])
        i += 1
        want = []
        while i < len(lines) and not lines[i].startswith("$ "):
            want.append(lines[i])
            i += 1
        cmds.append(("\n".join(cmd), want, lineno))
    return cmds


def line_matches(pattern, line):
    if "…" not in pattern:
        return pattern == line
    parts = [re.escape(p) for p in pattern.split("…")]
    return re.fullmatch(".*?".join(parts), line, re.S) is not None


def output_matches(want, got):
    """want may hold '...' lines (any number of lines); memoised two-pointer match."""
    want = [w.rstrip() for w in want]
    got = [g.rstrip() for g in got]
    memo = {}

    def m(i, j):
        key = (i, j)
        if key in memo:
            return memo[key]
        if i == len(want):
            r = j == len(got)
        elif want[i] == "...":
            r = any(m(i + 1, k) for k in range(j, len(got) + 1))
        else:
            r = j < len(got) and line_matches(want[i], got[j]) and m(i + 1, j + 1)
        memo[key] = r
        return r

    return m(0, 0)


def make_scratch(src, binary):
    root = tempfile.mkdtemp(prefix="mg-docs-")
    shutil.copytree(os.path.join(src, "examples"), os.path.join(root, "examples"))
    os.symlink(os.path.join(src, "adapters"), os.path.join(root, "adapters"))
    os.mkdir(os.path.join(root, "bin"))
    os.symlink(os.path.abspath(binary), os.path.join(root, "bin", "modelgate"))
    return root


def run_block(block, cmds, src, binary):
    """Runs the block's commands in one bash; returns a list of failure texts."""
    root = make_scratch(src, binary)
    try:
        work = os.path.join(root, "examples")
        outdir = os.path.join(root, ".out")
        os.mkdir(outdir)
        script = ["__rc=0"]
        for k, (cmd, _, _) in enumerate(cmds):
            o = os.path.join(outdir, str(k))
            # A group (not a subshell) keeps variables and `cd` for later
            # commands; `(exit $__rc)` gives `echo $?` the previous command's code.
            script.append(f"{{ (exit $__rc); {cmd}\n}} >'{o}' 2>&1 </dev/null; __rc=$?; "
                          f"echo $__rc >'{o}.rc'")
        env = dict(os.environ)
        env["PATH"] = os.path.join(root, "bin") + os.pathsep + env.get("PATH", "")
        env["MODELGATE_PYTHON"] = "/usr/bin/python3"
        env["HOME"] = root
        env["LC_ALL"] = "C.UTF-8"
        for k in ("MODELGATE_REGISTRY", "MODELGATE_ADAPTERS", "GITHUB_ACTOR"):
            env.pop(k, None)
        env["USER"] = env["LOGNAME"] = "ci"
        # stdbuf preloads a library; a sanitizer build must not refuse to run after it
        asan = env.get("ASAN_OPTIONS", "")
        env["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "verify_asan_link_order=0"
        # stdbuf: standard output line-buffered, so that it interleaves with
        # standard error as a terminal shows it.
        try:
            subprocess.run(["stdbuf", "-oL", "-eL", "bash", "-c", "\n".join(script)], cwd=work,
                           env=env, timeout=BLOCK_TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return [f"{block.where()}: block did not finish within {BLOCK_TIMEOUT} s"]
        fails = []
        for k, (cmd, want, lineno) in enumerate(cmds):
            o = os.path.join(outdir, str(k))
            if not os.path.exists(o + ".rc"):
                fails.append(f"{block.path}:{lineno}: `{cmd}` did not run (an earlier command "
                             "ended the shell)")
                break
            with open(o, "rb") as f:
                got = f.read().decode("utf-8", "replace")
            with open(o + ".rc") as f:
                rc = int(f.read())
            got_lines = got.split("\n")
            if got_lines and got_lines[-1] == "":
                got_lines.pop()
            shown_rc = k + 1 < len(cmds) and cmds[k + 1][0].strip() == "echo $?"
            if rc != 0 and not shown_rc:
                fails.append(f"{block.path}:{lineno}: `{cmd}` exited {rc} (show a non-zero exit "
                             "code with a following `$ echo $?`)\n" + indent(got_lines))
            elif not output_matches(want, got_lines):
                fails.append(f"{block.path}:{lineno}: `{cmd}` printed other output\n"
                             "  shown:\n" + indent(want) + "\n  got:\n" + indent(got_lines))
        return fails
    finally:
        shutil.rmtree(root, ignore_errors=True)


def indent(lines, limit=40):
    shown = lines[:limit] + (["    [... %d more lines]" % (len(lines) - limit)]
                             if len(lines) > limit else [])
    return "\n".join("    | " + l for l in shown)


def check(binary, src, only=None):
    """Checks README.md and docs/*.md under src; returns (failures, commands run, blocks run,
    blocks marked not run)."""
    pages = ["README.md"] + sorted(os.path.join("docs", f)
                                   for f in os.listdir(os.path.join(src, "docs"))
                                   if f.endswith(".md"))
    fails, ran, blocks_run, not_run = [], 0, 0, 0
    for rel in pages:
        if only and rel != only:
            continue
        for b in blocks_of(os.path.join(src, rel), rel):
            if b.tag == "console":
                try:
                    cmds = parse_console(b)
                except ValueError as e:
                    fails.append(str(e))
                    continue
                if b.marker:
                    not_run += 1
                    continue
                if not cmds:
                    fails.append(f"{b.where()}: empty console block")
                    continue
                fails += run_block(b, cmds, src, binary)
                ran += len(cmds)
                blocks_run += 1
            elif b.tag in SHELL_TAGS:
                mg = [l for l in b.lines if MG_LINE.match(l)]
                if mg and not b.marker:
                    fails.append(f"{b.where()}: ```{b.tag} block with a modelgate command that is "
                                 "not run: make it a ```console example, or put "
                                 "<!-- not run: REASON --> before it\n" + indent(mg))
                elif mg:
                    not_run += 1
            elif b.tag in PLAIN_TAGS:
                for k, l in enumerate(b.lines):
                    if l.startswith("$ "):
                        fails.append(f"{b.path}:{b.line + 1 + k}: a '$ ' command in a plain block: "
                                     "tag the block ```console so that it is run")
                    elif MG_LINE.match(l) and not PLACEHOLDER.search(l) and not b.marker:
                        fails.append(f"{b.path}:{b.line + 1 + k}: a concrete modelgate command in "
                                     "a plain block: make it a ```console example (or write it as "
                                     "a synopsis with placeholders)\n" + indent([l]))
    return fails, ran, blocks_run, not_run


# The checker checked: pages with one example of each kind, and the failures
# each must produce (page line numbers of the offending command or block).
SELF_TEST_PAGE = """# t
```console
$ modelgate inspect --test-data data/test.csv --columns gender --format csv --limit 1
gender
male
$ printf 'a\\nb\\nc\\n'
a
...
$ echo "x 1.25 ms y"
x … ms y
$ modelgate evaluate --model column:nope --test-data data/test.csv --output m.json
...
$ echo $?
2
```
```console
$ modelgate inspect --test-data data/test.csv --columns gender --format csv --limit 1
female
$ modelgate evaluate --model column:nope --test-data data/test.csv --output m.json
...
$ printf 'a\\nb\\n'
a
...
c
```
<!-- not run: needs a server -->
```sh
modelgate benchmark --model http://localhost:8080/v2/models/m/infer --synthetic --output l.json
```
```sh
modelgate evaluate --model models/model.json --test-data data/test.csv --output m.json
```
```
modelgate predict --model M --test-data D --output FILE
modelgate predict --model models/model.json --test-data data/test.csv --output -
$ modelgate version
```
"""
SELF_TEST_WANT = ["docs/t.md:17:", "docs/t.md:19:", "docs/t.md:21:", "docs/t.md:30:",
                  "docs/t.md:35:", "docs/t.md:36:"]


def self_test(binary, src):
    root = tempfile.mkdtemp(prefix="mg-docs-self-")
    try:
        os.mkdir(os.path.join(root, "docs"))
        os.symlink(os.path.join(src, "examples"), os.path.join(root, "examples"))
        os.symlink(os.path.join(src, "adapters"), os.path.join(root, "adapters"))
        with open(os.path.join(root, "README.md"), "w") as f:
            f.write("# r\n")
        with open(os.path.join(root, "docs", "t.md"), "w") as f:
            f.write(SELF_TEST_PAGE)
        fails, ran, blocks_run, not_run = check(binary, root)
        got = sorted(f.split(" ", 1)[0] for f in fails)
        ok = got == sorted(SELF_TEST_WANT) and (ran, blocks_run, not_run) == (8, 2, 1)
        if not ok:
            print("FAIL self-test of the checker: expected failures at %s, 8 commands in 2 blocks, "
                  "1 not run; got %s, %d commands in %d blocks, %d not run"
                  % (SELF_TEST_WANT, got, ran, blocks_run, not_run))
            for f in fails:
                print("  " + f.split("\n")[0])
        return ok
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    binary, src = sys.argv[1], os.path.abspath(sys.argv[2])
    only = os.environ.get("MG_DOCS_ONLY")  # e.g. docs/evaluate.md, to run one page
    if not only and not self_test(binary, src):
        return 1
    fails, ran, blocks_run, not_run = check(binary, src, only)
    for f in fails:
        print("FAIL " + f)
    print(f"{ran} commands run in {blocks_run} console blocks, {not_run} blocks marked not run, "
          f"{len(fails)} failures")
    if ran == 0 and not only:
        print("FAIL no console example was run")
        return 1
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
