"""Safe YAML loading that remembers where each value came from.

Errors in user files must name the line. PyYAML's composed node tree carries
line marks, so we keep it beside the plain data and map a pydantic error
location (a path of keys and indices) back to a line.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from equality_model.errors import InputError

M = TypeVar("M", bound=BaseModel)


# libyaml's parser when PyYAML has it: the same nodes, data and line marks, ten times faster than
# the pure-Python one (all 47 bundled YAML files: 0.10 against 1.1 s, measured), which matters
# because every worker process loads the law catalogue and the parameter registry
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeBase):  # type: ignore[valid-type,misc]
    """SafeLoader that keeps dates as ISO strings and refuses duplicate keys (never lose data)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}; each key may appear once", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Keep timestamps as strings: pydantic then validates them and reports bad dates with a field name.
_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.copy().items()
}


@dataclass
class YamlDoc:
    """Parsed YAML data plus its node tree, for line lookups."""

    path: Path
    data: Any
    node: yaml.Node | None

    def line_of(self, loc: Sequence[str | int]) -> int | None:
        """1-based line of the deepest node on ``loc`` that exists."""
        node = self.node
        line = node.start_mark.line + 1 if node is not None else None
        for key in loc:
            if isinstance(node, yaml.MappingNode):
                nxt = None
                for k, v in node.value:
                    if isinstance(k, yaml.ScalarNode) and k.value == str(key):
                        nxt = v
                        line = k.start_mark.line + 1
                        break
                if nxt is None:
                    return line
                node = nxt
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and 0 <= key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                return line
        return line


def load_yaml(path: str | Path) -> YamlDoc:
    """Load a YAML file safely, turning syntax errors into one-line InputErrors."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"cannot read file ({exc.__class__.__name__}); expected a UTF-8 YAML file", file=path
        ) from None
    return parse_yaml(text, path)


def parse_yaml(text: str, path: str | Path = "<string>") -> YamlDoc:
    """Parse YAML text; ``path`` is only used in error messages."""
    path = Path(path)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(f"invalid YAML: {problem}", file=path, line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=path) from None
    return YamlDoc(path=path, data=data, node=node)


def _describe(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    msg = err.get("msg", "invalid value")
    if kind == "extra_forbidden":
        return "unknown field; check its spelling against the schema"
    if kind == "missing":
        return "missing required field"
    got = err.get("input")
    if isinstance(got, (str, int, float, bool)) and kind not in {"missing"}:
        return f"{msg} (got {got!r})"
    return msg


def validate_doc(doc: YamlDoc, model: type[M], *, context: dict[str, Any] | None = None) -> M:
    """Validate parsed YAML against a pydantic model; the first error becomes a one-line InputError."""
    if not isinstance(doc.data, dict):
        raise InputError(
            f"expected a mapping at the top level, got {type(doc.data).__name__}", file=doc.path, line=1
        )
    try:
        return model.model_validate(doc.data, context=context)
    except ValidationError as exc:
        errors = exc.errors()
        first = next((e for e in errors if e.get("type") == "extra_forbidden"), errors[0])
        loc = [p for p in first.get("loc", ()) if not (isinstance(p, str) and p.startswith("function-"))]
        field = ".".join(str(p) for p in loc) or None
        message = _describe(first)
        if first.get("type") in ("extra_forbidden", "missing"):
            allowed = _fields_at(model, loc[:-1])
            if allowed:
                close = difflib.get_close_matches(str(loc[-1]), allowed, n=1) if loc else []
                hint = (
                    f" (did you mean '{close[0]}'?)"
                    if close and first.get("type") == "extra_forbidden"
                    else ""
                )
                message += f"{hint}; expected fields: {', '.join(allowed)}"
        raise InputError(message, file=doc.path, line=doc.line_of(loc), field=field) from None


def _fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The field names of the model found by walking ``loc`` (best effort; [] if it cannot tell)."""
    current: Any = model
    for key in loc:
        current = _unwrap(current, key)
        if current is None:
            return []
        if isinstance(key, int):
            continue
        if (
            not (isinstance(current, type) and issubclass(current, BaseModel))
            or key not in current.model_fields
        ):
            return []
        current = current.model_fields[key].annotation
    current = _unwrap(current, None)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or n for n, f in current.model_fields.items()]
    return []


def _unwrap(tp: Any, key: str | int | None) -> Any:
    """Strip Optional, list, dict and Annotated wrappers; pick a union member that has ``key``."""
    for _ in range(6):
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin is typing.Annotated:
            tp = args[0]
        elif origin in (list, tuple) and args and isinstance(key, int):
            return args[0]
        elif origin is dict and args:
            tp = args[1]
        elif origin in (typing.Union, types.UnionType):
            models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
            if isinstance(key, str):
                named = [a for a in models if key in a.model_fields]
                if named:
                    return named[0]
            if len(models) == 1:
                return models[0]
            return tp if models == [] else models[0]
        else:
            return tp
    return tp
