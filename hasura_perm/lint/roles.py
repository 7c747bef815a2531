"""Which roles manage every row (administrators, staff, services) and which stand for
anonymous visitors: judged from what each role is allowed to do, with its name as a
weaker hint.

Row-level rules (a write on every row, a read of every user's rows) only make sense for
roles that act for one user. Projects name their staff roles anything (`skillz-admins`,
`secretary`, `teacher`, `server`, `organiser`), so a name list misses most of them; what
gives a staff role away is its rules: it updates and deletes rows without any condition
on who is asking, across most of the tables it writes, while some other role of the
same project is tied to the caller. Names still count: `admin`-like names settle it,
user-like names (`user`, `student`, `customer`, `player`) veto the behaviour signal, and
staff-like names (`teacher`, `secretary`, `server`) lower the bar.

`lint.admin_roles` replaces the whole judgement with an explicit list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hasura_perm.core.names import session_variables_in
from hasura_perm.lint.analysis import caller_scoped
from hasura_perm.lint.analysis import owner_columns
from hasura_perm.lint.context import LintContext

# whole words (`moped-admin`, not `badminton`); plurals only as the last word
# (`skillz-admins`, not `admins-helper`)
_ADMIN_WORD = re.compile(
    r"(^|[^a-z0-9])((admin|administrator|superuser|super|superadmin|root|sysadmin)"
    r"([^a-z0-9]|$)|(admins|administrators|superusers|superadmins|sysadmins)$)"
)
_STAFF_WORD = re.compile(
    r"(^|[^a-z0-9])(staff|managers?|moderators?|mods?|organi[sz]ers?|teachers?|instructors?|"
    r"secretary|president|treasurer|webmaster|committee|editors?|support|operators?|"
    r"employees?|officers?)([^a-z0-9]|$)"
)
_SERVICE_WORD = re.compile(
    r"(^|[^a-z0-9])(server|service|services|backend|system|worker|bot|cron|internal|"
    r"auth|webhook|api)([^a-z0-9]|$)"
)
_USER_WORD = re.compile(
    r"(^|[^a-z0-9])(users?|members?|students?|consumers?|customers?|clients?|players?|"
    r"viewers?|readers?|public|anonymous|anon|guests?|visitors?|world|everyone|"
    r"unauthenticated|unauthorized|learners?|participants?|attendees?|buyers?|sellers?)"
    r"([^a-z0-9]|$)"
)
# A role is staff by behaviour when it writes at least this many tables and at least
# this share of its update/delete rules admit rows whoever asks.
MIN_TABLES = 3
STAFF_SHARE = 0.75
NAMED_STAFF_SHARE = 0.5


@dataclass(frozen=True)
class RoleJudgement:
    role: str
    manages_all: bool  # an administrator, staff or service role
    kind: str  # "configured", "admin", "staff", "service", "anonymous", "user"
    reason: str


def role_judgements(ctx: LintContext) -> dict[str, RoleJudgement]:
    """role -> RoleJudgement, computed once per context."""
    if ctx.judgements is None:
        ctx.judgements = judge_roles(ctx)
    return ctx.judgements


def judgement(ctx: LintContext, role: str) -> RoleJudgement:
    """The RoleJudgement of one role (also of a role no rule names)."""
    found = role_judgements(ctx).get(role)
    if found is None:
        found = judge_roles(ctx, (role,))[role]
    return found


def is_admin(ctx: LintContext, role: str) -> bool:
    """An administrator, staff or service role, expected to see and change every row:
    listed in `lint.admin_roles`, else named like an administrator, else judged from
    what its rules allow."""
    return judgement(ctx, role).manages_all


def is_named_admin(ctx: LintContext, role: str) -> bool:
    """An administrator by configuration or by name, not only by behaviour: the roles
    trusted to hand out roles and permissions."""
    return judgement(ctx, role).kind in ("configured", "admin")


def is_anonymous(ctx: LintContext, role: str) -> bool:
    return judgement(ctx, role).kind == "anonymous"


def judge_roles(ctx: LintContext, extra: tuple[str, ...] = ()) -> dict[str, RoleJudgement]:
    """Every role that holds a permission or is declared (and `extra`) -> how lint treats
    it."""
    names = sorted({g.role for g in ctx.grants} | set(ctx.roles) | set(extra))
    configured = ctx.settings.admin_roles
    scoped_roles = {g.role for g in ctx.grants if _scoped(ctx, g)}
    return {name: _judge(ctx, name, configured, scoped_roles) for name in names}


def _judge(
    ctx: LintContext, role: str, configured: tuple[str, ...] | None, scoped_roles: set[str]
) -> RoleJudgement:
    if configured is not None:
        listed = role in configured
        return RoleJudgement(role, listed, "configured" if listed else "user", "lint.admin_roles")
    lower = role.lower()
    if _ADMIN_WORD.search(lower):
        return RoleJudgement(role, True, "admin", "its name says administrator")
    # the role's own rules: what it inherits says what its parents are for
    writes = [g for g in ctx.each("update", "delete") if g.role == role]
    own = [g for g in writes if "inherited" not in g.origin]
    writes = own or writes
    open_writes = [g for g in writes if not _scoped(ctx, g)]
    tables = {g.table for g in writes}
    open_tables = {g.table for g in open_writes}
    share = len(open_writes) / len(writes) if writes else 0.0
    others_scoped = bool(scoped_roles - {role})
    evidence = (
        f"it may update or delete every row of {len(open_tables)} of the {len(tables)} "
        "tables it writes, while other roles are tied to the caller"
    )
    if _anonymous(ctx, role):
        return RoleJudgement(role, False, "anonymous", "it only reads and never names the caller")
    if _USER_WORD.search(lower):
        if _editor_of_shared_data(ctx, role, writes, open_writes):
            return RoleJudgement(
                role,
                True,
                "staff",
                f"it may update or delete every row of {len(open_tables)} of the "
                f"{len(tables)} tables it writes, none of them users' own rows (an editor of "
                "shared content, although named like a user)",
            )
        return RoleJudgement(role, False, "user", "its name says user")
    named = _SERVICE_WORD.search(lower) or _STAFF_WORD.search(lower)
    kind = "service" if _SERVICE_WORD.search(lower) else "staff"
    if others_scoped and writes and named and share >= NAMED_STAFF_SHARE:
        word = named.group(2)
        return RoleJudgement(role, True, kind, f"its name (`{word}`) says {kind} and {evidence}")
    if others_scoped and len(tables) >= MIN_TABLES and share >= STAFF_SHARE:
        return RoleJudgement(role, True, "staff", evidence)
    return RoleJudgement(role, False, "user", "its rules act for one caller")


def _editor_of_shared_data(
    ctx: LintContext, role: str, writes: list[Any], open_writes: list[Any]
) -> bool:
    """A role named like a user that edits shared content (a back-office's `user`): it
    manages every row of most tables it writes, at least MIN_TABLES of them, none of which
    holds users' own rows (those stay the user signal: a `consumer` writing every cart),
    while its own rules elsewhere know who is asking (a filter, check or preset with the
    caller's user id: its comments, its profile), or none of its rules ever asks (a shared
    workspace: every account edits the same content)."""
    tables = {g.table for g in writes}
    if len(tables) < MIN_TABLES or len(open_writes) < STAFF_SHARE * len(writes):
        return False
    used = set().union(*(session_variables_in(g.body) for g in ctx.grants if g.role == role))
    if used - {"x-hasura-role"} and not any(ctx.is_user_variable(v) for v in used):
        return False
    return not any(owner_columns(ctx, g.table, for_writes=True) for g in open_writes)


def _scoped(ctx: LintContext, grant: object) -> bool:
    return caller_scoped(grant.filter, ctx, grant.table)  # type: ignore[attr-defined]


def _anonymous(ctx: LintContext, role: str) -> bool:
    """A read-only role none of whose rules uses a session variable: what visitors
    without an account see (Hasura's unauthorized role, a `public` role)."""
    grants = [g for g in ctx.grants if g.role == role]
    if not grants or any(g.action != "select" for g in grants):
        return False
    used = set().union(*(session_variables_in(g.body) for g in grants))
    return not (used - {"x-hasura-role"})
