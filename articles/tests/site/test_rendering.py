"""Answers as HTML: math kept for KaTeX, Markdown rendered, everything sanitized."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st
from markdownify.templatetags.markdownify import markdownify

from articles.fileformat.answer_text import find_code_blocks, find_math
from articles.fileformat.reading import parse_article
from articles.rendering import has_math, render_answer

from ..factories import make_article

DATA = Path(__file__).parents[1] / "data" / "rendering"
PROJECT = Path(settings.BASE_DIR)
KATEX = PROJECT / "static" / "vendor" / "katex"


def answer_in(name: str) -> str:
    """The decoded answer of a data file, as the importer reads it."""
    return parse_article((DATA / name).read_bytes()).answer


def inline(tex: str) -> str:
    return f'<span class="math math-inline">{tex}</span>'


def display(tex: str) -> str:
    return f'<div class="math math-display">{tex}</div>'


# --- Math --------------------------------------------------------------------


def test_display_math_keeps_its_tex_exactly_as_written():
    html = render_answer("$$a_1 * b_2 * c \\\\ x < y \\& z$$")

    assert html == display("a_1 * b_2 * c \\\\ x &lt; y \\&amp; z")


def test_latex_commands_starting_with_n_survive_from_the_file_to_the_page():
    html = render_answer(answer_in("math_in_lists.md"))

    assert "a_2 &amp;\\neq \\nabla \\cdot \\nu, \\quad x \\notin S" in html


def test_aligned_environments_keep_their_row_breaks_and_lines():
    html = render_answer(answer_in("math_in_lists.md"))

    assert (
        '<div class="math math-display">\\begin{aligned}\n'
        "   a_1 &amp;= b_1 * c \\\\\n"
        "   a_2 &amp;\\neq" in html
    )


def test_display_math_inside_a_list_item_stays_in_the_item():
    html = render_answer(answer_in("math_in_lists.md"))

    assert (
        "<li><strong>Units</strong>: the units of "
        + inline("k")
        + " depend on the order:\n   "
        + display("\\text{units}(k) = M^{1-n} \\cdot s^{-1}")
        + "</li>"
    ) in html


def test_display_math_between_lines_of_a_paragraph_splits_the_paragraph():
    html = render_answer("The form:\n$$\nr = k[A]^x\n$$\nwhere it holds.")

    assert html == (
        f"<p>The form:\n</p>{display('r = k[A]^x')}<p>\nwhere it holds.</p>"
    )


def test_display_math_alone_in_its_paragraph_has_no_paragraph_around_it():
    html = render_answer("Before.\n\n\\[\nE = mc^2\n\\]\n\nAfter.")

    assert html == f"<p>Before.</p>\n{display('E = mc^2')}\n<p>After.</p>"


def test_display_math_in_a_heading_is_a_span_as_a_heading_holds_no_div():
    html = render_answer("### Energy $$E = mc^2$$")

    assert html == '<h3>Energy <span class="math math-display">E = mc^2</span></h3>'


@pytest.mark.parametrize(
    ("markdown", "tex"),
    [
        ("so $x_1$ holds", "x_1"),
        ("so \\(x_1\\) holds", "x_1"),
        ("so \\( f(x) = mx + b \\) holds", "f(x) = mx + b"),
        ("so $ k $ holds", "k"),
        ("so $ a \\neq 0 $ holds", "a \\neq 0"),
        ("so $ 1 + 2 = 3 $ holds", "1 + 2 = 3"),
        ("so $\\$5$ holds", "\\$5"),
        ("so $a*b*c$ holds", "a*b*c"),
    ],
)
def test_inline_math_is_kept_as_written(markdown, tex):
    assert render_answer(markdown) == f"<p>so {inline(tex)} holds</p>"


@pytest.mark.parametrize(
    "markdown",
    [
        "It costs $5 and $10.",
        "From $5-$10 a day.",
        "Between $ 5 and $ 10 a day.",
        "A \\$ sign and another \\$ sign.",
        "Pay $ 5 now, or $ 6 later.",
        "An unclosed $$ stays and so does \\( this.",
    ],
)
def test_money_and_stray_dollars_are_not_math(markdown):
    html = render_answer(markdown)

    assert "math" not in html
    assert "$" in html


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("Use `$x$` here.", "<p>Use <code>$x$</code> here.</p>"),
        ("Use ``a $x$ ` b`` here.", "<p>Use <code>a $x$ ` b</code> here.</p>"),
        (
            "```\n$$x_1$$ and \\(y\\)\n```",
            '<pre tabindex="0"><code>$$x_1$$ and \\(y\\)</code></pre>',
        ),
        (
            "Code:\n\n    echo $HOME $PATH$ \\(y\\)",
            '<p>Code:</p>\n<pre tabindex="0"><code>echo $HOME $PATH$ \\(y\\)\n'
            "</code></pre>",
        ),
    ],
)
def test_math_inside_code_stays_code(markdown, expected):
    assert render_answer(markdown) == expected


def test_a_code_span_does_not_pair_with_a_dollar_outside_it():
    html = render_answer("Costs $5 or `echo $x` and $y$.")

    assert html == f"<p>Costs $5 or <code>echo $x</code> and {inline('y')}.</p>"


def test_find_math_reports_each_span_with_its_kind():
    spans = find_math("$$a$$ and $b$ and \\(c\\) and \\[d\\] and `$e$`")

    assert [(span.tex, span.display) for span in spans] == [
        ("a", True),
        ("b", False),
        ("c", False),
        ("d", True),
    ]


def test_has_math_says_whether_a_page_needs_katex():
    assert has_math("Area $\\pi r^2$.")
    assert not has_math("It costs $5 and $10; `$x$` is code.")
    assert not has_math("")


# --- Markdown ----------------------------------------------------------------


def test_tables_render_in_a_focusable_scrolling_region_with_their_alignment():
    html = render_answer(answer_in("code_in_lists.md"))

    assert (
        '<div class="table-scroll" tabindex="0" role="region" aria-label="Table 1">'
        "<table>\n<thead>\n<tr>\n"
        '<th align="left">Way</th>\n<th align="right">Cost in $</th>'
    ) in html
    assert '<td align="right">$0</td>' in html
    assert html.count("</table></div>") == 1


def test_each_table_region_has_a_name_of_its_own():
    table = "| a | b |\n| --- | --- |\n| 1 | 2 |"

    html = render_answer(f"{table}\n\nBetween.\n\n{table}")

    assert re.findall(r'aria-label="([^"]*)"', html) == ["Table 1", "Table 2"]


def test_fenced_code_inside_a_list_item_is_a_code_block_in_the_item():
    html = render_answer(answer_in("code_in_lists.md"))

    assert (
        "<li><strong>getopts</strong>: for short options:\n"
        '   <pre tabindex="0"><code class="language-bash">'
        'while getopts ":f:" opt; do\n'
        "    case $opt in\n"
        '        f) foo="$OPTARG" ;;\n'
        "    esac\n"
        "done</code></pre></li>"
    ) in html


def test_fenced_code_keeps_its_language_class_and_its_text():
    html = render_answer(answer_in("code_in_lists.md"))

    assert html.endswith(
        '<pre tabindex="0"><code class="language-python">print("$x$")</code></pre>'
    )


def test_a_fence_right_after_a_line_of_text_still_makes_a_code_block():
    html = render_answer("Run:\n```sh\nls -l\n```\nThen look.")

    assert html == (
        '<p>Run:\n</p><pre tabindex="0"><code class="language-sh">ls -l</code></pre>'
        "<p>\nThen look.</p>"
    )


def test_lists_render_and_keep_their_first_number():
    html = render_answer("3. three\n4. four\n\n- a\n- b")

    assert html == (
        '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n'
        "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"
    )


@pytest.mark.parametrize(
    ("markdown", "levels"),
    [
        ("### a\n#### b", ["h3", "h4"]),
        ("# a\n## b\n### c", ["h3", "h4", "h5"]),
        ("## a\n#### b", ["h3", "h5"]),
        ("# a\n##### b\n###### c", ["h3", "h6", "h6"]),
        ("#### a\n##### b", ["h3", "h4"]),
        ("<h1>raw</h1>\n\n### b", ["h3", "h5"]),
    ],
)
def test_headings_are_moved_so_the_highest_is_h3_keeping_their_structure(
    markdown, levels
):
    html = render_answer(markdown)

    assert re.findall(r"<(h\d)>", html) == levels
    assert re.findall(r"</(h\d)>", html) == levels


def test_plain_markdown_renders_as_django_markdownify_renders_it():
    markdown = (
        'Some **bold**, *emphasis* and a [link](https://example.com "Example").\n\n'
        "> A quote\n\n- one\n- two\n\n1. first\n2. second\n\n---\n\nAT&T <3"
    )

    assert render_answer(markdown) == markdownify(markdown)


def test_an_empty_answer_renders_nothing():
    assert render_answer("") == ""
    assert render_answer(None) == ""


def test_the_template_filter_renders_an_answer():
    template = Template(
        "{% load answers %}{{ answer|render_answer }}"
        "{% if answer|has_math %} needs KaTeX{% endif %}"
    )

    html = template.render(Context({"answer": "**Area** $\\pi r^2$"}))

    area = inline("\\pi r^2")
    assert html == f"<p><strong>Area</strong> {area}</p> needs KaTeX"


# --- Hostile input -----------------------------------------------------------

HOSTILE = [
    ("<script>alert(1)</script>", "alert(1)"),
    ("Hi <script>alert(1)</script>", "<p>Hi alert(1)</p>"),
    ("<img src=x onerror=alert(1)>", ""),
    ("<svg onload=alert(1)><circle/></svg>", ""),
    ("[a](javascript:alert(1))", "<p><a>a</a></p>"),
    ("[a](JaVaScRiPt:alert(1))", "<p><a>a</a></p>"),
    ("[a](java&#x09;script:alert(1))", "<p><a>a</a></p>"),
    ("[a](&#106;avascript:alert(1))", "<p><a>a</a></p>"),
    ("[a](vbscript:msgbox(1))", "<p><a>a</a></p>"),
    ("[a](data:text/html;base64,PHNjcmlwdD4=)", "<p><a>a</a></p>"),
    ("![a](data:image/svg+xml;base64,PHN2Zz4=)", ""),
    ("[a][1]\n\n[1]: javascript:alert(1)", "<p><a>a</a></p>"),
    ('<a href="javascript:alert(1)" onclick="x()">a</a>', "<p><a>a</a></p>"),
    ('<strong onmouseover="alert(1)">a</strong>', "<p><strong>a</strong></p>"),
    ('<p style="background:url(javascript:alert(1))">a</p>', "<p>a</p>"),
    ('<p class="math math-inline">\\alpha</p>', "<p>\\alpha</p>"),
    ('<iframe src="https://evil.example"></iframe>', ""),
    ('<object data="x.swf"></object><embed src="x.swf">', "\n"),
    (
        '<form action="https://evil.example">'
        '<input name="q"><button>Go</button></form>',
        "Go",
    ),
    ("<style>body{display:none}</style>", "body{display:none}"),
    ('<noscript><p title="</noscript><img src=x onerror=alert(1)>">', ""),
    (
        "<<script>script>alert(1)<</script>/script>",
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
    ),
    ('<meta http-equiv="refresh" content="0;url=https://evil.example">', ""),
    ("<!-- <script>alert(1)</script> -->", ""),
    (
        '[a](https://example.com "t\\" onmouseover=\\"alert(1)")',
        '<p><a href="https://example.com" '
        'title="t\\&quot; onmouseover=\\&quot;alert(1)">a</a></p>',
    ),
    (
        "$</span><script>alert(1)</script>$",
        f"<p>{inline('&lt;/span&gt;&lt;script&gt;alert(1)&lt;/script&gt;')}</p>",
    ),
    (
        "$$</div><img src=x onerror=alert(1)>$$",
        display("&lt;/div&gt;&lt;img src=x onerror=alert(1)&gt;"),
    ),
    ("\\(<iframe src=x>\\)", f"<p>{inline('&lt;iframe src=x&gt;')}</p>"),
    (
        "```html\n</code></pre><script>alert(1)</script>\n```",
        '<pre tabindex="0"><code class="language-html">&lt;/code&gt;&lt;/pre&gt;'
        "&lt;script&gt;alert(1)&lt;/script&gt;</code></pre>",
    ),
    (
        '```" onmouseover="alert(1)\ncode\n```',
        '<pre tabindex="0"><code>code</code></pre>',
    ),
    # A forged placeholder (the renderer's private-use markers) is plain text.
    ("\ue000i3c7363726970743e\ue002", "<p>\ufffdi3c7363726970743e\ufffd</p>"),
    ("[a](https://example.com/$x$)", '<p><a href="https://example.com/$x$">a</a></p>'),
    # Math or code in a URL comes back as its source, delimiters and all, which
    # no URL scheme can start with.
    (
        "[a](\n```\njavascript:alert(1)\n```\n)",
        '<p><a href="```\njavascript:alert(1)\n```">a</a></p>',
    ),
    (
        '<a href="\n$$\njavascript:alert(1)\n$$\n">a</a>',
        '<p><a href="\n$$\njavascript:alert(1)\n$$\n">a</a></p>',
    ),
]


@pytest.mark.parametrize(("markdown", "expected"), HOSTILE)
def test_hostile_input_comes_out_harmless(markdown, expected):
    html = render_answer(markdown)

    assert html == expected
    assert_harmless(html)


PIECES = st.sampled_from(
    [
        "<script>",
        "</script>",
        "<img src=x onerror=alert(1)>",
        "<a href='",
        "'>",
        "javascript:",
        "[a](",
        ")",
        "$",
        "$$",
        "\\(",
        "\\)",
        "\\[",
        "\\]",
        "`",
        "```",
        "\n",
        "\n\n",
        "    ",
        "| a |",
        "|---|",
        "# ",
        "- ",
        "1. ",
        "x",
        " ",
        "<",
        ">",
        '"',
        "&",
        "\ue000i",
        "</span>",
        "</div>",
        "<style>",
        "<p onclick=x>",
        "~~~",
        "](",
        "java",
        "script:",
        "&#58;",
        "data:",
        "<a title='",
    ]
)


@given(st.lists(PIECES, max_size=40).map("".join))
def test_nothing_an_answer_holds_becomes_a_script_a_handler_or_a_bad_url(markdown):
    assert_harmless(render_answer(markdown))


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


ALLOWED_TAGS = set(settings.MARKDOWNIFY["default"]["WHITELIST_TAGS"]) | {"div", "span"}
OUR_CLASSES = re.compile(r"math math-(inline|display)|table-scroll|language-[\w+#-]+")


def scheme(url: str) -> str | None:
    """A URL's scheme as a browser reads it: tabs and newlines dropped, and
    controls and spaces at either end."""
    url = re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(0x21))))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", url)
    return match[1].lower() if match else None


def assert_harmless(html: str) -> None:
    """Only listed tags; no event handler, style or unsafe URL; only our classes."""
    parser = _Tags()
    parser.feed(html)
    for tag, attributes in parser.tags:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attributes.items():
            assert not name.startswith("on") and name != "style", (tag, name)
            if name == "href":
                assert scheme(value) in {None, "http", "https", "mailto"}, value
            if name == "class":
                assert OUR_CLASSES.fullmatch(value), value


# --- The page and the static files -------------------------------------------


@pytest.mark.django_db
def test_the_article_page_shows_math_for_katex_to_render(client):
    article = make_article(
        "how-fast-is-a-reaction",
        answer="The rate is $r = k[A]^2$:\n\n$$\nk = \\frac{r}{[A]^2} \\neq 0\n$$",
    )

    page = client.get(article.url).content.decode()

    assert article.url == "/learn/medicine/questions/how-fast-is-a-reaction"
    assert f"<p>The rate is {inline('r = k[A]^2')}:</p>" in page
    assert display("k = \\frac{r}{[A]^2} \\neq 0") in page


@pytest.mark.parametrize(
    "name", ["vendor/katex/katex.min.js", "vendor/katex/katex.min.css", "js/math.js"]
)
def test_katex_and_math_js_are_served_from_the_sites_own_static_files(name):
    url = staticfiles_storage.url(name)

    stem, suffix = name.rsplit(".", 1)
    assert re.fullmatch(rf"/static/{re.escape(stem)}\.[0-9a-f]{{12}}\.{suffix}", url)


def test_vendored_katex_is_the_version_package_lock_names():
    lock = json.loads((PROJECT / "package-lock.json").read_text())

    vendored = (KATEX / "VERSION").read_text().strip()

    assert vendored == lock["packages"]["node_modules/katex"]["version"]


def test_vendored_katex_css_names_only_woff2_fonts_that_are_vendored():
    css = (KATEX / "katex.min.css").read_text()

    fonts = re.findall(r"url\(([^)]*)\)", css)

    assert fonts and all(font.endswith(".woff2") for font in fonts)
    assert all((KATEX / font).is_file() for font in fonts)
    assert sorted(path.suffix for path in (KATEX / "fonts").iterdir()) == [
        ".woff2"
    ] * len(fonts)


def test_code_blocks_are_found_at_any_indentation_with_their_language():
    blocks = find_code_blocks(
        "1. a:\n   ```java\n   int x;\n     y();\n   ```\n~~~\nz\n~~~"
    )

    assert [(block.language, block.code) for block in blocks] == [
        ("java", "int x;\n  y();"),
        ("", "z"),
    ]
