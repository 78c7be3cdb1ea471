"""The public pages' template engine: Jinja2, set up for this site.

The pages readers see (templates/jinja2/) are Jinja2 templates: they compile
to Python and render several times faster than Django's engine, which the
admin keeps. They may use what Django's templates would: `static()` and
`url()`, and the filters `date` (Django's, in the site's time zone),
`pluralize`, `urlencode` and `json_ld`; `page_url(request, n)` for a
paginated page's address. Two filters for the dates every list shows, a
tenth of the cost of Django's `date`: `iso_date` (2024-12-07, or a moment as
`date('c')` writes it) and
`short_date` (Dec 07, 2024, as `date('M d, Y')` gives it in English).

A page of the site calls `url()` and `static()` a dozen times: both are
remembered, `url()` as `articles.paths.path_of`, `static()` for every path
(the manifest of hashed names is read once, when the process starts).

The site's macros (`SITE_MACROS`: lists, pagination, the search form) are
globals, imported once: no template imports them. A `{% from ... import %}`
cost each render a tenth of an article page's template time. With
auto_reload (DEBUG) each call looks its macro up again, so an edit shows.

Each `{{ value }}` is escaped by `escaped_text`, which gives the text
`markupsafe.escape` gives, as a plain string: Jinja's own call wraps every
value in a `Markup` (a Python-level constructor, and an AttributeError raised
inside it for each plain string), some 80 times an article page, only for
the page to join them. The code generator (`_SiteCodeGenerator`) writes that
call where Jinja writes `escape(`; a value that is already markup
(`__html__`) is written as it is, as before. Each `f(...)` of a template goes
through `SiteContext.call`, which calls a plain function, method or macro at
once (Jinja's looks for marks it does not have first); and a render's context
is made by `SiteTemplate.new_context` from the globals' dicts, copied in C.
"""

from __future__ import annotations

import functools
import types
from collections import ChainMap
from datetime import date as Date
from datetime import datetime

try:
    # What markupsafe.escape runs before wrapping its result in a Markup: its
    # C speedup, or the same replacements in Python where that is not built.
    # Not public: requirements.txt pins MarkupSafe, and test_templating
    # compares every output with markupsafe.escape's.
    from markupsafe._speedups import _escape_inner
except ImportError:  # pragma: no cover (no wheel for this platform)
    from markupsafe._native import _escape_inner
from django.template.defaultfilters import date, pluralize, urlencode
from django.templatetags.static import static
from jinja2 import Environment, Template, nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.runtime import Context, Macro

from articles.paths import path_of
from articles.structured_data import json_ld_script


def escaped_text(value) -> str:
    """`str(markupsafe.escape(value))`: `&`, `<`, `>`, `'` and `"` escaped
    in a plain string; a value with `__html__` as that gives it."""
    if type(value) is not str:
        if hasattr(value, "__html__"):
            return value.__html__()
        value = str(value)
    return _escape_inner(value)


class _SiteCodeGenerator(CodeGenerator):
    """Jinja's code generator, with two shortcuts in what it writes, each
    giving what Jinja's own code gives:

    - output where autoescaping is fixed (the site's templates) is escaped by
      `escaped_text`, a plain string, where Jinja writes `escape(` (a Markup);
    - `a.b` reads the attribute with the builtin `getattr(a, "b", missing)`,
      and only when `a` has none calls the environment for the rest of
      Jinja's lookup (`a["b"]`, else undefined): Jinja calls the
      environment's `getattr` method for every one, some 80 times an article
      page. An environment whose `getattr` is its own (a sandbox's) gets
      Jinja's code.
    """

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("environment.escaped_text(")
            if finalize.src is not None:
                self.write(finalize.src)
            return
        super()._output_child_pre(node, frame, finalize)

    @optimizeconst
    def visit_Getattr(self, node: nodes.Getattr, frame: Frame) -> None:
        if self.environment.is_async or (
            type(self.environment).getattr is not Environment.getattr
        ):
            super().visit_Getattr(node, frame)
            return
        # The object and the value are held in names of the generated
        # function's own (Jinja's names for the template's are l_N_name), each
        # read right after it is set, so nested lookups may share them.
        self.write("(t_value if (t_value := getattr((t_object := ")
        self.visit(node.node, frame)
        self.write(f"), {node.attr!r}, missing)) is not missing ")
        self.write(f"else environment.item_or_undefined(t_object, {node.attr!r}))")


# The callables Jinja's `Context.call` calls as they are unless marked
# `pass_context` (or `pass_environment`, `pass_eval_context`), which sets
# `jinja_pass_arg` in their `__dict__`: Python functions, and functions
# remembered by functools.lru_cache (which copies the `__dict__` of the one it
# wraps). A bound method is its function's case.
_MARKABLE = (types.FunctionType, type(functools.lru_cache(maxsize=1)(len)))


def _called_as_it_is(obj) -> bool:
    """Whether Jinja's `Context.call` would call `obj` with the arguments it
    is given, and nothing more: a macro, or a function or method not marked
    to take the context, the environment or the evaluation context."""
    kind = type(obj)
    if kind is Macro:
        return True
    if kind is types.MethodType:
        obj = obj.__func__
        kind = type(obj)
    return kind in _MARKABLE and "jinja_pass_arg" not in obj.__dict__


class SiteContext(Context):
    """Jinja's template context, with two shortcuts:

    - `call`, which runs for every `f(...)` of a template (the article page's
      `url()`, `static()`, macros: some 16 a page), calls a plain function,
      method or macro at once, where Jinja's looks for marks on the callable
      and on its `__call__` (each look an attribute that is not there, an
      exception raised and caught). Anything else goes through Jinja's own.
    - the names of the globals (`globals_keys`), of a template's globals
      chained to its environment's, are read from the dicts of the chain
      (`SiteTemplate.new_context` says more).
    """

    def __init__(self, environment, parent, name, blocks, globals=None):
        super().__init__(environment, parent, name, blocks)
        if isinstance(globals, ChainMap):
            self.globals_keys = set().union(*globals.maps)
        elif globals is not None:
            self.globals_keys = set(globals)

    def call(__self, __obj, *args, **kwargs):
        if not _called_as_it_is(__obj):
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_block_vars", None)
            kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined(
                "value was undefined because a callable raised a"
                " StopIteration exception"
            )


class SiteTemplate(Template):
    """Jinja's template, whose context for a render is made from its globals'
    dicts (`ChainMap.maps`: the template's own, then its environment's) and
    the render's values, each copied in C: Jinja's own iterates the ChainMap
    in Python, twice, some 30 us a page. The values are the same, read at
    each render, so a global added since is there; a context shared or given
    locals (imports, includes) is made by Jinja's own."""

    def new_context(self, vars=None, shared=False, locals=None) -> Context:
        chain = self.globals
        if shared or locals or not isinstance(chain, ChainMap):
            return super().new_context(vars, shared, locals)
        parent = {}
        for mapping in reversed(chain.maps):
            parent.update(mapping)
        if vars:
            parent.update(vars)
        return self.environment.context_class(
            self.environment, parent, self.name, self.blocks, globals=chain
        )


class SiteEnvironment(Environment):
    code_generator_class = _SiteCodeGenerator
    context_class = SiteContext
    template_class = SiteTemplate
    escaped_text = staticmethod(escaped_text)

    def item_or_undefined(self, obj, attribute: str):
        """The rest of Jinja's `getattr`, for an object without the attribute:
        its item of that name, else undefined."""
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)


def environment(**options) -> Environment:
    env = SiteEnvironment(**options)
    env.globals.update(static=remembered_static, url=path_of, page_url=page_url)
    env.filters.update(
        date=date,
        iso_date=iso_date,
        short_date=short_date,
        pluralize=pluralize,
        urlencode=urlencode,
        json_ld=json_ld_script,
    )
    for template_name, names in SITE_MACROS.items():
        for name in names:
            env.globals[name] = _site_macro(env, template_name, name)
    return env


# Template -> the macros of it every template may call.
SITE_MACROS = {
    "includes/lists.html": ["article_list", "subject_list", "pagination"],
    "includes/search_form.html": ["search_form"],
}


def _site_macro(env: Environment, template_name: str, name: str):
    if not env.auto_reload:
        return getattr(env.get_template(template_name).module, name)

    def reloaded(*args, **kwargs):
        return getattr(env.get_template(template_name).module, name)(*args, **kwargs)

    return reloaded


remembered_static = functools.lru_cache(maxsize=1024)(static)

_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def iso_date(day: Date | datetime | None) -> str:
    """A date (2024-12-07) or a moment (2024-12-07T10:00:00+00:00, as Django's
    `date('c')` gives it) in ISO 8601; "" for None."""
    return day.isoformat() if day else ""


def short_date(day: Date | None) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day:02}, {day.year}" if day else ""


def page_url(request, number: int) -> str:
    """`?q=…&subject=…&page=n`: the request's parameters kept, the page replaced."""
    params = request.GET.copy()
    params["page"] = number
    return "?" + params.urlencode()
