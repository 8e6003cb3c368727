"""Writing a batch of rows in few statements: unnest() arrays on PostgreSQL, executemany on SQLite.

The scheduler writes thousands of outbox, tip-log and user rows a minute. SQLAlchemy's own
executemany prepares every parameter set in Python (about 10 µs a row per statement, twice what
SQLite needs to write the row), and a literal multi-row VALUES is compiled anew for every batch
size and stops at PostgreSQL's 32,767 parameters. These two helpers keep SQLAlchemy's statements
and column types but do the per-row work once per batch or once per distinct value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam, func
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.selectable import TableValuedAlias
from sqlalchemy.types import TypeEngine


def unnest(columns: Mapping[str, tuple[TypeEngine[Any], Sequence[Any]]]) -> TableValuedAlias:
    """PostgreSQL: rows passed column by column as typed arrays, zipped back into rows.

    `columns` maps a name to (its type, its value in every row). The alias has those columns
    and `ordinal`, the row's place in the arrays, to keep their order. One statement takes any
    number of rows, and its SQL text does not depend on the count, so asyncpg prepares it once.
    """
    arrays = (
        bindparam(name, list(values), type_=ARRAY(kind)) for name, (kind, values) in columns.items()
    )
    return func.unnest(*arrays).table_valued(*columns, with_ordinality="ordinal").render_derived()


def _converter(process: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A bind processor that runs once per distinct value (most of a batch shares a few)."""
    seen: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            seen[value] = converted = process(value)
            return converted
        except TypeError:  # unhashable (a JSON document)
            return process(value)

    return convert


async def executemany(
    session: AsyncSession, stmt: UpdateBase, rows: Sequence[Mapping[str, Any]]
) -> int:
    """SQLite: run an INSERT or UPDATE once per row in one driver call; rows changed in all.

    Every per-row value is a `bindparam(name, type_=...)` in `stmt` and a key in each row;
    fixed values are bound in `stmt` itself. Each value goes through its type's bind processor,
    as SQLAlchemy would send it, but once per distinct value rather than once per row.
    """
    if not rows:
        return 0
    dialect = session.get_bind().dialect
    compiled = stmt.compile(dialect=dialect)
    if compiled.positiontup is None:
        raise ValueError(f"{dialect.name} does not take positional parameters")
    defaulted = {c.key: c for c in (*compiled.insert_prefetch, *compiled.update_prefetch)}
    names = compiled.positiontup
    fixed: dict[str, Any] = {}
    converters: list[tuple[int, Callable[[Any], Any]]] = []
    for place, name in enumerate(names):
        bind = compiled.binds[name]
        process = bind.type.dialect_impl(dialect).bind_processor(dialect)
        if name in rows[0]:
            if process is not None:
                converters.append((place, _converter(process)))
            continue
        if name in defaulted:
            default = defaulted[name].default
            if default is None or not default.is_scalar:
                raise ValueError(f"set {name} explicitly: its default is not a plain value")
            value = default.arg  # type: ignore[attr-defined]
        elif bind.callable is None and not bind.required:
            value = bind.value
        else:
            raise ValueError(f"no value for {name}")
        fixed[name] = value if process is None else process(value)
    if len(names) == 1:
        values = [[{**row, **fixed}[names[0]]] for row in rows]
    else:
        pick = itemgetter(*names)
        values = [list(pick({**row, **fixed} if fixed else row)) for row in rows]
    for row_values in values:
        for place, convert in converters:
            row_values[place] = convert(row_values[place])
    connection = await session.connection()
    result = await connection.exec_driver_sql(str(compiled), [tuple(v) for v in values])
    return int(result.rowcount)
