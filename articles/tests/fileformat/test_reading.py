"""Reading article files: the seeds, the quirks of real files, and what is refused."""

import datetime
import subprocess
import sys
from pathlib import Path

import pytest

from articles.fileformat.limits import MAX_FILE_BYTES
from articles.fileformat.reading import FormatError, parse_article, peek_url

PROJECT = Path(__file__).resolve().parents[3]
SEEDS = PROJECT / "fixtures"
SAMPLES = Path(__file__).resolve().parents[1] / "data" / "format"
FIRST_SEED = SEEDS / "000_36ba845e82c8e443.txt"
SECOND_SEED = SEEDS / "002_c8994953b99ddd1b.txt"

# A small valid article; `article()` puts each field on the line shown.
FIELD_LINES = {
    "id": "id: 1",  # line 2
    "date": "date: 2024-12-07",  # line 3
    "title": "title: A title",  # line 4
    "question": "question: A question?",  # line 5
    "answer": "answer: An answer.",  # line 6
    "subject": "subject: Medicine",  # line 7
    "url": "url: /learn/medicine/questions/a-title",  # line 8
}
# A file may leave out `id` and `date`, not the others.
REQUIRED = [field for field in FIELD_LINES if field not in {"id", "date"}]


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def article(*more_lines: str, **fields: str | None) -> bytes:
    """A file of FIELD_LINES (a field given as None is left out), then more lines."""
    lines = {**FIELD_LINES, **fields}
    front = [line for line in lines.values() if line is not None]
    return "\n".join(["---", *front, *more_lines, "---", "", "&nbsp;"]).encode()


def refusal(data: bytes) -> FormatError:
    with pytest.raises(FormatError) as caught:
        parse_article(data)
    return caught.value


# The seeds ---------------------------------------------------------------


def test_it_reads_every_top_level_field_of_the_first_seed():
    record = parse_article(FIRST_SEED.read_bytes())

    title = "What treatment options are available for Metastatic Liver Cancer?"
    assert record.schema == "default"
    assert record.id == 97053
    assert record.date == datetime.date(2024, 12, 7)
    assert record.title == title
    assert record.article_title == title
    assert record.date_format == "MMM DD, YYYY"
    assert record.post_on_text == "Posted on"
    assert record.author == "QuickTakes"
    assert record.question == title
    assert record.subject == "Medicine"
    assert record.file_name == (
        "what-treatment-options-are-available-for-metastatic-liver-cancer.md"
    )
    assert record.url == (
        "/learn/medicine/questions/"
        "what-treatment-options-are-available-for-metastatic-liver-cancer"
    )
    assert record.subject_slug == "medicine"
    assert (
        record.slug
        == "what-treatment-options-are-available-for-metastatic-liver-cancer"
    )
    assert record.score == -1.0
    assert record.no_index is None
    assert record.body == "\n&nbsp;"
    assert record.extra == {}


def test_it_reads_the_seo_fields_of_the_first_seed():
    record = parse_article(FIRST_SEED.read_bytes())

    assert record.seo_title == "QuickTakes | Medicine"
    assert record.seo_description.startswith(
        "This article outlines the various treatment options available for "
        "metastatic liver cancer, including surgery, ablation,"
    )
    assert record.seo_description.endswith("for optimal patient outcomes.")
    assert record.seo_keywords == (
        "metastatic liver cancer, treatment options, surgery, ablation, "
        "chemotherapy, targeted therapy, immunotherapy, radiation therapy, "
        "clinical trials, multidisciplinary team"
    )
    assert record.seo_key_order == ["title", "page_description", "page_keywords"]
    assert record.seo_extra == {}


def test_it_reads_the_five_related_articles_of_the_first_seed_in_order():
    record = parse_article(FIRST_SEED.read_bytes())

    assert [
        (ref.position, ref.id, ref.title, ref.subject, ref.url)
        for ref in record.related
    ] == [
        (
            1,
            97074,
            "What are the common genetic factors associated with liver cancer?",
            "Health Studies",
            "/learn/health-studies/questions/"
            "what-are-the-common-genetic-factors-associated-with-liver-cancer",
        ),
        (
            2,
            97050,
            "What are the key characteristics of Cholangiocarcinoma?",
            "Medicine",
            "/learn/medicine/questions/"
            "what-are-the-key-characteristics-of-cholangiocarcinoma",
        ),
        (
            3,
            97054,
            "What is the clinical approach to identifying liver masses?",
            "Medicine",
            "/learn/medicine/questions/"
            "what-is-the-clinical-approach-to-identifying-liver-masses",
        ),
        (
            4,
            97073,
            "How does liver cancer impact overall liver function?",
            "Medicine",
            "/learn/medicine/questions/"
            "how-does-liver-cancer-impact-overall-liver-function",
        ),
        (
            5,
            97076,
            "How does early detection impact the prognosis of liver cancer?",
            "Health Studies",
            "/learn/health-studies/questions/"
            "how-does-early-detection-impact-the-prognosis-of-liver-cancer",
        ),
    ]
    assert all(
        ref.key_order == ["id", "title", "subject", "url"] for ref in record.related
    )
    assert all(ref.extra == {} for ref in record.related)


def test_it_keeps_the_order_of_the_keys_of_the_first_seed():
    record = parse_article(FIRST_SEED.read_bytes())

    assert record.key_order == [
        "_schema",
        "id",
        "date",
        "title",
        "article_title",
        "date_format",
        "post_on_text",
        "seo",
        "author",
        "question",
        "answer",
        "subject",
        "file_name",
        "url",
        "score",
        "related_article1",
        "related_article2",
        "related_article3",
        "related_article4",
        "related_article5",
    ]


def test_it_decodes_the_answer_of_the_first_seed_to_real_line_breaks():
    record = parse_article(FIRST_SEED.read_bytes())

    paragraphs = record.answer.split("\n\n")
    assert "\\n" not in record.answer
    assert len(paragraphs) == 9
    assert paragraphs[0].startswith("Metastatic liver cancer, which occurs when")
    assert paragraphs[1].startswith("1. **Surgery**: In select cases,")
    assert paragraphs[7].startswith("7. **Clinical Trials**:")
    assert paragraphs[8].endswith("better management of this challenging condition.")


def test_it_reads_the_second_seed():
    record = parse_article(SECOND_SEED.read_bytes())

    title = (
        "How does the treatment of Metastatic Liver Cancer differ from primary "
        "liver cancers?"
    )
    assert record.id == 97065
    assert record.date == datetime.date(2024, 12, 7)
    assert record.title == title
    assert record.question == title
    assert record.subject == "Medicine"
    assert record.url == (
        "/learn/medicine/questions/"
        "how-does-the-treatment-of-metastatic-liver-cancer-differ-from-primary-"
        "liver-cancers"
    )
    assert record.score == -1.0
    assert record.seo_title == "QuickTakes | Medicine"
    assert record.body == "\n&nbsp;"
    assert [(ref.id, ref.subject) for ref in record.related] == [
        (97071, "Health Studies"),
        (97068, "Medicine"),
        (97062, "Medicine"),
        (97060, "Medicine"),
        (97056, "Medicine"),
    ]
    assert record.related[4].title == (
        "What are the differential diagnoses for hepatomegaly?"
    )
    assert record.answer.split("\n\n")[1].startswith("1. **Surgical Options**:")


# Quirks of real files -----------------------------------------------------


def test_it_drops_a_utf8_byte_order_mark():
    data = sample("bom.txt")
    assert data.startswith(b"\xef\xbb\xbf---\n")

    record = parse_article(data)

    assert record.id == 1001
    assert record.schema == "default"
    assert record.key_order[0] == "_schema"


def test_it_reads_crlf_line_endings_as_plain_line_breaks():
    data = sample("crlf.txt")
    assert data.count(b"\r\n") == data.count(b"\n")

    record = parse_article(data)

    assert record.title == "Why do some files end lines with CRLF?"
    assert record.answer == (
        "Windows editors write CRLF.\n\nThe reader turns them into LF."
    )
    assert record.body == "\n&nbsp;"
    assert "\r" not in record.title + record.answer + record.body


def test_it_keeps_dashes_inside_values_and_a_dash_line_in_the_body():
    record = parse_article(sample("triple_dash.txt"))

    assert record.title == "Before --- after: a dash rule inside the title"
    assert record.question == "Can a value hold ---?"
    assert record.answer == "Yes.\n---\nA rule in the answer."
    assert record.body == "\n&nbsp;\n---\nstill the body\n"


def test_it_keeps_unknown_top_level_fields_and_their_place():
    record = parse_article(sample("unknown_fields.txt"))

    assert record.extra == {
        "layout": "article",
        "tags": ["liver", "oncology"],
        "reviewed": datetime.date(2024, 12, 8),
    }
    assert record.key_order == [
        "_schema",
        "id",
        "layout",
        "date",
        "title",
        "seo",
        "question",
        "answer",
        "subject",
        "url",
        "tags",
        "score",
        "related_article1",
        "reviewed",
    ]


def test_it_keeps_unknown_seo_fields_and_their_place():
    record = parse_article(sample("unknown_fields.txt"))

    assert record.seo_title == "QuickTakes | Medicine"
    assert record.seo_description == "A file with fields no one listed."
    assert record.seo_keywords is None
    assert record.seo_extra == {
        "robots": "noarchive",
        "canonical": "https://example.org/a",
    }
    assert record.seo_key_order == ["title", "robots", "page_description", "canonical"]


def test_it_keeps_unknown_fields_inside_a_related_article():
    (ref,) = parse_article(sample("unknown_fields.txt")).related

    assert ref.id == 97074
    assert ref.subject == "Health Studies"
    assert ref.extra == {"weight": 3, "note": "added by hand"}
    assert ref.key_order == ["id", "weight", "title", "subject", "url", "note"]


def test_it_reads_a_file_without_a_score_as_having_none():
    record = parse_article(sample("no_score.txt"))

    assert record.score is None
    assert "score" not in record.key_order


def test_it_reads_a_file_without_an_id_as_having_none():
    record = parse_article(sample("no_id.txt"))

    assert record.id is None
    assert "id" not in record.key_order
    assert record.date == datetime.date(2024, 12, 7)


def test_it_reads_a_file_without_a_date_as_having_none():
    record = parse_article(sample("no_date.txt"))

    assert record.date is None
    assert "date" not in record.key_order
    assert record.id == 1006


@pytest.mark.parametrize("field", ["id", "date"])
def test_it_reads_an_id_or_a_date_left_blank_as_none_given_empty(field):
    record = parse_article(article(**{field: f"{field}:"}))

    assert getattr(record, field) is None
    assert field in record.key_order


def test_it_reads_no_index_true_in_capitals():
    record = parse_article(sample("no_index.txt"))

    assert record.no_index is True
    assert record.key_order[-1] == "no_index"


def test_it_keeps_the_positions_of_related_articles_with_gaps():
    record = parse_article(sample("related_gaps.txt"))

    assert [(ref.position, ref.id) for ref in record.related] == [
        (1, 97074),
        (3, 97054),
    ]
    assert "related_article2" not in record.key_order
    assert record.extra == {}


def test_it_keeps_the_same_related_article_listed_twice():
    record = parse_article(sample("related_twice.txt"))

    assert [(ref.position, ref.id) for ref in record.related] == [
        (1, 97054),
        (2, 97074),
        (3, 97054),
    ]
    assert record.related[0].url == record.related[2].url


def test_it_reads_a_negative_id():
    record = parse_article(sample("negative_id.txt"))

    assert record.id == -42
    assert record.slug == "can-an-id-be-negative"


def test_it_reads_a_plain_title_like_a_folded_one():
    record = parse_article(sample("plain_title.txt"))

    assert record.title == "What is a plain title?"
    assert record.answer == "One written without the folded marker."
    assert record.schema is None
    assert record.related == []


def test_it_keeps_latex_commands_that_start_with_n_inside_math():
    answer = parse_article(sample("math.txt")).answer

    assert "$$a \\neq b \\quad \\nabla f \\quad \\nu_0 \\quad x \\notin S$$" in answer
    assert "$\\neg p$" in answer


def test_it_breaks_lines_around_math_and_before_a_non_command_inside_it():
    answer = parse_article(sample("math.txt")).answer

    assert answer.split("\n\n") == [
        "Display math keeps its commands:",
        "$$a \\neq b \\quad \\nabla f \\quad \\nu_0 \\quad x \\notin S$$",
        "Inline math too: $\\neg p$ is true.",
        "$$\nr = k$$",
        "Done.",
    ]


def test_it_decodes_a_fenced_code_block_with_dollar_signs():
    answer = parse_article(sample("code_and_table.txt")).answer

    assert answer.split("\n\n")[:2] == [
        "Run this:",
        "```bash\nexport PATH=$HOME/bin:$PATH\n  echo $PATH\n```",
    ]


def test_it_decodes_a_markdown_table_row_by_row():
    answer = parse_article(sample("code_and_table.txt")).answer

    assert answer.split("\n\n")[2:] == [
        "| Drug | Dose |\n| --- | --- |\n| aspirin | 81 mg |\n| `a|b` | n/a |",
        "### Next steps",
    ]


# Refusals ------------------------------------------------------------------


def test_it_accepts_the_small_article_the_refusals_start_from():
    record = parse_article(article())

    assert (record.id, record.title, record.url) == (
        1,
        "A title",
        "/learn/medicine/questions/a-title",
    )


def test_it_refuses_bytes_that_are_not_utf8():
    error = refusal(b"\xff\xfe-\x00-\x00-\x00")

    assert "not UTF-8" in error.message
    assert "0xff" in error.message
    assert error.line == 1


def test_it_names_the_line_of_a_byte_that_is_not_utf8():
    error = refusal(article(title="title: Cafe").replace(b"Cafe", b"Caf\xe9"))

    assert "not UTF-8 text (byte 0xe9" in error.message
    assert error.line == 4


def test_it_refuses_a_file_without_opening_delimiter():
    error = refusal(b"id: 1\ntitle: A title\n---\n")

    assert error.message == "the file does not start with a '---' line"
    assert error.line == 1


def test_it_refuses_a_file_without_closing_delimiter():
    error = refusal(b"---\nid: 1\ntitle: A title\n\n&nbsp;")

    assert error.message == "the front matter is never closed by a '---' line"
    assert error.line is None


def test_it_refuses_invalid_yaml_with_its_line():
    error = refusal(article(title="title: a: b"))

    assert error.message.startswith("invalid YAML: ")
    assert "mapping values are not allowed" in error.message
    assert error.line == 4
    assert str(error).startswith("line 4: invalid YAML")


def test_it_refuses_front_matter_that_is_not_a_mapping():
    error = refusal(b"---\n- id\n- title\n---\n")

    assert error.message == "the front matter is not a mapping of fields"
    assert error.line == 2


@pytest.mark.parametrize("field", REQUIRED)
def test_it_refuses_a_file_missing_a_required_field(field):
    error = refusal(article(**{field: None}))

    assert error.message == f"field '{field}': is required"
    assert error.line is None


@pytest.mark.parametrize("field", REQUIRED)
def test_it_refuses_a_required_field_left_blank_with_its_line(field):
    error = refusal(article(**{field: f"{field}:"}))

    assert error.message == f"field '{field}': is required"
    assert error.line == list(FIELD_LINES).index(field) + 2


@pytest.mark.parametrize(
    ("line", "number", "message"),
    [
        ("id: abc", 2, "field 'id': must be a whole number, not text 'abc'"),
        ('id: "abc"', 2, "field 'id': must be a whole number, not text 'abc'"),
        ("id: true", 2, "field 'id': must be a whole number, not true/false True"),
        ("id: 1.5", 2, "field 'id': must be a whole number, not float 1.5"),
        (
            "date: yesterday",
            3,
            "field 'date': must be a date like 2024-12-07, not text 'yesterday'",
        ),
        (
            "date: '2024-12-07'",
            3,
            "field 'date': must be a date like 2024-12-07, not text '2024-12-07'",
        ),
        ("title: [a, b]", 4, "field 'title': must be text, not a list"),
        ("title: 42", 4, "field 'title': must be text, not int 42"),
    ],
)
def test_it_refuses_a_mistyped_required_field(line, number, message):
    field = line.split(":", 1)[0]

    error = refusal(article(**{field: line}))

    assert error.message == message
    assert error.line == number


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("score: high", "field 'score': must be a number, not text 'high'"),
        ("score: .nan", "field 'score': must be a finite number, not nan"),
        ("no_index: maybe", "field 'no_index': must be true or false, not text"),
        ("seo: QuickTakes", "field 'seo': must be a mapping of fields, not text"),
        ("author: [a]", "field 'author': must be text, not a list"),
    ],
)
def test_it_refuses_a_mistyped_optional_field(line, message):
    error = refusal(article(line))

    assert error.message.startswith(message)
    assert error.line == 9


def test_it_refuses_a_related_article_without_url():
    error = refusal(
        article(
            "related_article1:",
            "    url: /learn/medicine/questions/b",
            "related_article2:",
            "    id: 7",
            "    title: No link",
        )
    )

    assert error.message == "field 'related_article2.url': is required"
    assert error.line == 11


def test_it_refuses_a_related_article_with_a_malformed_url():
    error = refusal(article("related_article1:", "    url: /learn/Medicine/b"))

    assert error.message.startswith(
        "field 'related_article1.url': '/learn/Medicine/b' is not of the form "
        "/learn/<subject>/questions/<slug>"
    )
    assert error.line == 9


def test_it_refuses_a_related_article_that_is_not_a_mapping():
    error = refusal(article("related_article3: /learn/medicine/questions/b"))

    assert error.message.startswith(
        "field 'related_article3': must be a mapping of fields, not text"
    )
    assert error.line == 9


@pytest.mark.parametrize(
    "url",
    [
        "https://quicktakes.example/learn/medicine/questions/a-title",
        "/learn/medicine/questions/a-title/",
        "/learn/medicine/questions/A-Title",
        "/learn/medicine/a-title",
        "/learn/medicine/questions/a title",
        "/learn/medicine/questions/-a-title",
        "/learn/medicine/questions/a-title-",
        "/learn//questions/a-title",
        "/learn/medicine/questions/../a-title",
        "/learn/medicine/questions//a-title",
    ],
)
def test_it_refuses_a_malformed_url_with_its_line(url):
    error = refusal(article(url=f"url: {url}"))

    assert error.message.startswith(f"field 'url': {url!r} is not of the form")
    assert error.line == 8


@pytest.mark.parametrize(
    "quoted",
    [
        r'"/learn/medicine/questions/a-title\n"',
        r'"/learn/medicine/questions/a-title "',
        r'" /learn/medicine/questions/a-title"',
        r'"/learn/medicine/questions/a-title\t"',
        r'"/learn/medicine/questions/a\x00title"',
        r'"/learn/medicine\n/questions/a-title"',
    ],
)
def test_it_refuses_a_url_with_a_newline_whitespace_or_a_control_character(quoted):
    error = refusal(article(url=f"url: {quoted}"))

    assert error.message.startswith("field 'url': ")
    assert "is not of the form /learn/<subject>/questions/<slug>" in error.message


@pytest.mark.parametrize(
    "url",
    [
        "/learn/mathematics/questions/"
        "how-does-the-graph-of-an-inverse-function-relate-to-the-line-y--x",
        "/learn/chemistry/questions/what-are-the-thermal-behaviors-of--and-hydroxy-acids",
    ],
)
def test_it_reads_the_double_hyphens_of_real_slugs(url):
    record = parse_article(
        article("related_article1:", f"    url: {url}", url=f"url: {url}")
    )

    assert (record.url, record.slug) == (url, url.rsplit("/", 1)[1])
    assert record.related[0].url == url


def test_it_refuses_python_tags_without_running_them(capfd):
    error = refusal(article('hook: !!python/object/apply:os.system ["echo hi"]'))

    assert error.message.startswith("invalid YAML: could not determine a constructor")
    assert "python/object/apply:os.system" in error.message
    assert error.line == 9
    assert "hi" not in capfd.readouterr().out


def test_it_refuses_a_key_given_twice_at_its_second_line():
    error = refusal(article("subject: Surgery"))

    assert error.message == "invalid YAML: the key 'subject' is given twice"
    assert error.line == 9


def test_it_refuses_a_key_given_twice_inside_a_related_article():
    error = refusal(
        article(
            "related_article1:",
            "    url: /learn/medicine/questions/b",
            "    url: /learn/medicine/questions/c",
        )
    )

    assert error.message == "invalid YAML: the key 'url' is given twice"
    assert error.line == 11


def test_it_refuses_a_file_over_one_mebibyte():
    data = article("padding: >-", "    " + "x" * MAX_FILE_BYTES)

    error = refusal(data)

    assert error.message == (
        f"the file is {len(data):,} bytes; the limit is {MAX_FILE_BYTES:,}"
    )


def test_it_reads_a_file_of_exactly_one_mebibyte():
    short = article("padding: >-", "    ")
    padding = "x" * (MAX_FILE_BYTES - len(short))
    data = article("padding: >-", "    " + padding)
    assert len(data) == MAX_FILE_BYTES

    record = parse_article(data)

    assert record.extra == {"padding": padding}


BILLION_LAUGHS = [
    "lols:",
    '  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]',
    "  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
    "  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
    "  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
    "  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
    "  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]",
    "  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]",
    "  h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]",
    "  i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]",
]


def test_it_refuses_a_yaml_alias_bomb_in_an_unknown_field():
    error = refusal(article(*BILLION_LAUGHS))

    assert "repeats a list or mapping by a YAML alias" in error.message


def test_it_names_the_field_and_line_of_a_yaml_alias_bomb():
    error = refusal(article(*BILLION_LAUGHS))

    assert "lols" in error.message
    assert error.line == 9


def test_it_keeps_an_alias_to_plain_text():
    record = parse_article(article("first: &name QuickTakes", "second: *name"))

    assert record.extra == {"first": "QuickTakes", "second": "QuickTakes"}


@pytest.mark.parametrize("field", ["title", "question", "answer", "subject"])
def test_it_refuses_an_empty_text_field(field):
    error = refusal(article(**{field: f"{field}: ''"}))

    assert error.message == f"field '{field}': is empty"
    assert error.line == list(FIELD_LINES).index(field) + 2


def test_it_refuses_a_title_of_only_spaces():
    error = refusal(article(title='title: "   "'))

    assert error.message == "field 'title': is empty"
    assert error.line == 4


def test_it_refuses_a_title_over_its_length_limit():
    error = refusal(article(title="title: " + "x" * 501))

    assert error.message == "field 'title': is 501 characters; the limit is 500"
    assert error.line == 4


def test_it_refuses_an_id_too_large_for_64_bits():
    error = refusal(article(id=f"id: {2**63}"))

    assert error.message == f"field 'id': must fit in 64 bits, not {2**63}"
    assert error.line == 2


# Refusals the code does not make cleanly (see the report) ------------------


def test_it_refuses_an_impossible_date_with_its_line():
    error = refusal(article(date="date: 2024-02-30"))

    assert "date" in error.message
    assert error.line == 3


def test_it_refuses_a_hexadecimal_looking_value_that_is_not_a_number():
    error = refusal(article("code: 0x_"))

    assert error.line == 9


def test_it_refuses_a_list_used_as_a_key():
    error = refusal(article("matrix:", "    ? [1, 2]", "    : cell"))

    assert error.message.startswith("invalid YAML")
    assert error.line == 10


def test_it_refuses_deeply_nested_values_in_an_unknown_field():
    error = refusal(article("deep: " + "[" * 1000 + "]" * 1000))

    assert error.line == 9


def test_it_refuses_very_deeply_nested_values_without_crashing_the_process():
    # Run in a child process: the crash this guards against is a segfault.
    depth = 200_000
    program = (
        "from articles.fileformat.reading import FormatError, parse_article\n"
        "data = ('---\\nid: 1\\ndate: 2024-12-07\\ntitle: A\\nquestion: Q\\n'\n"
        "    'answer: A\\nsubject: Medicine\\nurl: /learn/medicine/questions/a\\n'\n"
        f"    'deep: ' + '[' * {depth} + ']' * {depth} + '\\n---\\n').encode()\n"
        "try:\n"
        "    parse_article(data)\n"
        "except FormatError as error:\n"
        "    print('refused:', error)\n"
    )

    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("refused:")


def test_it_names_the_line_of_a_mistyped_field_written_with_a_quoted_key():
    error = refusal(article(id='"id": abc'))

    assert error.message == "field 'id': must be a whole number, not text 'abc'"
    assert error.line == 2


@pytest.mark.parametrize(
    ("line", "url"),
    [
        ("url: /learn/medicine/questions/a-title", "/learn/medicine/questions/a-title"),
        ("url: '/learn/medicine/questions/a'", "/learn/medicine/questions/a"),
        ('url: "/learn/medicine/questions/a"  ', "/learn/medicine/questions/a"),
        ("url: >-\n  /learn/medicine/questions/a", None),
        ("url: /learn/medicine/questions/a # a comment", None),
    ],
)
def test_it_peeks_at_the_url_line_without_parsing_the_yaml(line, url):
    data = article(
        "related_article1:", "    url: /learn/medicine/questions/b", url=line
    )

    assert peek_url(data) == url


def test_a_url_in_the_body_or_a_broken_file_is_no_url_to_peek_at():
    assert peek_url(article(url=None).replace(b"&nbsp;", b"url: /learn/x")) is None
    assert peek_url(b"no front matter") is None
    assert peek_url(b"---\nurl: /learn/a/questions/b\n") is None  # never closed
