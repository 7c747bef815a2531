"""The `cognito:` section, the roles' `cognito_groups` and the `session:` sources, checked and
compiled into the JSON mapping that the Lambdas, `jwt-secret` and `whoami` read.

`check_cognito` reports problems at file:line; `cognito_compile_hook` raises them as a
SpecError and is what `hasura-perm compile` calls after compiling the rules.
"""

from __future__ import annotations

import re
from typing import Any

from hasura_perm.cognito.handler.pre_token import ROLE_CLAIMS
from hasura_perm.cognito.handler.pre_token import session_string
from hasura_perm.compiler.permissions import Compiled
from hasura_perm.core.diagnostics import Diagnostic
from hasura_perm.core.errors import HasuraPermError
from hasura_perm.core.errors import SpecError
from hasura_perm.core.names import TableName
from hasura_perm.core.validate import did_you_mean
from hasura_perm.schema.snapshot import Snapshot
from hasura_perm.spec import Node
from hasura_perm.spec import Spec

MAPPING_FORMAT = 1
NAMESPACE = "https://hasura.io/jwt/claims"
STANDARD_ATTRIBUTES = (
    "sub",
    "email",
    "email_verified",
    "phone_number",
    "phone_number_verified",
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "address",
    "updated_at",
)
EVENT_SOURCES = ("username", "cognito:username")  # the event's userName
_CUSTOM = re.compile(r"^custom:[A-Za-z0-9_-]{1,20}$")
_SYNC_TRIGGERS_DEFAULT = ["post_confirmation"]


def claims_format(trigger_version: str) -> str:
    """What Hasura's JWT secret must say for the claims the Lambda writes."""
    return "stringified_json" if trigger_version == "V1_0" else "json"


def cognito_compile_hook(spec: Spec, compiled: Compiled, snapshot: Snapshot | None = None) -> None:
    """For compiler/build.py: raise SpecError when the Cognito mapping does not fit roles and rules."""
    problems = check_cognito(spec, compiled, snapshot)
    if problems:
        raise SpecError(problems)


def check_cognito(
    spec: Spec, compiled: Compiled | None, snapshot: Snapshot | None
) -> list[Diagnostic]:
    """Every problem of the Cognito mapping; nothing to check when it is not used at all."""
    problems: list[Diagnostic] = []
    _check_session_sources(spec, compiled, problems)
    if spec.cognito is None:
        return problems
    section = spec.cognito
    attribute_mode = bool(section.value.get("roles_attribute"))
    if attribute_mode:
        for name, node in spec.roles.items():
            if (node.value or {}).get("cognito_groups"):
                problems.append(
                    Diagnostic(
                        node.child("cognito_groups").location,
                        f"role `{name}` has cognito_groups but `cognito.roles_attribute` is set; "
                        "use one or the other",
                    )
                )
    _check_order(spec, section, attribute_mode, problems)
    _check_unmapped(spec, section, problems)
    if "user_sync" in section.value:
        _check_user_sync(section.child("user_sync"), snapshot, problems)
    return problems


def compile_mapping(spec: Spec, snapshot: Snapshot | None = None) -> dict[str, Any]:
    """The JSON mapping the Lambdas read. Call after `check_cognito` found nothing."""
    if spec.cognito is None:
        raise HasuraPermError(
            "no `cognito:` section in permissions/; add one (see docs/cognito.md) with at "
            "least `trigger_version`"
        )
    section = spec.cognito.value
    attribute = section.get("roles_attribute")
    order = _order(spec, section, bool(attribute))
    mapping: dict[str, Any] = {
        "format": MAPPING_FORMAT,
        "trigger_version": section["trigger_version"],
        "claims_namespace": NAMESPACE,
        "claims_format": claims_format(section["trigger_version"]),
        "roles_attribute": attribute,
        "group_roles": {} if attribute else _group_roles(spec, order),
        "roles": _grantable(spec, bool(attribute), order),
        "default_role_order": order,
        "unmapped_users": _unmapped_policy(section),
        "session": session_sources(spec),
        "user_sync": _user_sync(section.get("user_sync"), snapshot),
    }
    return mapping


# -- checks


def _check_session_sources(
    spec: Spec, compiled: Compiled | None, problems: list[Diagnostic]
) -> None:
    used = compiled.session_used if compiled is not None else set()
    for key, node in spec.session.items():
        definition = node.value or {}
        name = node.path[-1]
        if key in ROLE_CLAIMS:
            problems.append(
                Diagnostic(
                    node.location,
                    f"`{name}` cannot be a session variable: roles come from `roles:` "
                    "(cognito_groups or cognito.roles_attribute)",
                )
            )
            continue
        if "from" in definition and "value" in definition:
            problems.append(
                Diagnostic(node.location, f"`{name}` has both `from` and `value`; keep one")
            )
        elif "from" in definition:
            _check_source(node.child("from"), problems)
        elif "value" in definition:
            _check_constant(node, name, definition, problems)
        elif spec.cognito is not None and key in used:
            problems.append(
                Diagnostic(
                    node.location,
                    f"`{name}` is used by permission rules but has no `from:` or `value:`; the "
                    "Cognito Lambda cannot fill it",
                )
            )


def _check_source(node: Node, problems: list[Diagnostic]) -> None:
    source = node.value
    if source in STANDARD_ATTRIBUTES or source in EVENT_SOURCES or _CUSTOM.match(source):
        return
    hint = did_you_mean(source, [*STANDARD_ATTRIBUTES, *EVENT_SOURCES])
    problems.append(
        Diagnostic(
            node.location,
            f"`{source}` is not a Cognito user attribute; use `sub`, `username`, a standard "
            f"attribute such as `email`, or `custom:<name>`{hint}",
        )
    )


def _check_constant(
    node: Node, name: str, definition: dict[str, Any], problems: list[Diagnostic]
) -> None:
    pg_type = definition.get("type", "text")
    if session_string(definition["value"], pg_type) is None:
        problems.append(
            Diagnostic(
                node.child("value").location,
                f"`{name}`: {definition['value']!r} is not a {pg_type}",
            )
        )


def _check_order(
    spec: Spec, section: Node, attribute_mode: bool, problems: list[Diagnostic]
) -> None:
    order = section.value.get("default_role_order")
    if order is None:
        grantable = _grantable(spec, attribute_mode, [])
        if attribute_mode or len(grantable) > 1:
            why = (
                "it lists the roles the attribute may grant"
                if attribute_mode
                else f"users may hold several of {', '.join(grantable)}"
            )
            problems.append(
                Diagnostic(section.location, f"add `default_role_order` to `cognito:`: {why}")
            )
        return
    for index, role in enumerate(order):
        if role not in spec.roles:
            hint = did_you_mean(role, list(spec.roles))
            problems.append(
                Diagnostic(
                    section.child("default_role_order", index).location,
                    f"unknown role `{role}` in default_role_order{hint}",
                )
            )
    if not attribute_mode:
        missing = [r for r in _grantable(spec, False, []) if r not in order]
        if missing:
            problems.append(
                Diagnostic(
                    section.child("default_role_order").location,
                    f"default_role_order must list every role with cognito_groups; missing: "
                    f"{', '.join(missing)}",
                )
            )


def _check_unmapped(spec: Spec, section: Node, problems: list[Diagnostic]) -> None:
    policy = section.value.get("unmapped_users")
    if isinstance(policy, dict) and policy["fallback_role"] not in spec.roles:
        role = policy["fallback_role"]
        hint = did_you_mean(role, list(spec.roles))
        problems.append(
            Diagnostic(
                section.child("unmapped_users", "fallback_role").location,
                f"unknown fallback role `{role}`{hint}",
            )
        )


def _check_user_sync(node: Node, snapshot: Snapshot | None, problems: list[Diagnostic]) -> None:
    sync = node.value
    for column, source in (sync.get("columns") or {}).items():
        name = source if isinstance(source, str) else source["from"]
        where = node.child("columns", column)
        _check_source(Node(name, where.doc, where.path), problems)
    if snapshot is None:
        return
    table_name = TableName.parse(sync["table"])
    table = snapshot.table(table_name)
    if table is None:
        problems.append(
            Diagnostic(node.child("table").location, f"table {table_name} is not in the schema")
        )
        return
    for column in [sync["key"], *(sync.get("columns") or {})]:
        if column not in table.columns:
            hint = did_you_mean(column, list(table.columns))
            problems.append(
                Diagnostic(node.location, f"column `{column}` is not in {table_name}{hint}")
            )
    key = (sync["key"],)
    if key != table.primary_key and key not in table.unique and "constraint" not in sync:
        problems.append(
            Diagnostic(
                node.child("key").location,
                f"`{sync['key']}` is neither the primary key nor unique in {table_name}; "
                "upserts need a unique constraint on it",
            )
        )


# -- compiled parts


def _grantable(spec: Spec, attribute_mode: bool, order: list[str]) -> list[str]:
    """Roles a user can be granted: listed in the order (attribute) or having groups."""
    if attribute_mode:
        return [r for r in order if r in spec.roles]
    with_groups = [r for r, n in spec.roles.items() if (n.value or {}).get("cognito_groups")]
    ranked = [r for r in order if r in with_groups]
    return ranked + sorted(set(with_groups) - set(ranked))


def _order(spec: Spec, section: dict[str, Any], attribute_mode: bool) -> list[str]:
    order = section.get("default_role_order")
    if order is not None:
        return list(order)
    return _grantable(spec, attribute_mode, [])


def _group_roles(spec: Spec, order: list[str]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for role in _grantable(spec, False, order):
        for group in spec.roles[role].value["cognito_groups"]:
            groups.setdefault(group, []).append(role)
    return dict(sorted(groups.items()))


def _unmapped_policy(section: dict[str, Any]) -> dict[str, str]:
    policy = section.get("unmapped_users", "deny")
    if isinstance(policy, dict):
        return {"action": "fallback", "role": policy["fallback_role"]}
    return {"action": "deny"}


def session_sources(spec: Spec) -> dict[str, dict[str, str]]:
    """The mapping's `session` part: where each session variable comes from, and its type."""
    out: dict[str, dict[str, str]] = {}
    for key, node in sorted(spec.session.items()):
        definition = node.value or {}
        entry = {k: definition[k] for k in ("from", "value", "type") if k in definition}
        if "from" in entry or "value" in entry:
            out[key] = entry
    return out


def _user_sync(sync: dict[str, Any] | None, snapshot: Snapshot | None) -> dict[str, Any] | None:
    if sync is None:
        return None
    table = TableName.parse(sync["table"])
    columns = {
        column: ({"from": source} if isinstance(source, str) else dict(source))
        for column, source in sorted((sync.get("columns") or {}).items())
    }
    info = snapshot.table(table) if snapshot is not None else None
    types = {}
    if info is not None:
        types = {c: info.columns[c] for c in [sync["key"], *columns] if c in info.columns}
    return {
        "table": str(table),
        "graphql_prefix": table.name
        if table.schema == "public"
        else f"{table.schema}_{table.name}",
        "key": sync["key"],
        "constraint": sync.get("constraint") or _default_constraint(table, sync["key"], info),
        "columns": columns,
        "column_types": types,
        "triggers": list(sync.get("triggers") or _SYNC_TRIGGERS_DEFAULT),
    }


def _default_constraint(table: TableName, key: str, info: Any) -> str:
    """Postgres's default constraint names: `<table>_pkey`, `<table>_<column>_key`."""
    if info is not None and info.primary_key == (key,):
        return f"{table.name}_pkey"
    return f"{table.name}_{key}_key"
