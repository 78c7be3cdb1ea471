"""The answer's line breaks: backslash-n in files, real newlines in Markdown."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from articles.fileformat.answer_text import decode_answer, encode_answer, math_spans

# File-form text: any characters but real line breaks.
FILE_TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\r\n"),
)
# File-form text built mostly from the pieces that matter to decoding.
PIECES = st.sampled_from(
    ["\\n", "\\", "n", "$", "$$", "\\[", "\\]", "\\(", "\\)", "eq", "u", "abla"]
    + ["otin", "eg", "r", " ", "x", "é", "😀", "{", "}"]
)
FILE_TEXT_OF_PIECES = st.lists(PIECES, max_size=30).map("".join)


def test_it_turns_backslash_n_into_line_breaks():
    assert decode_answer("First.\\n\\nSecond.\\n- item") == "First.\n\nSecond.\n- item"


def test_it_leaves_text_without_backslash_n_as_it_is():
    text = "No breaks: $$x \\alpha$$ and a lone \\ backslash."

    assert decode_answer(text) == text


@pytest.mark.parametrize(
    "math",
    [
        "$$a \\neq b$$",
        "$$\\nabla f = 0$$",
        "$$\\nu = \\frac{c}{\\lambda}$$",
        "$$x \\notin S$$",
        "$\\neg p$",
        "$a \\ne b$",
        "\\[\\nabla \\cdot E = \\rho\\]",
        "\\(\\nu_0\\)",
    ],
)
def test_it_keeps_latex_commands_that_start_with_n_inside_math(math):
    raw = f"Before:\\n\\n{math}\\n\\nAfter."

    assert decode_answer(raw) == f"Before:\n\n{math}\n\nAfter."


def test_it_breaks_a_line_inside_math_before_a_name_that_is_no_command():
    assert decode_answer("$$\\nr = k$$") == "$$\nr = k$$"


def test_it_breaks_a_line_inside_math_before_a_non_letter():
    assert decode_answer("$$\\n\\nabla f\\n= 0$$") == "$$\n\\nabla f\n= 0$$"


def test_it_breaks_a_line_inside_math_before_a_longer_word_than_a_command():
    # `nuclear` starts like `\nu`, but the whole name is no command.
    assert decode_answer("$$a\\nuclear$$") == "$$a\nuclear$$"


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        ("fission\\nuclear power", "fission\nuclear power"),
        ("a\\neq b outside math", "a\neq b outside math"),
        ("see\\nabla", "see\nabla"),
        ("x\\notin", "x\notin"),
    ],
)
def test_it_breaks_lines_outside_math_even_before_command_names(raw, decoded):
    assert decode_answer(raw) == decoded


def test_it_decodes_a_mix_of_math_and_prose():
    raw = (
        "If $a \\neq b$ then:\\n\\n$$\\nabla \\cdot \\vec{v} \\neq 0$$"
        "\\n\\nand\\nnothing else."
    )

    assert decode_answer(raw) == (
        "If $a \\neq b$ then:\n\n$$\\nabla \\cdot \\vec{v} \\neq 0$$"
        "\n\nand\nnothing else."
    )


def test_it_decodes_a_fenced_code_block_line_by_line():
    raw = "Code:\\n\\n```python\\nprint('hi')\\n    return 1\\n```\\n\\nDone."

    assert decode_answer(raw) == (
        "Code:\n\n```python\nprint('hi')\n    return 1\n```\n\nDone."
    )


def test_it_decodes_a_markdown_table_line_by_line():
    raw = "| a | b |\\n| --- | --- |\\n| $x$ | `y` |"

    assert decode_answer(raw) == "| a | b |\n| --- | --- |\n| $x$ | `y` |"


def test_it_finds_every_kind_of_math_span():
    text = "$$a$$ then \\[b\\] then \\(c\\) then $d$ but not $"

    spans = math_spans(text)

    assert [text[start:end] for start, end in spans] == [
        "$$a$$",
        "\\[b\\]",
        "\\(c\\)",
        "$d$",
    ]


def test_it_writes_every_line_break_as_backslash_n():
    assert encode_answer("One.\n\nTwo.\nThree.") == "One.\\n\\nTwo.\\nThree."


def test_it_writes_a_windows_line_break_as_one_backslash_n():
    assert encode_answer("One.\r\nTwo.") == "One.\\nTwo."


def test_it_writes_math_commands_as_they_are():
    markdown = "$$a \\neq b$$\n\n$\\neg p$"

    assert encode_answer(markdown) == "$$a \\neq b$$\\n\\n$\\neg p$"


@pytest.mark.parametrize(
    "raw",
    [
        "Plain.\\n\\nText.",
        "$$a \\neq b$$\\n$$\\nr = k$$",
        "If $\\neg p$ then\\nuclear\\neq",
        "\\[\\nabla\\]\\n\\(\\nu\\)",
    ],
)
def test_it_writes_back_the_file_form_it_read(raw):
    assert encode_answer(decode_answer(raw)) == raw


@given(FILE_TEXT)
def test_it_writes_back_any_file_form_it_read(raw):
    assert encode_answer(decode_answer(raw)) == raw


@given(FILE_TEXT_OF_PIECES)
def test_it_writes_back_any_file_form_full_of_math_and_backslashes(raw):
    assert encode_answer(decode_answer(raw)) == raw


@given(
    st.text(
        alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\r\\$")
    )
)
def test_it_reads_back_any_markdown_without_backslashes_or_dollars(markdown):
    assert "\n" not in encode_answer(markdown)
    assert decode_answer(encode_answer(markdown)) == markdown
