"""Read a rendered page as a tree (stdlib html.parser) and check forms and accessibility."""

from collections import Counter
from html.parser import HTMLParser

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
# Inputs nobody types into: they need no label.
UNLABELLED_TYPES = {"hidden", "submit", "button", "reset", "image"}


class Node:
    """One element: its tag, attributes, children and text."""

    def __init__(self, tag: str, attrs: dict[str, str | None], parent: "Node | None"):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def get(self, name: str, default=None):
        return self.attrs.get(name, default)

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def walk(self):
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.walk()

    def find_all(self, tag: str | None = None, **attrs) -> list["Node"]:
        """Return the elements below this one with ``tag`` and every attribute given."""
        found = []
        for node in self.walk():
            if tag is not None and node.tag != tag:
                continue
            if all(node.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items()):
                found.append(node)
        return found

    def find(self, tag: str | None = None, **attrs) -> "Node | None":
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Node:
    """Return the document tree of ``html``."""
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def controls(root: Node) -> list[Node]:
    """Return the inputs, selects and textareas a person fills in."""
    return [
        n
        for n in root.walk()
        if n.tag in {"select", "textarea"}
        or (n.tag == "input" and (n.get("type") or "text") not in UNLABELLED_TYPES)
    ]


def accessibility_problems(html: str) -> list[str]:
    """Return what a screen-reader user would trip over: repeated ids, unlabelled boxes,
    labels pointing nowhere, error messages not tied to their field."""
    root = parse(html)
    problems = []
    ids = Counter(n.get("id") for n in root.walk() if n.get("id") is not None)
    problems += [f"id {i!r} appears {n} times" for i, n in ids.items() if n > 1]
    label_targets = {n.get("for") for n in root.find_all("label") if n.get("for")}
    for label in root.find_all("label"):
        target = label.get("for")
        if target is not None and target not in ids:
            problems.append(f"label for={target!r} ({label.text.strip()!r}) points at nothing")
    for control in controls(root):
        name = control.get("name") or control.get("id")
        labelled = (
            (control.get("id") in label_targets)
            or any(a.tag == "label" for a in control.ancestors())
            or control.get("aria-label")
            or all(i in ids for i in (control.get("aria-labelledby") or "-").split())
        )
        if not labelled:
            problems.append(f"{control.tag} {name!r} has no label")
        for described in (control.get("aria-describedby") or "").split():
            if described not in ids:
                problems.append(f"{control.tag} {name!r} is described by missing {described!r}")
    for error in root.find_all("div", class_="error"):
        if not error.get("id"):
            problems.append(f"error {error.text.strip()!r} has no id to be tied to a field")
    return problems


def form_for(root: Node, action_path_end: str) -> Node:
    """Return the form whose action ends with ``action_path_end``."""
    forms = [f for f in root.find_all("form") if (f.get("action") or "").endswith(action_path_end)]
    assert len(forms) == 1, f"{len(forms)} forms post to …{action_path_end}"
    return forms[0]


def value_of(form: Node, name: str):
    """Return what a control of ``form`` holds as the browser would post it.

    Text boxes and textareas give their text, a select its selected values (a list when
    ``multiple``), radio buttons and checkboxes the value of the checked one.
    """
    found = [n for n in form.walk() if n.get("name") == name and n.tag != "button"]
    assert found, f"no control named {name!r}"
    first = found[0]
    if first.tag == "textarea":
        text = first.text  # a browser drops one newline right after <textarea>
        return text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
    if first.tag == "select":
        chosen = [o.get("value") for o in first.find_all("option") if "selected" in o.attrs]
        return chosen if "multiple" in first.attrs else (chosen[0] if chosen else None)
    if first.get("type") in {"radio", "checkbox"}:
        checked = [n.get("value") for n in found if "checked" in n.attrs]
        return checked[0] if checked else None
    return first.get("value")


def control_named(form: Node, name: str) -> Node:
    return next(n for n in form.walk() if n.get("name") == name and n.tag != "button")


def error_beside(form: Node, name: str) -> str:
    """Return the error shown in the field block of ``name``, checking it is tied to it."""
    control = control_named(form, name)
    block = next(a for a in control.ancestors() if "field" in (a.get("class") or "").split())
    errors = block.find_all("div", class_="error")
    assert len(errors) == 1, f"{len(errors)} error blocks beside {name!r}"
    error = errors[0]
    assert control.get("aria-invalid") == "true", name
    described = (control.get("aria-describedby") or "").split()
    if control.get("type") == "radio":  # the group carries it too
        group = next(a for a in control.ancestors() if a.tag == "fieldset")
        described += (group.get("aria-describedby") or "").split()
    assert error.get("id") in described, (name, error.get("id"), described)
    return error.text.strip()
