"""graphql-core's executor, without the work a page query repeats on every request.

Executing a page query on a response-cache miss (``benchmarks/page.py``) repeats work that
depends on the document alone, and walks graphql-core's general machinery for fields that only
read an attribute. :class:`PortalExecutor` (the schema's ``execution_context_class``:
graphql-core's and strawberry's extension point for this) removes five such costs, leaving
every other step, every error and every null to graphql-core, and planning nothing when
middleware (an extension's ``resolve`` hook) must see every field:

- **Collecting sub-fields.** graphql-core works out, for each object it completes, which
  fields of the document apply to that object's type, and keeps the answer for one request
  only. For a document without directives the answer depends on nothing but the document
  and the type, so it is kept with the parsed document (cached and shared by requests) and
  worked out once.
- **Leaf fields.** Most fields of a page query are leaves that strawberry resolves by reading
  an attribute (``title``, ``id``, ``position``, ``__typename``). graphql-core still builds a
  resolve-info object, looks at the arguments, calls through strawberry's wrapper, checks
  twice for an awaitable and walks ``complete_value`` for each. Here such a field is read
  directly: the attribute, then the scalar's or enum's own ``coerce_output_value`` (what
  ``complete_leaf_value`` calls). Anything out of the ordinary (a null where the type forbids
  it, a value the scalar refuses, an exception, an awaitable) is handed to graphql-core's
  ``execute_field``, which reads the field again (an attribute read has no side effect) and
  reports it exactly as it always does. Fields with a resolver of their own, with arguments,
  permission classes or field extensions (which strawberry runs around the read), or of
  nested list type always go to graphql-core.
- **Objects read as attributes.** A page's regions, a region's blocks, a block's article
  are attributes too, of object or interface type (or lists of them). Such a field is read
  directly as well, and each object handed to graphql-core's own object or abstract
  completion (type resolution, ``is_type_of``, sub-fields), with errors reported at the
  field's or the item's path as ``execute_field`` and ``complete_list_item_value`` report
  them, and awaitables awaited as they await them. What is not a plain object (a null
  where the type forbids one, an exception, an awaitable, no list where one is declared)
  goes to ``execute_field`` as above.
- **Type resolution by class.** An object of an interface type (a region's blocks) is
  resolved by a call to the interface's ``resolve_type`` for each object. Where strawberry's
  resolution depends on the object's class alone, the class's answer is worked out once
  (:func:`by_class`). Where the object type's ``is_type_of`` is strawberry's (or none), it
  too is a fact of the class, and an attribute's object then runs its selection set with none
  of graphql-core's completion around it, nor the resolve info it builds
  (:func:`known_by_class`); any other ``is_type_of`` is asked of each object.
- **Planned selection sets.** A selection set collected once is also planned once: which of
  its response keys are ``__typename``, which are leaves read directly, which go to
  graphql-core. Executing it walks that plan, and builds a response path only for a field
  graphql-core executes (the path of a leaf read directly is never used).
"""

from __future__ import annotations

import operator
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLAbstractType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    Undefined,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_object_type,
)
from graphql.execution.collect_fields import CollectedFields
from graphql.execution.executor import to_nodes
from graphql.language import Node, OperationDefinitionNode, Visitor, visit
from graphql.pyutils import Path, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.cast import get_strawberry_type_cast
from strawberry.types.field import StrawberryField

TYPENAME = "__typename"


@dataclass(frozen=True, slots=True)
class LeafRead:
    """How to read one leaf field of one object type."""

    #: Reads the field's value from its source: the attribute, as strawberry's resolver of a
    #: basic field does (``resolve(source, None)``), without its two calls around it.
    get: Callable[[Any], Any]
    coerce: Callable[[Any], Any]
    non_null: bool
    #: A list of leaves (``[String!]!``): each item coerced, none of them null.
    many: bool = False
    non_null_items: bool = False


def leaf_read(field: GraphQLField) -> LeafRead | None:
    """The fast read of ``field``, or None when graphql-core must execute it."""
    get = _plain_getter(field)
    return _shape(field.type, get) if get is not None else None


def _plain_getter(field: GraphQLField) -> Callable[[Any], Any] | None:
    """How to read ``field`` when it is a plain attribute: strawberry's "basic field", with
    no resolver, no arguments, no permission classes and no field extensions (which
    strawberry runs around the attribute read, so reading it directly would skip them).
    The attribute read itself when strawberry's default resolver is ``getattr`` (its
    default), else strawberry's resolver of the field; None for any other field."""
    resolve = field.resolve
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if resolve is None or field.args or not isinstance(definition, StrawberryField):
        return None
    if not definition.is_basic_field:
        return None
    if definition.default_resolver is getattr:
        return operator.attrgetter(definition.python_name)
    return lambda source: resolve(source, None)


@dataclass(frozen=True, slots=True)
class ObjectRead:
    """How to read one plain-attribute field whose value is an object (of an object,
    interface or union type) or a list of them: the attribute read directly, each object
    then completed by graphql-core's own object or abstract completion."""

    get: Callable[[Any], Any]
    field: GraphQLField
    non_null: bool
    many: bool
    #: What each object completes as: the field's type, or its list's item type, without
    #: the non-null wrapper.
    item_type: GraphQLObjectType | GraphQLAbstractType
    #: The list's item type as declared (with its non-null wrapper, if any): an item's error
    #: is reported against it, as graphql-core does.
    declared_item_type: GraphQLOutputType
    abstract: bool

    @property
    def nullable_items(self) -> bool:
        return self.declared_item_type is self.item_type


def object_read(field: GraphQLField) -> ObjectRead | None:
    """The direct read of an object-valued plain attribute, or None."""
    get = _plain_getter(field)
    if get is None:
        return None
    inner: Any = get_nullable_type(field.type)
    many = is_list_type(inner)
    declared = inner.of_type if many else inner
    item: Any = get_nullable_type(declared)
    if not (is_object_type(item) or is_abstract_type(item)):
        return None
    return ObjectRead(
        get, field, inner is not field.type, many, item, declared, is_abstract_type(item)
    )


def _shape(type_: GraphQLOutputType, get: Callable[[Any], Any]) -> LeafRead | None:
    inner: Any = get_nullable_type(type_)
    non_null = inner is not type_
    if is_leaf_type(inner):
        return LeafRead(get, inner.coerce_output_value, non_null)
    if is_list_type(inner):
        item: Any = get_nullable_type(inner.of_type)
        non_null_items = item is not inner.of_type
        if is_leaf_type(item):
            return LeafRead(get, item.coerce_output_value, non_null, True, non_null_items)
    return None


class _FindDirective(Visitor):
    found = False

    def enter_directive(self, *_args: object) -> object:
        self.found = True
        return self.BREAK


def has_directives(node: Node) -> bool:
    """Whether ``node`` holds a directive (``@include``, ``@skip``, ``@defer``...) anywhere:
    fields are then collected by the variables and the delivery of each request."""
    finder = _FindDirective()
    visit(node, finder)
    return finder.found


@dataclass(frozen=True, slots=True)
class _SharedCollection:
    """The sub-fields collected for one operation, shared by every request that runs it."""

    #: The operation, weakly: the entry goes when the document does (the document cache
    #: decides how long a document lives, and what its memory may be).
    operation: weakref.ref[OperationDefinitionNode]
    #: (type, ids of the field nodes) -> the collected sub-fields, which hold those nodes (so
    #: their ids stay theirs); None when the collection depends on the request (directives,
    #: fragment arguments).
    collected: dict[tuple[Any, ...], CollectedFields] | None
    #: By ``id`` of a grouped field set in ``collected``: the plan executing it.
    plans: dict[int, _Plan] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Step:
    """One response key of a selection set: ``__typename``, a leaf read directly, or a field
    graphql-core executes."""

    response_name: str
    field_details_list: Any
    read: LeafRead | None = None
    typename: str | None = None
    nested: ObjectRead | None = None


@dataclass(frozen=True, slots=True)
class _Plan:
    """How to execute one collected selection set on one object type, worked out once."""

    parent_type: GraphQLObjectType
    #: The grouped field set planned (held, so that its ``id`` stays its own).
    fields: Any
    steps: tuple[_Step, ...]


#: By ``id`` of the operation node (parsed documents are cached and shared by requests).
_shared: dict[int, _SharedCollection] = {}
#: A bound besides the documents' lifetimes (a flood of documents parsed for one request
#: each): when full, it starts again.
MAX_OPERATIONS = 1024


#: What :func:`_coerced` gives for a value graphql-core must complete (and report) itself.
FALLBACK: Any = object()


def _coerced(read: LeafRead, value: Any) -> Any:
    if value is None or value is Undefined:  # graphql-core's "no value" is a null too
        return FALLBACK if read.non_null else None
    if not read.many:
        return _coerced_one(read, value)
    if not isinstance(value, list | tuple):
        return FALLBACK
    items: list[Any] = []
    for item in value:
        absent = item is None or item is Undefined
        coerced = None if absent and not read.non_null_items else _coerced_one(read, item)
        if coerced is FALLBACK:
            return FALLBACK
        items.append(coerced)
    return items


def _coerced_one(read: LeafRead, value: Any) -> Any:
    """One non-null value as its scalar gives it, or FALLBACK (what ``complete_leaf_value``
    would raise about, or an exception standing as a value)."""
    if value is None or value is Undefined or isinstance(value, Exception):
        return FALLBACK
    coerced = read.coerce(value)
    return FALLBACK if coerced is None or coerced is Undefined else coerced


class PortalExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, with sub-fields collected and planned once per document and
    basic leaf fields read directly (see the module)."""

    #: Per object type, per field name: its fast read or None. Built on first use; a
    #: schema's types are fixed, and a process builds a handful of schemas at most.
    _reads: dict[GraphQLObjectType, dict[str, LeafRead | ObjectRead | None]] = {}
    #: Per declared type and Python class: the object type its objects complete as directly,
    #: or None (see :func:`known_by_class`).
    _direct_types: dict[tuple[Any, type], GraphQLObjectType | None] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # strawberry always passes a middleware manager; only one holding middleware (an
        # extension with a ``resolve`` hook) must see every field.
        manager = self.middleware_manager
        self._wrapped = manager is not None and bool(manager.middlewares)
        #: This run's entry in ``_shared`` (its operation is fixed): looked up once.
        self._shared_here: _SharedCollection | None = None

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Any,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        name = node.name.value
        if node.arguments or self._wrapped:
            return super().execute_field(
                parent_type, source, field_details_list, path, position_context
            )
        if name == TYPENAME:
            return parent_type.name
        read = self._read(parent_type, name)
        if isinstance(read, LeafRead):
            coerced = self._read_leaf(read, source)
            if coerced is not FALLBACK:
                return coerced
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )

    def _read_leaf(self, read: LeafRead, source: Any) -> Any:
        """The leaf's value, or FALLBACK: graphql-core then reads the field again (an
        attribute read has no side effect) and reports what it meets."""
        try:
            value = read.get(source)
            if self.is_awaitable(value):
                return FALLBACK
            return _coerced(read, value)
        except Exception:
            return FALLBACK

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: Any,
        position_context: Any,
    ) -> Any:
        """A planned selection set's fields, in order: leaves and ``__typename`` without a
        path or a call into graphql-core, every other field through ``execute_field``."""
        plan = self._plan(parent_type, grouped_field_set)
        if plan is None:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for step in plan.steps:
                name = step.response_name
                if step.typename is not None:
                    results[name] = step.typename
                    continue
                if step.read is not None:
                    coerced = self._read_leaf(step.read, source_value)
                    if coerced is not FALLBACK:
                        results[name] = coerced
                        continue
                elif step.nested is not None:
                    completed = self._complete_nested(
                        step, parent_type, source_value, path, position_context
                    )
                    if completed is not FALLBACK:
                        results[name] = completed
                        if is_awaitable(completed):
                            awaitable_fields.append(name)
                        continue
                result = super().execute_field(
                    parent_type,
                    source_value,
                    step.field_details_list,
                    Path(path, name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(name)
        except Exception:
            self._settle_pending(results, awaitable_fields)
            raise
        if not awaitable_fields:
            return results
        return _awaited(results, awaitable_fields)

    def _complete_nested(
        self,
        step: _Step,
        parent_type: GraphQLObjectType,
        source: Any,
        path: Path | None,
        position_context: Any,
    ) -> Any:
        """An object-valued plain attribute, completed as ``execute_field`` completes it but
        without its calls around the read and the completion (``complete_value`` and the
        list's machinery), or FALLBACK: anything but objects (a null where the type forbids
        one, an exception, an awaitable, no list where one is declared) is left to
        graphql-core, which reads the field again and reports what it meets."""
        read = step.nested
        assert read is not None
        try:
            value = read.get(source)
        except Exception:
            return FALLBACK
        if value is None or value is Undefined:  # graphql-core's "no value" is a null too
            return FALLBACK if read.non_null else None
        is_awaitable = self.is_awaitable
        if read.many:
            nullable_items = read.nullable_items
            if not isinstance(value, list | tuple) or not all(
                (item is None and nullable_items) or _plain_object(item, is_awaitable)
                for item in value
            ):
                return FALLBACK
        elif not _plain_object(value, is_awaitable):
            return FALLBACK
        details = step.field_details_list
        field_path = Path(path, step.response_name, parent_type.name)
        info = _LazyInfo(self, read.field, details, parent_type, field_path)
        try:
            if read.many:
                completed = self._complete_items(
                    read, details, info, field_path, value, position_context
                )
            else:
                completed = self._complete_object(
                    read, details, info, field_path, value, position_context
                )
        except Exception as raw_error:
            self.handle_field_error(raw_error, read.field.type, details, field_path)
            return None
        if is_awaitable(completed):
            return self._settled(completed, read.field.type, details, field_path)
        return completed

    def _complete_object(
        self,
        read: ObjectRead,
        details: Any,
        info: _LazyInfo,
        path: Path,
        value: Any,
        position_context: Any,
    ) -> Any:
        """One object of an object-valued attribute: completed directly where its class
        decides how (:meth:`_completed_directly`), else by graphql-core's object or abstract
        completion, with the field's resolve info built then."""
        done = self._completed_directly(read.item_type, details, path, value, position_context)
        if done is not FALLBACK:
            return done
        complete: Callable[..., Any] = (
            self.complete_abstract_value if read.abstract else self.complete_object_value
        )
        return complete(read.item_type, details, info.get(), path, value, position_context)

    def _completed_directly(
        self,
        declared: GraphQLObjectType | GraphQLAbstractType,
        details: Any,
        path: Path,
        value: Any,
        position_context: Any,
    ) -> Any:
        """``value``'s selection set executed with nothing of graphql-core's completion around
        it (type resolution, ``is_type_of``, the collection's layers), when its object type and
        that type's ``is_type_of`` are known by its class (:meth:`_direct_type`) and no
        incremental delivery is under way; else FALLBACK."""
        if position_context is not None:
            return FALLBACK
        runtime = self._direct_type(declared, value)
        if runtime is None:
            return FALLBACK
        collected = self.collect_subfields(runtime, details)
        if collected.new_defer_usages:
            return FALLBACK
        return self.execute_fields(
            runtime, value, path, collected.grouped_field_set, position_context
        )

    def _complete_items(
        self,
        read: ObjectRead,
        details: Any,
        info: _LazyInfo,
        path: Path,
        items: list[Any] | tuple[Any, ...],
        position_context: Any,
    ) -> Any:
        """A list's objects, each completed and its error reported at its own path, as
        ``complete_list_item_value`` does; awaitables awaited together."""
        completed: list[Any] = []
        awaitable_indices: list[int] = []
        is_awaitable = self.is_awaitable
        try:
            for index, item in enumerate(items):
                if item is None:  # a nullable item (the list was checked for the others)
                    completed.append(None)
                    continue
                item_path = Path(path, index, None)
                try:
                    done = self._complete_object(
                        read, details, info, item_path, item, position_context
                    )
                except Exception as raw_error:
                    self.handle_field_error(raw_error, read.declared_item_type, details, item_path)
                    done = None
                if is_awaitable(done):
                    done = self._settled(done, read.declared_item_type, details, item_path)
                    awaitable_indices.append(index)
                completed.append(done)
        except Exception:
            self._settle_pending(completed, awaitable_indices)
            raise
        if not awaitable_indices:
            return completed
        return _awaited(completed, awaitable_indices)

    def complete_abstract_value(
        self,
        return_type: GraphQLAbstractType,
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's, but directly where the object's class decides its type (an
        interface's objects a resolver returned)."""
        done = self._completed_directly(
            return_type, field_details_list, path, result, position_context
        )
        if done is not FALLBACK:
            return done
        return super().complete_abstract_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _direct_type(
        self, item_type: GraphQLObjectType | GraphQLAbstractType, value: Any
    ) -> GraphQLObjectType | None:
        """The object type ``value`` completes as, when graphql-core's completion would find
        it, and pass its ``is_type_of``, by ``value``'s class alone (see :func:`known_by_class`):
        the selection set then runs on it with nothing around it. None otherwise."""
        # A cast (``strawberry.cast``) is the object's own, not its class's.
        if get_strawberry_type_cast(value) is not None:
            return None
        key = (item_type, type(value))
        if key in self._direct_types:
            return self._direct_types[key]
        runtime = self._direct_types[key] = known_by_class(self.schema, item_type, value)
        return runtime

    def _settle_pending(self, results: Any, keys: list[Any]) -> None:
        """The awaitables at ``keys`` of ``results`` (by response key, or a list's by index)
        settled in the background when a sibling fails, as graphql-core does: they may fail
        too, and must not be left never awaited."""
        if keys:
            self.settle_in_background([results[key] for key in keys])

    async def _settled(
        self, completed: Any, return_type: GraphQLOutputType, details: Any, path: Path
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, details, path)
            return None

    def _plan(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> _Plan | None:
        if self._wrapped:  # middleware sees every field, ``__typename`` included
            return None
        plan = self._shared_entry().plans.get(id(grouped_field_set))
        if plan is None or plan.fields is not grouped_field_set:
            return None
        return plan if plan.parent_type is parent_type else None

    def collect_subfields(
        self, return_type: GraphQLObjectType, field_details_list: Any
    ) -> CollectedFields:
        shared = self._shared_entry()
        memo = shared.collected
        if memo is None:
            return super().collect_subfields(return_type, field_details_list)
        key = (return_type, *(id(details.node) for details in field_details_list))
        collected = memo.get(key)
        if collected is None:
            collected = memo[key] = super().collect_subfields(return_type, field_details_list)
            fields = collected.grouped_field_set
            steps = self._steps(return_type, fields)
            shared.plans[id(fields)] = _Plan(return_type, fields, steps)
        return collected

    def _steps(self, parent_type: GraphQLObjectType, grouped_field_set: Any) -> tuple[_Step, ...]:
        steps = []
        for name, field_details_list in grouped_field_set.items():
            node = field_details_list[0].node
            field_name = node.name.value
            if field_name == TYPENAME:
                steps.append(_Step(name, field_details_list, typename=parent_type.name))
            elif node.arguments:
                steps.append(_Step(name, field_details_list))
            else:
                read = self._read(parent_type, field_name)
                if isinstance(read, ObjectRead):
                    steps.append(_Step(name, field_details_list, nested=read))
                else:
                    steps.append(_Step(name, field_details_list, read=read))
        return tuple(steps)

    def _shared_entry(self) -> _SharedCollection:
        if self._shared_here is None:
            self._shared_here = self._shared_entry_of_operation()
        return self._shared_here

    def _shared_entry_of_operation(self) -> _SharedCollection:
        operation = self.operation
        shared = _shared.get(id(operation))
        if shared is None or shared.operation() is not operation:
            shared = _shared_collection(operation, self.fragment_definitions)
            if len(_shared) >= MAX_OPERATIONS:
                _shared.clear()
            _shared[id(operation)] = shared
        return shared

    def _read(self, parent_type: GraphQLObjectType, name: str) -> LeafRead | ObjectRead | None:
        reads = self._reads.get(parent_type)
        if reads is None:
            reads = self._reads.setdefault(parent_type, {})
        if name not in reads:
            field = parent_type.fields.get(name)
            reads[name] = (leaf_read(field) or object_read(field)) if field is not None else None
        return reads[name]


#: The ``resolve_type`` strawberry gives an interface that has none of its own.
_STRAWBERRY_RESOLVE_TYPE = (
    "GraphQLCoreConverter.from_interface.<locals>._get_resolve_type.<locals>.resolve_type"
)


def by_class(
    schema: GraphQLSchema, abstract: GraphQLAbstractType, cls: type
) -> GraphQLObjectType | None:
    """The object type that every object of ``cls`` resolves to as ``abstract``, or None.

    graphql-core resolves an interface's object by calling its ``resolve_type`` for each
    object (a block of a page's region: three per page query), and strawberry's resolution,
    for an interface without a ``resolve_type`` of its own, looks at the object's cast and then
    at its class alone: an instance of the interface's class is of the strawberry type of its
    class. That answer is worked out here, and kept per class by the executor. Every other
    case is graphql-core's, object by object: unions, an interface's own ``resolve_type``,
    generic types, a class that is not the interface's (an ORM object resolved by
    ``is_type_of``), a type the schema does not hold or that does not implement the interface
    (graphql-core reports the error). What the object type's ``is_type_of`` says is
    :func:`known_by_class`'s question.
    """
    if not isinstance(abstract, GraphQLInterfaceType):
        return None
    resolve = abstract.resolve_type
    definition = (abstract.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (
        getattr(resolve, "__qualname__", None) != _STRAWBERRY_RESOLVE_TYPE
        or not isinstance(definition, StrawberryObjectDefinition)
        or definition.resolve_type is not None
        or not issubclass(cls, definition.origin)
    ):
        return None
    own = getattr(cls, "__strawberry_definition__", None)
    if not isinstance(own, StrawberryObjectDefinition) or own.is_graphql_generic:
        return None
    runtime = schema.get_type(own.name)
    if not isinstance(runtime, GraphQLObjectType) or not schema.is_sub_type(abstract, runtime):
        return None
    return runtime


#: The ``is_type_of`` strawberry gives an object type that implements interfaces and has none
#: of its own: the object's cast, else its class.
_STRAWBERRY_IS_TYPE_OF = (
    "GraphQLCoreConverter.from_object.<locals>._get_is_type_of.<locals>.is_type_of"
)


def known_by_class(
    schema: GraphQLSchema, declared: GraphQLObjectType | GraphQLAbstractType, sample: Any
) -> GraphQLObjectType | None:
    """The object type that every object of ``sample``'s class completes as where declared as
    ``declared`` (none of them cast, ``sample`` included), when its ``is_type_of`` passes for
    all of them; None when that depends on more than the class.

    The type is ``declared`` itself, or for an interface the one :func:`by_class` finds. Its
    ``is_type_of`` is none (graphql-core then checks nothing), or strawberry's own, which for an
    object not cast looks at its class alone and is asked once here, of ``sample``: when it
    says no, None, and graphql-core reports the error for each object. A type's own
    ``is_type_of`` may look at each object, and is left to graphql-core to call.
    """
    cls = type(sample)
    runtime = (
        declared if isinstance(declared, GraphQLObjectType) else by_class(schema, declared, cls)
    )
    if runtime is None:
        return None
    is_type_of = runtime.is_type_of
    if is_type_of is None:
        return runtime
    if getattr(is_type_of, "__qualname__", None) != _STRAWBERRY_IS_TYPE_OF:
        return None
    no_info: Any = None  # strawberry's is_type_of reads no resolve info
    return runtime if is_type_of(sample, no_info) is True else None


@dataclass(slots=True)
class _LazyInfo:
    """The resolve info of an object-valued field, built only if graphql-core's completion
    needs it: objects completed directly never read it."""

    executor: PortalExecutor
    field: GraphQLField
    details: Any
    parent_type: GraphQLObjectType
    path: Path
    built: Any = None

    def get(self) -> Any:
        if self.built is None:
            self.built = self.executor.build_resolve_info(
                self.field, to_nodes(self.details), self.parent_type, self.path
            )
        return self.built


def _plain_object(value: Any, is_awaitable: Callable[[Any], bool]) -> bool:
    """Whether ``value`` is what an object completes from: not null (nor graphql-core's
    ``Undefined``), not an exception standing as a value, not an awaitable (graphql-core's
    own cases)."""
    return (
        value is not None
        and value is not Undefined
        and not isinstance(value, Exception)
        and not is_awaitable(value)
    )


async def _awaited(results: Any, keys: list[Any]) -> Any:
    """``results`` (a selection set's answers by response key, or a list's items by index)
    with its awaitables at ``keys`` awaited together, graphql-core's own way: a lone one in
    this task, several gathered."""
    if len(keys) == 1:
        key = keys[0]
        results[key] = await results[key]
        return results
    awaited = await gather_with_cancel(*(results[key] for key in keys))
    for key, value in zip(keys, awaited, strict=True):
        results[key] = value
    return results


def _shared_collection(
    operation: OperationDefinitionNode, fragments: dict[str, Any]
) -> _SharedCollection:
    key = id(operation)

    def forget(reference: weakref.ref[OperationDefinitionNode]) -> None:
        shared = _shared.get(key)
        if shared is not None and shared.operation is reference:
            _shared.pop(key, None)

    reference = weakref.ref(operation, forget)
    if has_directives(operation) or any(
        has_directives(fragment) or getattr(fragment, "variable_definitions", None)
        for fragment in fragments.values()
    ):
        # Fields collected by each request's variables (or fragment arguments).
        return _SharedCollection(reference, None)
    return _SharedCollection(reference, {})
