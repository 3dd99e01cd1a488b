"""A YAML loader fit for untrusted SKILL.md frontmatter.

SafeLoader already refuses object construction (`!!python/object`); on top of
that aliases/anchors are refused (no billion-laughs expansion) and timestamps
stay strings, so the result is plain, JSON-serialisable data.
"""

from __future__ import annotations

import yaml

from ..errors import Invalid

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _AliasRefused(Exception):
    pass


class StrictLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _AliasRefused()
        return super().compose_node(parent, index)


# Dates stay text: drop the implicit resolver and read explicit tags as strings.
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StrictLoader.add_constructor(_TIMESTAMP, yaml.SafeLoader.construct_yaml_str)
StrictLoader.add_constructor("tag:yaml.org,2002:binary", yaml.SafeLoader.construct_yaml_str)


def _run(fn, text: str, what: str):
    try:
        return fn(text, Loader=StrictLoader)
    except _AliasRefused:
        raise Invalid(f"{what}: YAML aliases are not allowed") from None
    except RecursionError:
        raise Invalid(f"{what}: YAML is nested too deeply") from None
    except yaml.YAMLError as err:
        detail = " ".join(str(err).split())
        raise Invalid(f"{what} is not valid YAML: {detail[:300]}") from None


def load_yaml(text: str, what: str):
    return _run(yaml.load, text, what)


def compose_yaml(text: str, what: str):
    return _run(yaml.compose, text, what)
