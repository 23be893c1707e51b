#!/usr/bin/env python3
"""Independent readers of the reports, for tests/e2e/test_render_*.sh:
rendered HTML tables, GitHub workflow commands and $GITHUB_OUTPUT files,
each read by the rules of the program that reads them in production."""
import html.parser
import re


class _Html(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.comments, self.tables, self.text = [], [], [], []
        self._cell = None
        self._row = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
            self.tables[-1].append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = {"text": "", "em": False}
            self._row.append(self._cell)
        elif tag == "em" and self._cell is not None:
            self._cell["em"] = True

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell["text"] += data

    def handle_comment(self, data):
        self.comments.append(data)


def parse_html(text):
    """(start tags, comments, tables, text): tables are lists of rows (the
    header row first), rows lists of cells {"text", "em"}."""
    p = _Html()
    p.feed(text)
    p.close()
    return p.tags, p.comments, p.tables, "".join(p.text)


def report_number(v):
    """How the reports print a number (an independent statement of the rule
    in render_internal.h)."""
    if v is None:
        return "n/a"
    if abs(v) < 1e15 and v == int(v):
        return "%d" % v
    if 1000 <= abs(v) < 1e15:
        return "%.1f" % v
    return "%.4g" % v


def gh_unescape(s, prop):
    """actions/runner ActionCommand.Unescape: %0D, %0A (and in properties
    %3A, %2C) back, then %25 last."""
    s = s.replace("%0D", "\r").replace("%0A", "\n")
    if prop:
        s = s.replace("%3A", ":").replace("%2C", ",")
    return s.replace("%25", "%")


_COMMANDS = {"error", "warning", "notice", "debug", "group", "endgroup", "add-mask",
             "set-output", "stop-commands", "add-matcher", "remove-matcher", "echo",
             "save-state", "add-path", "set-env"}


def gh_parse(text):
    """Every line the runner would read as a workflow command (a line that
    starts with `::`), parsed as actions/runner's ActionCommand.TryParseV2:
    `::name key=value,key=value::message`. Returns [(name, props, message)];
    raises on a line that starts with `::` and is not a command."""
    out = []
    for line in text.split("\n"):
        if line.endswith("\r"):
            line = line[:-1]
        if not line.startswith("::"):
            continue
        end = line.find("::", 2)
        if end < 0:
            raise ValueError("not a command: %r" % line)
        info, message = line[2:end], line[end + 2:]
        name, _, props_text = info.partition(" ")
        props = {}
        if props_text:
            for pair in props_text.split(","):
                k, sep, v = pair.partition("=")
                if not sep or not k:
                    raise ValueError("bad property %r in %r" % (pair, line))
                props[k] = gh_unescape(v, True)
        out.append((name, props, gh_unescape(message, False)))
    return out


def gh_outputs(text):
    """A $GITHUB_OUTPUT file read as the runner's file commands do
    (SetOutputFileCommand): `name=value` lines, and `name<<DELIMITER` with the
    value's lines up to a line equal to DELIMITER (joined with newlines)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    out, i = {}, 0
    while i < len(lines):
        line = lines[i]
        if line == "":
            i += 1
            continue
        eq, heredoc = line.find("="), line.find("<<")
        if heredoc >= 0 and (eq < 0 or heredoc < eq):
            name, delim = line[:heredoc], line[heredoc + 2:]
            if not name or not delim:
                raise ValueError("bad heredoc line %r" % line)
            j = i + 1
            while j < len(lines) and lines[j] != delim:
                j += 1
            if j == len(lines):
                raise ValueError("no closing delimiter %r" % delim)
            value = "\n".join(lines[i + 1:j])
            i = j + 1
        elif eq > 0:
            name, value = line[:eq], line[eq + 1:]
            i += 1
        else:
            raise ValueError("bad output line %r" % line)
        if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
            raise ValueError("bad output name %r" % name)
        out[name] = value
    return out
