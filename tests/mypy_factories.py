"""Teach mypy that calling a factory_boy factory returns its model, as `.create()` does.

factory_boy types `Factory[Model].create()` and `.build()` (3.3+), but `UserFactory()` goes
through its metaclass's `__call__`, which mypy never consults for a constructor: it types the
call as an instance of the factory. This hook maps such a call to the factory's `Model` argument.
Only imported by mypy (pyproject.toml `plugins`).
"""

from __future__ import annotations

from collections.abc import Callable

from mypy.maptype import map_instance_to_supertype
from mypy.nodes import TypeInfo
from mypy.plugin import FunctionContext, Plugin
from mypy.types import AnyType, Instance, Type, get_proper_type

BASE_FACTORY = "factory.base.BaseFactory"


def _model_of_factory_call(ctx: FunctionContext) -> Type:
    made = get_proper_type(ctx.default_return_type)
    if not isinstance(made, Instance):
        return ctx.default_return_type
    base = next(info for info in made.type.mro if info.fullname == BASE_FACTORY)
    (model,) = map_instance_to_supertype(made, base).args
    # A factory declared without its model (plain `DjangoModelFactory`) keeps the default type,
    # so the omission shows up as errors instead of as a silent Any.
    if isinstance(get_proper_type(model), AnyType):
        return ctx.default_return_type
    return model


class FactoryCallPlugin(Plugin):
    def get_function_hook(self, fullname: str) -> Callable[[FunctionContext], Type] | None:
        symbol = self.lookup_fully_qualified(fullname)
        if (
            symbol is not None
            and isinstance(symbol.node, TypeInfo)
            and symbol.node.has_base(BASE_FACTORY)
        ):
            return _model_of_factory_call
        return None


def plugin(version: str) -> type[Plugin]:
    return FactoryCallPlugin
