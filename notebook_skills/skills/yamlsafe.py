"""A YAML loader fit for untrusted SKILL.md frontmatter.

SafeLoader already refuses object construction (`!!python/object`); on top of
that aliases/anchors are refused (no billion-laughs expansion), timestamps
stay strings, and mapping keys are always the key's text: YAML 1.1 would read
`on:` as True, `1:` as 1 and `null:` as None, which JSON (and the wire model)
cannot key by, while agents (YAML 1.2 parsers) read them as strings.  A key
that is a list or a mapping is refused.  The result is plain, JSON-serialisable
data with string keys.

With libyaml (the usual PyYAML wheel) parsing runs in C: every sync stamps and
checksums SKILL.md several times, and the pure-Python scanner was most of a
sync's CPU.  libyaml's event parser is iterative, so aliases and nesting depth
are checked on its event stream *before* the (recursive) composer runs.
"""

from __future__ import annotations

import yaml

from ..errors import Invalid

_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _AliasRefused(Exception):
    pass


class _KeyRefused(Exception):
    pass


_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))
MAX_DEPTH = 200  # frontmatter is a flat mapping; anything deeper is hostile


class _TooDeep(Exception):
    pass


class _TextKeys:
    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)  # `<<: {...}` merges still work
        mapping = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _KeyRefused()
            mapping[key_node.value] = self.construct_object(value_node, deep=deep)
        return mapping


if _LIBYAML:

    class StrictLoader(_TextKeys, yaml.CSafeLoader):
        pass  # aliases and depth: see _prescan

else:

    class StrictLoader(_TextKeys, yaml.SafeLoader):
        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                raise _AliasRefused()
            return super().compose_node(parent, index)


def _prescan(text: str) -> None:
    """libyaml only: refuse aliases/anchors and deep nesting from the event stream."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _AliasRefused()
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _TooDeep()
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


# Dates stay text: drop the implicit resolver and read explicit tags as strings.
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StrictLoader.add_constructor(_TIMESTAMP, yaml.SafeLoader.construct_yaml_str)
StrictLoader.add_constructor("tag:yaml.org,2002:binary", yaml.SafeLoader.construct_yaml_str)


def _run(fn, text: str, what: str):
    try:
        if _LIBYAML:
            _prescan(text)
        return fn(text, Loader=StrictLoader)
    except _AliasRefused:
        raise Invalid(f"{what}: YAML aliases are not allowed") from None
    except _KeyRefused:
        raise Invalid(f"{what}: keys must be plain text, not lists or mappings") from None
    except (RecursionError, _TooDeep):
        raise Invalid(f"{what}: YAML is nested too deeply") from None
    except yaml.YAMLError as err:
        detail = " ".join(str(err).split())
        raise Invalid(f"{what} is not valid YAML: {detail[:300]}") from None
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
        # SafeLoader's constructors trust their tags: `!!int abc`, `!!bool maybe`,
        # `!!map [a]` or a 5000-digit integer end in a plain Python error
        raise Invalid(f"{what} holds a value YAML cannot construct (a bad !!tag or an absurd number)") from None


def load_yaml(text: str, what: str):
    return _run(yaml.load, text, what)


def compose_yaml(text: str, what: str):
    return _run(yaml.compose, text, what)
